"""Pure decisions on a clause of the policy: values in, values out, no writes."""

from collections.abc import Iterable
from typing import TypeVar

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
