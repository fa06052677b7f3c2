"""Leaving the archive (退档, WH-M §13–§14): a request, a finding on a visit, 脱困 and its
phase-out, the worker's objection and its re-check in 15 working days.

The statuses an archive goes through are the table `archives.lifecycles.ARCHIVE`:

- OPEN → (the worker's written request) CLOSED at once; no objection window.
- OPEN → (a finding on a deep household: 脱困) PHASE_OUT for `phase_out_months`, then
  `phase_out_conclude`: OPEN with a pending category change (relative or accident),
  OPEN and still deep (back in hardship), or CLOSED as a key household (送温暖重点对象).
- OPEN → (a finding on a relative or accident household) EXITING, then `exit_finalise`
  once the objection window has passed with no open objection: CLOSED.
- A re-check that revokes the exit returns EXITING or PHASE_OUT to OPEN.

解困 is not an exit: a deep household whose income reaches 低保 only with help stays in the
deep archive, so a finding on a deep household is refused unless 脱困 holds.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.notify import notify
from archives.access import STAFF_ROLES, is_system, require_active, require_staff_in_scope
from archives.lifecycles import (
    ARCHIVE,
    EXIT,
    OBJECTION,
    current_exit,
    record_event,
    require_move,
)
from archives.models import (
    Archive,
    ArchiveEvent,
    ArchiveExit,
    ArchiveVisit,
    CategoryChange,
    ExitObjection,
)
from archives.rules import (
    day_text,
    deep_exit_refusal,
    exit_policy,
    objection_refusal,
    objection_window_end,
    objection_window_refusal,
    phase_out_end,
    recheck_deadline,
)
from archives.selectors.exits import exits_due_for_finalising
from archives.selectors.reverify import pending_change
from archives.services.lifecycle import (
    category_change_open,
    close_archive,
    lock_archive,
    take_visit_as_basis,
)
from archives.services.visits import archive_visit_record
from assistance.eligibility import Category
from assistance.models import CaseDocument
from assistance.services.documents import store_document
from core.deadlines import follow_calendar
from core.history import save_tracked
from core.lifecycle import Transition, locked, take
from core.models import Notification

S = Archive.Status
_day = day_text


def _clause(text: str) -> str:
    """Typed text as a clause of a longer note: no closing full stop of its own."""
    return text.strip().rstrip("。.；;，, ")


def _store(
    *, actor: User, archive: Archive, doc_type: str, upload: UploadedFile, field: str
) -> CaseDocument:
    """Store an upload with the archive's application; its errors name the form's field."""
    try:
        return store_document(actor=actor, case=archive.case, doc_type=doc_type, upload=upload)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _not_in_future(value: datetime.date, field: str, what: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: f"{what}不能晚于今天。"})


def recompute_recheck_deadlines(
    *, actor: User, first: datetime.date, last: datetime.date, reason: str
) -> int:
    """A year's holiday calendar was published or changed: the re-checks not yet decided
    whose period reaches into it get their `decide_by` recounted, with history. A decided
    re-check keeps the deadline it was decided under."""
    objections = (
        ExitObjection.objects.select_for_update(of=("self",))
        .select_related("exit__visit__policy", "exit__archive__policy")
        .filter(decided_on=None, received_on__lte=last, decide_by__gte=first)
        .order_by("pk")
    )
    return follow_calendar(
        objections,
        field="decide_by",
        due_of=lambda objection: (
            recheck_deadline(objection.received_on, exit_policy(objection.exit)).value
        ),
        label="复核期限",
        actor=actor,
        reason=reason,
    )


# --- The worker's own request -----------------------------------------------------------


@transaction.atomic
def exit_request_record(
    *,
    actor: User,
    archive: Archive,
    request_date: datetime.date,
    request_document: UploadedFile | None,
    note: str = "",
) -> ArchiveExit:
    """The worker's own written request (退档申请书): the archive is closed at once.

    No objection window: the worker asked. The people of the household are free again
    (one open archive per person), so a later application can open a new archive.
    """
    archive = lock_archive(archive)
    require_move(ARCHIVE, archive, actor, "request_exit")
    _not_in_future(request_date, "request_date", "申请日期")
    if request_date < archive.opened_on:
        raise ValidationError({"request_date": "申请日期不能早于建档日期。"})
    if request_document is None:
        raise ValidationError({"request_document": "请上传职工本人填写的退档申请书。"})
    document = _store(
        actor=actor,
        archive=archive,
        doc_type=CaseDocument.Type.EXIT_REQUEST,
        upload=request_document,
        field="request_document",
    )
    exit = ArchiveExit(
        archive=archive,
        kind=ArchiveExit.Kind.REQUEST,
        outcome=ArchiveExit.Outcome.EXIT,
        document=document,
        situation=note.strip() or "职工本人自愿书面申请退档。",
        signature=ArchiveExit.Signature.SIGNED,
        notified_on=request_date,
        objection_until=request_date,
        recorded_by=actor,
    )
    save_tracked(exit, actor=actor, reason="登记本人退档申请")
    record_event(
        archive,
        actor=actor,
        kind=ArchiveEvent.Kind.EXIT_RECORDED,
        note=f"职工本人于{_day(request_date)}书面申请退档（附退档申请书）。"
        + (f"{_clause(note)}。" if note.strip() else ""),
    )
    exit.archive = close_archive(
        actor=actor,
        archive=archive,
        reason=Archive.CloseReason.REQUEST,
        note="本人书面申请退档，予以退档。",
        on=timezone.localdate(),
    )
    return exit


# --- A finding on a visit ------------------------------------------------------------------


def _check_signature(signature: str, investigators_note: str) -> None:
    if signature not in ArchiveExit.Signature.values:
        raise ValidationError({"signature": "请选择职工签字情况。"})
    if signature != ArchiveExit.Signature.SIGNED and not investigators_note.strip():
        raise ValidationError(
            {"investigators_note": "职工拒绝签字或无法签字的，须由调查人注明情况并签字。"}
        )


@transaction.atomic
def exit_finding_record(
    *,
    actor: User,
    archive: Archive,
    visit_date: datetime.date,
    staff: list[User],
    findings: str,
    figures: dict,
    situation: str,
    signature: str,
    investigators_note: str,
    notified_on: datetime.date,
    months_above_line: int | None = None,
    months_reason: str = "",
    survey: UploadedFile | None = None,
    survey_signature: str = "",
    survey_note: str = "",
    signed_form: UploadedFile | None = None,
) -> ArchiveExit:
    """Two or more staff find on a visit that the household meets the exit standard and fill
    the exit registration form (困难职工脱困登记表); the worker is told (WH-M §14).

    A deep household must have 脱困 (income above 低保 for `exit_months_above_line` months):
    it enters the phase-out. A relative or accident household must no longer qualify: it
    enters the objection window (EXITING). Either way the worker may object until
    `objection_until`.
    """
    archive = lock_archive(archive)
    deep = archive.category == Category.DEEP
    action = "find_phase_out" if deep else "find_exit"
    require_move(ARCHIVE, archive, actor, action)
    _check_signature(signature, investigators_note)
    if not situation.strip():
        raise ValidationError({"situation": "请填写脱困（退档）情况。"})
    _not_in_future(notified_on, "notified_on", "告知日期")
    if notified_on < visit_date:
        raise ValidationError({"notified_on": "告知日期不能早于走访日期。"})
    visit = archive_visit_record(
        actor=actor,
        archive=archive,
        purpose=ArchiveVisit.Purpose.EXIT,
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
    policy = visit.policy
    phase_out_until = None
    if deep:
        refusal = deep_exit_refusal(visit)
        if refusal:
            raise ValidationError(refusal)
        outcome = ArchiveExit.Outcome.PHASE_OUT
        phase_out_until = phase_out_end(notified_on, policy)
        what = (
            f"家庭人均月收入{visit.per_capita_income}元，连续{visit.months_above_line}个月超过"
            f"低保标准{visit.minimum_living_standard}元，脱困；给予{policy.phase_out_months}个月"
            f"渐退期，至{_day(phase_out_until)}"
        )
    else:
        if visit.category is not None:
            raise ValidationError(
                f"走访核查结果仍符合建档标准（{Category(visit.category).label}职工），不能退档。"
            )
        outcome = ArchiveExit.Outcome.EXIT
        what = (
            f"家庭人均月收入{visit.per_capita_income}元，不再符合"
            f"{Category(archive.category).label}职工建档标准，退档"
        )
    objection_until = objection_window_end(notified_on, policy)
    signed = ArchiveExit.Signature(signature).label
    if signature != ArchiveExit.Signature.SIGNED:
        signed += f"，调查人说明：{_clause(investigators_note)}"
    note = (
        f"{_day(visit_date)}走访核查（{visit.staff.count()}人）：{what}。"
        f"{_day(notified_on)}告知职工（{signed}）；"
        f"职工可在{_day(objection_until)}前申请复核。"
    )
    recorded: list[ArchiveExit] = []

    def register(archive: Archive, transition: Transition) -> list[str]:
        document = None
        if signed_form is not None:
            document = _store(
                actor=actor,
                archive=archive,
                doc_type=CaseDocument.Type.EXIT_REGISTRATION,
                upload=signed_form,
                field="signed_form",
            )
        exit = ArchiveExit(
            archive=archive,
            kind=ArchiveExit.Kind.STANDARD_MET,
            outcome=outcome,
            visit=visit,
            document=document,
            situation=situation.strip(),
            signature=signature,
            investigators_note=investigators_note.strip(),
            notified_on=notified_on,
            objection_until=objection_until,
            recorded_by=actor,
        )
        recorded.append(save_tracked(exit, actor=actor, reason="登记困难职工脱困登记表"))
        archive.phase_out_until = phase_out_until
        return ["phase_out_until"]

    take(ARCHIVE, obj=archive, actor=actor, action=action, reason=note, effect=register)
    return recorded[0]


# --- The worker's objection and its re-check ---------------------------------------------


def _lock_exit(exit: ArchiveExit) -> tuple[Archive, ArchiveExit]:
    archive = lock_archive(exit.archive)
    exit = locked(ArchiveExit, exit.pk, related=("visit__policy",))
    exit.archive = archive
    return archive, exit


@transaction.atomic
def exit_objection_record(
    *,
    actor: User,
    exit: ArchiveExit,
    received_on: datetime.date,
    content: str,
    request_document: UploadedFile | None = None,
) -> ExitObjection:
    """The worker asks for a re-check (申请复核) within one month of being told (WH-M §14).

    The re-check is due `exit_recheck_working_days` working days after receipt.
    """
    archive, exit = _lock_exit(exit)
    require_staff_in_scope(actor, archive, STAFF_ROLES, "登记退档复核申请")
    refusal = objection_refusal(exit, None)
    if refusal:
        raise ValidationError(refusal)
    require_active(archive, "登记复核申请")
    _not_in_future(received_on, "received_on", "收到申请日期")
    if received_on < exit.notified_on:
        raise ValidationError({"received_on": "收到申请日期不能早于告知日期。"})
    late = objection_window_refusal(exit, received_on)
    if late:
        raise ValidationError({"received_on": late})
    if not content.strip():
        raise ValidationError({"content": "请填写复核理由。"})
    deadline = recheck_deadline(received_on, exit_policy(exit))
    objection = ExitObjection(
        exit=exit,
        archive=archive,
        received_on=received_on,
        content=content.strip(),
        decide_by=deadline.value,
        recorded_by=actor,
    )
    attached = ""
    if request_document is not None:
        document = _store(
            actor=actor,
            archive=archive,
            doc_type=CaseDocument.Type.RECHECK_REQUEST,
            upload=request_document,
            field="request_document",
        )
        attached = f"（附复核申请书：{document.original_name}）"
    save_tracked(objection, actor=actor, reason="登记退档复核申请")
    record_event(
        archive,
        actor=actor,
        kind=ArchiveEvent.Kind.OBJECTION_RECEIVED,
        note=(
            f"{_day(received_on)}收到职工对{_day(exit.notified_on)}退档告知的复核申请{attached}："
            f"{_clause(objection.content)}。须于{_day(deadline.value)}前完成复核"
            f"（{exit_policy(exit).exit_recheck_working_days}个工作日）。{deadline.note}"
        ).strip(),
    )
    return objection


def _result_text(archive: Archive, objection: ExitObjection, issuer: str) -> str:
    result = ExitObjection.Result(objection.result)
    if result == ExitObjection.Result.REVOKED:
        then = "您的困难职工档案继续保留。"
    elif objection.exit.outcome == ArchiveExit.Outcome.PHASE_OUT:
        then = f"您的家庭已脱困，渐退期至{_day(archive.phase_out_until)}。"
    else:
        then = "您的困难职工档案予以退档。"
    return (
        f"【{issuer}】{archive.person_name}：您于{_day(objection.received_on)}提出的退档复核申请，"
        f"经复核，{result.label}。{then}说明：{_clause(objection.result_note)}。"
    )


@transaction.atomic
def exit_objection_decide(
    *, actor: User, objection: ExitObjection, result: str, note: str, channel: str
) -> ExitObjection:
    """The re-check's result (复核结论), and the worker told by SMS or in writing (WH-M §14).

    A reviewer in scope who did not record the exit decides. UPHELD: the exit stands.
    REVOKED: the household does not leave; the archive returns to OPEN. A decision after
    `decide_by` is still recorded, and the event says it was late. A text message that
    fails is recorded as failed: the decision stands and the letter is printed instead.
    """
    archive, exit = _lock_exit(objection.exit)
    objection = OBJECTION.lock(objection)
    objection.exit, objection.archive = exit, archive
    revoke = result == ExitObjection.Result.REVOKED
    action = "revoke" if revoke else "uphold"
    require_move(OBJECTION, objection, actor, action)
    if result not in ExitObjection.Result.values:
        raise ValidationError({"result": "请选择复核结论。"})
    if not note.strip():
        raise ValidationError({"note": "请填写复核说明。"})
    if channel not in Notification.Channel.values:
        raise ValidationError({"channel": "请选择告知方式（短信或书面告知）。"})

    def decide(objection: ExitObjection, transition: Transition) -> list[str]:
        objection.exit, objection.archive = exit, archive
        objection.result_note = note.strip()
        objection.decided_on = timezone.localdate()
        objection.decided_by = actor
        if revoke:
            objection.exit = take(EXIT, obj=exit, actor=actor, action="revoke")
            objection.archive = take(
                ARCHIVE, obj=archive, actor=actor, action="revoke", effect=_end_phase_out
            )
        issuer = actor.organisation.name
        objection.notification = notify(
            actor=actor,
            organisation=actor.organisation,
            channel=channel,
            recipient_name=archive.person_name,
            phone=archive.phone,
            text=_result_text(objection.archive, objection, issuer),
            reference=f"档案 {archive.number} 退档复核结果",
        )
        return ["result_note", "decided_on", "decided_by", "notification"]

    return take(OBJECTION, obj=objection, actor=actor, action=action, reason=note, effect=decide)


def _end_phase_out(archive: Archive, transition: Transition) -> list[str]:
    archive.phase_out_until = None
    return ["phase_out_until"]


# --- Ending the objection window ----------------------------------------------------------


@transaction.atomic
def exit_finalise(*, actor: User, archive: Archive) -> Archive:
    """Close an EXITING archive whose objection window passed with no objection, or whose
    re-check upheld the exit (撤档, close reason STANDARD_MET).

    Staff in scope do it from the archive page; the daily command does it as the system.
    """
    archive = lock_archive(archive)
    require_move(ARCHIVE, archive, actor, "finalise_due" if is_system(actor) else "finalise")
    exit = current_exit(archive)
    objection = getattr(exit, "objection", None)
    why = (
        f"复核维持退档（{_day(objection.decided_on)}）"
        if objection is not None
        else f"异议期（至{_day(exit.objection_until)}）届满无异议"
    )
    return close_archive(
        actor=actor,
        archive=archive,
        reason=Archive.CloseReason.STANDARD_MET,
        note=f"{why}，达到退档标准，予以退档。",
        on=timezone.localdate(),
    )


def exits_finalise_due(*, actor: User) -> tuple[list[Archive], list[tuple[Archive, str]]]:
    """Finalise every EXITING archive whose window has passed, each in its own transaction.

    Returns the archives closed and those left (with why: an undecided re-check).
    """
    if not is_system(actor):
        raise PermissionDenied("只有系统定时任务可以批量办结退档。")
    closed, left = [], []
    for archive in exits_due_for_finalising(timezone.localdate()):
        try:
            closed.append(exit_finalise(actor=actor, archive=archive))
        except ValidationError as exc:
            left.append((archive, " ".join(exc.messages)))
    return closed, left


# --- The end of the phase-out ------------------------------------------------------------


def _propose_change(
    archive: Archive, visit: ArchiveVisit, actor: User, to_category: str, ended: str
) -> CategoryChange:
    return category_change_open(
        actor=actor,
        archive=archive,
        to_category=to_category,
        visit=visit,
        reason=(
            f"脱困渐退期满（{ended}），{_day(visit.visit_date)}核查"
            f"家庭人均月收入{visit.per_capita_income}元，符合{Category(to_category).label}职工"
            "建档标准，纳入相应困难类型档案继续帮扶（芜湖实施办法第十三条）。"
        ),
    )


@transaction.atomic
def phase_out_conclude(
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
) -> Archive:
    """The end of the 6-month phase-out (渐退期满): a visit decides what follows (WH-M §13).

    Relative or accident → back to OPEN with a pending category change (reviewed by
    another person); still deep → back to OPEN in the deep archive (返困); qualifies for
    none → the archive is closed and the household kept as a key household for the
    "send warmth" visits (送温暖重点对象).
    """
    archive = lock_archive(archive)
    # Closing or reopening: the same who, state and requirements.
    require_move(ARCHIVE, archive, actor, "phase_out_reopen")
    if visit_date < archive.phase_out_until:
        raise ValidationError(
            {
                "visit_date": f"渐退期满核查须在渐退期届满（{_day(archive.phase_out_until)}）时或之后走访。"
            }
        )
    visit = archive_visit_record(
        actor=actor,
        archive=archive,
        purpose=ArchiveVisit.Purpose.PHASE_OUT_END,
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
    ended = _day(archive.phase_out_until)
    found = f"{_day(visit_date)}核查家庭人均月收入{visit.per_capita_income}元"
    if visit.category is None:
        record_event(
            archive,
            actor=actor,
            kind=ArchiveEvent.Kind.PHASE_OUT_ENDED,
            note=f"渐退期（至{ended}）满，{found}，不再符合建档标准。",
        )
        return close_archive(
            actor=actor,
            archive=archive,
            reason=Archive.CloseReason.PHASE_OUT_ENDED,
            note="渐退期满，不再符合建档标准，予以退档，列为送温暖重点对象。",
            on=timezone.localdate(),
            key_household=True,
        )
    propose = visit.category != archive.category and pending_change(archive) is None
    if visit.category == archive.category:
        what = f"仍符合{Category(visit.category).label}职工建档标准，返回在档继续帮扶（返困）。"
    else:
        what = f"符合{Category(visit.category).label}职工建档标准，恢复在档，" + (
            "已提出类别变更，待审核。"
            if propose
            else "已有待审核的类别变更，未另行提出，请审核时一并考虑。"
        )

    def reopen(archive: Archive, transition: Transition) -> list[str]:
        if propose:
            _propose_change(archive, visit, actor, visit.category, ended)
        archive.phase_out_until = None
        return ["phase_out_until", *take_visit_as_basis(archive, visit)]

    return take(
        ARCHIVE,
        obj=archive,
        actor=actor,
        action="phase_out_reopen",
        reason=f"渐退期（至{ended}）满，{found}，{what}",
        effect=reopen,
    )
