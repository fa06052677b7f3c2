"""Paying approved grants by bank transfer (WH-F §7 §9, TA-F §4–§5): a batch with its roster
(发放花名册) for the bank, the bank's result per line, the bank slip (回单) kept as the
accounting record, and the worker told by SMS.

Two promises, each kept twice:
- a grant is never paid twice: a batch takes only approved grants with no live line, and
  the database holds at most one pending-or-paid line per grant
  (`payment_line_one_live_per_grant`); a line gets one result only;
- a failed payment never debits the fund: only a PAID result posts an entry, and the
  ledger refuses it if the year's money of the grant's source is not there — then the
  whole result recording is refused, nothing half-recorded.
"""

import datetime
import hashlib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.notify import notify
from archives.lifecycles import record_event
from archives.models import ArchiveEvent
from archives.services.lifecycle import lock_archive
from assistance.models import PersonalDataAccess
from assistance.services.documents import check_size, sniff_content_type
from core.deadlines import follow_calendar
from core.history import save_tracked
from core.lifecycle import Transition, locked, move, take
from core.workdays import add_working_days
from funds.lifecycles import PAYMENT_BATCHES, PAYMENT_LINES
from funds.models import BankReturn, Entry, FundAccount, Grant, Item, PaymentBatch, PaymentLine
from funds.rules import (
    RESULT_ACTIONS,
    RETURN_SUFFIXES,
    LineResult,
    line_result_refusal,
    line_results,
    sent_on_refusal,
    slip_refusal,
)
from funds.selectors.payments import paid_count, return_preview
from funds.services.grants import GRANTABLE_STATUSES, grant_pay
from funds.services.ledger import (
    carry_over_refusal,
    lock_account,
    post_entry,
    require_finance,
)

LINE = PaymentLine.Status
LIVE = (LINE.PENDING, LINE.PAID)


def _lock_batch(batch: PaymentBatch) -> tuple[FundAccount, PaymentBatch]:
    """The batch's account, then the batch, locked in that order (as every funds service)."""
    account = lock_account(batch.account)
    return account, locked(PaymentBatch, batch.pk, related=PAYMENT_BATCHES.related)


def _payee_problem(grant: Grant) -> str:
    archive = grant.archive
    case = archive.case
    if grant.status != Grant.Status.APPROVED:
        return f"状态为“{grant.get_status_display()}”，只有已审批待发放的救助可以发放"
    if archive.status not in GRANTABLE_STATUSES:
        return f"档案{archive.get_status_display()}，先建档、后帮扶，不能发放"
    if archive.person_name != case.applicant_name:
        return (
            f"档案户主“{archive.person_name}”与申请人“{case.applicant_name}”不一致，"
            "实名制发放须发放到职工本人的银行卡"
        )
    if not (case.bank_card_cipher and case.bank_name):
        return "建档申请中没有职工本人的银行卡，不能发放"
    return ""


