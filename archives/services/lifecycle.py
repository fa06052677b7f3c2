"""Opening, closing and merging archives, and what every archive service shares.

An archive is opened in the transaction that approves its case (`archive_open_for_case`,
called by the review engine), never by a signal. Every service here locks the archive
row, checks the actor, and leaves a history row and an `ArchiveEvent`.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import in_scope
from archives.models import Archive, ArchiveEvent, ArchivePerson, ArchiveVisit, CategoryChange
from assistance.eligibility import Category
from assistance.models import Case, Policy
from core.dates import add_months, add_years
from core.history import save_tracked

APPLICANT_RELATION = "户主"


def cycle_months(policy: Policy, category: str) -> int:
    """Months between re-verifications of a category (WH-M §17): policy data."""
    return {
        Category.DEEP: policy.reverify_months_deep,
        Category.RELATIVE: policy.reverify_months_relative,
        Category.ACCIDENT: policy.reverify_months_accident,
    }[Category(category)]


def next_verification(policy: Policy, category: str, verified_on: datetime.date) -> datetime.date:
    return add_months(verified_on, cycle_months(policy, category))


# The archive's basis: what its latest verification visit found (DOMAIN.md §5).
BASIS_FIELDS = [
    "verified_on",
    "verification_due",
    "policy",
    "minimum_living_standard",
    "assessment",
    "per_capita_income",
    "household_size",
    "updated_at",
]


def take_visit_as_basis(archive: Archive, visit: ArchiveVisit) -> list[str]:
    """Put a verification visit's findings on the (locked, unsaved) archive: its assessment,
    and the next verification one cycle of the archive's category after the visit.
    Returns the fields to save."""
    archive.verified_on = visit.visit_date
    archive.verification_due = next_verification(visit.policy, archive.category, visit.visit_date)
    archive.policy = visit.policy
    archive.minimum_living_standard = visit.minimum_living_standard
    archive.assessment = visit.assessment
    archive.per_capita_income = visit.per_capita_income
    archive.household_size = int(visit.figures["household_size"])
    return BASIS_FIELDS


def pending_change(archive: Archive) -> CategoryChange | None:
    """The archive's category change waiting for review (one at most, a database rule)."""
    return (
        archive.category_changes.filter(status=CategoryChange.Status.PENDING)
        .select_related("proposed_by", "visit")
        .first()
    )


def category_change_open(
    *,
    actor: User,
    archive: Archive,
    to_category: str,
    reason: str,
    visit: ArchiveVisit | None = None,
) -> CategoryChange:
    """Write a pending category change of a locked archive and its timeline line; the
    callers (re-verification, a manual proposal, the end of a phase-out) check first."""
    old, new = Category(archive.category).label, Category(to_category).label
    change = CategoryChange(
        archive=archive,
        visit=visit,
        from_category=archive.category,
        to_category=to_category,
        reason=reason,
        proposed_by=actor,
    )
    save_tracked(change, actor=actor, reason=f"提出类别变更：{old} → {new}")
    record_event(
        archive,
        actor=actor,
        kind=ArchiveEvent.Kind.CATEGORY_PROPOSED,
        note=f"提出将类别由{old}变更为{new}，待审核。理由：{reason}",
    )
    return change


def lock_archive(archive: Archive) -> Archive:
    """The archive row, locked for this transaction, as it is now."""
    return (
        Archive.objects.select_for_update(of=("self",))
        .select_related("organisation", "county", "city", "policy", "case")
        .get(pk=archive.pk)
    )


def require_staff_in_scope(
    actor: User, archive: Archive, roles: tuple[str, ...], what: str
) -> None:
    """The actor holds one of `roles` in the archive's union, its county or its city."""
    if not actor.has_role(*roles):
        raise PermissionDenied(f"{what}须由{'、'.join(Role(r).label for r in roles)}办理。")
    if not in_scope(actor, archive):
        raise PermissionDenied("该档案不在您的管理范围内。")


def require_active(archive: Archive, what: str) -> None:
    if not archive.is_active:
        raise ValidationError(f"档案{archive.get_status_display()}，不能{what}。")


def record_event(archive: Archive, *, actor: User, kind: str, note: str) -> ArchiveEvent:
    event = ArchiveEvent(archive=archive, kind=kind, note=note, actor=actor)
    return save_tracked(event, actor=actor, reason=ArchiveEvent.Kind(kind).label)


def _person_conflicts(
    id_hashes: list[str], *, exclude: Archive | None = None
) -> list[ArchivePerson]:
    people = ArchivePerson.objects.filter(id_hash__in=id_hashes, active=True).select_related(
        "archive", "archive__organisation"
    )
    if exclude is not None:
        people = people.exclude(archive=exclude)
    return list(people)


def _conflict_message(person: ArchivePerson) -> str:
    archive = person.archive
    return (
        f"{person.name}（{person.id_masked}）已在{archive.organisation.name}的档案 "
        f"{archive.number}中。一户一档：请先办理退档，或由管理员合并重复档案。"
    )


