"""The eligibility engine (建档标准): pure Python, no database.

Implements ASSESS.md exactly; every number comes from `PolicyRules`, never from here.
Sources: WH-M §5 (categories, per-capita income net of rigid expenses and necessary
employment costs), §6(二)(4) (rent counts only for a household with no home of its own),
§6(二)(7) (rigid-expense minimum), §7 (exclusions, assets, retirement), §9 (standards),
WH-annex 一.

Chinese legal wording (Civil Code art. 1259): 以上/以下/以内 include the number,
超过/不满 exclude it. So "≤ L" is deep, "≤ 2L" is relative, accident costs "3万元以上"
is ≥ 30,000, and rigid expenses "1.5万元以下" (≤ 15,000) exclude the relative file.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from core.money import yuan

FEN = Decimal("0.01")
ZERO = Decimal("0")


class Choice(StrEnum):
    """A code with its Chinese label; `choices()` feeds model and form fields."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class MainCause(Choice):
    ILLNESS = "illness", "因病"
    DISABILITY = "disability", "因残"
    EDUCATION = "education", "因学"
    ACCIDENT = "accident", "意外"
    UNEMPLOYMENT = "unemployment", "失业"
    OTHER = "other", "其他"


class Exclusion(Choice):
    """WH-M §7(1)–(4) and (7)."""

    CONTROLLING_SHAREHOLDER = "controlling_shareholder", "本人或家庭成员为公司控股股东或实际控制人"
    HIGH_CONSUMPTION = "high_consumption", "存在县级以上人民政府规定的高消费行为"
    NON_COOPERATION = "non_cooperation", "拒绝配合调查核查，或隐瞒收入、提供虚假材料"
    OTHER = "other", "市总工会认定的其他情形"
    PRIVATE_SCHOOL = "private_school", "子女在高收费私立学校就读或自费留学"
    REFUSES_WORK = "refuses_work", "就业年龄段内有劳动能力但无正当理由拒绝就业"


class Category(Choice):
    DEEP = "deep", "深度困难"
    RELATIVE = "relative", "相对困难"
    ACCIDENT = "accident", "意外致困"


INCOME_KINDS = ("wages", "business", "property", "transfer", "other")
EXPENSE_KINDS = ("medical", "disability", "education", "housing", "other")
CATEGORY_ORDER = (Category.DEEP, Category.RELATIVE, Category.ACCIDENT)

# Reason codes, in the order ASSESS.md lists them, with their plain-Chinese meaning.
REASON_TEXT = {
    "retired": "离退休人员不纳入建档范围（芜湖实施办法第七条第六项）",
    "migrant_not_eligible": "农民工须在城市有固定居所且有一年以上事实劳动关系（第五条第四项）",
    "assets_no_file": "在城镇有两套住房并有机动车，或三套及以上住房，或两辆及以上机动车，不建档（第七条第五项）",
    "housing_not_counted": "家庭在当地有住房，所报房租不计入刚性支出：住房费用仅指在当地无房而租住的费用（第六条第二项第4目）",
    "expenditure_below_minimum": "致困支出总额小于5000元，不建立深度或相对困难档案（第六条第二项第7目）",
    "assets_no_deep": "在城镇有两套住房或拥有、经常使用机动车，不建立深度困难档案（第七条第五项）",
    "income_above_deep_line": "家庭人均月纯收入高于当地城市低保标准（第五条第一项）",
    "income_above_relative_line": "家庭人均月纯收入高于当地城市低保标准的2倍（第五条第二项）",
    "cause_education_no_relative": "致困主要原因是子女上学，不建立相对困难档案（第七条第五项）",
    "expenditure_too_low_for_relative": "致困费用在1.5万元以下，不建立相对困难档案（第七条第五项）",
    "accident_costs_below_threshold": "年度致困费用（损失）不满3万元，不符合意外致困标准（第五条第三项）",
}
EXCLUSION_REASON_PREFIX = "excluded_"