@transaction.atomic
def batch_create(*, actor: User, account: FundAccount, grants) -> PaymentBatch:
    """Finance of the county puts approved grants of its account into a new batch, one line
    each, paid to the worker's own card as recorded on the case (实名制、依卡发放)."""
    account = lock_account(account)
    require_finance(actor, account, "建立发放批次")
    ids = sorted({g.pk if isinstance(g, Grant) else int(g) for g in grants})
    if not ids:
        raise ValidationError({"grants": "请选择要发放的帮扶救助。"})
    locked = list(
        Grant.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("archive", "archive__case")
        .order_by("pk")
    )
    if len(locked) != len(ids) or any(g.account_id != account.pk for g in locked):
        raise ValidationError({"grants": f"所选救助不全是{account.name}的救助。"})
    problems = []
    live = set(
        PaymentLine.objects.filter(grant_id__in=ids, status__in=LIVE).values_list(
            "grant_id", flat=True
        )
    )
    today = timezone.localdate()
    for grant in locked:
        problem = _payee_problem(grant)
        if not problem and grant.pk in live:
            problem = "已在其他发放批次中（待银行处理或已发放），一项救助只发放一次"
        if not problem:
            problem = carry_over_refusal(
                account=account,
                source=grant.source,
                year=grant.year,
                on=today,
                what="发放",
                amount=grant.amount,
            ).rstrip("。")
        if problem:
            problems.append(f"{grant.archive.person_name}（{grant.archive.number}）：{problem}。")
    if problems:
        raise ValidationError({"grants": problems})
    batch = PaymentBatch(account=account, created_by=actor)
    # The number needs the row's id: it is given right after the first save.
    batch.full_clean(exclude=["number"])
    save_tracked(batch, actor=actor, reason="建立发放批次", validate=False)
    batch.number = f"FF{today:%Y%m%d}{batch.pk:04d}"
    save_tracked(batch, actor=actor, reason="批次号", update_fields=["number", "updated_at"])
    for grant in locked:
        case = grant.archive.case
        line = PaymentLine(
            batch=batch,
            grant=grant,
            payee_name=grant.archive.person_name,
            bank_name=case.bank_name,
            card_cipher=case.bank_card_cipher,
            card_masked=case.bank_card_masked,
            amount=grant.amount,
        )
        try:
            with transaction.atomic():
                save_tracked(line, actor=actor, reason=f"列入发放批次 {batch.number}")
        except (IntegrityError, ValidationError) as exc:
            raise ValidationError(
                {
                    "grants": f"{grant.archive.person_name}（{grant.archive.number}）的救助"
                    "已在其他发放批次中，一项救助只发放一次。"
                }
            ) from exc
    return batch


@transaction.atomic
def batch_roster_access(*, actor: User, batch: PaymentBatch, ip_address: str | None) -> None:
    """The roster carries each worker's full card number: only the account's finance staff
    download it, and each download is logged per case as a personal-data access."""
    account, batch = _lock_batch(batch)
    require_finance(actor, account, "下载发放花名册")
    cases = (
        PaymentLine.objects.filter(batch=batch)
        .values_list("grant__archive__case_id", flat=True)
        .distinct()
    )
    for case_id in sorted(set(cases)):
        access = PersonalDataAccess(
            user=actor,
            case_id=case_id,
            fields=[f"银行卡号（发放花名册 {batch.number}）"],
            ip_address=ip_address,
        )
        save_tracked(access, actor=actor, reason=f"下载发放花名册 {batch.number}")


@transaction.atomic
def batch_send(*, actor: User, batch: PaymentBatch, sent_on: datetime.date | None = None):
    """The roster has gone to the bank (报送银行): the batch waits for the bank's results."""
    account = lock_account(batch.account)
    require_finance(actor, account, "报送银行")
    sent_on = sent_on or timezone.localdate()

    def effect(batch: PaymentBatch, transition: Transition) -> list[str]:
        refusal = sent_on_refusal(
            sent_on, today=timezone.localdate(), created_on=timezone.localdate(batch.created_at)
        )
        if refusal:
            raise ValidationError({"sent_on": refusal})
        batch.sent_on = sent_on
        return ["sent_on"]

    return take(PAYMENT_BATCHES, obj=batch, actor=actor, action="send", effect=effect)


def payment_notice_text(line: PaymentLine, *, issuer: str, count: int) -> str:
    """The text message (and letter) that tells the worker item, amount, date and count
    (WH-F §9, TA-F §5.2)."""
    grant = line.grant
    what = "意外致困一次性救助金" if grant.category == "accident" else f"{Item(grant.item).label}金"
    tail = line.card_masked[-4:]
    paid = line.paid_on
    return (
        f"【{issuer}】{line.payee_name}同志：您的{what} {line.amount} 元已于"
        f"{paid.year}年{paid.month}月{paid.day}日发放至您尾号{tail}的银行卡"
        f"（{grant.year}年度第{count}次帮扶）。"
    )


