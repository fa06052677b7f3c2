"""Working days (工作日) by China's official holiday calendar, read from the `Holiday` table.

Deadlines such as a five-working-day public notice (公示) are counted here. The rules:

- A year is *published* when its `HolidayYear` says so: set only by an explicit step, the
  `chinesecalendar` sync for the years the package covers, or an administrator entering
  the State Council's notice in the year form and confirming it (`holiday_year_save`).
- In a published year a `holiday` row is a day off, a `workday` row is a working day
  (调休上班, usually a Saturday or Sunday), and any other day is a working day when it
  falls Monday–Friday.
- In an unpublished year Monday–Friday are assumed to be working days (days entered for it
  are a draft and not read), and the year is reported in `WorkdayResult.fallback_years`
  so the caller can tell the user; `span_note` says the same for a stored deadline.
- When a published year changes (published, or a day of it entered, changed or deleted),
  every stored deadline that reaches into it is recomputed (`core.deadlines`).

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
from django.utils import timezone

from accounts.roles import Role
from core.deadlines import recompute_deadlines
from core.history import delete_tracked, save_tracked
from core.migration_utils import SYSTEM_USERNAME
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


def _follow_calendar_change(actor, year: int, reason: str) -> dict[str, int]:
    """A day of a published year changed: the deadlines reaching into it follow. A day of an
    unpublished year is a draft, not read by the counting, so nothing changes."""
    if not is_published(year):
        return {}
    return recompute_deadlines(actor=actor, years=[year], reason=f"工作日历变更（{reason}）")


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
    save_tracked(holiday, actor=actor, reason="新增节假日安排")
    _follow_calendar_change(actor, date.year, f"新增节假日安排：{holiday}")
    return holiday


@transaction.atomic
def holiday_update(*, actor, holiday: Holiday, kind: str, name: str) -> Holiday:
    """Change a day's kind or name; an edited package row becomes a manual one."""
    _require_calendar_admin(actor)
    holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
    holiday.kind = kind
    holiday.name = name.strip()
    holiday.source = Holiday.Source.MANUAL
    save_tracked(
        holiday,
        actor=actor,
        reason="修改节假日安排",
        update_fields=["kind", "name", "source", "updated_at"],
    )
    _follow_calendar_change(actor, holiday.date.year, f"修改节假日安排：{holiday}")
    return holiday


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
    _follow_calendar_change(actor, holiday.date.year, f"删除节假日安排：{holiday}")


NOTICE_NUMBER_MAX_LENGTH = 100
_WEEKDAY_NAMES = "一二三四五六日"


def _day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _wanted_days(
    year: int, holidays: Iterable[HolidayRange], workdays: Iterable[AdjustedWorkday]
) -> dict[datetime.date, tuple[str, str]]:
    """The year's rows as {date: (kind, name)}, or a ValidationError naming every mistake."""
    errors: list[str] = []
    wanted: dict[datetime.date, tuple[str, str]] = {}
    outside = f"不在{year}年内：每年只录入该年的日期，跨年的日子请在其所属年份录入。"
    for entry in holidays:
        name = entry.name.strip()
        label = f"“{name or '（未填名称）'}”{_day(entry.start)}至{_day(entry.end)}"
        if not name:
            errors.append(f"{_day(entry.start)}起的假期请填写名称（如 春节）。")
        if entry.end < entry.start:
            errors.append(f"{label}：结束日期早于开始日期。")
            continue
        if entry.start.year != year or entry.end.year != year:
            errors.append(f"{label}{outside}")
            continue
        day = entry.start
        while day <= entry.end:
            if day in wanted:
                errors.append(f"{label}与“{wanted[day][1]}”的假期重叠（{_day(day)}）。")
                break
            wanted[day] = (Holiday.Kind.HOLIDAY, name)
            day += _ONE_DAY
    for entry in workdays:
        name = entry.name.strip()
        day = entry.date
        if not name:
            errors.append(f"调休上班日{_day(day)}请填写所属节日（如 国庆节）。")
        if day.year != year:
            errors.append(f"调休上班日{_day(day)}{outside}")
            continue
        if day.weekday() < 5:
            errors.append(
                f"调休上班日{_day(day)}是星期{_WEEKDAY_NAMES[day.weekday()]}："
                "调休上班日只能是周六或周日（周一至周五本来就是工作日）。"
            )
            continue
        if day in wanted:
            kind, other = wanted[day]
            if kind == Holiday.Kind.HOLIDAY:
                errors.append(f"{_day(day)}已在“{other}”的假期内，不能同时是调休上班日。")
            else:
                errors.append(f"调休上班日{_day(day)}重复录入。")
            continue
        wanted[day] = (Holiday.Kind.WORKDAY, name)
    if errors:
        raise ValidationError(errors)
    return wanted


@dataclass(frozen=True)
class YearSaved:
    holiday_year: HolidayYear
    days_changed: int  # rows added, changed or deleted
    newly_published: bool
    deadlines: dict[str, int]  # stored deadlines recomputed, per kind