@transaction.atomic
def archive_open_for_case(*, actor: User, case: Case) -> Archive:
    """Open the household's archive from its approved case (建档), in the case's category.

    Called by the review engine in the transaction of the approving step: if a person of
    the household already stands in an open archive, the approval itself is refused.
    """
    if case.status != Case.Status.APPROVED or not case.final_category:
        raise ValidationError("只有已认定的申请可以建档。")
    if Archive.objects.filter(case=case).exists():
        raise ValidationError(f"申请 {case.number} 已建档。")
    people = [
        ArchivePerson(
            name=case.applicant_name,
            relation=APPLICANT_RELATION,
            id_hash=case.applicant_id_hash,
            id_masked=case.applicant_id_masked,
        ),
        *(
            ArchivePerson(
                name=member.name,
                relation=member.get_relation_display(),
                id_hash=member.id_hash,
                id_masked=member.id_masked,
            )
            for member in case.members.all()
        ),
    ]
    conflicts = _person_conflicts([person.id_hash for person in people])
    if conflicts:
        raise ValidationError([_conflict_message(person) for person in conflicts])
    today = timezone.localdate()
    archive = Archive(
        case=case,
        category=case.final_category,
        organisation=case.organisation,
        county=case.county,
        city=case.city,
        person_name=case.applicant_name,
        id_hash=case.applicant_id_hash,
        id_masked=case.applicant_id_masked,
        phone=case.phone,
        policy=case.policy,
        minimum_living_standard=case.minimum_living_standard,
        assessment=case.assessment,
        per_capita_income=case.per_capita_income,
        household_size=case.household_size,
        opened_on=today,
        verified_on=today,
        verification_due=next_verification(case.policy, case.final_category, today),
    )
    save_tracked(archive, actor=actor, reason=f"由申请 {case.number} 认定建档")
    archive.number = f"DA{today:%Y}{archive.pk:06d}"
    save_tracked(archive, actor=actor, reason="档案编号", update_fields=["number", "updated_at"])
    for person in people:
        person.archive = archive
        save_tracked(person, actor=actor, reason="建档：家庭成员")
    record_event(
        archive,
        actor=actor,
        kind=ArchiveEvent.Kind.OPENED,
        note=f"由申请 {case.number} 认定为{Category(case.final_category).label}职工，建档。",
    )
    return archive


def close_archive(
    *,
    actor: User,
    archive: Archive,
    reason: str,
    note: str,
    on: datetime.date,
    key_household: bool = False,
    status: str = Archive.Status.CLOSED,
    merged_into: Archive | None = None,
) -> Archive:
    """Close a locked archive (撤档): its people are free, its rows read-only from now on.

    A pending category change is refused with it. The retention period runs from `on`
    (WH-M §16: 30 years, policy data). Callers hold the transaction and the lock.
    """
    for change in archive.category_changes.filter(status=CategoryChange.Status.PENDING):
        change.status = CategoryChange.Status.REJECTED
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.opinion = "档案撤档，类别变更不再办理。"
        save_tracked(change, actor=actor, reason="撤档，类别变更终止")
    people = list(archive.people.filter(active=True))
    for person in people:
        person.active = False
    if people:
        ArchivePerson.objects.bulk_update(people, ["active", "updated_at"])
    archive.status = status
    archive.closed_on = on
    archive.close_reason = reason
    archive.retain_until = add_years(on, archive.policy.retention_years)
    archive.key_household = key_household
    archive.merged_into = merged_into
    # The event is written while the archive is still open: its rows are read-only after.
    record_event(
        archive,
        actor=actor,
        kind=ArchiveEvent.Kind.MERGED if merged_into else ArchiveEvent.Kind.CLOSED,
        note=note,
    )
    return save_tracked(
        archive,
        actor=actor,
        reason=note,
        update_fields=[
            "status",
            "closed_on",
            "close_reason",
            "retain_until",
            "key_household",
            "merged_into",
            "updated_at",
        ],
    )


@transaction.atomic
def archive_merge(*, actor: User, keep: Archive, duplicate: Archive, reason: str) -> Archive:
    """Merge a duplicate archive of the same household into `keep` (重复档案合并).

    An administrator of the city does it, with a recorded reason. The duplicate's people
    join `keep`; the duplicate is closed as merged, read-only, kept for the retention
    period, and points to `keep`.
    """
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("合并档案须由系统管理员办理。")
    if keep.pk == duplicate.pk:
        raise ValidationError("请选择两份不同的档案。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写合并理由。"})
    # Lock in id order, so that two merges of the same pair cannot deadlock.
    first, second = sorted((keep, duplicate), key=lambda a: a.pk)
    locked = {a.pk: lock_archive(a) for a in (first, second)}
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    for archive in (keep, duplicate):
        if not in_scope(actor, archive):
            raise PermissionDenied("该档案不在您的管理范围内。")
        require_active(archive, "合并")
    if keep.county_id != duplicate.county_id:
        raise ValidationError(
            "两份档案不属于同一县（市、区）总工会，不能合并：档案由县级工会管理。"
        )
    if duplicate.exits.filter(objection__isnull=False, objection__decided_on=None).exists():
        raise ValidationError(f"档案 {duplicate.number} 有未办结的退档复核，请办结后再合并。")
    today = timezone.localdate()
    moved = list(duplicate.people.filter(active=True))
    present = set(keep.people.filter(active=True).values_list("id_hash", flat=True))
    note = f"并入档案 {keep.number}。理由：{reason.strip()}"
    close_archive(
        actor=actor,
        archive=duplicate,
        reason=Archive.CloseReason.MERGED,
        note=note,
        on=today,
        status=Archive.Status.MERGED,
        merged_into=keep,
    )
    for person in moved:
        if person.id_hash not in present:
            joined = ArchivePerson(
                archive=keep,
                name=person.name,
                relation=person.relation,
                id_hash=person.id_hash,
                id_masked=person.id_masked,
            )
            save_tracked(joined, actor=actor, reason=f"合并档案 {duplicate.number}")
    record_event(
        keep,
        actor=actor,
        kind=ArchiveEvent.Kind.MERGED,
        note=f"档案 {duplicate.number}（{duplicate.person_name}）并入本档案。理由：{reason.strip()}",
    )
    return save_tracked(
        keep, actor=actor, reason=f"合并档案 {duplicate.number}", update_fields=["updated_at"]
    )