@transaction.atomic
def batch_record_results(*, actor: User, batch: PaymentBatch, results: dict) -> PaymentBatch:
    """Record the bank's result of some or all lines of a sent batch, all or nothing.

    `results` maps a line id to (status, paid_on, bank_reference, failure_reason).
    PAID posts the payment entry (item, source and year of the grant) and marks the grant
    paid; FAILED (with its reason) posts nothing and leaves the grant approved for another
    batch. Each line takes its own move (one result only); when none is left at the bank,
    the batch is settled, else it stays sent.
    """
    account = lock_account(batch.account)
    require_finance(actor, account, "登记银行发放结果")
    # Results are recorded on the batch as it is now (each line is checked on its own).
    batch = PAYMENT_BATCHES.lock(batch)

    def effect(batch: PaymentBatch, transition: Transition) -> list[str]:
        _record_results(actor, account, batch, results)
        return []

    batch = take(PAYMENT_BATCHES, obj=batch, actor=actor, action="record", effect=effect)
    settle = move(PAYMENT_BATCHES, batch, actor, "settle")
    if settle is None or not settle.allowed:
        return batch  # lines are still at the bank

    def settled(batch: PaymentBatch, transition: Transition) -> list[str]:
        batch.settled_on = timezone.localdate()
        return ["settled_on"]

    return take(PAYMENT_BATCHES, obj=batch, actor=actor, action="settle", effect=settled)


def _record_results(actor: User, account: FundAccount, batch: PaymentBatch, results: dict) -> None:
    if not results:
        raise ValidationError("请至少登记一条明细的银行处理结果。")
    results = line_results(results)
    ids = sorted(results)
    lines = {
        line.pk: line
        for line in PaymentLine.objects.filter(batch=batch, pk__in=ids).select_related(
            *PAYMENT_LINES.related
        )
    }
    if len(lines) != len(ids):
        raise ValidationError("所登记的明细不属于该发放批次。")
    now = timezone.now()
    paid: list[PaymentLine] = []
    for line_id in ids:
        line = _record_result(actor, account, batch, lines[line_id], results[line_id], now)
        if line.status == LINE.PAID:
            paid.append(line)
    # Every check and every entry passed: now tell the workers (a failed SMS undoes nothing).
    for line in paid:
        notification = notify(
            actor=actor,
            organisation=account.organisation,
            channel="sms",
            recipient_name=line.payee_name,
            phone=line.grant.archive.phone,
            text=payment_notice_text(
                line, issuer=account.organisation.name, count=paid_count(line)
            ),
            reference=f"帮扶资金发放 {batch.number}",
        )
        line.notification = notification
        save_tracked(
            line, actor=actor, reason="告知职工", update_fields=["notification", "updated_at"]
        )


def _record_result(
    actor: User,
    account: FundAccount,
    batch: PaymentBatch,
    line: PaymentLine,
    result: LineResult,
    now: datetime.datetime,
) -> PaymentLine:
    """One line's move along its lifecycle: paid or failed, as the bank says."""
    who = f"{line.payee_name}（{line.amount} 元）"
    action = RESULT_ACTIONS.get(result.status)
    if action is None:
        raise ValidationError(f"{who}：请选择“已到账”或“发放失败”。")
    reference = (result.bank_reference or "").strip()

    def effect(line: PaymentLine, transition: Transition) -> list[str]:
        refusal = line_result_refusal(result, today=timezone.localdate(), sent_on=batch.sent_on)
        if refusal:
            raise ValidationError(refusal)
        line.bank_reference = reference[:100]
        line.result_recorded_at = now
        line.result_recorded_by = actor
        fields = ["bank_reference", "result_recorded_at", "result_recorded_by"]
        if action == "fail":
            line.failure_reason = result.failure_reason.strip()[:200]
            return [*fields, "failure_reason"]
        _record_paid(actor, account, batch, line, result.paid_on, reference)
        return [*fields, "paid_on", "entry_due"]

    if action == "fail":
        reason = (result.failure_reason or "").strip()
    else:
        reason = f"{result.paid_on:%Y-%m-%d}，流水号 {reference}" if result.paid_on else ""
    try:
        return take(
            PAYMENT_LINES, obj=line, actor=actor, action=action, reason=reason, effect=effect
        )
    except ValidationError as exc:
        raise ValidationError(f"{who}：{'；'.join(exc.messages)}") from exc


