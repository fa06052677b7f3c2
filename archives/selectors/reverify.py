"""Re-verification: what is due and overdue, the archive page's re-verification panel, the
pending category changes, and what a re-verification changed (WH-M §17)."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Level
from accounts.selectors import scope_queryset
from archives.access import STAFF_ROLES, can_propose_category, can_record_reverification
from archives.lifecycles import CATEGORY_CHANGE
from archives.lifecycles import category_text as category_label
from archives.models import Archive, ArchiveVisit, CategoryChange
from archives.rules import (
    DEEP_LEAVES_BY_PHASE_OUT,
    NO_LONGER_QUALIFIES,
    cycle_months,
    leaves_deep,
    reverify_reason,
)

SOON_DAYS = 30

OVERDUE = "overdue"
SOON = "soon"
TABS = {OVERDUE: "已逾期", SOON: f"{SOON_DAYS}天内到期"}


def pending_change(archive: Archive) -> CategoryChange | None:
    """The archive's category change waiting for review (one at most, a database rule)."""
    return (
        archive.category_changes.filter(status=CategoryChange.Status.PENDING)
        .select_related("proposed_by", "visit")
        .first()
    )


def decide_refusal(user: User, change: CategoryChange, archive: Archive) -> str:
    """Why this user may not decide the change now, from the table ("" if they may).

    Rejecting asks the least of the two decisions (an approval must also keep a deep
    household in its phase-out rule and match the archive's category): whoever may reject
    gets the page, and an approval it refuses is refused there with its reason.
    """
    change.archive = archive
    return CATEGORY_CHANGE.why_not(change, user, "reject")


# --- Choices ------------------------------------------------------------------------------


def visit_staff_for(archive: Archive) -> QuerySet[User]:
    """Who may go on a visit of this archive: active caseworkers and reviewers of its union,
    its county and its city (services.visits checks the same)."""
    return (
        User.objects.filter(
            is_active=True,
            organisation__in=(archive.organisation_id, archive.county_id, archive.city_id),
            role_grants__role__in=STAFF_ROLES,
        )
        .select_related("organisation")
        .distinct()
        .order_by("organisation__level", "organisation__code", "username")
    )


def county_choices(user: User) -> QuerySet[Organisation]:
    """The counties a city user may filter by (a county user has only its own)."""
    organisation = user.organisation
    if organisation is None or organisation.level != Level.CITY:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        city=organisation, level=Level.COUNTY, is_active=True
    ).order_by("code")


# --- Due and overdue -----------------------------------------------------------------------


def due_archives(
    user: User,
    *,
    tab: str,
    today: datetime.date,
    county: Organisation | None = None,
) -> QuerySet[Archive]:
    """Open archives (on the cycle) in the user's scope whose re-verification is overdue,
    or due within 30 days; the most urgent first."""
    archives = scope_queryset(Archive.objects.all(), user).filter(status=Archive.Status.OPEN)
    if county is not None:
        archives = archives.filter(county=county)
    if tab == OVERDUE:
        archives = archives.filter(verification_due__lt=today)
    else:
        archives = archives.filter(
            verification_due__gte=today,
            verification_due__lte=today + datetime.timedelta(days=SOON_DAYS),
        )
    return archives.select_related("organisation", "county").order_by("verification_due", "number")


def days_overdue(archive: Archive, today: datetime.date) -> int:
    return max((today - archive.verification_due).days, 0)


# --- Pending category changes ----------------------------------------------------------------


def pending_category_changes(user: User) -> QuerySet[CategoryChange]:
    return (
        scope_queryset(CategoryChange.objects.all(), user)
        .filter(
            status=CategoryChange.Status.PENDING,
            archive__status__in=Archive.ACTIVE_STATUSES,
        )
        .select_related(
            "archive", "archive__organisation", "archive__county", "proposed_by", "visit"
        )
        .order_by("created_at", "id")
    )


