"""Reads of the review chain: where a case stands and what a user may do on it, the
queues and counts, visit coverage, the public notice, grants, visits and the timeline."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Level, Role
from accounts.selectors import scope_queryset
from assistance.eligibility import Category
from assistance.models import (
    Case,
    CaseTransition,
    CaseUserObjectPermission,
    HomeVisit,
)
from assistance.selectors.cases import case_history
from assistance.selectors.policy import PolicyNotFound, policy_in_force
from assistance.workflow import (
    DECISION_ACTIONS,
    INTAKE_ACTIONS,
    ROUND_RESTART_ACTIONS,
    WORKFLOWS,
    InvalidTransition,
    Transition,
    decision_now,
    find_transition,
    lifecycle_of,
    organisation_at,
    refusal_reason_text,
    workflow_of,
)
from core.crypto import mask_name
from core.lifecycle import moves
from core.workdays import WorkdayResult, working_days_since

S = Case.Status
# The states of a case still in the review chain, in the order a case goes through them.
REVIEW_STATUSES = (
    S.SUBMITTED,
    S.RETURNED,
    S.COUNTY_REVIEW,
    S.COMPARISON,
    S.NOTICE,
    S.CITY_CONFIRMATION,
)


# Every decision of every variant (the same action names are decisions in each variant).
def decision_states(level: int) -> dict[str, list[str]]:
    """Per workflow variant, the states whose decision is taken at `level` of the tree."""
    states = {
        workflow: sorted({t.source for t in transitions if t.decision and t.level == level})
        for workflow, transitions in WORKFLOWS.items()
    }
    return {workflow: found for workflow, found in states.items() if found}


@dataclass(frozen=True)
class Stage:
    """Where a case stands: its state and the union that holds it there."""

    label: str
    holder: Organisation | None
    decides: bool  # the holder's reviewer takes the next decision (and may assign it)


def case_stage(case: Case) -> Stage:
    label = case.get_status_display()
    transition = decision_now(case)
    if transition is not None:
        return Stage(label, organisation_at(case, transition.level), True)
    if case.status in (S.DRAFT, S.RETURNED):
        return Stage(label, case.organisation, False)
    return Stage(label, None, False)


def review_queue_for(
    user, *, county_id: int | None = None, category: str = "", status: str = ""
) -> QuerySet[Case]:
    """The cases waiting for this reviewer's decision, oldest first; a fixed number of queries.

    A case waits at the level whose decision its state awaits in its own policy's workflow
    (`assistance.workflow`), held by the organisation on its path at that level
    (`organisation_at`: grassroots → organisation, county → county, city → city). Cases
    assigned to another reviewer, entered by this user or already decided by them
    (segregation of duties) wait for someone else.
    """
    organisation = getattr(user, "organisation", None)
    if organisation is None or not user.has_role(Role.REVIEWER):
        return Case.objects.none()
    waiting = [
        Q(policy__workflow=workflow, status__in=states)
        for workflow, states in decision_states(organisation.level).items()
    ]
    if not waiting:
        return Case.objects.none()
    assigned_elsewhere = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission__codename="review_case"
    ).exclude(user=user)
    # Segregation of duties holds within a round (services.review._this_round): only
    # decisions since the case last came back (a return or an objection) count.
    round_start = (
        CaseTransition.objects.filter(
            case=OuterRef(OuterRef("pk")), action__in=ROUND_RESTART_ACTIONS
        )
        .order_by("-id")
        .values("id")[:1]
    )
    decided = CaseTransition.objects.filter(
        case=OuterRef("pk"),
        actor=user,
        action__in=DECISION_ACTIONS,
        id__gt=Coalesce(Subquery(round_start), 0),
    )
    qs = (
        Case.objects.filter(reduce(or_, waiting))
        .filter(**{Case.SCOPE_FIELDS[organisation.level]: organisation.pk})
        .exclude(entered_by=user)
        .exclude(Exists(assigned_elsewhere))
        .exclude(Exists(decided))
        .select_related("organisation", "county", "policy")
    )
    if county_id:
        qs = qs.filter(county_id=county_id)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("state_entered_at", "id")


@dataclass(frozen=True)
class QueueRow:
    case: Case
    waited: WorkdayResult[int]  # working days since the case entered its state


def queue_rows(cases, *, today: date) -> list[QueueRow]:
    """The cases with how long each has waited, the calendar read once for all of them."""
    cases = list(cases)
    entered = {
        case.pk: timezone.localdate(case.state_entered_at)
        for case in cases
        if case.state_entered_at
    }
    waited = working_days_since(entered.values(), today)
    return [
        QueueRow(case, waited[entered[case.pk]] if case.pk in entered else WorkdayResult(0))
        for case in cases
    ]


@dataclass(frozen=True)
class StateCounts:
    """Cases in the review chain per state, for each union one level below the user's."""

    group_label: str
    statuses: list[str]
    rows: list[tuple[str, list[int], int]]
    totals: list[int]
    total: int


