"""The clauses of the policy a grant is judged by (WH-M §8–§9, WH-F §9): pure decisions,
values in, values out, no database. `funds.selectors.grants` reads the archive, the policy
and the household's earlier grants and asks these; `funds.services.grants` checks them on
the locked archive's figures; the forms show what they say.

The standard of an item (WH-M §9, DOMAIN.md §6), `item_standard`:

- living aid: 深度 / 相对 months × the county's 城市低保标准 a year;
- education aid: months × 低保 per student in school;
- medical aid: by bands of what the household paid itself within the insurance, nothing
  under the floor;
- an accident household: one standard, 15 % of its costs, at most the cap, booked under the
  item its cause fits (`ACCIDENT_ITEMS`);
- vocational training and legal aid have no standard (what the service costs).

The caps and thresholds, one function per rule, a refusal out — `{field: message}` in
Chinese naming the clause, empty when the rule allows the grant:

- A cap the seed states as a maximum is never lifted by an approval document: relative
  medical aid 最高不超过1.6万元 (WH-M §9(二)), accident aid 15 % of the costs, 最高不超过1万元
  (§9(三)), medical aid never above what the household paid (§8(二)).
- Above an item's standard only a deep household's medical aid may go, as a 特殊情况 with
  the provincial federation's approval (§9(一)5).
- A household's yearly total for one item at the policy's thresholds needs the provincial,
  then the national approval; whether "at" includes the threshold itself (以上, WH-M §9(一)5)
  or not (超过, WH-F §9) is the policy's `approval_threshold_reading`.
- How many items a year (WH-M §9): one for a relative household, one help for an accident
  household (`year_limit_refusal`); a deep household's further item is re-assessed with the
  earlier aid counted as income (the selector runs the assessment).
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from assistance.eligibility import Category, Household, PolicyRules, standards_for
from core.money import yuan
from funds.models import Entry, Item, PaymentBatch, PaymentLine

Refusal = dict[str, str]
# What an accident household's one standard may be booked under, by its cause (WH-M §5(三):
# 突发事件、意外伤害、患重大疾病): medical aid for an illness or injury, living aid otherwise.
ACCIDENT_ITEMS = (Item.LIVING, Item.MEDICAL)
CLAUSE_RELATIVE_MEDICAL = "芜湖实施办法第九条第二项"
CLAUSE_ACCIDENT = "芜湖实施办法第九条第三项"
CLAUSE_SPECIAL_MEDICAL = "芜湖实施办法第九条第一项第5目"
CLAUSE_FUND_APPROVAL = "芜湖细则第九条"
ZERO = Decimal("0.00")
# An accident household's one standard (WH-M §9(三)) is booked under the item its cause fits
# (`ACCIDENT_ITEMS`; the model has no accident item): this is how its basis names it.
ACCIDENT_BASIS = "意外致困一次性救助"
# What a caseworker may enter for the standard, besides what the archive already knows.
INPUT_FIELDS = {
    "students": "在校学生（人）",
    "medical_out_of_pocket": "医保内个人实际负担医疗费（元）",
    "accident_costs": "年度致困费用（损失）（元）",
}
# Which input each item's standard reads.
ITEM_INPUTS = {
    Item.EDUCATION: "students",
    Item.MEDICAL: "medical_out_of_pocket",
}


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


# --- The standard of an item (WH-M §9) ------------------------------------------------------


def _number(name: str, raw, default) -> Decimal:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raw = default
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise ValidationError({name: f"{INPUT_FIELDS[name]}不是数字。"}) from exc
    if not value.is_finite() or value < 0:
        raise ValidationError({name: f"{INPUT_FIELDS[name]}不能为负数。"})
    if value > Decimal("100000000"):
        raise ValidationError({name: f"{INPUT_FIELDS[name]}过大，请核对。"})
    return value


def clean_inputs(inputs: dict, figures: dict) -> dict:
    """The standard's inputs: each typed value, or the archive's current figure."""
    unknown = set(inputs or {}) - set(INPUT_FIELDS)
    if unknown:
        raise ValidationError(f"不能用于计算救助标准的数据：{'、'.join(sorted(unknown))}")
    inputs = inputs or {}
    cleaned = {
        name: _number(name, inputs.get(name), figures.get(name, "0")) for name in INPUT_FIELDS
    }
    students = cleaned["students"]
    if students != students.to_integral_value():
        raise ValidationError({"students": "在校学生人数须为整数。"})
    cleaned["students"] = int(students)
    household_size = int(Decimal(str(figures.get("household_size", "1"))))
    if cleaned["students"] > household_size:
        raise ValidationError(
            {"students": f"在校学生人数不能超过共同生活人口（{household_size} 人）。"}
        )
    for name in ("medical_out_of_pocket", "accident_costs"):
        cleaned[name] = yuan(cleaned[name])
    return cleaned


def _tier_text(tiers, floor: Decimal) -> str:
    parts, lower = [], floor
    for tier in tiers:
        if tier.up_to is None:
            parts.append(f"{lower} 元以上 {tier.amount} 元")
        else:
            parts.append(f"{lower}–{tier.up_to} 元 {tier.amount} 元")
            lower = tier.up_to
    return "；".join(parts)


@dataclass(frozen=True)
class ItemStandard:
    """An item's yearly standard for a household (None: the item has no standard), how it
    was worked out, and the inputs it read."""

    yearly: Decimal | None
    basis: str
    kept: dict


def item_standard(
    *,
    item: str,
    category: str,
    household: Household,
    rules: PolicyRules,
    policy_code: str,
    county_name: str,
    on: datetime.date,
    inputs: dict,
) -> ItemStandard:
    """The yearly standard of `item` for a household of `category` (WH-M §9), from its
    figures (`household`, the cleaned `inputs`) under the policy's rules and the county's
    低保 in force on `on`. Refuses (ValidationError) an education grant without a student, a
    medical grant below the floor and an accident help without costs."""
    label = Item(item).label
    mls = household.minimum_living_standard
    standards = standards_for(category, household, rules)
    under = f"（{county_name} {on:%Y-%m-%d} 执行的城市低保标准 {mls} 元/月，政策 {policy_code}）"
    kept: dict = {}
    if category == Category.ACCIDENT:
        yearly = standards.accident
        costs = inputs["accident_costs"]
        kept["accident_costs"] = str(costs)
        rate = format((rules.accident_rate * 100).normalize(), "f")
        basis = (
            f"{ACCIDENT_BASIS}（记入{label}）：年度致困费用 {costs} 元 × {rate}%，"
            f"最高 {rules.accident_cap} 元（政策 {policy_code}），标准 {yearly} 元。"
        )
        if yearly == 0:
            raise ValidationError(
                {"accident_costs": "没有致困费用（损失），不能给予意外致困一次性救助。"}
            )
    elif item == Item.LIVING:
        months = (
            rules.deep_living_months if category == Category.DEEP else rules.relative_living_months
        )
        yearly = standards.living
        basis = (
            f"{Category(category).label}职工家庭生活救助：{months} 个月 × 城市低保标准 {mls} 元"
            f" = {yearly} 元/年{under}。"
        )
    elif item == Item.EDUCATION:
        months = (
            rules.deep_education_months
            if category == Category.DEEP
            else rules.relative_education_months
        )
        students = inputs["students"]
        kept["students"] = students
        if students == 0:
            raise ValidationError({"students": "家庭没有在校学生，不能给予助学救助。"})
        yearly = standards.education
        basis = (
            f"{Category(category).label}职工家庭助学救助：每生每年 {months} 个月 × 城市低保标准 "
            f"{mls} 元 × {students} 名在校学生 = {yearly} 元{under}。"
        )
    elif item == Item.MEDICAL:
        spent = inputs["medical_out_of_pocket"]
        kept["medical_out_of_pocket"] = str(spent)
        if spent < rules.medical_floor:
            raise ValidationError(
                {
                    "medical_out_of_pocket": f"医保内个人实际负担医疗费 {spent} 元，"
                    f"不满 {rules.medical_floor} 元，不予医疗救助。"
                }
            )
        tiers = (
            rules.deep_medical_tiers if category == Category.DEEP else rules.relative_medical_tiers
        )
        yearly = standards.medical
        basis = (
            f"{Category(category).label}职工家庭医疗救助：医保内个人实际负担医疗费 {spent} 元，"
            f"定额救助 {yearly} 元（档次：{_tier_text(tiers, rules.medical_floor)}；"
            f"政策 {policy_code}）。"
        )
    else:
        yearly = None
        basis = f"{label}：按实际发生的服务费用救助，没有定额标准（政策 {policy_code}）。"
    return ItemStandard(yearly=yearly, basis=basis, kept=kept)


def one_standard_a_year(category: str) -> bool:
    """An accident household's standard is one amount whatever item it is booked under
    (WH-M §9(三)): its grants of every item count against it."""
    return category == Category.ACCIDENT


def granted_note(*, category: str, yearly: Decimal | None, granted: Decimal) -> str:
    """What the basis says of this year's earlier grants counted against the standard."""
    if yearly is None or not granted:
        return ""
    which = "本年度" if one_standard_a_year(category) else "本年度该项目"
    return f"{which}已给予 {granted} 元，尚余标准 {max(yearly - granted, ZERO)} 元。"


