from collections.abc import Callable
from dataclasses import dataclass, replace
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
from archives.models import Archive
from assistance.eligibility import Category
from assistance.inputs import MEMBER_DETAIL_FIELDS, MemberInput
from assistance.models import (
    Case,
    CaseDocument,
    CaseTransition,
    CaseUserObjectPermission,
    HomeVisit,
    HouseholdMember,
    MinimumLivingStandard,
    PersonalDataAccess,
    Policy,
)
from assistance.workflow import (
    DECISION_ACTIONS,
    ROUND_RESTART_ACTIONS,
    WORKFLOWS,
    InvalidTransition,
    decision_now,
    find_transition,
    organisation_at,
    refusal_reason_text,
    workflow_of,
)
from core.crypto import decrypt, keyed_hash, mask_name
from core.history import HistoryChange, history_changes
from core.workdays import WorkdayResult, working_days_since


class PolicyNotFound(LookupError):
    pass


def policy_in_force(*, region: str, on: date) -> Policy:
    policy = (
        Policy.objects.filter(region=region, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
        .first()
    )
    if policy is None:
        raise PolicyNotFound(f"{on:%Y-%m-%d} 在地区 {region} 没有生效的帮扶政策。")
    return policy


def minimum_living_standard_for(*, county: Organisation, on: date) -> MinimumLivingStandard:
    standard = (
        MinimumLivingStandard.objects.filter(county=county, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if standard is None:
        raise PolicyNotFound(f"{county.name} 在 {on:%Y-%m-%d} 没有已录入的城市低保标准。")
    return standard


def policy_list_for_user(user) -> QuerySet[Policy]:
    """The policies of the user's city (its policy region)."""
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return Policy.objects.none()
    return Policy.objects.filter(region=organisation.region).order_by("-effective_from")


def policy_bases_for_user(user) -> QuerySet[Policy]:
    """The policies an administrator may copy into a new version: the city's own; while its
    region has none yet, any region's (its first policy starts from a copy, DOMAIN.md §9)."""
    own = policy_list_for_user(user)
    organisation = getattr(user, "organisation", None)
    if organisation is None or not organisation.region or own.exists():
        return own
    return Policy.objects.order_by("region", "-effective_from")


@dataclass(frozen=True)
class PolicyImpact:
    """Open work that a new policy version from its date would judge anew."""

    kind: str
    text: str
    url: str = ""


# Readers of such work, registered by the apps above assistance (funds registers its unpaid
# grants in its AppConfig.ready), so that assistance imports none of them.
POLICY_IMPACT_READERS: list[Callable[..., list[PolicyImpact]]] = []


def policy_version_impact(*, region: str, effective_from: date) -> list[PolicyImpact]:
    """What a version of `region` in force from `effective_from` would change."""
    return [
        impact
        for reader in POLICY_IMPACT_READERS
        for impact in reader(region=region, effective_from=effective_from)
    ]


def minimum_living_standard_list_for_user(user, *, county_id: int | None = None):
    counties = scope_queryset(Organisation.objects.all(), user)
    qs = MinimumLivingStandard.objects.filter(county__in=counties).select_related("county")
    if county_id:
        qs = qs.filter(county_id=county_id)
    return qs.order_by("county__code", "-effective_from")


@dataclass(frozen=True)
class DuplicateMatch:
    """A person of this household who also stands in another open application."""

    person_name: str
    id_hash: str
    other_case: Case
    cleared: bool = False

    @property
    def other_case_id(self) -> int:
        return self.other_case.pk


def duplicate_matches(
    people: dict[str, str], *, exclude_case_id: int | None
) -> list[DuplicateMatch]:
    """Other open applications naming any of `people` ({id hash: name}) as applicant or member.

    An approved application stays open while its archive is: once the household has left
    the archive (closed or merged), its people may apply again.
    """
    if not people:
        return []
    open_cases = (
        Case.objects.filter(status__in=Case.OPEN_STATUSES)
        .exclude(status=Case.Status.APPROVED, archive__status__in=Archive.FINAL_STATUSES)
        .exclude(pk=exclude_case_id)
    )
    related = ("organisation", "county")
    matches = [
        DuplicateMatch(people[case.applicant_id_hash], case.applicant_id_hash, case)
        for case in open_cases.filter(applicant_id_hash__in=people).select_related(*related)
    ]
    members = HouseholdMember.objects.filter(
        id_hash__in=people, case__in=open_cases
    ).select_related(*(f"case__{name}" for name in related))
    matches += [DuplicateMatch(people[m.id_hash], m.id_hash, m.case) for m in members]
    unique = {(m.id_hash, m.other_case.pk): m for m in matches}
    return sorted(unique.values(), key=lambda m: (m.person_name, m.other_case.pk))


def case_people(case: Case) -> dict[str, str]:
    people = {case.applicant_id_hash: case.applicant_name}
    people.update({m.id_hash: m.name for m in case.members.all()})
    return people


def case_duplicates(case: Case) -> list[DuplicateMatch]:
    """This case's duplicates, each marked cleared where a reviewer has recorded why."""
    cleared = set(case.duplicate_clearances.values_list("id_hash", "other_case_id"))
    return [
        replace(match, cleared=(match.id_hash, match.other_case.pk) in cleared)
        for match in duplicate_matches(case_people(case), exclude_case_id=case.pk)
    ]


def case_list_for_user(
    user,
    *,
    search: str = "",
    person_hash: str = "",
    status: str = "",
    category: str = "",
    organisation_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    order: str = "-application_date",
) -> QuerySet[Case]:
    """The user's cases, filtered; a fixed number of queries whatever the page."""
    qs = scope_queryset(Case.objects.all(), user).select_related("organisation", "county")
    if search:
        digest = keyed_hash(search.strip().upper())
        qs = qs.filter(
            Q(applicant_name__icontains=search)
            | Q(number=search)
            | Q(applicant_id_hash=digest)
            | Q(members__id_hash=digest)
        ).distinct()
    if person_hash:
        qs = qs.filter(
            Q(applicant_id_hash=person_hash) | Q(members__id_hash=person_hash)
        ).distinct()
    if status:
        qs = qs.filter(status=status)
    if category == "none":
        qs = qs.filter(category__isnull=True, assessment__isnull=False)
    elif category:
        qs = qs.filter(category=category)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if date_from:
        qs = qs.filter(application_date__gte=date_from)
    if date_to:
        qs = qs.filter(application_date__lte=date_to)
    return qs.order_by(order, "-id")


CASE_ORDERS = {
    "-application_date": "申请日期（新→旧）",
    "application_date": "申请日期（旧→新）",
    "applicant_name": "姓名",
    "-per_capita_income": "人均月收入（高→低）",
    "per_capita_income": "人均月收入（低→高）",
}


HIDDEN_HISTORY_FIELDS = {
    "id_cipher",
    "id_hash",
    "applicant_id_cipher",
    "applicant_id_hash",
    "bank_card_cipher",
    "updated_at",
    "created_at",
    "assessment",
    "file",
    "sha256",
}


def history_entries(records, subject) -> list[HistoryChange]:
    """History rows (oldest first) as changes, without the personal data's ciphers and
    hashes; an update that changed nothing shown and gave no reason is left out."""
    return history_changes(records, subject, hidden=HIDDEN_HISTORY_FIELDS, skip_silent=True)


def case_history(case: Case) -> list[HistoryChange]:
    """Every recorded change to the case, its members and documents, newest first."""
    entries = history_entries(
        case.history.select_related("history_user").order_by("history_date"), lambda r: "申请"
    )
    members = HouseholdMember.history.filter(case_id=case.pk).select_related("history_user")
    entries += history_entries(members.order_by("history_date"), lambda r: f"家庭成员 {r.name}")
    documents = CaseDocument.history.filter(case_id=case.pk).select_related("history_user")
    entries += history_entries(
        documents.order_by("history_date"), lambda r: f"材料 {r.original_name}"
    )
    return sorted(entries, key=lambda e: e.at, reverse=True)


def personal_data_access_list_for_user(user) -> QuerySet[PersonalDataAccess]:
    return scope_queryset(PersonalDataAccess.objects.all(), user).select_related(
        "user", "case", "case__organisation"
    )


def case_counts_for_user(user) -> dict[str, int]:
    """How many of the user's cases stand in each status (one query)."""
    rows = (
        scope_queryset(Case.objects.all(), user)
        .values_list("status")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts = dict(rows)
    return {label: counts.get(value, 0) for value, label in Case.Status.choices}


def member_inputs(case: Case) -> list[MemberInput]:
    """A case's members as the engine and the services take them (numbers decrypted)."""
    return [
        MemberInput(
            pk=member.pk,
            id_number=decrypt(member.id_cipher),
            **{name: getattr(member, name) for name in MEMBER_DETAIL_FIELDS},
        )
        for member in case.members.all()
    ]


# --- The review chain -------------------------------------------------------------------

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
