"""Pure decisions on a clause of the policy: values in, values out, no writes.

Each rule names its clause. The services apply them when they write; the selectors and the
forms read them to say beforehand what the services will decide.
"""

import datetime
from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError

from assistance.models import CASE_MONEY_FIELDS, Case
from core.workdays import WorkdayResult, add_working_days, is_working_day

# The figures a home visit may verify on a case under review; verified figures re-run the
# assessment (WH-M §10(二)–(三): 入户走访核实家庭收入和致困情况).
VERIFIABLE_FIELDS = (*CASE_MONEY_FIELDS, "urban_homes", "vehicles")


def notice_period(start: datetime.date, working_days: int) -> WorkdayResult[datetime.date]:
    """The last day of a notice of `working_days` working days posted on `start`.

    The posting day counts when it is a working day (公示不少于5个工作日, WH-M §10(四)).
    """
    starts_on_workday = is_working_day(start)
    offset = working_days - 1 if starts_on_workday.value else working_days
    end = add_working_days(start, offset)
    years = tuple(sorted({*starts_on_workday.fallback_years, *end.fallback_years}))
    return WorkdayResult(end.value, years)


def notice_end_for(case: Case) -> WorkdayResult[datetime.date]:
    """The case's notice end under the calendar as it stands now (its start and its policy's
    count); `Case.notice_end` is the same, kept current by `recompute_notice_ends`."""
    return notice_period(case.notice_start, case.policy.notice_working_days)


def notice_ended(case: Case, today: datetime.date) -> bool:
    """Whether the case's notice has run its full period by `today` (WH-M §10(四)), counted
    again under the calendar as it stands today, not read from the stored end."""
    return case.notice_start is not None and today > notice_end_for(case).value


def bank_card_digits(value: str) -> str:
    """A bank card number as typed, without its spaces; refused unless ASCII digits
    (`str.isdigit` alone takes '²' or '٣'). Blank stays blank. Shared with the archive's
    contact update (`archives.services.contact`)."""
    card = value.replace(" ", "")
    if card and not (card.isascii() and card.isdigit()):
        raise ValidationError("银行卡号应为数字。")
    return card


# --- Visits ---

Person = TypeVar("Person")

VISIT_STAFF_TOO_FEW = "入户走访须有两名以上工作人员。"


def distinct_staff(staff: Iterable[Person]) -> list[Person]:
    """Each person of a visit's staff once (by primary key), in the order given."""
    return list({getattr(person, "pk", person): person for person in staff}.values())


def visit_staff_problem(staff: Iterable) -> str:
    """Every visit to a household, at intake or to its archive, is made by two or more
    people: WH-M §10(二) (基层单位工会两名以上工作人员进行走访调查), WH-M §14 (各级工会两名以上
    工作人员在走访调查中…), TA-A §12.3 (指派 2 名以上工作人员入户走访调查). The same person
    counted twice is one. Returns "" when the staff are enough, else the reason."""
    return "" if len(distinct_staff(staff)) >= 2 else VISIT_STAFF_TOO_FEW
