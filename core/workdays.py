"""Working days (工作日) by China's official holiday calendar, read from the `Holiday` table.

Deadlines such as a five-working-day public notice (公示) are counted here. The rules:

- A year is *published* when its `HolidayYear` says so: set only by an explicit step, the
  `chinesecalendar` sync for the years the package covers, or an administrator entering
  the State Council's notice in the year form and confirming it.
- In a published year a `holiday` row is a day off, a `workday` row is a working day
  (调休上班, usually a Saturday or Sunday), and any other day is a working day when it
  falls Monday–Friday.
- In an unpublished year Monday–Friday are assumed to be working days (days entered for it
  are a draft and not read), and the year is reported in `WorkdayResult.fallback_years`
  so the caller can tell the user; `span_note` says the same for a stored deadline.
- When a published year changes (published, or a day of it entered, changed or deleted),
  every stored deadline that reaches into it is recomputed (`core.deadlines`).

This module counts and reads; it never calls the `chinesecalendar` package, which raises for
the years it does not cover, while counting must work for any year. Maintaining the table
(who may, the year's notice, the package sync) is the office's: `office.services.calendar`.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import QuerySet

from core.models import Holiday, HolidayYear

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
        return f"{years}的法定节假日安排尚未公布，已按周一至周五计算。"


class _Calendar:
    """The table rows of whole years: one query on creation, one more per extension."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        self._kinds: dict[datetime.date, str] = {}
        self._published: set[int] = set()
        self.fallback_years: set[int] = set()
        self._load(first.year, last.year)

    def _load(self, first_year: int, last_year: int) -> None:
        published = set(
            HolidayYear.objects.filter(
                published=True, year__gte=first_year, year__lte=last_year
            ).values_list("year", flat=True)
        )
        if published:
            rows = Holiday.objects.filter(
                date__year__in=published,
                date__gte=datetime.date(first_year, 1, 1),
                date__lte=datetime.date(last_year, 12, 31),
            ).values_list("date", "kind")
            self._kinds.update(rows)
        self._published |= published
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
    """The years whose holiday calendar is published, in order."""
    return list(
        HolidayYear.objects.filter(published=True).order_by("year").values_list("year", flat=True)
    )


def span_note(
    first: datetime.date, last: datetime.date, published: Iterable[int] | None = None
) -> str:
    """The note for a stored deadline counted from `first` to `last`: the years between
    them whose calendar is not published (Monday–Friday assumed), else "".

    `published` (the published years) saves the query when a page shows many deadlines.
    """
    if first is None or last is None:
        return ""
    published = set(holiday_published_years() if published is None else published)
    missing = tuple(year for year in range(first.year, last.year + 1) if year not in published)
    return WorkdayResult(value=0, fallback_years=missing).note


def holiday_year_of(year: int) -> HolidayYear | None:
    return HolidayYear.objects.filter(year=year).select_related("published_by").first()


def is_published(year: int) -> bool:
    return HolidayYear.objects.filter(year=year, published=True).exists()


@dataclass(frozen=True)
class HolidayRange:
    """Consecutive days off of one holiday, as the notice states them (e.g. 10月1日至7日)."""

    start: datetime.date
    end: datetime.date
    name: str


@dataclass(frozen=True)
class AdjustedWorkday:
    """A Saturday or Sunday worked in exchange (调休上班), named after its holiday."""

    date: datetime.date
    name: str


def holiday_year_entries(year: int) -> tuple[list[HolidayRange], list[AdjustedWorkday]]:
    """The year's rows as the notice states them: runs of consecutive days off with one
    name become one range; each adjusted working weekend day stays one entry."""
    ranges: list[HolidayRange] = []
    workdays: list[AdjustedWorkday] = []
    for holiday in holiday_list_for_year(year):
        if holiday.kind == Holiday.Kind.WORKDAY:
            workdays.append(AdjustedWorkday(holiday.date, holiday.name))
            continue
        last = ranges[-1] if ranges else None
        if last and last.name == holiday.name and last.end + _ONE_DAY == holiday.date:
            ranges[-1] = HolidayRange(last.start, holiday.date, last.name)
        else:
            ranges.append(HolidayRange(holiday.date, holiday.date, holiday.name))
    return ranges, workdays
