"""Each user's home (工作台): what waits for them, composed from every app's dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

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
from core.service_forms import int_or_none, paginate
from core.workdays import WorkdayResult
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
    return render(request, "office/home.html", context)


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
