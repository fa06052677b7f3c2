"""Archive views: re-verification on schedule, category changes, the due lists, and the
home-visit survey (困难职工家庭走访调查表) to print.

Every action is form → access → service (through `run_service`) → message → redirect; the
services decide, and whatever they refuse comes back on the form with the input kept.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import role_required
from accounts.roles import Level, Role
from archives.access import access_archive, can_propose_category, can_record_reverification
from archives.forms.reverify import DecideForm, DueFilterForm, ProposeForm, ReverifyForm
from archives.models import Archive, ArchiveVisit
from archives.rules import NO_LONGER_QUALIFIES, cycle_months
from archives.selectors import reverify as selectors
from archives.selectors.figures import VISIT_FIGURES, current_figures
from archives.services import reverify as services
from assistance.models import CASE_MONEY_FIELDS, Case
from core.service_forms import paginate, run_service


def _blocked(refusal: str) -> list[str]:
    return [refusal] if refusal else []


# --- Re-verification --------------------------------------------------------------------------


@login_required
def reverify(request, pk: int):
    archive = access_archive(request.user, pk)
    bound = request.method == "POST"
    form = ReverifyForm(
        request.POST if bound else None, request.FILES if bound else None, archive=archive
    )
    if bound:
        done = run_service(
            request,
            lambda data: services.reverification_record(
                actor=request.user,
                archive=archive,
                visit_date=data["visit_date"],
                staff=list(data["staff"]),
                findings=data["findings"],
                figures=data["figures"],
                months_above_line=data["months_above_line"],
                months_reason=data["months_reason"],
                survey=data["survey"],
                survey_signature=data["survey_signature"],
                survey_note=data["survey_note"],
            ),
            form=form,
            success=f"已登记档案 {archive.number} 的定期核查。",
            done=lambda visit: redirect(
                "archives:reverify_result", pk=archive.pk, visit_pk=visit.pk
            ),
        )
        if done:
            return done
    return render(
        request,
        "archives/reverify/record.html",
        {
            "archive": archive,
            "form": form,
            "blocked": _blocked(can_record_reverification(request.user, archive)),
            "cycle_months": cycle_months(archive.policy, archive.category),
        },
    )


@login_required
def reverify_result(request, pk: int, visit_pk: int):
    archive = access_archive(request.user, pk)
    visit = (
        selectors.visits_of(archive)
        .filter(pk=visit_pk, purpose=ArchiveVisit.Purpose.REVERIFY)
        .first()
    )
    if visit is None:
        raise Http404("没有找到该定期核查记录。")
    result = selectors.reverification_result(archive, visit)
    return render(
        request,
        "archives/reverify/result.html",
        {
            "archive": archive,
            "visit": visit,
            "result": result,
            "before_category": selectors.category_label(
                result["before"].category if result["before"] else None
            ),
            "after_category": selectors.category_label(
                result["after"].category if result["after"] else None
            ),
            "no_longer_qualifies": NO_LONGER_QUALIFIES,
            "pending_from": selectors.category_label(
                result["change"].from_category if result["change"] else None
            ),
            "pending_to": selectors.category_label(
                result["change"].to_category if result["change"] else None
            ),
            "may_decide": result["change"] is not None
            and not selectors.decide_refusal(request.user, result["change"], archive),
        },
    )


# --- Category changes -------------------------------------------------------------------------


@login_required
def category_change_propose(request, pk: int):
    archive = access_archive(request.user, pk)
    form = ProposeForm(request.POST if request.method == "POST" else None, archive=archive)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.category_change_propose(
                actor=request.user,
                archive=archive,
                to_category=data["to_category"],
                reason=data["reason"],
            ),
            form=form,
            success=f"已提出档案 {archive.number} 的类别变更，待审核。",
            done=lambda change: redirect("archives:detail", pk=archive.pk),
        )
        if done:
            return done
    pending = selectors.pending_change(archive)
    return render(
        request,
        "archives/reverify/propose.html",
        {
            "archive": archive,
            "form": form,
            "blocked": _blocked(can_propose_category(request.user, archive, pending)),
            "category": selectors.category_label(archive.category),
        },
    )


@login_required
def category_change_decide(request, pk: int, change_pk: int):
    archive = access_archive(request.user, pk)
    change = selectors.category_change_of(archive, change_pk)
    if change is None:
        raise Http404("没有找到该类别变更。")
    form = DecideForm(
        request.POST if request.method == "POST" else None, archive=archive, change=change
    )
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.category_change_decide(
                actor=request.user, change=change, approve=form.approve, opinion=data["opinion"]
            ),
            form=form,
            success=lambda decided: (
                f"档案 {archive.number} 的类别变更已审核：{decided.get_status_display()}。"
            ),
            done=lambda decided: redirect("archives:detail", pk=archive.pk),
        )
        if done:
            return done
    return render(
        request,
        "archives/reverify/decide.html",
        {
            "archive": archive,
            "change": change,
            "form": form,
            "blocked": _blocked(selectors.decide_refusal(request.user, change, archive)),
            "from_label": selectors.category_label(change.from_category),
            "to_label": selectors.category_label(change.to_category),
        },
    )


@login_required
@role_required(Role.REVIEWER)
def category_changes(request):
    page = paginate(request, selectors.pending_category_changes(request.user))
    for change in page.object_list:
        change.from_label = selectors.category_label(change.from_category)
        change.to_label = selectors.category_label(change.to_category)
    return render(request, "archives/reverify/changes.html", {"page_obj": page})


# --- Due and overdue -----------------------------------------------------------------------------


@login_required
@role_required(Role.CASEWORKER, Role.REVIEWER, Role.AUDITOR)
def due(request):
    user = request.user
    if user.organisation is None:
        raise PermissionDenied("您的账号未分配工会组织。")
    today = timezone.localdate()
    form = DueFilterForm(request.GET, user=user)
    tab, county = selectors.OVERDUE, None
    if form.is_valid():
        tab = form.cleaned_data["tab"] or selectors.OVERDUE
        county = form.cleaned_data["county"]
    counts = {
        key: selectors.due_archives(user, tab=key, today=today, county=county).count()
        for key in selectors.TABS
    }
    page = paginate(request, selectors.due_archives(user, tab=tab, today=today, county=county))
    for archive in page.object_list:
        archive.category_label = selectors.category_label(archive.category)
        archive.days_overdue = selectors.days_overdue(archive, today)
    return render(
        request,
        "archives/reverify/due.html",
        {
            "form": form,
            "tab": tab,
            "tabs": [(key, label, counts[key]) for key, label in selectors.TABS.items()],
            "county": county,
            "city_user": user.organisation.level == Level.CITY,
            "page_obj": page,
            "today": today,
        },
    )


# --- The home-visit survey to print ----------------------------------------------------------


def _people(archive: Archive) -> list[dict]:
    """The household as the archive lists it, with each member's details from the case."""
    details = {member.id_hash: member for member in archive.case.members.all()}
    people = []
    for person in archive.people.filter(active=True):
        member = details.get(person.id_hash)
        people.append(
            {
                "name": person.name,
                "relation": person.relation,
                "id_masked": person.id_masked,
                "health": member.get_health_display() if member else "",
                "disability": member.get_disability_display() if member else "",
                "school": member.get_school_display() if member else "",
                "employment": member.get_employment_display() if member else "",
            }
        )
    return people