# --- How many items a year (WH-M §9) ---------------------------------------------------------


def year_limit_refusal(
    *,
    category: str,
    item: str,
    year: int,
    earlier_items: list[str],
    listed: str,
    relative_items_per_year: int,
    accident_items_per_year: int,
) -> str:
    """A relative household gets one item a year (只予单一项目救助，不予多重救助), an
    accident household one help (一次性救助): the refusal, or "" (a deep household's further
    item is decided by its re-assessment)."""
    other_items = set(earlier_items) - {item}
    if category == Category.RELATIVE and len(other_items) >= relative_items_per_year:
        return f"相对困难职工家庭只予单一项目救助，不予多重救助：{year}年已有 {listed}。"
    if category == Category.ACCIDENT and len(earlier_items) >= accident_items_per_year:
        return f"意外致困职工家庭给予一次性救助：{year}年已有 {listed}。"
    return ""


# --- Payments and exports ---
# Pure decisions of paying grants by bank transfer and of the bank's results (WH-F §9,
# TA-F §4–§5), and of which entries a 冲销 may correct: values in, a refusal ("" = allowed)
# or values out; no database. The services, selectors and forms ask these.

# Entries a 冲销 may correct; transfers and payments are undone by their own business.
REVERSIBLE_KINDS = frozenset({Entry.Kind.RECEIPT, Entry.Kind.RETURN})


