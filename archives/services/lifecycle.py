"""Opening, closing and merging archives, and what every archive service shares.

An archive is opened in the transaction that approves its case (`archive_open_for_case`,
called by the review engine), never by a signal. Its status moves along the table
`archives.lifecycles.ARCHIVE`, through `core.lifecycle.take` only: the row locked, the
actor and the requirements checked, a history row and an `ArchiveEvent` left.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from archives.access import is_system
from archives.lifecycles import ARCHIVE, CATEGORY_CHANGE, record_event, require_move
from archives.models import Archive, ArchiveEvent, ArchivePerson, ArchiveVisit, CategoryChange
from archives.rules import next_verification, retention_end
from assistance.eligibility import Category
from assistance.models import Case
from core.history import save_tracked
from core.lifecycle import Transition, take

APPLICANT_RELATION = "户主"


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
    """The archive row, locked for this transaction, as it is now (`core.lifecycle.locked`)."""
    return ARCHIVE.lock(archive)


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


# The step of the table that closes an archive for each close reason.
CLOSING_ACTIONS = {
    Archive.CloseReason.REQUEST: "request_exit",
    Archive.CloseReason.STANDARD_MET: "finalise",
    Archive.CloseReason.PHASE_OUT_ENDED: "phase_out_close",
    Archive.CloseReason.MERGED: "merge",
    Archive.CloseReason.FALSE_INFORMATION: "close_for_cause",
}


def close_archive(
    *,
    actor: User,
    archive: Archive,
    reason: str,
    note: str,
    on: datetime.date,
    key_household: bool = False,
    merged_into: Archive | None = None,
) -> Archive:
    """Close an archive (撤档) by the table's step for `reason`: its people are free, its
    rows read-only from now on; `note` is the timeline's line and the history's reason.

    A pending category change lapses with it. The retention period runs from `on`
    (WH-M §16: 30 years, policy data). Callers hold the transaction and the lock.
    """
    action = CLOSING_ACTIONS[reason]
    if action == "finalise" and is_system(actor):
        action = "finalise_due"

    def closing(archive: Archive, transition: Transition) -> list[str]:
        for change in archive.category_changes.filter(status=CategoryChange.Status.PENDING):
            take(CATEGORY_CHANGE, obj=change, actor=actor, action="lapse", effect=_lapse(actor))
        people = list(archive.people.filter(active=True))
        for person in people:
            person.active = False
        if people:
            ArchivePerson.objects.bulk_update(people, ["active", "updated_at"])
        archive.closed_on = on
        archive.close_reason = reason
        archive.retain_until = retention_end(on, archive.policy)
        archive.key_household = key_household
        archive.merged_into = merged_into
        return ["closed_on", "close_reason", "retain_until", "key_household", "merged_into"]

    return take(ARCHIVE, obj=archive, actor=actor, action=action, reason=note, effect=closing)


def _lapse(actor: User):
    def effect(change: CategoryChange, transition: Transition) -> list[str]:
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.opinion = "档案撤档，类别变更不再办理。"
        return ["decided_by", "decided_at", "opinion"]

    return effect


@transaction.atomic
def archive_merge(*, actor: User, keep: Archive, duplicate: Archive, reason: str) -> Archive:
    """Merge a duplicate archive of the same household into `keep` (重复档案合并).

    An administrator of the city does it, with a recorded reason. The duplicate's people
    join `keep`; the duplicate is closed as merged, read-only, kept for the retention
    period, and points to `keep`.
    """
    # Lock in id order, so that two merges of the same pair cannot deadlock.
    first, second = sorted((keep, duplicate), key=lambda a: a.pk)
    held = {a.pk: lock_archive(a) for a in (first, second)}
    keep, duplicate = held[keep.pk], held[duplicate.pk]
    # The kept archive too must be one the table lets the administrator merge.
    for archive in (keep, duplicate):
        require_move(ARCHIVE, archive, actor, "merge")
    if keep.pk == duplicate.pk:
        raise ValidationError("请选择两份不同的档案。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写合并理由。"})
    if keep.county_id != duplicate.county_id:
        raise ValidationError(
            "两份档案不属于同一县（市、区）总工会，不能合并：档案由县级工会管理。"
        )
    if duplicate.exits.filter(objection__isnull=False, objection__decided_on=None).exists():
        raise ValidationError(f"档案 {duplicate.number} 有未办结的退档复核，请办结后再合并。")
    today = timezone.localdate()
    moved = list(duplicate.people.filter(active=True))
    present = set(keep.people.filter(active=True).values_list("id_hash", flat=True))
    close_archive(
        actor=actor,
        archive=duplicate,
        reason=Archive.CloseReason.MERGED,
        note=f"并入档案 {keep.number}。理由：{reason.strip()}",
        on=today,
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
