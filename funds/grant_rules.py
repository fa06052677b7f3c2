"""The caps and approval thresholds of an assistance grant (WH-M §8–§9, WH-F §9), one pure
function per rule: values in, a refusal out — `{field: message}` in Chinese naming the
clause, empty when the rule allows the grant. No database; `funds.services.grants` calls
them on the locked archive's figures, the form shows what they say.

- A cap the seed states as a maximum is never lifted by an approval document: relative
  medical aid 最高不超过1.6万元 (WH-M §9(二)), accident aid 15 % of the costs, 最高不超过1万元
  (§9(三)), medical aid never above what the household paid (§8(二)).
- Above an item's standard only a deep household's medical aid may go, as a 特殊情况 with
  the provincial federation's approval (§9(一)5).
- A household's yearly total for one item at the policy's thresholds needs the provincial,
  then the national approval; whether "at" includes the threshold itself (以上, WH-M §9(一)5)
  or not (超过, WH-F §9) is the policy's `approval_threshold_reading`.
"""

from decimal import Decimal

from assistance.eligibility import Category
from core.money import yuan
from funds.models import Item

Refusal = dict[str, str]
# What an accident household's one standard may be booked under, by its cause (WH-M §5(三):
# 突发事件、意外伤害、患重大疾病): medical aid for an illness or injury, living aid otherwise.
ACCIDENT_ITEMS = (Item.LIVING, Item.MEDICAL)
CLAUSE_RELATIVE_MEDICAL = "芜湖实施办法第九条第二项"
CLAUSE_ACCIDENT = "芜湖实施办法第九条第三项"
CLAUSE_SPECIAL_MEDICAL = "芜湖实施办法第九条第一项第5目"
CLAUSE_FUND_APPROVAL = "芜湖细则第九条"


def wan(amount: Decimal) -> str:
    """16000 → "1.6万元", 20000 → "2万元"; an amount not in whole hundreds stays in yuan."""
    if amount >= 10000 and amount % 100 == 0:
        return f"{format((amount / 10000).normalize(), 'f')}万元"
    return f"{amount}元"


def reaches(total: Decimal, threshold: Decimal, *, inclusive: bool) -> bool:
    """Whether `total` reaches an approval threshold: 以上 includes the number, 超过 does not
    (Civil Code art. 1259)."""
    return total >= threshold if inclusive else total > threshold


def accident_item_refusal(*, item: str) -> Refusal:
    """An accident household's one standard goes under the item its cause fits."""
    if item in ACCIDENT_ITEMS:
        return {}
    return {
        "item": "意外致困职工家庭只给予意外致困一次性救助，按致困原因记入医疗救助（患重大疾病、"
        f"意外伤害）或生活救助（突发事件等），不给予{Item(item).label}（{CLAUSE_ACCIDENT}）。"
    }


def hard_cap_refusal(
    *,
    category: str,
    item: str,
    year: int,
    total: Decimal,
    relative_medical_cap: Decimal,
    accident_rate: Decimal,
    accident_cap: Decimal,
    accident_costs: Decimal,
) -> Refusal:
    """The maxima the seed states (最高不超过), on the household's yearly total: no approval
    document lifts them."""
    if category == Category.RELATIVE and item == Item.MEDICAL and total > relative_medical_cap:
        return {
            "amount": f"相对困难职工家庭医疗救助最高不超过{wan(relative_medical_cap)}"
            f"（{CLAUSE_RELATIVE_MEDICAL}），审批文号不能突破此上限：{year}年该户医疗救助合计 "
            f"{total} 元。"
        }
    if category != Category.ACCIDENT:
        return {}
    rate = format((accident_rate * 100).normalize(), "f")
    if total > accident_cap:
        return {
            "amount": f"意外致困职工家庭按因困支出总额的 {rate}% 确定帮扶标准，最高不超过"
            f"{wan(accident_cap)}（{CLAUSE_ACCIDENT}），审批文号不能突破此上限：{year}年该户"
            f"意外致困救助合计 {total} 元。"
        }
    share = yuan(accident_costs * accident_rate)
    if total > share:
        return {
            "amount": f"意外致困职工家庭按因困支出总额的 {rate}% 确定帮扶标准（{CLAUSE_ACCIDENT}）"
            f"：致困费用 {accident_costs} 元的 {rate}% 为 {share} 元，{year}年该户意外致困救助"
            f"合计 {total} 元超过此数，审批文号不能突破。"
        }
    return {}


def above_standard_refusal(
    *,
    category: str,
    item: str,
    amount: Decimal,
    standard_amount: Decimal | None,
    provincial_approval: str,
) -> Refusal:
    """Above the standard only a deep household's medical aid, as a 特殊情况 with the
    provincial federation's approval (WH-M §9(一)5)."""
    if standard_amount is None or amount <= standard_amount:
        return {}
    above = f"救助金额 {amount} 元高于标准 {standard_amount} 元"
    if category == Category.DEEP and item == Item.MEDICAL:
        if provincial_approval:
            return {}
        return {
            "provincial_approval": f"{above}：深度困难职工家庭医疗救助特殊情况高于标准的，"
            f"须报送省总工会审批（{CLAUSE_SPECIAL_MEDICAL}），请填写审批文号。"
        }
    return {
        "amount": f"{above}：{Category(category).label}职工家庭{Item(item).label}按标准救助，"
        "审批文号不能突破标准；只有深度困难职工家庭医疗救助在特殊情况下经省总工会审批可以"
        f"高于标准（{CLAUSE_SPECIAL_MEDICAL}）。"
    }


def out_of_pocket_refusal(*, year: int, total: Decimal, spent: Decimal) -> Refusal:
    """Medical aid never exceeds what the household paid itself (WH-M §8(二): 补助不超过个人
    承担部分), whatever the approval."""
    if total <= spent:
        return {}
    return {
        "amount": f"医疗救助不超过个人承担部分：医保内个人实际负担医疗费 {spent} 元，"
        f"{year}年医疗救助合计不能超过此数（芜湖实施办法第八条第二项）。"
    }


def approval_refusal(
    *,
    year: int,
    item_label: str,
    total: Decimal,
    provincial_threshold: Decimal,
    national_threshold: Decimal,
    inclusive: bool,
    provincial_approval: str,
    national_approval: str,
) -> Refusal:
    """The household's yearly total for one item at the provincial threshold needs the
    provincial federation's approval document, at the national one the national
    federation's too (WH-M §9(一)5 以上, WH-F §9 超过: the policy's reading)."""
    refusal: Refusal = {}
    for field, threshold, document, who, what in (
        (
            "provincial_approval",
            provincial_threshold,
            provincial_approval,
            "须经省总工会审批",
            "审批文号",
        ),
        ("national_approval", national_threshold, national_approval, "须报全国总工会同意", "文号"),
    ):
        if document or not reaches(total, threshold, inclusive=inclusive):
            continue
        if inclusive:
            reached = f"达到{wan(threshold)}（{wan(threshold)}以上，含本数）"
            # WH-M's 以上 (deep medical aid) read strictly for every item of WH-F §9 (超过).
            clause = f"{CLAUSE_SPECIAL_MEDICAL}“以上”含本数，对{CLAUSE_FUND_APPROVAL}各项目从严适用"
        else:
            reached = f"超过{wan(threshold)}"
            clause = CLAUSE_FUND_APPROVAL
        refusal[field] = (
            f"{year}年该户{item_label}合计 {total} 元，{reached}，{who}（{clause}）：请填写{what}。"
        )
    return refusal
