"""Reading one case of the `assess` contract (ASSESS.md) into a `Household`.

Nothing is guessed: a missing, negative, malformed or unknown value is an
`InvalidCase` naming the field, with a message in Chinese.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from assistance.eligibility import (
    EXPENSE_KINDS,
    INCOME_KINDS,
    Assessment,
    Exclusion,
    Household,
    MainCause,
)
from core.money import yuan_str

AMOUNT_FIELDS = (
    "employment_costs",
    "accident_costs",
    "medical_out_of_pocket",
    "prior_assistance_this_year",
)
COUNT_FIELDS = ("students", "urban_homes", "vehicles", "labor_relation_months")
FLAG_FIELDS = ("retired", "migrant_worker", "fixed_urban_residence")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NUMERIC_STRING = re.compile(r"-?[0-9]+(\.[0-9]+)?")
FEN = Decimal("0.01")
# Far above any household's figures, and small enough that every product the engine
# forms stays exact within Decimal's 28 digits.
MAX_AMOUNT = Decimal("9999999999.99")
MAX_COUNT = 9999
KNOWN_FIELDS = frozenset(
    {
        "id",
        "application_date",
        "minimum_living_standard",
        "household_size",
        "annual_income",
        "rigid_expenses",
        "main_cause",
        "exclusions",
        *AMOUNT_FIELDS,
        *COUNT_FIELDS,
        *FLAG_FIELDS,
    }
)


class InvalidCase(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _amount(value: Any, field: str, *, minimum: Decimal = Decimal("0")) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidCase(field, "应为金额（数字或数字字符串）。")
    text = str(value).strip()
    if isinstance(value, str) and not NUMERIC_STRING.fullmatch(text):
        raise InvalidCase(field, f"“{value}”不是有效的金额。")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidCase(field, f"“{value}”不是有效的金额。") from None
    if not amount.is_finite():
        raise InvalidCase(field, f"“{value}”不是有效的金额。")
    if amount < minimum:
        raise InvalidCase(field, f"不能小于 {minimum}。")
    if amount > MAX_AMOUNT:
        raise InvalidCase(field, f"超出可处理的金额范围（最多 {MAX_AMOUNT} 元）。")
    if amount != amount.quantize(FEN):
        raise InvalidCase(field, "金额最多保留两位小数。")
    return amount


def _count(value: Any, field: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidCase(field, "应为整数。")
    if value < minimum:
        raise InvalidCase(field, f"不能小于 {minimum}。")
    if value > MAX_COUNT:
        raise InvalidCase(field, f"不能大于 {MAX_COUNT}。")
    return value


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidCase(field, "应为 true 或 false。")
    return value


def _breakdown(value: Any, field: str, kinds: tuple[str, ...]) -> dict[str, Decimal]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidCase(field, f"应为对象，键为 {'、'.join(kinds)}。")
    unknown = sorted(set(value) - set(kinds))
    if unknown:
        raise InvalidCase(f"{field}.{unknown[0]}", f"未知的项目，应为 {'、'.join(kinds)} 之一。")
    return {kind: _amount(amount, f"{field}.{kind}") for kind, amount in value.items()}


def _date(value: Any, field: str) -> date:
    if not isinstance(value, str):
        raise InvalidCase(field, "应为 YYYY-MM-DD 格式的日期。")
    # `date.fromisoformat` also takes "20260315" and week dates such as "2026-W11-1".
    if not ISO_DATE.fullmatch(value):
        raise InvalidCase(field, f"“{value}”不是 YYYY-MM-DD 格式的有效日期。")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidCase(field, f"“{value}”不是 YYYY-MM-DD 格式的有效日期。") from None


def parse_case(data: Any) -> Household:
    if not isinstance(data, dict):
        raise InvalidCase("(case)", "每个案例应为 JSON 对象。")
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        raise InvalidCase(unknown[0], "未知字段。")
    for required in ("application_date", "minimum_living_standard", "household_size"):
        if required not in data:
            raise InvalidCase(required, "缺少此必填项。")
    main_cause = data.get("main_cause", MainCause.OTHER.value)
    if not isinstance(main_cause, str) or main_cause not in MainCause._value2member_map_:
        raise InvalidCase("main_cause", f"未知的致困原因代码“{main_cause}”。")
    exclusions = data.get("exclusions", [])
    if not isinstance(exclusions, list):
        raise InvalidCase("exclusions", "应为代码列表。")
    for code in exclusions:
        if not isinstance(code, str) or code not in Exclusion._value2member_map_:
            raise InvalidCase("exclusions", f"未知的不予帮扶情形代码“{code}”。")
    return Household(
        application_date=_date(data["application_date"], "application_date"),
        minimum_living_standard=_amount(
            data["minimum_living_standard"], "minimum_living_standard", minimum=Decimal("0.01")
        ),
        household_size=_count(data["household_size"], "household_size", minimum=1),
        annual_income=_breakdown(data.get("annual_income"), "annual_income", INCOME_KINDS),
        rigid_expenses=_breakdown(data.get("rigid_expenses"), "rigid_expenses", EXPENSE_KINDS),
        main_cause=main_cause,
        exclusions=tuple(exclusions),
        **{name: _amount(data.get(name, 0), name) for name in AMOUNT_FIELDS},
        **{name: _count(data.get(name, 0), name) for name in COUNT_FIELDS},
        **{name: _flag(data.get(name, False), name) for name in FLAG_FIELDS},
    )


def assessment_as_json(assessment: Assessment, case_id: Any = None) -> dict:
    standards = assessment.standards
    result = {} if case_id is None else {"id": case_id}
    result.update(
        {
            "policy": assessment.policy,
            "per_capita_monthly_income": yuan_str(assessment.per_capita_monthly_income),
            "rigid_expenses_total": yuan_str(assessment.rigid_expenses_total),
            "qualifies": dict(assessment.qualifies),
            "category": assessment.category,
            "reasons": list(assessment.reasons),
            "standards": {
                "living": yuan_str(standards.living),
                "education": yuan_str(standards.education),
                "medical": yuan_str(standards.medical),
                "accident": yuan_str(standards.accident),
            },
        }
    )
    return result
