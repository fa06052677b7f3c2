"""Deadlines counted in working days follow the holiday calendar as it stands.

A deadline stored as a date (a notice's end, a re-check's `decide_by`, a receipt's
`allocation_due`, a payment line's `entry_due`) was counted under the calendar of the day
it was set; when a year's calendar is published or changed, the app that owns the
deadline recomputes every one of them whose span reaches into that year, from its start
and its count, each change saved with history (the actor who changed the calendar, and
why). The apps register their recompute function in their `AppConfig.ready`; the
calendar's services (`core.workdays`) call `recompute_deadlines` in their transaction.
"""

import datetime
from collections.abc import Callable, Iterable

from django.db.models import Model

from core.history import save_tracked

# (*, actor, first, last, reason) -> how many stored deadlines changed. `first` and `last`
# bound the changed year: a deadline is recomputed when its start <= last and its
# end >= first.
Recompute = Callable[..., int]

_RECOMPUTERS: dict[str, Recompute] = {}


def register(label: str, recompute: Recompute) -> None:
    """Register the recompute function of one kind of deadline, e.g. "公示截止"."""
    _RECOMPUTERS[label] = recompute


def registered() -> list[str]:
    return list(_RECOMPUTERS)


def recompute_deadlines(*, actor, years: Iterable[int], reason: str) -> dict[str, int]:
    """Recompute the stored deadlines reaching into `years`; how many changed, per kind."""
    counts = dict.fromkeys(_RECOMPUTERS, 0)
    for year in sorted(set(years)):
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        for label, recompute in _RECOMPUTERS.items():
            counts[label] += recompute(actor=actor, first=first, last=last, reason=reason)
    return counts


def follow_calendar(
    rows: Iterable[Model],
    *,
    field: str,
    due_of: Callable[[Model], datetime.date | None],
    label: str,
    actor,
    reason: str,
) -> int:
    """Store each row's deadline `field` as `due_of(row)` counts it now (None: keep it),
    with history naming the old and new dates; how many changed. For the recompute
    functions: they select and lock the rows, this writes them."""
    changed = 0
    for row in rows:
        due, was = due_of(row), getattr(row, field)
        if due is None or due == was:
            continue
        setattr(row, field, due)
        save_tracked(
            row,
            actor=actor,
            reason=f"{reason}：{label}由{was:%Y-%m-%d}改为{due:%Y-%m-%d}",
            update_fields=[field, "updated_at"],
        )
        changed += 1
    return changed
