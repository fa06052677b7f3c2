"""The holiday calendar's administration: a year's days, the working-day calculator, the
year's notice in one form, and a single day added, changed or deleted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import role_required
from accounts.roles import Role
from core.service_forms import NOT_DONE, run_service
from core.workdays import (
    AdjustedWorkday,
    HolidayRange,
    add_working_days,
    holiday_list_for_year,
    holiday_published_years,
    holiday_year_entries,
    holiday_year_of,
)
from office.access import access_holiday
from office.forms.calendar import (
    YEAR_MAX,
    YEAR_MIN,
    AdjustedWorkdayFormSet,
    HolidayCreateForm,
    HolidayDeleteForm,
    HolidayForm,
    HolidayRangeFormSet,
    HolidayYearForm,
    NoticeForm,
    WorkdayCalculatorForm,
)
from office.services import calendar


def _list_url(year: int) -> str:
    return f"{reverse('office:holiday_list')}?year={year}"


@login_required
@role_required(Role.ADMIN)
def holiday_list(request):
    year_form = HolidayYearForm(request.GET if "year" in request.GET else None)
    year = year_form.cleaned_data["year"] if year_form.is_valid() else timezone.localdate().year
    if not year_form.is_bound:
        year_form = HolidayYearForm(initial={"year": year})
    calculator = WorkdayCalculatorForm(request.GET if "start" in request.GET else None)
    result = None
    if calculator.is_valid():
        result = add_working_days(calculator.cleaned_data["start"], calculator.cleaned_data["days"])
    page_obj = Paginator(holiday_list_for_year(year), 50).get_page(request.GET.get("page"))
    published_years = holiday_published_years()
    return render(
        request,
        "office/holiday_list.html",
        {
            "year": year,
            "year_form": year_form,
            "published": year in published_years,
            "published_years": published_years,
            "holiday_year": holiday_year_of(year),
            "page_obj": page_obj,
            "calculator": calculator,
            "result": result,
        },
    )


@login_required
@role_required(Role.ADMIN)
def holiday_year(request, year: int):
    """Enter a year's State Council notice in one form: its days off (ranges with a name)
    and its adjusted working weekends (调休上班), the notice's number, and the confirmation
    that publishes the year."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404("年份无效。")
    record = holiday_year_of(year)
    if request.method == "POST":
        form = NoticeForm(request.POST)
        ranges = HolidayRangeFormSet(request.POST, prefix="holidays")
        adjusted = AdjustedWorkdayFormSet(request.POST, prefix="workdays")
        # The notice's fields and every row are checked, so that all their errors show at once.
        if all([ranges.is_valid(), adjusted.is_valid()]):
            done = run_service(
                request,
                lambda data: calendar.holiday_year_save(
                    actor=request.user,
                    year=year,
                    holidays=[
                        HolidayRange(row["start"], row["end"], row["name"])
                        for row in ranges.cleaned_data
                        if row.get("start")
                    ],
                    workdays=[
                        AdjustedWorkday(row["date"], row["name"])
                        for row in adjusted.cleaned_data
                        if row.get("date")
                    ],
                    **data,
                ),
                form=form,
                success=lambda saved: _year_saved_message(year, saved),
                done=lambda saved: redirect(_list_url(year)),
            )
            if done:
                return done
        else:
            form.is_valid()
            messages.error(request, NOT_DONE)
    else:
        entered_ranges, entered_workdays = holiday_year_entries(year)
        form = NoticeForm(initial={"notice_number": record.notice_number if record else ""})
        ranges = HolidayRangeFormSet(
            prefix="holidays",
            initial=[{"name": r.name, "start": r.start, "end": r.end} for r in entered_ranges],
        )
        adjusted = AdjustedWorkdayFormSet(
            prefix="workdays",
            initial=[{"date": w.date, "name": w.name} for w in entered_workdays],
        )
    return render(
        request,
        "office/holiday_year_form.html",
        {"year": year, "record": record, "form": form, "ranges": ranges, "adjusted": adjusted},
    )


def _year_saved_message(year: int, saved: calendar.YearSaved) -> str:
    if not saved.holiday_year.published:
        return f"已保存{year}年节假日安排草稿（未公布，计算工作日仍按周一至周五）。"
    done = "已公布" if saved.newly_published else "已修改"
    text = f"{done}{year}年节假日安排（{saved.holiday_year.notice_number}），变更 {saved.days_changed} 天。"
    moved = [f"{label} {count} 项" for label, count in saved.deadlines.items() if count]
    if moved:
        text += "已按新的安排重新计算：" + "、".join(moved) + "。"
    return text


@login_required
@role_required(Role.ADMIN)
def holiday_create(request):
    form = HolidayCreateForm(request.POST or None)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: calendar.holiday_create(actor=request.user, **data),
            form=form,
            success=lambda holiday: f"已新增节假日安排：{holiday}。",
            done=lambda holiday: redirect(_list_url(holiday.date.year)),
        )
        if done:
            return done
    return render(request, "office/holiday_form.html", {"form": form, "holiday": None})


@login_required
def holiday_edit(request, pk: int):
    holiday = access_holiday(request.user, pk)
    initial = {"kind": holiday.kind, "name": holiday.name}
    form = HolidayForm(request.POST or None, initial=initial)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: calendar.holiday_update(actor=request.user, holiday=holiday, **data),
            form=form,
            success=lambda changed: f"已修改节假日安排：{changed}。",
            done=lambda changed: redirect(_list_url(changed.date.year)),
        )
        if done:
            return done
    return render(request, "office/holiday_form.html", {"form": form, "holiday": holiday})


@login_required
def holiday_delete(request, pk: int):
    holiday = access_holiday(request.user, pk)
    form = HolidayDeleteForm(request.POST or None)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: calendar.holiday_delete(
                actor=request.user, holiday=holiday, reason=data["reason"]
            ),
            form=form,
            success=f"已删除节假日安排：{holiday}。",
            done=lambda _: redirect(_list_url(holiday.date.year)),
        )
        if done:
            return done
    return render(request, "office/holiday_delete.html", {"form": form, "holiday": holiday})