def sent_on_refusal(
    sent_on: datetime.date, *, today: datetime.date, created_on: datetime.date
) -> str:
    """The day the roster went to the bank: not after today, not before the batch."""
    if sent_on > today:
        return "报送日期不能晚于今天。"
    if sent_on < created_on:
        return "报送日期不能早于批次建立日期。"
    return ""


def slip_refusal(batch: PaymentBatch) -> str:
    """The bank's slip (回单) comes after the roster went to the bank, and is kept once as
    the accounting record (WH-F §9)."""
    if batch.status == PaymentBatch.Status.DRAFT:
        return "花名册尚未报送银行，还没有银行回单。"
    if batch.bank_slip:
        return "该批次已上传银行回单；回单作为会计档案保存，不能替换。"
    return ""


@dataclass(frozen=True)
class LineResult:
    """The bank's result of one line: paid (on a day, with its reference) or failed."""

    status: str
    paid_on: datetime.date | None = None
    bank_reference: str = ""
    failure_reason: str = ""


# The move of the line's lifecycle that each result of the bank takes.
RESULT_ACTIONS = {PaymentLine.Status.PAID: "pay", PaymentLine.Status.FAILED: "fail"}


def line_results(raw: Mapping) -> dict[int, LineResult]:
    """The bank's results as given (a line id → a LineResult, a mapping of its fields or
    (status, paid_on, bank_reference, failure_reason)), by line id."""

    def one(value) -> LineResult:
        if isinstance(value, LineResult):
            return value
        if isinstance(value, Mapping):
            return LineResult(**value)
        status, paid_on, bank_reference, failure_reason = value
        return LineResult(status, paid_on, bank_reference or "", failure_reason or "")

    try:
        return {int(key): one(value) for key, value in raw.items()}
    except (TypeError, ValueError) as exc:
        raise ValidationError("发放明细或结果不正确。") from exc


def line_result_refusal(
    result: LineResult, *, today: datetime.date, sent_on: datetime.date | None
) -> str:
    """Whether the bank's result of a line can be recorded as given ("" = it can): a paid
    line with its day (not after today, not before the roster went to the bank) and the
    bank's reference, a failed one with the bank's reason."""
    if result.status == PaymentLine.Status.PAID:
        if result.paid_on is None:
            return "请填写到账日期。"
        if result.paid_on > today:
            return "到账日期不能晚于今天。"
        if sent_on and result.paid_on < sent_on:
            return f"到账日期不能早于报送银行日期 {sent_on}。"
        if not (result.bank_reference or "").strip():
            return "请填写银行流水号。"
        return ""
    if result.status == PaymentLine.Status.FAILED:
        if not (result.failure_reason or "").strip():
            return "发放失败须填写失败原因。"
        return ""
    return "请选择“已到账”或“发放失败”。"


# --- The bank's return file (回盘文件) ---
# The roster as downloaded (发放花名册) with four columns added by the bank or the finance
# officer: 结果 (到账/失败), 到账日期, 失败原因, 银行流水号. Read here from bytes (pure: no
# database, no storage), then matched line by line against the batch.