def category_change_of(archive: Archive, pk: int) -> CategoryChange | None:
    return (
        archive.category_changes.filter(pk=pk)
        .select_related("proposed_by", "decided_by", "visit", "visit__recorded_by")
        .first()
    )


# --- The panel on the archive page ------------------------------------------------------------


@dataclass(frozen=True)
class VisitLine:
    visit: ArchiveVisit
    staff: list[User]
    category: str

    @property
    def reverify(self) -> bool:
        return self.visit.purpose == ArchiveVisit.Purpose.REVERIFY


def visit_lines(archive: Archive) -> list[VisitLine]:
    visits = (
        archive.visits.select_related("organisation", "recorded_by", "survey")
        .prefetch_related("staff__user")
        .order_by("-visit_date", "-id")
    )
    return [
        VisitLine(
            visit=visit,
            staff=[row.user for row in visit.staff.all()],
            category=category_label(visit.category),
        )
        for visit in visits
    ]


def reverify_panel(archive: Archive, user: User) -> dict:
    """The re-verification panel's context, under one key (`reverify`)."""
    today = timezone.localdate()
    lines = visit_lines(archive)
    latest = next((line.visit for line in lines if line.reverify), None)
    pending = pending_change(archive)
    overdue = archive.on_schedule and archive.verification_due < today
    refusal = decide_refusal(user, pending, archive) if pending else ""
    return {
        "reverify": {
            "cycle_months": cycle_months(archive.policy, archive.category),
            "verified_on": archive.verified_on,
            "due": archive.verification_due,
            "overdue": overdue,
            "days_overdue": days_overdue(archive, today) if overdue else 0,
            "visits": lines,
            "no_longer_qualifies": (
                NO_LONGER_QUALIFIES
                if archive.is_active and latest is not None and latest.category is None
                else ""
            ),
            "pending": pending,
            "pending_from": category_label(pending.from_category) if pending else "",
            "pending_to": category_label(pending.to_category) if pending else "",
            "may_decide": bool(pending) and not refusal,
            "decide_refusal": refusal,
            "may_record": not can_record_reverification(user, archive),
            "may_propose": not can_propose_category(user, archive, pending),
        }
    }


# --- What a re-verification changed ------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    category: str
    per_capita_income: object
    minimum_living_standard: object
    household_size: int
    verified_on: datetime.date
    verification_due: datetime.date


def _snapshot(row) -> Snapshot | None:
    if row is None:
        return None
    return Snapshot(
        category=row.category,
        per_capita_income=row.per_capita_income,
        minimum_living_standard=row.minimum_living_standard,
        household_size=row.household_size,
        verified_on=row.verified_on,
        verification_due=row.verification_due,
    )


def reverification_result(archive: Archive, visit: ArchiveVisit) -> dict:
    """The archive just before and just after the re-verification (from its history rows),
    the visit's own result, and the category change it opened, if any."""
    after = (
        archive.history.filter(history_change_reason=reverify_reason(visit))
        .order_by("history_id")
        .first()
    )
    before = (
        archive.history.filter(id=archive.pk, history_id__lt=after.history_id)
        .order_by("-history_id")
        .first()
        if after is not None
        else None
    )
    kept = after.category if after is not None else archive.category
    return {
        "before": _snapshot(before),
        "after": _snapshot(after),
        "phase_out_rule": DEEP_LEAVES_BY_PHASE_OUT if leaves_deep(kept, visit.category) else "",
        "visit_category": category_label(visit.category),
        "qualifies": visit.category is not None,
        "change": CategoryChange.objects.filter(visit=visit)
        .select_related("proposed_by", "decided_by")
        .first(),
        "staff": [row.user for row in visit.staff.select_related("user")],
    }


def visits_of(archive: Archive) -> QuerySet[ArchiveVisit]:
    return archive.visits.select_related("organisation", "recorded_by", "policy", "survey")
