from dataclasses import dataclass, replace
from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts.models import Organisation
from accounts.selectors import scope_queryset
from assistance.inputs import MemberInput
from assistance.models import (
    Case,
    CaseDocument,
    HouseholdMember,
    MinimumLivingStandard,
    PersonalDataAccess,
    Policy,
)
from core.crypto import decrypt, keyed_hash


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


def policy_list() -> QuerySet[Policy]:
    return Policy.objects.order_by("region", "-effective_from")


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
    """Other open applications naming any of `people` ({id hash: name}) as applicant or member."""
    if not people:
        return []
    open_cases = Case.objects.filter(status__in=Case.OPEN_STATUSES).exclude(pk=exclude_case_id)
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


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    user: object
    reason: str
    subject: str
    changes: list[tuple[str, str, str]]


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


def _display(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "—"
    return str(value)


def _entries(records, subject) -> list[HistoryEntry]:
    """History rows (oldest first) as entries; each change is diffed against the row before."""
    entries = []
    last_of: dict[int, object] = {}
    for record in records:
        changes = []
        previous = last_of.get(record.id)
        last_of[record.id] = record
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in HIDDEN_HISTORY_FIELDS:
                    continue
                field = record.instance_type._meta.get_field(change.field)
                changes.append(
                    (
                        str(field.verbose_name),
                        _display(field, change.old),
                        _display(field, change.new),
                    )
                )
            if not changes and not record.history_change_reason:
                continue
        entries.append(
            HistoryEntry(
                at=record.history_date,
                user=record.history_user,
                reason=record.history_change_reason
                or {"+": "新建", "-": "删除"}.get(record.history_type, "修改"),
                subject=subject(record),
                changes=changes,
            )
        )
    return entries


def case_history(case: Case) -> list[HistoryEntry]:
    """Every recorded change to the case, its members and documents, newest first."""
    entries = _entries(
        case.history.select_related("history_user").order_by("history_date"), lambda r: "申请"
    )
    members = HouseholdMember.history.filter(case_id=case.pk).select_related("history_user")
    entries += _entries(members.order_by("history_date"), lambda r: f"家庭成员 {r.name}")
    documents = CaseDocument.history.filter(case_id=case.pk).select_related("history_user")
    entries += _entries(documents.order_by("history_date"), lambda r: f"材料 {r.original_name}")
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
            name=member.name,
            id_number=decrypt(member.id_cipher),
            relation=member.relation,
            health=member.health,
            disability=member.disability,
            school=member.school,
            employment=member.employment,
        )
        for member in case.members.all()
    ]
