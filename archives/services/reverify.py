"""Re-verification on schedule (定期核查) and category changes as a reviewed step.

WH-M §17, DOMAIN.md §5: deep households are re-verified every year, relative and accident
households every six months (policy data), each time with a home-visit survey by two or
more staff and fresh figures assessed under the policy in force. The re-verification
moves the archive's schedule and its basis; it never changes the category by itself: a
different result opens a category change (类别变更), which a reviewer of the county or the
city decides, who neither proposed it nor recorded the visit it stands on.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from archives.access import STAFF_ROLES, require_active, require_staff_in_scope
from archives.lifecycles import CATEGORY_CHANGE, record_event, require_move
from archives.lifecycles import category_text as _label
from archives.models import Archive, ArchiveEvent, ArchiveVisit, CategoryChange
from archives.rules import (
    DEEP_LEAVES_BY_PHASE_OUT,
    NO_LONGER_QUALIFIES,
    leaves_deep,
    left_hardship,
    next_verification,
    reverify_reason,
)
from archives.selectors.reverify import pending_change
from archives.services.lifecycle import category_change_open, lock_archive, take_visit_as_basis
from archives.services.visits import archive_visit_record
from assistance.eligibility import Category
from core.history import save_tracked
from core.lifecycle import Transition, take
from core.money import yuan


def _phase_out_hint(archive: Archive, visit: ArchiveVisit) -> str:
    """A deep household above the 低保 for the policy's months may have left hardship (脱困)."""
    months = visit.policy.exit_months_above_line
    if archive.category == Category.DEEP and left_hardship(visit):
        return (
            f"家庭人均收入已连续{visit.months_above_line}个月超过低保标准"
            f"（{months}个月即达到脱困条件），请按退档（脱困）程序办理。"
        )
    return ""


@transaction.atomic
def reverification_record(
    *,
    actor: User,
    archive: Archive,
    visit_date: datetime.date,
    staff: list[User],
    findings: str,
    figures: dict,
    months_above_line: int | None = None,
    months_reason: str = "",
    survey: UploadedFile | None = None,
    survey_signature: str = "",
    survey_note: str = "",
) -> ArchiveVisit:
    """Record a re-verification visit (定期核查) and bring the archive up to date.

    The visit's assessment becomes the archive's basis and the next verification is due one
    cycle of the archive's category after the visit. A different category opens a pending
    category change (one at a time); no category at all means the household no longer
    qualifies, which the exit procedure (退档) handles, not this step.
    """
    archive = lock_archive(archive)
    require_staff_in_scope(actor, archive, STAFF_ROLES, "定期核查")
    if not archive.on_schedule:
        # A phase-out ends in its own visit; an exit in its objection month is re-checked.
        raise ValidationError(
            f"档案{archive.get_status_display()}，不进行定期核查；请按退档（脱困）程序办理。"
        )
    if visit_date < archive.verified_on:
        raise ValidationError(
            {
                "visit_date": f"走访日期早于最近一次核查（{archive.verified_on:%Y-%m-%d}），"
                "不能作为新的定期核查登记。"
            }
        )
    visit = archive_visit_record(
        actor=actor,
        archive=archive,
        purpose=ArchiveVisit.Purpose.REVERIFY,
        visit_date=visit_date,
        staff=staff,
        findings=findings,
        figures=figures,
        months_above_line=months_above_line,
        months_reason=months_reason,
        survey=survey,
        survey_signature=survey_signature,
        survey_note=survey_note,
    )
    fields = take_visit_as_basis(archive, visit)
    save_tracked(archive, actor=actor, reason=reverify_reason(visit), update_fields=fields)

    income = (
        f"家庭人均月收入{yuan(visit.per_capita_income)}元"
        f"（低保标准{visit.minimum_living_standard}元）"
    )
    pending = pending_change(archive)
    out_of_deep = visit.category is not None and leaves_deep(archive.category, visit.category)
    propose = (
        visit.category is not None
        and visit.category != archive.category
        and not pending
        and not out_of_deep
    )
    if visit.category is None:
        outcome = f"核查结果：{NO_LONGER_QUALIFIES}。"
    elif visit.category == archive.category:
        outcome = f"核查结果：仍符合{_label(archive.category)}建档标准。"
    else:
        outcome = (
            f"核查结果：符合{_label(visit.category)}建档标准，"
            f"与档案现类别{_label(archive.category)}不同。"
        )
    if out_of_deep:
        outcome += DEEP_LEAVES_BY_PHASE_OUT
    elif propose:
        outcome += "已提出类别变更，待审核；审核前档案类别不变。"
    elif pending is not None:
        outcome += (
            f"已有待审核的类别变更（{_label(pending.from_category)} → "
            f"{_label(pending.to_category)}），本次不另行提出，请审核时参考本次核查结果。"
        )
    record_event(
        archive,
        actor=actor,
        kind=ArchiveEvent.Kind.REVERIFIED,
        note=(
            f"{visit.visit_date:%Y-%m-%d}定期核查（{visit.staff.count()}人走访）：{income}。"
            f"{outcome}{_phase_out_hint(archive, visit)}"
            f"下次核查到期日：{archive.verification_due:%Y-%m-%d}。"
        ),
    )
    if propose:
        day = visit.visit_date
        category_change_open(
            actor=actor,
            archive=archive,
            to_category=visit.category,
            visit=visit,
            reason=(
                f"{day.year}年{day.month}月{day.day}日定期核查：{income}，"
                f"按现行政策评估为{_label(visit.category)}。"
            ),
        )
    return visit


