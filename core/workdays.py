"""Working days (工作日) by China's official holiday calendar, read from the `Holiday` table.

Deadlines such as a five-working-day public notice (公示) are counted here. The rules:

- A year is *published* when the table holds at least one row for it.
- In a published year a `holiday` row is a day off, a `workday` row is a working day
  (调休上班, usually a Saturday or Sunday), and any other day is a working day when it
  falls Monday–Friday.
- In an unpublished year Monday–Friday are assumed to be working days, and the year is
  reported in `WorkdayResult.fallback_years` so the caller can tell the user.

The `chinesecalendar` package is read only by `holiday_sync_from_chinesecalendar`: it raises
for the years it does not cover, while counting must work for any year.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role
from core.history import delete_tracked, save_tracked
from core.migration_utils import SYSTEM_USERNAME
from core.models import Holiday

T = TypeVar("T", datetime.date, int, bool)

_ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class WorkdayResult(Generic[T]):
    """A computed date or count, and the years for which Monday–Friday had to be assumed."""

    value: T
    fallback_years: tuple[int, ...] = ()

    @property
    def note(self) -> str:
        if not self.fallback_years:
            return ""
        years = "、".join(f"{year}年" for year in self.fallback_years)
        return f"{years}的法定节假日安排尚未录入，已按周一至周五计算。"


class _Calendar:
    """The table rows of whole years: one query on creation, one more per extension."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        self._kinds: dict[datetime.date, str] = {}
        self._published: set[int] = set()
        self.fallback_years: set[int] = set()
        self._load(first.year, last.year)

    def _load(self, first_year: int, last_year: int) -> None:
        rows = Holiday.objects.filter(
            date__gte=datetime.date(first_year, 1, 1), date__lte=datetime.date(last_year, 12, 31)
        ).values_list("date", "kind")
        for day, kind in rows:
            self._kinds[day] = kind
            self._published.add(day.year)
        self._loaded_to = last_year

    def is_working_day(self, day: datetime.date) -> bool:
        if day.year > self._loaded_to:
            # Counting ran past the estimated range: read the next two years at once.
            self._load(self._loaded_to + 1, day.year + 1)
        if day.year not in self._published:
            self.fallback_years.add(day.year)
            return day.weekday() < 5
        kind = self._kinds.get(day)
        if kind == Holiday.Kind.HOLIDAY:
            return False
        if kind == Holiday.Kind.WORKDAY:
            return True
        return day.weekday() < 5

    def result(self, value: T) -> WorkdayResult[T]:
        return WorkdayResult(value=value, fallback_years=tuple(sorted(self.fallback_years)))


def _require_date(value: datetime.date, name: str) -> None:
    # A datetime is a date too, but its calendar day depends on the time zone: the caller
    # must convert it (timezone.localdate) before counting.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(f"{name} 必须是 datetime.date（请先用 timezone.localdate 转换）。")


def _days_after(start: datetime.date) -> Iterator[datetime.date]:
    day = start
    while True:
        day += _ONE_DAY
        yield day


def is_working_day(day: datetime.date) -> WorkdayResult[bool]:
    _require_date(day, "day")
    calendar = _Calendar(day, day)
    return calendar.result(calendar.is_working_day(day))


