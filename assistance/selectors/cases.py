"""Reads of applications: the scoped list, duplicates, history, members, and what stands
between a draft and its submission."""

from dataclasses import dataclass, replace
from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts.selectors import scope_queryset
from assistance.inputs import MEMBER_DETAIL_FIELDS, MemberInput
from assistance.models import (
    Case,
    CaseDocument,
    HouseholdMember,
    PersonalDataAccess,
)
from core.crypto import decrypt, keyed_hash
from core.history import HistoryChange, history_changes


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
        .exclude(status=Case.Status.APPROVED, archive__status__in=Case.ARCHIVE_FINAL_STATUSES)
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


def submission_problems(case: Case) -> list[str]:
    """What stands between a draft and its submission, in plain Chinese."""
    problems = []
    present = set(
        case.documents.filter(removed=False).values_list("doc_type", flat=True).distinct()
    )
    missing = [t.label for t in CaseDocument.REQUIRED_FOR_SUBMISSION if t not in present]
    if missing:
        problems.append("缺少申请材料：" + "、".join(missing))
    if case.assessment is None:
        problems.append("尚未完成资格评估（缺少政策或低保标准）。")
    uncleared = [d for d in case_duplicates(case) if not d.cleared]
    if uncleared:
        names = "、".join(sorted({d.person_name for d in uncleared}))
        problems.append(f"{names} 已在其他在办申请中，须由审核人登记说明后才能提交。")
    return problems