@transaction.atomic
def category_change_propose(
    *, actor: User, archive: Archive, to_category: str, reason: str
) -> CategoryChange:
    """A caseworker or reviewer proposes another category (e.g. after a hospital bill)."""
    archive = lock_archive(archive)
    require_staff_in_scope(actor, archive, STAFF_ROLES, "提出类别变更")
    require_active(archive, "提出类别变更")
    if to_category not in {c.value for c in Category}:
        raise ValidationError({"to_category": "请选择深度困难、相对困难或意外致困。"})
    if to_category == archive.category:
        raise ValidationError({"to_category": f"档案现类别已是{_label(to_category)}，无需变更。"})
    if leaves_deep(archive.category, to_category):
        raise ValidationError({"to_category": DEEP_LEAVES_BY_PHASE_OUT})
    if not reason.strip():
        raise ValidationError({"reason": "请填写变更理由。"})
    pending = pending_change(archive)
    if pending is not None:
        raise ValidationError(
            f"该档案已有待审核的类别变更（{_label(pending.from_category)} → "
            f"{_label(pending.to_category)}），请审核后再提出。"
        )
    return category_change_open(
        actor=actor, archive=archive, to_category=to_category, reason=reason.strip()
    )


@transaction.atomic
def category_change_decide(
    *, actor: User, change: CategoryChange, approve: bool, opinion: str
) -> CategoryChange:
    """Approve or reject a pending category change (the table `CATEGORY_CHANGE`: a reviewer
    of the county or the city who neither proposed it nor recorded or went on its visit);
    an approval changes the archive's category and moves its next verification to the new
    category's cycle."""
    archive = lock_archive(change.archive)
    change = CATEGORY_CHANGE.lock(change)
    change.archive = archive
    action = "approve" if approve else "reject"
    require_move(CATEGORY_CHANGE, change, actor, action)
    if not opinion.strip():
        raise ValidationError({"opinion": "请填写审核意见。"})

    def decide(change: CategoryChange, transition: Transition) -> list[str]:
        change.archive = archive
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.opinion = opinion.strip()
        if approve:
            archive.category = change.to_category
            archive.verification_due = next_verification(
                archive.policy, change.to_category, archive.verified_on
            )
            moved = f"{_label(change.from_category)} → {_label(change.to_category)}"
            save_tracked(
                archive,
                actor=actor,
                reason=f"类别变更：{moved}",
                update_fields=["category", "verification_due", "updated_at"],
            )
        return ["decided_by", "decided_at", "opinion"]

    return take(
        CATEGORY_CHANGE, obj=change, actor=actor, action=action, reason=opinion, effect=decide
    )
