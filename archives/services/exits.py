"""Leaving the archive (退档, WH-M §13–§14): a request, a finding on a visit, 脱困 and its
phase-out, the worker's objection and its re-check in 15 working days.

The statuses an archive goes through:

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
from accounts.roles import Role
from archives.models import (
    Archive,
    ArchiveEvent,
    ArchiveExit,
    ArchiveVisit,
    CategoryChange,
    ExitObjection,
)
from archives.services.lifecycle import (
    category_change_open,
    close_archive,
    lock_archive,
    pending_change,
    record_event,
    require_active,
    require_staff_in_scope,
    take_visit_as_basis,
)
from archives.services.visits import STAFF_ROLES, archive_visit_record, left_hardship
from assistance.eligibility import Category
from assistance.models import CaseDocument, Policy
from assistance.services.documents import store_document
from core.dates import add_months
from core.deadlines import follow_calendar
from core.history import save_tracked
from core.migration_utils import SYSTEM_USERNAME
from core.models import Notification
from core.workdays import WorkdayResult, add_working_days

S = Archive.Status


def _day(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _clause(text: str) -> str:
    """Typed text as a clause of a longer note: no closing full stop of its own."""
    return text.strip().rstrip("。.；;，, ")


def _is_system(actor: User) -> bool:
    """The (inactive) system account the daily command acts as."""
    return actor.username == SYSTEM_USERNAME and not actor.is_active


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


def _open_objection(archive: Archive) -> ExitObjection | None:
    return (
        ExitObjection.objects.filter(archive=archive, decided_on=None)
        .select_related("exit")
        .first()
    )


def exit_policy(exit: ArchiveExit) -> Policy:
    """The policy an exit's windows are counted under: the finding visit's, else the archive's."""
    return exit.visit.policy if exit.visit_id else exit.archive.policy


def recheck_deadline(received_on: datetime.date, policy: Policy) -> WorkdayResult[datetime.date]:
    """The last day of the re-check: `exit_recheck_working_days` working days after receipt
    (相关工会在接到申请复核之日起15个工作日内完成复核, WH-M §14)."""
    return add_working_days(received_on, policy.exit_recheck_working_days)


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