def _lock_year(year: int) -> HolidayYear:
    """The year's record, locked; a new (unsaved) one when the year has none yet."""
    holiday_year = HolidayYear.objects.select_for_update().filter(year=year).first()
    return holiday_year or HolidayYear(year=year)


@transaction.atomic
def holiday_year_save(
    *,
    actor,
    year: int,
    holidays: Iterable[HolidayRange],
    workdays: Iterable[AdjustedWorkday],
    notice_number: str,
    publish: bool,
) -> YearSaved:
    """Enter a year's notice (国务院办公厅关于××年部分节假日安排的通知) in one step: its days off
    (date ranges with a name) and its adjusted working weekends (调休上班), with the notice's
    number; `publish` confirms the year as published.

    The year's rows become exactly what is entered (rows not entered are deleted, each with
    history). Saved without `publish`, an unpublished year stays a draft that counting does
    not read. A published year cannot go back to draft: a correction is confirmed again.
    Once published (or a published year changed), every stored deadline reaching into the
    year is recomputed, with history.
    """
    _require_calendar_admin(actor)
    wanted = _wanted_days(year, holidays, workdays)
    notice_number = notice_number.strip()
    holiday_year = _lock_year(year)
    errors: dict[str, str] = {}
    if len(notice_number) > NOTICE_NUMBER_MAX_LENGTH:
        errors["notice_number"] = f"通知文号不能超过{NOTICE_NUMBER_MAX_LENGTH}个字。"
    if publish and not notice_number:
        errors["notice_number"] = (
            f"公布{year}年安排须填写国务院办公厅通知的文号（如 国办发明电〔{year - 1}〕7号）。"
        )
    if publish and not any(kind == Holiday.Kind.HOLIDAY for kind, _ in wanted.values()):
        errors["publish"] = f"请先录入{year}年的法定节假日，再确认公布。"
    if holiday_year.published and not publish:
        errors["publish"] = (
            f"{year}年安排已公布，修改保存后立即生效：请勾选“确认公布”，"
            "系统将按修改后的安排重新计算相关期限。"
        )
    if errors:
        raise ValidationError(errors)

    reason = f"录入{year}年节假日安排（{notice_number or '草稿'}）"
    existing = {h.date: h for h in Holiday.objects.select_for_update().filter(date__year=year)}
    changed = 0
    for day, holiday in existing.items():
        if day not in wanted:
            delete_tracked(holiday, actor=actor, reason=reason)
            changed += 1
    for day, (kind, name) in sorted(wanted.items()):
        holiday = existing.get(day)
        if holiday is None:
            holiday = Holiday(date=day, kind=kind, name=name, source=Holiday.Source.MANUAL)
            save_tracked(holiday, actor=actor, reason=reason)
            changed += 1
        elif (holiday.kind, holiday.name) != (kind, name):
            holiday.kind, holiday.name, holiday.source = kind, name, Holiday.Source.MANUAL
            save_tracked(
                holiday,
                actor=actor,
                reason=reason,
                update_fields=["kind", "name", "source", "updated_at"],
            )
            changed += 1

    newly_published = publish and not holiday_year.published
    fields = ["notice_number", "updated_at"]
    holiday_year.notice_number = notice_number
    if publish and (newly_published or changed or holiday_year.source != HolidayYear.Source.NOTICE):
        holiday_year.published = True
        holiday_year.source = HolidayYear.Source.NOTICE
        holiday_year.published_by = actor
        holiday_year.published_at = timezone.now()
        fields += ["published", "source", "published_by", "published_at"]
    state = "确认公布" if publish else "保存草稿（未公布）"
    save_tracked(
        holiday_year,
        actor=actor,
        reason=f"{year}年节假日安排{state}（{notice_number or '未填文号'}）",
        update_fields=fields if holiday_year.pk else None,
    )
    deadlines = {}
    if publish and (newly_published or changed):
        deadlines = recompute_deadlines(
            actor=actor,
            years=[year],
            reason=f"{year}年节假日安排{'公布' if newly_published else '修改'}（{notice_number}）",
        )
    return YearSaved(holiday_year, changed, newly_published, deadlines)


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
    # The years the package covers are published (it holds each year whole, from the
    # notice); a year already published keeps its record.
    covered = range(min(constants.holidays).year, max(constants.holidays).year + 1)
    published = set(holiday_published_years())
    now = timezone.now()
    newly = []
    for year in covered:
        if year in published:
            continue
        holiday_year = _lock_year(year)
        holiday_year.published = True
        holiday_year.source = HolidayYear.Source.CHINESECALENDAR
        holiday_year.published_by = actor
        holiday_year.published_at = now
        save_tracked(
            holiday_year,
            actor=actor,
            reason=f"从 chinesecalendar 同步：{year}年安排已由数据包覆盖，标记为已公布",
        )
        newly.append(year)
    changed = sorted(set(newly) | {row.date.year for row in rows if row.date.year in published})
    if changed:
        recompute_deadlines(actor=actor, years=changed, reason="从 chinesecalendar 同步节假日安排")
    return len(rows)
