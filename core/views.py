from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import role_required
from accounts.roles import Level, Role
from accounts.selectors import organisation_choices_for_user
from archives.selectors.dashboard import archive_work_for
from assistance.eligibility import Category
from assistance.selectors import (
    REVIEW_STATUSES,
    case_counts_for_user,
    queue_rows,
    review_queue_for,
    review_state_counts,
    visit_coverage_for_county,
)
from core import workdays
from core.forms import (
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
from core.service_forms import add_service_errors, int_or_none, paginate
from core.workdays import (
    AdjustedWorkday,
    HolidayRange,
    WorkdayResult,
    access_holiday,
    add_working_days,
    holiday_list_for_year,
    holiday_published_years,
    holiday_year_entries,
    holiday_year_of,
)
from funds.selectors.accounts import year_end_warnings


@login_required
def home(request):
    """Counts of the user's cases; for a reviewer the work queue; for a county or the city
    the review states per union below, and for a county this year's visit coverage; the
    archive work waiting (re-verifications, category changes, re-checks, phase-outs); for
    finance, audit and administrators the year-end warnings on central and provincial money."""
    user = request.user
    today = timezone.localdate()
    context = {"case_counts": case_counts_for_user(user)}
    organisation = user.organisation
    if (
        organisation is not None
        and organisation.level != Level.GRASSROOTS
        and user.has_role(Role.CASEWORKER, Role.REVIEWER, Role.AUDITOR)
    ):
        context["state_counts"] = review_state_counts(user)
        if organisation.level == Level.COUNTY:
            context["coverage"] = visit_coverage_for_county(organisation, today.year)
    if user.has_role(Role.REVIEWER):
        context["queue"] = _review_queue(request, today)
    if organisation is not None and user.has_role(Role.CASEWORKER, Role.REVIEWER):
        context["archive_work"] = archive_work_for(user, today)
    if organisation is not None and user.has_role(Role.FINANCE, Role.AUDITOR, Role.ADMIN):
        context["warnings"] = year_end_warnings(user, today)
    return render(request, "core/home.html", context)


def _review_queue(request, today) -> dict:
    """The reviewer's queue, filtered and paginated, with each case's waited working days."""
    params = request.GET
    county = params.get("county", "")
    category = params.get("category", "")
    status = params.get("status", "")
    statuses = [(s.value, s.label) for s in REVIEW_STATUSES]
    queue = review_queue_for(
        request.user,
        county_id=int_or_none(county),
        category=category if category in {*Category} else "",
        status=status if status in dict(statuses) else "",
    )
    page_obj = paginate(request, queue)
    rows = queue_rows(page_obj, today=today)
    fallback = sorted({year for row in rows for year in row.waited.fallback_years})
    city_level = request.user.organisation.level == Level.CITY
    return {
        "page_obj": page_obj,
        "rows": rows,
        "note": WorkdayResult(0, tuple(fallback)).note,
        "params": params,
        "counties": organisation_choices_for_user(request.user, levels=(Level.COUNTY,))
        if city_level
        else None,
        "categories": Category.choices(),
        "statuses": statuses,
    }


def _list_url(year: int) -> str:
    return f"{reverse('core:holiday_list')}?year={year}"


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
        "core/holiday_list.html",
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
    if request.method == "POST" and all([form.is_valid(), ranges.is_valid(), adjusted.is_valid()]):
        try:
            saved = workdays.holiday_year_save(
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
                **form.cleaned_data,
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _year_saved_message(year, saved))
            return redirect(_list_url(year))
    return render(
        request,
        "core/holiday_year_form.html",
        {"year": year, "record": record, "form": form, "ranges": ranges, "adjusted": adjusted},
    )


def _year_saved_message(year: int, saved: workdays.YearSaved) -> str:
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
    if request.method == "POST" and form.is_valid():
        try:
            holiday = workdays.holiday_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已新增节假日安排：{holiday}。")
            return redirect(_list_url(holiday.date.year))
    return render(request, "core/holiday_form.html", {"form": form, "holiday": None})


@login_required
def holiday_edit(request, pk: int):
    holiday = access_holiday(request.user, pk)
    initial = {"kind": holiday.kind, "name": holiday.name}
    form = HolidayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            holiday = workdays.holiday_update(
                actor=request.user, holiday=holiday, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已修改节假日安排：{holiday}。")
            return redirect(_list_url(holiday.date.year))
    return render(request, "core/holiday_form.html", {"form": form, "holiday": holiday})


@login_required
def holiday_delete(request, pk: int):
    holiday = access_holiday(request.user, pk)
    form = HolidayDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workdays.holiday_delete(
                actor=request.user, holiday=holiday, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已删除节假日安排：{holiday}。")
            return redirect(_list_url(holiday.date.year))
    return render(request, "core/holiday_delete.html", {"form": form, "holiday": holiday})


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