def entry_due_for(line: PaymentLine, paid_on: datetime.date) -> datetime.date:
    """The last day to enter a paid grant's result: the archive policy's working days after
    the money arrived (WH-F §9, TA-F §5: 30), under the holiday calendar as it stands."""
    return add_working_days(paid_on, line.grant.archive.policy.entry_working_days).value


def recompute_entry_dues(
    *, actor: User, first: datetime.date, last: datetime.date, reason: str
) -> int:
    """A year's holiday calendar was published or changed: every paid line whose entry
    period reaches into it gets its `entry_due` recounted, with history (the on-time share
    of the performance figures reads it)."""
    lines = (
        PaymentLine.objects.select_for_update(of=("self",))
        .select_related("grant__archive__policy")
        .filter(paid_on__lte=last, entry_due__gte=first)
        .order_by("pk")
    )
    return follow_calendar(
        lines,
        field="entry_due",
        due_of=lambda line: entry_due_for(line, line.paid_on),
        label="录入截止",
        actor=actor,
        reason=reason,
    )


def _record_paid(
    actor: User,
    account: FundAccount,
    batch: PaymentBatch,
    line: PaymentLine,
    paid_on: datetime.date,
    reference: str,
) -> None:
    """The money arrived: the payment entry of the grant's item, source and year, the grant
    paid, the archive's last assistance; the line's own fields for the move."""
    refusal = carry_over_refusal(
        account=account,
        source=line.grant.source,
        year=line.grant.year,
        on=paid_on,
        what="发放",
        amount=line.amount,
    )
    if refusal:
        raise ValidationError(f"{refusal}未登记任何结果。")
    grant = locked(Grant, line.grant_id)
    archive = lock_archive(line.grant.archive)
    if grant.status != Grant.Status.APPROVED:
        raise ValidationError(f"救助状态为“{grant.get_status_display()}”，不能登记到账。")
    try:
        post_entry(
            actor=actor,
            account=account,
            kind=Entry.Kind.PAYMENT,
            entry_date=paid_on,
            year=grant.year,
            amount=-line.amount,
            source=grant.source,
            item=grant.item,
            counterpart=line.payee_name,
            reference=reference,
            description=(
                f"{grant.year}年{grant.get_item_display()} {archive.number} "
                f"{line.payee_name}（批次 {batch.number}）"
            ),
            payment_line=line,
        )
    except ValidationError as exc:
        raise ValidationError(
            f"不能登记到账：{'；'.join(exc.messages)}未登记任何结果，请先补足资金或按失败登记。"
        ) from exc
    line.paid_on = paid_on
    line.entry_due = entry_due_for(line, paid_on)
    grant = grant_pay(actor=actor, grant=grant, paid_on=paid_on, batch_number=batch.number)
    # A closed or merged archive is read-only, in the database too: the payment stands,
    # the archive keeps its last date.
    if not archive.is_final:
        record_event(
            archive,
            actor=actor,
            kind=ArchiveEvent.Kind.ASSISTED,
            note=f"{grant.get_item_display()} {line.amount} 元于 {paid_on:%Y-%m-%d} 发放到账"
            f"（发放批次 {batch.number}）。",
        )
    if not archive.is_final and (
        archive.last_assisted_on is None or archive.last_assisted_on < paid_on
    ):
        archive.last_assisted_on = paid_on
        save_tracked(
            archive,
            actor=actor,
            reason=f"帮扶资金发放：{grant.get_item_display()} {line.amount} 元",
            update_fields=["last_assisted_on", "updated_at"],
        )