def objection_window_end(notified_on: datetime.date, policy: Policy) -> datetime.date:
    """The last day the worker may object: one calendar month after being told (WH-M §14)."""
    return add_months(notified_on, policy.exit_objection_months)


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
    require_staff_in_scope(actor, archive, STAFF_ROLES, "登记退档申请")
    require_active(archive, "办理退档")
    if archive.status == S.EXITING:
        raise ValidationError(
            "档案已在退档告知期：异议期满后办结退档即可，不需要另行登记退档申请。"
        )
    if _open_objection(archive) is not None:
        raise ValidationError("该档案有未办结的退档复核，请先作出复核结论。")
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
    close_archive(
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


def _deep_exit_refusal(visit: ArchiveVisit) -> str:
    """Why a deep household found on a visit has not 脱困, or "" when it has."""
    if left_hardship(visit):
        return ""
    months_needed = visit.policy.exit_months_above_line
    return (
        f"深度困难职工须家庭人均收入连续{months_needed}个月超过当地低保标准"
        f"（{visit.minimum_living_standard}元）才属脱困：本次核查人均月收入"
        f"{visit.per_capita_income}元，连续超过低保标准{visit.months_above_line}个月"
        f"（按走访核查记录{visit.months_from_records}个月）。"
        "致困因素难以消除、经帮扶生活水平达到低保标准的属解困，"
        "应继续保留在深度困难职工档案中实施常态化帮扶，不予退档（芜湖实施办法第十三条）。"
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
    require_staff_in_scope(actor, archive, STAFF_ROLES, "登记脱困（退档）走访")
    require_active(archive, "登记退档")
    if archive.status == S.PHASE_OUT:
        raise ValidationError(
            f"档案已在脱困渐退期（至{_day(archive.phase_out_until)}），期满后请登记渐退期满核查。"
        )
    if archive.status == S.EXITING:
        raise ValidationError("档案已登记退档，正在退档告知期。")
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
    if archive.category == Category.DEEP:
        refusal = _deep_exit_refusal(visit)
        if refusal:
            raise ValidationError(refusal)
        outcome = ArchiveExit.Outcome.PHASE_OUT
        archive.status = S.PHASE_OUT
        archive.phase_out_until = add_months(notified_on, policy.phase_out_months)
        what = (
            f"家庭人均月收入{visit.per_capita_income}元，连续{visit.months_above_line}个月超过"
            f"低保标准{visit.minimum_living_standard}元，脱困；给予{policy.phase_out_months}个月"
            f"渐退期，至{_day(archive.phase_out_until)}"
        )
    else:
        if visit.category is not None:
            raise ValidationError(
                f"走访核查结果仍符合建档标准（{Category(visit.category).label}职工），不能退档。"
            )
        outcome = ArchiveExit.Outcome.EXIT
        archive.status = S.EXITING
        what = (
            f"家庭人均月收入{visit.per_capita_income}元，不再符合"
            f"{Category(archive.category).label}职工建档标准，退档"
        )
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
        objection_until=objection_window_end(notified_on, policy),
        recorded_by=actor,
    )
    save_tracked(exit, actor=actor, reason="登记困难职工脱困登记表")
    save_tracked(
        archive,
        actor=actor,
        reason=exit.get_outcome_display(),
        update_fields=["status", "phase_out_until", "updated_at"],
    )
    signed = exit.get_signature_display()
    if signature != ArchiveExit.Signature.SIGNED:
        signed += f"，调查人说明：{_clause(exit.investigators_note)}"
    record_event(
        archive,
        actor=actor,
        kind=ArchiveEvent.Kind.EXIT_RECORDED,
        note=(
            f"{_day(visit_date)}走访核查（{visit.staff.count()}人）：{what}。"
            f"{_day(notified_on)}告知职工（{signed}）；"
            f"职工可在{_day(exit.objection_until)}前申请复核。"
        ),
    )
    return exit


# --- The worker's objection and its re-check ---------------------------------------------


def took_part_in_exit(user: User, exit: ArchiveExit) -> bool:
    """Whether the user recorded the exit or was among the investigators of its visit."""
    if exit.recorded_by_id == user.pk:
        return True
    return exit.visit_id is not None and exit.visit.staff.filter(user=user).exists()


def _lock_exit(exit: ArchiveExit) -> tuple[Archive, ArchiveExit]:
    archive = lock_archive(exit.archive)
    exit = (
        ArchiveExit.objects.select_for_update(of=("self",))
        .select_related("visit__policy")
        .get(pk=exit.pk)
    )
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
    if exit.kind == ArchiveExit.Kind.REQUEST:
        raise ValidationError("本人书面申请退档的，不适用退档复核。")
    if exit.status == ArchiveExit.Status.REVOKED:
        raise ValidationError("该退档已经复核撤销。")
    if ExitObjection.objects.filter(exit=exit).exists():
        raise ValidationError("该退档已登记过复核申请，每次退档只复核一次。")
    require_active(archive, "登记复核申请")
    _not_in_future(received_on, "received_on", "收到申请日期")
    if received_on < exit.notified_on:
        raise ValidationError({"received_on": "收到申请日期不能早于告知日期。"})
    if received_on > exit.objection_until:
        raise ValidationError(
            {
                "received_on": f"异议期已于{_day(exit.objection_until)}届满"
                f"（自{_day(exit.notified_on)}告知之日起1个月），不再受理复核申请。"
            }
        )
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
    objection = ExitObjection.objects.select_for_update(of=("self",)).get(pk=objection.pk)
    objection.exit = exit
    require_staff_in_scope(actor, archive, (Role.REVIEWER,), "退档复核")
    if took_part_in_exit(actor, exit):
        raise PermissionDenied(
            "职责分离：登记该退档或参加该次走访的人员不能复核，请由其他审核人办理。"
        )
    if objection.decided_on is not None:
        raise ValidationError(
            f"该复核已于{_day(objection.decided_on)}作出结论：{objection.get_result_display()}。"
        )
    require_active(archive, "作出复核结论")
    if result not in ExitObjection.Result.values:
        raise ValidationError({"result": "请选择复核结论。"})
    if not note.strip():
        raise ValidationError({"note": "请填写复核说明。"})
    if channel not in Notification.Channel.values:
        raise ValidationError({"channel": "请选择告知方式（短信或书面告知）。"})
    today = timezone.localdate()
    objection.result = result
    objection.result_note = note.strip()
    objection.decided_on = today
    objection.decided_by = actor
    if result == ExitObjection.Result.REVOKED:
        exit.status = ArchiveExit.Status.REVOKED
        save_tracked(
            exit, actor=actor, reason="复核撤销退档", update_fields=["status", "updated_at"]
        )
        archive.status = S.OPEN
        archive.phase_out_until = None
        save_tracked(
            archive,
            actor=actor,
            reason="复核撤销退档，恢复在档",
            update_fields=["status", "phase_out_until", "updated_at"],
        )
    issuer = actor.organisation.name
    notification = notify(
        actor=actor,
        organisation=actor.organisation,
        channel=channel,
        recipient_name=archive.person_name,
        phone=archive.phone,
        text=_result_text(archive, objection, issuer),
        reference=f"档案 {archive.number} 退档复核结果",
    )
    objection.notification = notification
    save_tracked(
        objection,
        actor=actor,
        reason=f"退档复核结论：{objection.get_result_display()}",
        update_fields=[
            "result",
            "result_note",
            "decided_on",
            "decided_by",
            "notification",
            "updated_at",
        ],
    )
    late = ""
    if today > objection.decide_by:
        late = f"（逾期办结：复核期限为{_day(objection.decide_by)}）"
    if notification.channel == Notification.Channel.LETTER:
        told = "书面告知职工（打印《退档复核结果告知书》送达）"
    elif notification.status == Notification.Status.SENT:
        told = "短信告知职工：已发送"
    else:
        told = f"短信告知职工：发送失败（{notification.error}），请打印书面告知书送达"
    record_event(
        archive,
        actor=actor,
        kind=ArchiveEvent.Kind.OBJECTION_DECIDED,
        note=(
            f"复核结论：{objection.get_result_display()}{late}。说明：{_clause(objection.result_note)}。"
            f"{told}。" + ("档案恢复在档。" if result == ExitObjection.Result.REVOKED else "")
        ),
    )
    return objection


# --- Ending the objection window ----------------------------------------------------------


def _current_exit(archive: Archive) -> ArchiveExit | None:
    return (
        archive.exits.filter(status=ArchiveExit.Status.IN_FORCE)
        .select_related("objection")
        .order_by("-notified_on", "-id")
        .first()
    )


def finalise_refusal(exit: ArchiveExit | None, today: datetime.date) -> str:
    """Why an EXITING archive cannot be closed today, or "" when it can."""
    if exit is None or exit.outcome != ArchiveExit.Outcome.EXIT:
        return "没有有效的退档登记。"
    objection = getattr(exit, "objection", None)
    if objection is not None:
        if objection.decided_on is None:
            return f"职工已申请复核，须于{_day(objection.decide_by)}前作出复核结论后才能办结退档。"
        return ""  # upheld: a revoked exit is no longer in force
    if today <= exit.objection_until:
        return f"异议期至{_day(exit.objection_until)}，期满且无复核申请后才能办结退档。"
    return ""


@transaction.atomic
def exit_finalise(*, actor: User, archive: Archive) -> Archive:
    """Close an EXITING archive whose objection window passed with no objection, or whose
    re-check upheld the exit (撤档, close reason STANDARD_MET).

    Staff in scope do it from the archive page; the daily command does it as the system.
    """
    archive = lock_archive(archive)
    if not _is_system(actor):
        require_staff_in_scope(actor, archive, STAFF_ROLES, "办结退档")
    if archive.status != S.EXITING:
        raise ValidationError(f"档案{archive.get_status_display()}，不在退档告知期，不能办结退档。")
    exit = _current_exit(archive)
    refusal = finalise_refusal(exit, timezone.localdate())
    if refusal:
        raise ValidationError(refusal)
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


def exits_due_for_finalising(today: datetime.date):
    """EXITING archives whose window has passed (any scope: for the daily command)."""
    return (
        Archive.objects.filter(
            status=S.EXITING,
            exits__status=ArchiveExit.Status.IN_FORCE,
            exits__outcome=ArchiveExit.Outcome.EXIT,
            exits__objection_until__lt=today,
        )
        .distinct()
        .order_by("id")
    )


def exits_finalise_due(*, actor: User) -> tuple[list[Archive], list[tuple[Archive, str]]]:
    """Finalise every EXITING archive whose window has passed, each in its own transaction.

    Returns the archives closed and those left (with why: an undecided re-check).
    """
    if not _is_system(actor):
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
    archive: Archive, visit: ArchiveVisit, actor: User, to_category: str
) -> CategoryChange | None:
    pending = pending_change(archive)
    if pending is not None:
        return None
    return category_change_open(
        actor=actor,
        archive=archive,
        to_category=to_category,
        visit=visit,
        reason=(
            f"脱困渐退期满（{_day(archive.phase_out_until)}），{_day(visit.visit_date)}核查"
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
    require_staff_in_scope(actor, archive, STAFF_ROLES, "登记渐退期满核查")
    if archive.status != S.PHASE_OUT:
        raise ValidationError(f"档案{archive.get_status_display()}，不在脱困渐退期。")
    today = timezone.localdate()
    if today <= archive.phase_out_until:
        raise ValidationError(
            f"渐退期至{_day(archive.phase_out_until)}，期满后才能登记渐退期满核查。"
        )
    if _open_objection(archive) is not None:
        raise ValidationError("职工对脱困认定的复核申请尚未办结，请先作出复核结论。")
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
            on=today,
            key_household=True,
        )
    if visit.category == archive.category:
        what = f"仍符合{Category(visit.category).label}职工建档标准，返回在档继续帮扶（返困）。"
    else:
        change = _propose_change(archive, visit, actor, visit.category)
        what = f"符合{Category(visit.category).label}职工建档标准，恢复在档，" + (
            "已提出类别变更，待审核。"
            if change is not None
            else "已有待审核的类别变更，未另行提出，请审核时一并考虑。"
        )
    record_event(
        archive,
        actor=actor,
        kind=ArchiveEvent.Kind.PHASE_OUT_ENDED,
        note=f"渐退期（至{ended}）满，{found}，{what}",
    )
    archive.status = S.OPEN
    archive.phase_out_until = None
    basis = take_visit_as_basis(archive, visit)
    return save_tracked(
        archive,
        actor=actor,
        reason="渐退期满核查",
        update_fields=["status", "phase_out_until", *basis],
    )
