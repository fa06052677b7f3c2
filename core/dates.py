"""Calendar months: a re-verification cycle, a phase-out, an objection window."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later, or the month's last day when shorter.

    `add_months(2026-01-31, 1)` is 2026-02-28: a one-month window opened on the 31st ends
    on the last day of the next month, never in the month after it.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same date `years` later; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)
