"""Maintaining the holiday calendar (`core.models.Holiday`, `HolidayYear`): a day at a time,
a year's State Council notice in one step, or the days the `chinesecalendar` package knows.

Only administrators (and the system account running the sync) write here; every change to a
published year recomputes the stored deadlines reaching into it (`core.deadlines`). Counting
on the calendar is `core.workdays`, which knows nothing of who maintains it.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.deadlines import recompute_deadlines
from core.history import delete_tracked, save_tracked
from core.models import Holiday, HolidayYear
from core.workdays import AdjustedWorkday, HolidayRange, holiday_published_years, is_published
from office.access import can_maintain_calendar

_ONE_DAY = datetime.timedelta(days=1)

REASON_MAX_LENGTH = 80


def _require_calendar_admin(actor) -> None:
    refusal = can_maintain_calendar(actor)
    if refusal:
        raise PermissionDenied(refusal)


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