@transaction.atomic
def batch_upload_slip(*, actor: User, batch: PaymentBatch, upload: UploadedFile) -> PaymentBatch:
    """The bank's slip (银行回单) kept with the batch as its accounting record (WH-F §9)."""
    account, batch = _lock_batch(batch)
    require_finance(actor, account, "上传银行回单")
    refusal = slip_refusal(batch)
    if refusal:
        raise ValidationError(refusal)
    if upload is None:
        raise ValidationError({"file": "请选择银行回单文件。"})
    check_size(upload.size)
    sniff_content_type(upload)
    batch.bank_slip = upload
    batch.bank_slip_name = Path(upload.name or "回单").name[:200]
    return save_tracked(
        batch,
        actor=actor,
        reason=f"上传银行回单：{batch.bank_slip_name}",
        update_fields=["bank_slip", "bank_slip_name", "updated_at"],
    )


# --- The bank's return file (回盘文件): uploaded, previewed, then confirmed ---------------


@transaction.atomic
def bank_return_upload(*, actor: User, batch: PaymentBatch, upload: UploadedFile) -> BankReturn:
    """Keep the bank's return file (.xlsx or .csv) of a sent batch, named by its SHA-256:
    nothing is recorded yet; the same file uploaded again is the same record."""
    account, batch = _lock_batch(batch)
    require_finance(actor, account, "上传银行回盘文件")
    blocked = PAYMENT_BATCHES.why_not(batch, actor, "record")
    if blocked:
        raise ValidationError(blocked)
    if upload is None:
        raise ValidationError({"file": "请选择银行回盘文件。"})
    check_size(upload.size)
    name = Path(upload.name or "回盘文件").name[:200]
    if Path(name).suffix.lower() not in RETURN_SUFFIXES:
        raise ValidationError({"file": "只接受 .xlsx 或 .csv 格式的银行回盘文件。"})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    kept = BankReturn.objects.filter(batch=batch, sha256=sha256).first()
    if kept is not None:
        return kept
    upload.seek(0)
    record = BankReturn(batch=batch, sha256=sha256, name=name, uploaded_by=actor)
    record.file.save(name, upload, save=False)
    return save_tracked(record, actor=actor, reason=f"上传银行回盘文件：{name}")


@transaction.atomic
def bank_return_confirm(*, actor: User, upload: BankReturn) -> PaymentBatch:
    """Record the results of a previewed return file: read again from storage and matched
    again, refused while any line has a problem; then `batch_record_results` (the same
    checks as the form, all or nothing). A file is recorded once."""
    account, batch = _lock_batch(upload.batch)
    require_finance(actor, account, "登记银行发放结果")
    upload = locked(BankReturn, upload.pk)
    if upload.confirmed_at is not None:
        raise ValidationError(
            f"该回盘文件已于 {timezone.localtime(upload.confirmed_at):%Y-%m-%d %H:%M} 登记，"
            "不能重复登记。"
        )
    preview = return_preview(upload)
    if preview.problem:
        raise ValidationError(preview.problem)
    problems = [f"第 {m.row.row} 行：{m.problem}" for m in preview.problems]
    if problems:
        more = f"（另有 {len(problems) - 20} 行）" if len(problems) > 20 else ""
        raise ValidationError(
            ["回盘文件有问题，未登记：", *problems[:20], *([more] if more else [])]
        )
    if not preview.to_record:
        raise ValidationError("回盘文件中没有填写结果（到账/失败）的明细。")
    batch = batch_record_results(actor=actor, batch=batch, results=preview.results())
    upload.confirmed_at = timezone.now()
    upload.confirmed_by = actor
    save_tracked(
        upload,
        actor=actor,
        reason=f"按回盘文件登记 {len(preview.to_record)} 条结果",
        update_fields=["confirmed_at", "confirmed_by", "updated_at"],
    )
    return batch