RETURN_MAX_ROWS = 5000
RETURN_SUFFIXES = (".xlsx", ".csv")
RETURN_REQUIRED = ("序号", "银行卡号", "金额（元）", "结果", "到账日期", "失败原因", "银行流水号")
RETURN_ALIASES = {
    "金额": "金额（元）",
    "金额(元)": "金额（元）",
    "卡号": "银行卡号",
    "流水号": "银行流水号",
    "处理结果": "结果",
    "姓名": "收款人姓名",
    "收款人": "收款人姓名",
}
RETURN_WORDS = {
    "到账": PaymentLine.Status.PAID,
    "已到账": PaymentLine.Status.PAID,
    "成功": PaymentLine.Status.PAID,
    "失败": PaymentLine.Status.FAILED,
    "发放失败": PaymentLine.Status.FAILED,
}


@dataclass(frozen=True)
class ReturnRow:
    """One line of the bank's return file as read: `row` is its row in the file (the header
    is row 1); `error` says why it cannot be read ("" = it can)."""

    row: int
    number: int | None = None
    name: str = ""
    card: str = ""
    amount: Decimal | None = None
    result: LineResult | None = None  # None: left blank, not recorded
    error: str = ""


@dataclass(frozen=True)
class ReturnFile:
    rows: tuple[ReturnRow, ...] = ()
    batch_number: str = ""  # from the roster's total row (合计), when the file keeps it
    error: str = ""  # the whole file cannot be read


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _card(value) -> str:
    return "".join(_text(value).split()).lstrip("'")