def reason_text(code: str) -> str:
    if code.startswith(EXCLUSION_REASON_PREFIX):
        label = Exclusion(code.removeprefix(EXCLUSION_REASON_PREFIX)).label
        return f"{label}，不予帮扶（芜湖实施办法第七条）"
    return REASON_TEXT[code]


@dataclass(frozen=True)
class MedicalTier:
    """Medical aid `amount` for an out-of-pocket total up to `up_to` (inclusive; None: above)."""

    up_to: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class PolicyRules:
    code: str
    deep_line_multiple: Decimal
    relative_line_multiple: Decimal
    minimum_rigid_expenses: Decimal
    relative_rigid_expenses_floor: Decimal
    accident_cost_threshold: Decimal
    migrant_min_labour_months: int
    no_deep_homes: int
    no_deep_vehicles: int
    no_file_homes: int
    no_file_vehicles: int
    no_file_homes_with_vehicle: int
    deep_living_months: int
    relative_living_months: int
    deep_education_months: int
    relative_education_months: int
    medical_floor: Decimal
    deep_medical_tiers: tuple[MedicalTier, ...]
    relative_medical_tiers: tuple[MedicalTier, ...]
    accident_rate: Decimal
    accident_cap: Decimal


@dataclass(frozen=True)
class Household:
    """What the engine judges: one household's facts, already validated."""

    application_date: date
    minimum_living_standard: Decimal
    household_size: int
    annual_income: dict[str, Decimal] = field(default_factory=dict)
    rigid_expenses: dict[str, Decimal] = field(default_factory=dict)
    # Necessary employment costs (必要就业成本, WH-M §5(二), annex 1(2)): deducted from
    # income, but no rigid expense (they count for neither the 5,000 nor the 15,000 test).
    employment_costs: Decimal = ZERO
    accident_costs: Decimal = ZERO
    medical_out_of_pocket: Decimal = ZERO
    students: int = 0
    urban_homes: int = 0
    vehicles: int = 0
    main_cause: str = MainCause.OTHER
    retired: bool = False
    migrant_worker: bool = False
    labor_relation_months: int = 0
    fixed_urban_residence: bool = False
    exclusions: tuple[str, ...] = ()
    prior_assistance_this_year: Decimal = ZERO

    @property
    def income_total(self) -> Decimal:
        return sum((self.annual_income.get(k, ZERO) for k in INCOME_KINDS), ZERO)

    @property
    def rent_counted(self) -> bool:
        """Rent is a rigid expense only for a household with no home of its own (WH-M
        §6(二)(4): 在当地无房而租住)."""
        return self.urban_homes == 0

    @property
    def rigid_expenses_total(self) -> Decimal:
        kinds = [k for k in EXPENSE_KINDS if k != "housing" or self.rent_counted]
        return sum((self.rigid_expenses.get(k, ZERO) for k in kinds), ZERO)


@dataclass(frozen=True)
class Standards:
    living: Decimal | None = None
    education: Decimal | None = None
    medical: Decimal | None = None
    accident: Decimal | None = None


@dataclass(frozen=True)
class Assessment:
    policy: str
    per_capita_monthly_income: Decimal
    rigid_expenses_total: Decimal
    qualifies: dict[str, bool]
    category: str | None
    reasons: tuple[str, ...]
    standards: Standards

    @property
    def reason_texts(self) -> list[str]:
        return [reason_text(code) for code in self.reasons]


def per_capita_monthly_income(household: Household) -> Decimal:
    """(income + prior aid this year − rigid expenses − necessary employment costs) ÷ 12 ÷ n,
    half-up to the fen (WH-M §5)."""
    net = (
        household.income_total
        + household.prior_assistance_this_year
        - household.rigid_expenses_total
        - household.employment_costs
    )
    return yuan(net / (12 * household.household_size))