def review_state_counts(user) -> StateCounts | None:
    """A county sees its grassroots unions, the city its counties; one aggregate query."""
    organisation = getattr(user, "organisation", None)
    if organisation is None or organisation.level == Level.GRASSROOTS:
        return None
    group, group_label = (
        ("organisation", "基层工会")
        if organisation.level == Level.COUNTY
        else ("county", "县级工会")
    )
    rows = (
        scope_queryset(Case.objects.filter(status__in=REVIEW_STATUSES), user)
        .values_list(f"{group}__code", f"{group}__name", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for code, name, status, count in rows:
        counts.setdefault((code, name), {})[status] = count
    table = []
    for (_code, name), by_status in sorted(counts.items()):
        cells = [by_status.get(status, 0) for status in REVIEW_STATUSES]
        table.append((name, cells, sum(cells)))
    totals = [sum(row[1][i] for row in table) for i in range(len(REVIEW_STATUSES))]
    return StateCounts(
        group_label=group_label,
        statuses=[status.label for status in REVIEW_STATUSES],
        rows=table,
        totals=totals,
        total=sum(totals),
    )


@dataclass(frozen=True)
class VisitCoverage:
    """This year's new cases of a county and how many a county visit has checked (WH-M §10(三))."""

    year: int
    new_cases: int
    visited: int
    minimum_percent: int | None

    @property
    def percent(self) -> Decimal | None:
        if not self.new_cases:
            return None
        return (Decimal(self.visited * 100) / self.new_cases).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def below_minimum(self) -> bool:
        """Exactly the minimum is not below it; compared in whole numbers, not the rounded
        percentage (1 of 3 is below 33.4 %, though shown as 33.3 %)."""
        return (
            self.new_cases > 0
            and self.minimum_percent is not None
            and self.visited * 100 < self.minimum_percent * self.new_cases
        )

    def shortfall_text(self) -> str:
        return (
            f"{self.year}年本县新建档困难职工县级走访核查{self.visited}件，占进入县级审核的"
            f"{self.new_cases}件的{self.percent}%，低于{self.minimum_percent}%"
            "（芜湖实施办法第十条第三项）"
        )


def visit_coverage_for_county(county: Organisation, year: int) -> VisitCoverage:
    """New cases = the county's cases that first reached 待县级审核 in `year` (local time);
    visited = those the county's own staff have visited (a joint visitor's visit made for
    another county does not count, as for the doubtful-case rule). The minimum is the
    `visit_coverage_percent` of the policy in force in the county's region."""
    local = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=local)
    end = datetime(year + 1, 1, 1, tzinfo=local)
    first_review = (
        CaseTransition.objects.filter(case=OuterRef("pk"), to_status=S.COUNTY_REVIEW)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    county_visit = HomeVisit.objects.filter(case=OuterRef("pk"), organisation=county)
    figures = (
        Case.objects.filter(county=county)
        .annotate(first_review=Subquery(first_review), county_visited=Exists(county_visit))
        .filter(first_review__gte=start, first_review__lt=end)
        .aggregate(new_cases=Count("id"), visited=Count("id", filter=Q(county_visited=True)))
    )
    on = min(timezone.localdate(), date(year, 12, 31))
    try:
        minimum = policy_in_force(region=county.region, on=on).visit_coverage_percent
    except PolicyNotFound:
        minimum = None
    return VisitCoverage(year, figures["new_cases"], figures["visited"], minimum)


def coverage_shortfall(case: Case, transition_confirms: bool) -> VisitCoverage | None:
    """The county's coverage this year when a step that confirms coverage is below it."""
    if not transition_confirms:
        return None
    coverage = visit_coverage_for_county(case.county, timezone.localdate().year)
    return coverage if coverage.below_minimum else None


def _category_label(code: str | None) -> str:
    return Category(code).label if code else "不符合建档条件"


@dataclass(frozen=True)
class NoticeLine:
    """One household on a public notice: the name and ID number masked (never the full ones)."""

    name: str
    id_masked: str
    household_size: int
    category: str
    notice_start: date
    notice_end: date


def notice_board_for(organisation: Organisation) -> list[NoticeLine]:
    """A grassroots union's cases in public notice (公示), as the notice lists them; one query."""
    cases = Case.objects.filter(organisation=organisation, status=S.NOTICE).order_by(
        "notice_start", "id"
    )
    return [
        NoticeLine(
            name=mask_name(case.applicant_name),
            id_masked=case.applicant_id_masked,
            household_size=case.household_size,
            category=_category_label(case.category),
            notice_start=case.notice_start,
            notice_end=case.notice_end,
        )
        for case in cases
    ]


# --- One case's review records ------------------------------------------------------------


def case_grants(case: Case, codename: str) -> QuerySet[CaseUserObjectPermission]:
    """Individual grants on the case: `review_case` (assigned) or `visit_case` (joint visit)."""
    return CaseUserObjectPermission.objects.filter(
        content_object=case, permission__codename=codename
    )


def case_grantees(case: Case, codename: str) -> list:
    return [
        grant.user for grant in case_grants(case, codename).select_related("user__organisation")
    ]


def _active_users():
    return User.objects.filter(is_active=True).select_related("organisation")


def visit_staff_choices(actor, case: Case):
    """Who may be named on a visit the actor records: the actor's union and invited visitors."""
    invited = case_grants(case, "visit_case").values("user_id")
    return (
        _active_users()
        .filter(Q(organisation=actor.organisation_id) | Q(pk__in=invited))
        .order_by("organisation__code", "username")
    )


def reviewer_choices(organisation: Organisation | None):
    if organisation is None:
        return _active_users().none()
    return (
        _active_users()
        .filter(organisation=organisation, role_grants__role=Role.REVIEWER)
        .order_by("username")
    )


def joint_visit_candidates(actor, case: Case):
    """Caseworkers and reviewers of the other unions of the case's city, not yet invited."""
    invited = case_grants(case, "visit_case").values("user_id")
    return (
        _active_users()
        .filter(
            organisation__city=case.city_id,
            role_grants__role__in=[Role.CASEWORKER, Role.REVIEWER],
        )
        .exclude(organisation=actor.organisation_id)
        .exclude(pk__in=invited)
        .distinct()
        .order_by("organisation__code", "username")
    )


@dataclass(frozen=True)
class VisitSummary:
    """A home visit as the case page shows it: who, what was verified, and what it changed."""

    visit: HomeVisit
    staff: list
    verified: list[tuple[str, str]]  # label, figure found on the visit
    category_before: str
    category_after: str
    income_before: Decimal | None
    income_after: Decimal | None

    @property
    def income_difference(self) -> Decimal | None:
        if self.income_before is None or self.income_after is None:
            return None
        return self.income_after - self.income_before


def _income(assessment: dict | None) -> Decimal | None:
    value = (assessment or {}).get("per_capita_monthly_income")
    return Decimal(value) if value is not None else None


def case_visits(case: Case) -> list[VisitSummary]:
    visits = (
        case.visits.select_related("organisation", "survey", "recorded_by")
        .prefetch_related("staff__user")
        .order_by("visit_date", "id")
    )
    summaries = []
    for visit in visits:
        before = visit.assessment_before or {}
        after = visit.assessment_after or before
        verified = [
            (str(Case._meta.get_field(name).verbose_name), value)
            for name, value in visit.verified.items()
        ]
        summaries.append(
            VisitSummary(
                visit=visit,
                staff=[row.user for row in visit.staff.all()],
                verified=verified,
                category_before=_category_label(before.get("category")),
                category_after=_category_label(after.get("category")),
                income_before=_income(before),
                income_after=_income(after),
            )
        )
    return summaries


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's timeline: a step of the review chain, or a recorded change."""

    at: object
    user: object
    reason: str
    subject: str
    changes: list[tuple[str, str, str]]
    transition: CaseTransition | None = None
    reasons: tuple[str, ...] = ()


def _action_label(workflow: str, action: str, source: str) -> str:
    try:
        return find_transition(workflow, action, source).label
    except InvalidTransition:
        return action


# A transition's own save of the case is folded into the transition's line.
_FOLD_WINDOW = timedelta(seconds=5)


def case_timeline(case: Case) -> list[TimelineEntry]:
    """Every step of the review chain merged with the recorded changes, newest first.

    A step's line carries who, which union and level, the opinion, the reasons and the
    documents relied on, and the field changes its own save of the case made.
    """
    history = case_history(case)
    folded: set[int] = set()
    workflow = workflow_of(case)
    entries = []
    transitions = case.transitions.select_related("actor", "organisation").prefetch_related(
        "documents"
    )
    for transition in transitions:
        label = _action_label(workflow, transition.action, transition.from_status)
        changes: list[tuple[str, str, str]] = []
        for index, entry in enumerate(history):
            if (
                index not in folded
                and entry.subject == "申请"
                and entry.reason == label
                and getattr(entry.user, "pk", None) == transition.actor_id
                and abs(entry.at - transition.created_at) <= _FOLD_WINDOW
            ):
                folded.add(index)
                changes = entry.changes
                break
        entries.append(
            TimelineEntry(
                at=transition.created_at,
                user=transition.actor,
                reason=label,
                subject="审核环节",
                changes=changes,
                transition=transition,
                reasons=tuple(refusal_reason_text(code) for code in transition.reasons),
            )
        )
    entries += [
        TimelineEntry(e.at, e.user, e.reason, e.subject, e.changes)
        for index, e in enumerate(history)
        if index not in folded
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def available_transitions(case: Case, actor) -> list[tuple[Transition, list[str]]]:
    """The review moves this actor could make now (the table's `moves`), each with what
    still stands in its way; the caseworker's own steps are taken from the case pages."""
    return [
        (move.transition, list(move.unmet))
        for move in moves(lifecycle_of(case), case, actor)
        if not move.refused and move.transition.action not in INTAKE_ACTIONS
    ]