def add_working_days(start: datetime.date, n: int) -> WorkdayResult[datetime.date]:
    """The day on which the n-th working day after `start` falls (`start` itself not counted).

    A five-working-day notice (公示) posted on Friday 2025-09-26 ends on Friday 2025-10-10:
    Sunday 28 Sep is worked (调休) and 1–8 Oct are off.
    `n == 0` gives `start` itself, whatever day it is.
    """
    _require_date(start, "start")
    if n < 0:
        raise ValueError("工作日数不能为负数。")
    # Whole years from `start` to a generous estimate of the end are read in one query; a
    # count that runs past them (only for very large n) reads the following years.
    estimate = start + datetime.timedelta(days=n * 7 // 5 + 40)
    calendar = _Calendar(start, estimate)
    day, counted = start, 0
    days = _days_after(start)
    while counted < n:
        day = next(days)
        if calendar.is_working_day(day):
            counted += 1
    return calendar.result(day)


def working_days_between(start: datetime.date, end: datetime.date) -> WorkdayResult[int]:
    """How many working days fall after `start`, up to and including `end` (0 if end <= start)."""
    _require_date(start, "start")
    _require_date(end, "end")
    if end <= start:
        return WorkdayResult(value=0)
    calendar = _Calendar(start + _ONE_DAY, end)
    count = 0
    for day in _days_after(start):
        if day > end:
            break
        count += calendar.is_working_day(day)
    return calendar.result(count)


def working_days_since(
    starts: Iterable[datetime.date], end: datetime.date
) -> dict[datetime.date, WorkdayResult[int]]:
    """`working_days_between(start, end)` for many starts and one end, in one query.

    For lists (how long each case of a work queue has waited): the calendar of the whole
    range is read once, and each count is a difference of running totals.
    """
    starts = set(starts)
    for start in starts:
        _require_date(start, "start")
    _require_date(end, "end")
    earliest = min((start for start in starts if start < end), default=None)
    if earliest is None:
        return {start: WorkdayResult(value=0) for start in starts}
    calendar = _Calendar(earliest + _ONE_DAY, end)
    # after[day]: working days after `day`, up to and including `end`.
    after = {end: 0}
    day = end
    while day > earliest:
        after[day - _ONE_DAY] = after[day] + calendar.is_working_day(day)
        day -= _ONE_DAY
    results = {}
    for start in starts:
        if start >= end:
            results[start] = WorkdayResult(value=0)
            continue
        years = range((start + _ONE_DAY).year, end.year + 1)
        fallback = tuple(year for year in years if year in calendar.fallback_years)
        results[start] = WorkdayResult(value=after[start], fallback_years=fallback)
    return results


# Reads for the administration pages.


def holiday_list_for_year(year: int) -> QuerySet[Holiday]:
    return Holiday.objects.filter(date__year=year).order_by("date")


def holiday_published_years() -> list[int]:
    return [day.year for day in Holiday.objects.dates("date", "year")]


def access_holiday(user, pk: int) -> Holiday:
    """The only way a view gets a holiday row: administrators only, or not found."""
    if not user.is_authenticated or not user.has_role(Role.ADMIN):
        raise PermissionDenied("只有系统管理员可以维护工作日历。")
    holiday = Holiday.objects.filter(pk=pk).first()
    if holiday is None:
        raise Http404("没有找到该节假日安排。")
    return holiday


# Writes.

REASON_MAX_LENGTH = 80


def _require_calendar_admin(actor) -> None:
    """Administrators maintain the calendar; the (inactive) system account runs the sync."""
    if actor.username == SYSTEM_USERNAME and not actor.is_active:
        return
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("只有系统管理员可以维护工作日历。")


@transaction.atomic
def holiday_create(*, actor, date: datetime.date, kind: str, name: str) -> Holiday:
    _require_calendar_admin(actor)
    existing = Holiday.objects.select_for_update().filter(date=date).first()
    if existing is not None:
        raise ValidationError(
            {
                "date": f"{date.year}年{date.month}月{date.day}日已有安排：{existing.name}（{existing.get_kind_display()}），请修改该条记录。"
            }
        )
    holiday = Holiday(date=date, kind=kind, name=name.strip(), source=Holiday.Source.MANUAL)
    return save_tracked(holiday, actor=actor, reason="新增节假日安排")


@transaction.atomic
def holiday_update(*, actor, holiday: Holiday, kind: str, name: str) -> Holiday:
    """Change a day's kind or name; an edited package row becomes a manual one."""
    _require_calendar_admin(actor)
    holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
    holiday.kind = kind
    holiday.name = name.strip()
    holiday.source = Holiday.Source.MANUAL
    return save_tracked(
        holiday,
        actor=actor,
        reason="修改节假日安排",
        update_fields=["kind", "name", "source", "updated_at"],
    )


@transaction.atomic
def holiday_delete(*, actor, holiday: Holiday, reason: str) -> None:
    _require_calendar_admin(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写删除原因。"})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"删除原因不能超过{REASON_MAX_LENGTH}个字。"})
    holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
    delete_tracked(holiday, actor=actor, reason=f"删除节假日安排：{reason}")


# The names the package gives, in Chinese (the seed migration keeps its own frozen copy).
CHINESECALENDAR_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
# 国办发明电〔2020〕1号: the 2020 Spring Festival holiday extended to 2 February (新冠疫情防控).
_EPIDEMIC_EXTENSION = frozenset(
    {datetime.date(2020, 1, 31), datetime.date(2020, 2, 1), datetime.date(2020, 2, 2)}
)


def _chinese_name(day: datetime.date, english: str) -> str:
    if day in _EPIDEMIC_EXTENSION:
        return "春节（疫情防控延长假期）"
    return CHINESECALENDAR_NAMES.get(english, english)


@transaction.atomic
def holiday_sync_from_chinesecalendar(*, actor) -> int:
    """Add the days the installed `chinesecalendar` knows and the table lacks; return how many.

    Rows already in the table are never touched, whatever their source, and a day that
    was once in the table and deleted (it has history) is not brought back: both are
    decisions an administrator made.
    """
    from chinese_calendar import constants

    _require_calendar_admin(actor)
    known = set(Holiday.objects.select_for_update().values_list("date", flat=True))
    known.update(Holiday.history.filter(history_type="-").values_list("date", flat=True))
    rows = []
    for kind, days in (
        (Holiday.Kind.HOLIDAY, constants.holidays),
        (Holiday.Kind.WORKDAY, constants.workdays),
    ):
        for day, english in sorted(days.items()):
            if day in known:
                continue
            holiday = Holiday(
                date=day,
                kind=kind,
                name=_chinese_name(day, english),
                source=Holiday.Source.CHINESECALENDAR,
            )
            holiday._history_user = actor
            holiday._change_reason = "从 chinesecalendar 同步节假日安排"
            rows.append(holiday)
    # TrackedQuerySet.bulk_create writes the history rows, with the user and reason above.
    Holiday.objects.bulk_create(rows, batch_size=500)
    return len(rows)