def _no_file_reasons(household: Household, rules: PolicyRules) -> list[str]:
    reasons = [EXCLUSION_REASON_PREFIX + code for code in sorted(set(household.exclusions))]
    if household.retired:
        reasons.append("retired")
    if household.migrant_worker and (
        household.labor_relation_months < rules.migrant_min_labour_months
        or not household.fixed_urban_residence
    ):
        reasons.append("migrant_not_eligible")
    homes, vehicles = household.urban_homes, household.vehicles
    if (
        (homes >= rules.no_file_homes_with_vehicle and vehicles >= rules.no_deep_vehicles)
        or homes >= rules.no_file_homes
        or vehicles >= rules.no_file_vehicles
    ):
        reasons.append("assets_no_file")
    return reasons


def medical_standard(tiers: tuple[MedicalTier, ...], floor: Decimal, out_of_pocket: Decimal):
    if out_of_pocket < floor:
        return ZERO
    for tier in tiers:
        if tier.up_to is None or out_of_pocket <= tier.up_to:
            return tier.amount
    return tiers[-1].amount


def standards_for(category: str | None, household: Household, rules: PolicyRules) -> Standards:
    mls = household.minimum_living_standard
    if category == Category.DEEP:
        return Standards(
            living=yuan(rules.deep_living_months * mls),
            education=yuan(rules.deep_education_months * mls * household.students),
            medical=yuan(
                medical_standard(
                    rules.deep_medical_tiers, rules.medical_floor, household.medical_out_of_pocket
                )
            ),
        )
    if category == Category.RELATIVE:
        return Standards(
            living=yuan(rules.relative_living_months * mls),
            education=yuan(rules.relative_education_months * mls * household.students),
            medical=yuan(
                medical_standard(
                    rules.relative_medical_tiers,
                    rules.medical_floor,
                    household.medical_out_of_pocket,
                )
            ),
        )
    if category == Category.ACCIDENT:
        return Standards(
            accident=yuan(min(household.accident_costs * rules.accident_rate, rules.accident_cap))
        )
    return Standards()


def assess(household: Household, rules: PolicyRules) -> Assessment:
    per_capita = per_capita_monthly_income(household)
    rigid = household.rigid_expenses_total
    reasons = _no_file_reasons(household, rules)
    if reasons:
        qualifies = dict.fromkeys(CATEGORY_ORDER, False)
    else:
        mls = household.minimum_living_standard
        checks = {
            "housing_not_counted": not household.rent_counted
            and household.rigid_expenses.get("housing", ZERO) > ZERO,
            "expenditure_below_minimum": rigid < rules.minimum_rigid_expenses,
            "assets_no_deep": household.urban_homes >= rules.no_deep_homes
            or household.vehicles >= rules.no_deep_vehicles,
            "income_above_deep_line": per_capita > rules.deep_line_multiple * mls,
            "income_above_relative_line": per_capita > rules.relative_line_multiple * mls,
            "cause_education_no_relative": household.main_cause == MainCause.EDUCATION,
            "expenditure_too_low_for_relative": rigid <= rules.relative_rigid_expenses_floor,
            "accident_costs_below_threshold": household.accident_costs
            < rules.accident_cost_threshold,
        }
        reasons = [code for code, applies in checks.items() if applies]
        qualifies = {
            Category.DEEP: not (
                checks["expenditure_below_minimum"]
                or checks["assets_no_deep"]
                or checks["income_above_deep_line"]
            ),
            Category.RELATIVE: not (
                checks["expenditure_below_minimum"]
                or checks["income_above_relative_line"]
                or checks["cause_education_no_relative"]
                or checks["expenditure_too_low_for_relative"]
            ),
            Category.ACCIDENT: not checks["accident_costs_below_threshold"],
        }
    category = next((c for c in CATEGORY_ORDER if qualifies[c]), None)
    return Assessment(
        policy=rules.code,
        per_capita_monthly_income=per_capita,
        rigid_expenses_total=yuan(rigid),
        qualifies={str(c): qualifies[c] for c in CATEGORY_ORDER},
        category=str(category) if category else None,
        reasons=tuple(reasons),
        standards=standards_for(category, household, rules),
    )