def _amount(value) -> Decimal | None:
    text = _text(value).replace(",", "").replace("，", "").removesuffix("元")
    if not text:
        return None
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _day(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
    text = text.replace(".", "-")
    for shape in ("%Y-%m-%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, shape).date()  # noqa: DTZ007 (a day, no time)
        except ValueError:
            continue
    return None


def _return_table(content: bytes, filename: str) -> list[list] | str:
    """The file's cells, row by row, or why it cannot be read."""
    name = (filename or "").lower()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError:
                continue
            return [list(row) for row in csv.reader(io.StringIO(text))]
        return "CSV 文件的编码无法识别，请另存为 UTF-8 或 GBK 编码。"
    if name.endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            return "无法读取该 Excel 文件，请确认是 .xlsx 格式（不是 .xls 或加密文件）。"
        try:
            sheet = book.worksheets[0]
            return [list(row) for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    return "只接受 .xlsx 或 .csv 格式的银行回盘文件。"


def read_return_file(content: bytes, filename: str) -> ReturnFile:
    """The bank's return file (.xlsx or .csv) as rows: the header row names the columns
    (RETURN_REQUIRED, in any order; others ignored), blank rows and the total row (合计) are
    skipped, each other row read on its own with its own error."""
    table = _return_table(content, filename)
    if isinstance(table, str):
        return ReturnFile(error=table)
    table = [row for row in table if any(_text(cell) for cell in row)]
    if not table:
        return ReturnFile(error="文件是空的。")
    header = [RETURN_ALIASES.get(_text(cell), _text(cell)) for cell in table[0]]
    missing = [column for column in RETURN_REQUIRED if column not in header]
    if missing:
        return ReturnFile(
            error=f"文件的列不对：缺少“{'”“'.join(missing)}”列。第一行应为列名，"
            "即发放花名册的列再加上 结果、到账日期、失败原因、银行流水号。"
        )
    if len(table) - 1 > RETURN_MAX_ROWS:
        return ReturnFile(error=f"文件超过 {RETURN_MAX_ROWS} 行，请分批登记。")
    at = {column: header.index(column) for column in header if column}
    rows, batch_number = [], ""
    for index, cells in enumerate(table[1:], start=2):

        def cell(column: str, cells=cells):
            position = at.get(column)
            return cells[position] if position is not None and position < len(cells) else None

        name = _text(cell("收款人姓名"))
        if name.startswith("合计") or _text(cell("序号")).startswith("合计"):
            batch_number = _text(cell("备注"))
            continue
        rows.append(_return_row(index, cell, name))
    return ReturnFile(rows=tuple(rows), batch_number=batch_number)


def _return_row(index: int, cell, name: str) -> ReturnRow:
    seat = _text(cell("序号"))
    number = int(seat) if seat.isdigit() else None
    card, amount = _card(cell("银行卡号")), _amount(cell("金额（元）"))
    known = {"row": index, "number": number, "name": name, "card": card, "amount": amount}
    if number is None:
        return ReturnRow(**known, error=f"序号“{seat}”不是数字。" if seat else "缺少序号。")
    if amount is None:
        return ReturnRow(**known, error="金额不是数字。")
    word = _text(cell("结果"))
    if not word:
        return ReturnRow(**known)
    status = RETURN_WORDS.get(word)
    if status is None:
        return ReturnRow(**known, error=f"结果“{word}”不认识，请填写“到账”或“失败”。")
    paid_on = None
    if status == PaymentLine.Status.PAID:
        paid_on = _day(cell("到账日期"))
        if paid_on is None and _text(cell("到账日期")):
            return ReturnRow(**known, error=f"到账日期“{_text(cell('到账日期'))}”不是日期。")
    result = LineResult(
        status, paid_on, _text(cell("银行流水号"))[:100], _text(cell("失败原因"))[:200]
    )
    return ReturnRow(**known, result=result)


@dataclass(frozen=True)
class ReturnMatch:
    """A row of the return file and the line of the batch it is for; `problem` ("" = none)
    keeps the whole file from being recorded."""

    row: ReturnRow
    line: PaymentLine | None = None
    problem: str = ""


def match_return(
    read: ReturnFile,
    *,
    batch_number: str,
    lines: list[PaymentLine],
    cards: Mapping[int, str],
    today: datetime.date,
    sent_on: datetime.date | None,
) -> tuple[str, list[ReturnMatch]]:
    """Each row matched to the batch's line of its 序号 (the lines in roster order), with
    its card number (`cards`: a line id → the full card) and amount checked, a line given
    twice, a line already settled, and the result itself (`line_result_refusal`): the file's
    own problem ("" = none) and the matches."""
    if read.error:
        return read.error, []
    if read.batch_number and read.batch_number != batch_number:
        return (
            f"该文件是发放批次 {read.batch_number} 的回盘文件，不是本批次 {batch_number} 的，"
            "请上传本批次的文件。",
            [],
        )
    if not read.rows:
        return "文件中没有明细行。", []
    known_cards = set(cards.values())
    seen: dict[int, int] = {}
    matches = []
    for row in read.rows:
        matches.append(_match_row(row, lines, cards, known_cards, seen, today, sent_on))
        if row.number is not None:
            seen.setdefault(row.number, row.row)
    # Not one row with this batch's card and amount at its 序号: another batch's file.
    if not any(m.line is not None and m.row.amount == m.line.amount for m in matches):
        return (
            f"文件中没有一行能对上本批次 {batch_number} 的明细，可能是其他批次的文件。",
            matches,
        )
    return "", matches


def _match_row(row, lines, cards, known_cards, seen, today, sent_on) -> ReturnMatch:
    if row.error:
        return ReturnMatch(row, problem=row.error)
    if row.number in seen:
        return ReturnMatch(
            row, problem=f"与第 {seen[row.number]} 行重复：序号 {row.number} 只能登记一次。"
        )
    if not 1 <= row.number <= len(lines):
        return ReturnMatch(row, problem=f"序号 {row.number} 不在本批次（共 {len(lines)} 条）。")
    line = lines[row.number - 1]
    if row.card != cards.get(line.pk):
        if row.card not in known_cards:
            return ReturnMatch(row, problem=f"银行卡号 {row.card or '（空）'} 不在本批次中。")
        return ReturnMatch(
            row, problem=f"银行卡号与本批次序号 {row.number}（{line.payee_name}）的卡号不符。"
        )
    if row.amount != line.amount:
        return ReturnMatch(row, line, f"金额 {row.amount} 元与本批次的 {line.amount} 元不符。")
    if line.status != PaymentLine.Status.PENDING:
        return ReturnMatch(
            row, line, f"该明细已登记为“{line.get_status_display()}”，不能再次登记。"
        )
    if row.result is None:
        return ReturnMatch(row, line)
    return ReturnMatch(row, line, line_result_refusal(row.result, today=today, sent_on=sent_on))


def bank_pays(lines: Iterable[PaymentLine]) -> list[PaymentLine]:
    """The lines the bank pays: a failed line stays on the roster for the record only."""
    return [line for line in lines if line.status != PaymentLine.Status.FAILED]


def batch_totals(lines: Iterable[PaymentLine]) -> dict:
    """A batch's count and amounts: in all, paid, failed, still at the bank."""
    lines = list(lines)

    def total(status: str | None = None) -> Decimal:
        amounts = (line.amount for line in lines if status is None or line.status == status)
        return yuan(sum(amounts, Decimal("0.00")))

    return {
        "count": len(lines),
        "total": total(),
        "paid": total(PaymentLine.Status.PAID),
        "failed": total(PaymentLine.Status.FAILED),
        "pending": total(PaymentLine.Status.PENDING),
    }