FIGURE_GROUPS = (
    ("家庭年度收入（元）", [name for name in CASE_MONEY_FIELDS if name.startswith("income_")]),
    ("刚性支出（元）", [name for name in CASE_MONEY_FIELDS if name.startswith("expense_")]),
    (
        "其他（元）",
        [name for name in CASE_MONEY_FIELDS if not name.startswith(("income_", "expense_"))],
    ),
    ("住房、车辆和人口", [name for name in VISIT_FIGURES if name not in CASE_MONEY_FIELDS]),
)


def _figure_rows(values: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (
            group,
            [
                (str(Case._meta.get_field(name).verbose_name), values.get(name, ""))
                for name in names
            ],
        )
        for group, names in FIGURE_GROUPS
    ]


def _survey_context(archive: Archive) -> dict:
    case = archive.case
    return {
        "archive": archive,
        "case": case,
        "people": _people(archive),
        "category": selectors.category_label(archive.category),
    }


@login_required
def print_visit_survey(request, pk: int, visit_pk: int):
    """困难职工家庭走访调查表 of a recorded visit, filled from the record."""
    archive = access_archive(request.user, pk)
    visit = selectors.visits_of(archive).filter(pk=visit_pk).first()
    if visit is None:
        raise Http404("没有找到该走访记录。")
    context = _survey_context(archive)
    context.update(
        {
            "visit": visit,
            "staff": [row.user for row in visit.staff.select_related("user", "user__organisation")],
            "figures": _figure_rows(visit.figures),
            "visit_category": selectors.category_label(visit.category),
            "blank": False,
        }
    )
    return render(request, "archives/reverify/survey.html", context)


@login_required
def print_visit_blank(request, pk: int):
    """A blank survey for the field: the household's identity, and the current figures as
    reference beside empty boxes for what the visit finds."""
    archive = access_archive(request.user, pk)
    context = _survey_context(archive)
    context.update(
        {
            "visit": None,
            "staff": [],
            "figures": _figure_rows(current_figures(archive)),
            "blank": True,
            "blank_staff_lines": range(3),
        }
    )
    return render(request, "archives/reverify/survey.html", context)
