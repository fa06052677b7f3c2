"""Recovering money (追回帮扶资金, WH-M §19; TA-F §14) and the city's decisions to reduce or
stop a county's allocation (减拨、停拨, TA-F §14).

- `recovery_record`: a reviewer of the archive's county records the false information
  found, its evidence (stored with the archive's application), the paid grants concerned
  and the amount to recover — never more than those grants paid (less what other
  recoveries already claim). The amount is spread over the grants **grant by grant**,
  oldest payment first, each up to its amount (`RecoveryLine`); repayments fill the lines
  in the same order.
- `recovery_confirm`: another reviewer of that county confirms (职责分离). The archive is
  closed for cause (`Archive.CloseReason.FALSE_INFORMATION`, history kept, retention as
  any closed archive) and the worker is told by SMS or letter (`accounts.notify`).
- `recovery_repay`: the county's finance books money paid back: per line it fills, one
  `recovered` entry into the account, budget year, source and item of that grant
  (`ledger.post_entry`). Never more than is owed: checked here on the locked recovery,
  and by the database (`funds.migration_ops.RepaidNeverExceedsOwed`).
- `recovery_cancel` (before confirmation) and `recovery_close` (终结: what is left is not
  recovered, with the reason, by a reviewer who did not record it).

Every move of a recovery's status is a row of `funds.lifecycles.RECOVERIES`, taken by
`core.lifecycle.take` (lock, stale check, actor and segregation of duties, history, event).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.notify import notify
from accounts.roles import Level
from archives.lifecycles import record_event
from archives.models import Archive, ArchiveEvent
from archives.services.lifecycle import close_archive, lock_archive
from assistance.models import CaseDocument
from assistance.services.documents import store_document
from core.history import save_tracked
from core.lifecycle import take
from core.models import Notification
from core.money import exact_yuan, yuan
from funds.access import require_county_reviewer, require_finance
from funds.lifecycles import RECOVERIES, RESTRICTIONS
from funds.models import (
    AllocationRestriction,
    Entry,
    FundAccount,
    Grant,
    Recovery,
    RecoveryLine,
    RecoveryRepayment,
)
from funds.selectors.recoveries import (
    CLAUSE,
    ZERO,
    recovered_so_far,
    recovery_lines,
    recovery_outstanding,
)
from funds.services.ledger import lock_account, post_entry

S = Recovery.Status


def _day(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _not_in_future(value: datetime.date, field: str, what: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: f"{what}不能晚于今天。"})


def _positive(value, field: str = "amount") -> Decimal:
    if value is None:
        raise ValidationError({field: "请填写金额。"})
    try:
        amount = exact_yuan(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError({field: "请输入金额（数字，最多两位小数）。"}) from exc
    if amount <= 0:
        raise ValidationError({field: "金额须大于零。"})
    return amount


# --- Recording the finding ----------------------------------------------------------------


def _spread(grants: list[Grant], amount: Decimal) -> list[tuple[Grant, Decimal]]:
    """The amount over the grants, grant by grant, oldest payment first, each up to what
    of it is not yet claimed by another recovery."""
    parts = []
    left = amount
    for grant in sorted(grants, key=lambda g: (g.paid_on, g.pk)):
        if left == ZERO:
            break
        share = min(left, grant.amount - recovered_so_far(grant))
        if share > ZERO:
            parts.append((grant, share))
            left -= share
    return parts


@transaction.atomic
def recovery_record(
    *,
    actor: User,
    archive: Archive,
    grants: Iterable[Grant],
    amount: Decimal | None,
    finding: str,
    found_on: datetime.date,
    evidence: UploadedFile | None,
) -> Recovery:
    """Record false information found for a household and the money to recover (WH-M §19)."""
    archive = lock_archive(archive)
    require_county_reviewer(actor, archive.county_id, "登记追回")
    if archive.status == Archive.Status.MERGED:
        raise ValidationError("档案已合并，请在保留的档案上登记追回。")
    if not finding.strip():
        raise ValidationError({"finding": "请填写查实的虚假信息情况。"})
    _not_in_future(found_on, "found_on", "查实日期")
    if found_on < archive.opened_on:
        raise ValidationError({"found_on": "查实日期不能早于建档日期。"})
    amount = _positive(amount)
    grants = list(
        Grant.objects.select_for_update(of=("self",))
        .filter(pk__in=[g.pk for g in grants])
        .select_related("account")
        .order_by("pk")
    )
    if not grants:
        raise ValidationError({"grants": "请选择要追回的已发放帮扶项目。"})
    for grant in grants:
        if grant.archive_id != archive.pk or grant.status != Grant.Status.PAID:
            raise ValidationError({"grants": "只能追回本档案已发放的帮扶项目。"})
    if len({grant.account_id for grant in grants}) != 1:
        raise ValidationError({"grants": "所选帮扶项目属于不同的帮扶资金专户，请分别登记。"})
    available = sum((grant.amount - recovered_so_far(grant) for grant in grants), ZERO)
    if amount > available:
        raise ValidationError(
            {
                "amount": f"应追回金额 {amount} 元超过所选帮扶项目已发放且尚未登记追回的 "
                f"{available} 元：追回的是已发放的帮扶资金{CLAUSE}。"
            }
        )
    if evidence is None:
        raise ValidationError({"evidence": "请上传查实虚假信息的材料（调查记录、比对报告等）。"})
    try:
        document = store_document(
            actor=actor,
            case=archive.case,
            doc_type=CaseDocument.Type.FALSE_INFORMATION_EVIDENCE,
            upload=evidence,
        )
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from exc
    recovery = Recovery(
        archive=archive,
        account=grants[0].account,
        county=archive.county,
        city=archive.city,
        finding=finding.strip(),
        found_on=found_on,
        evidence=document,
        amount=amount,
        recorded_by=actor,
    )
    save_tracked(recovery, actor=actor, reason="登记追回：查实提供虚假信息")
    for grant, share in _spread(grants, amount):
        line = RecoveryLine(recovery=recovery, grant=grant, amount=share)
        save_tracked(line, actor=actor, reason="追回明细")
    record_event(
        archive,
        actor=actor,
        kind=ArchiveEvent.Kind.RECOVERY_RECORDED,
        note=f"{_day(found_on)}查实提供虚假信息：{finding.strip()}。拟追回帮扶资金 {amount} 元，"
        "待县级其他审核人确认。",
    )
    return recovery


# --- Confirming: the archive closed for cause, the worker told ------------------------------


# The clause that recovers the money, by the archive's region (WH-M §19; TA-F §14).
RECOVERY_CLAUSES = {
    "wuhu": ("《芜湖市工会困难职工帮扶实施办法》第十九条", "芜湖实施办法第十九条"),
    "taian": ("《困难职工专项帮扶资金使用管理实施细则》第十四条", "泰安资金使用管理细则第十四条"),
}


def recovery_clause(archive: Archive) -> tuple[str, str]:
    """(full, short) citation of the recovery clause of the archive's region; both seeds'
    when the region has none of its own."""
    region = archive.organisation.region
    if region in RECOVERY_CLAUSES:
        return RECOVERY_CLAUSES[region]
    return tuple("、".join(names) for names in zip(*RECOVERY_CLAUSES.values(), strict=True))


def recovery_notice_text(recovery: Recovery, issuer: str) -> str:
    archive = recovery.archive
    full, _ = recovery_clause(archive)
    return (
        f"【{issuer}】{archive.person_name}：经核实，您在困难职工帮扶中提供了虚假信息"
        f"（{recovery.finding.rstrip('。')}）。根据{full}，"
        f"您的困难职工档案予以撤档，须退回帮扶资金 {recovery.amount} 元。"
        f"请与{issuer}联系办理退回。"
    )


@transaction.atomic
def recovery_confirm(*, actor: User, recovery: Recovery, channel: str) -> Recovery:
    """Another reviewer of the county confirms: the archive is closed for cause and the
    worker is told by SMS or letter (a failed SMS is recorded; the letter is printed)."""
    if channel not in Notification.Channel.values:
        raise ValidationError({"channel": "请选择告知方式（短信或书面告知）。"})
    archive = lock_archive(recovery.archive)

    def effect(locked: Recovery, _) -> list[str]:
        locked.archive = archive
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        issuer = actor.organisation.name
        locked.notification = notify(
            actor=actor,
            organisation=actor.organisation,
            channel=channel,
            recipient_name=archive.person_name,
            phone=archive.phone,
            text=recovery_notice_text(locked, issuer),
            reference=f"档案 {archive.number} 追回帮扶资金告知",
        )
        if locked.notification.channel == Notification.Channel.LETTER:
            told = "书面告知职工（打印《追回帮扶资金告知书》送达）"
        elif locked.notification.status == Notification.Status.SENT:
            told = "短信告知职工：已发送"
        else:
            told = f"短信告知职工：发送失败（{locked.notification.error}），请打印书面告知书送达"
        record_event(
            archive,
            actor=actor,
            kind=ArchiveEvent.Kind.RECOVERY_CONFIRMED,
            note=f"确认追回帮扶资金 {locked.amount} 元（登记人：{locked.recorded_by}）。{told}。",
        )
        if archive.is_active:
            close_archive(
                actor=actor,
                archive=archive,
                reason=Archive.CloseReason.FALSE_INFORMATION,
                note=f"查实提供虚假信息，追回帮扶资金 {locked.amount} 元，予以撤档"
                f"（{recovery_clause(archive)[1]}）。",
                on=timezone.localdate(),
            )
        return ["confirmed_by", "confirmed_at", "notification"]

    return take(RECOVERIES, obj=recovery, actor=actor, action="confirm", effect=effect)


@transaction.atomic
def recovery_cancel(*, actor: User, recovery: Recovery, note: str) -> Recovery:
    """A recorded finding withdrawn before confirmation (e.g. not borne out), with the reason."""

    def effect(locked: Recovery, _) -> list[str]:
        locked.decided_by = actor
        locked.decision_note = note.strip()
        return ["decided_by", "decision_note"]

    return take(RECOVERIES, obj=recovery, actor=actor, action="cancel", reason=note, effect=effect)


@transaction.atomic
def recovery_close(*, actor: User, recovery: Recovery, note: str) -> Recovery:
    """End a recovery with money still outstanding (终结追回: e.g. referred to the courts),
    with the reason, by a reviewer who did not record it. What was repaid stays booked."""

    def effect(locked: Recovery, _) -> list[str]:
        locked.decided_by = actor
        locked.decision_note = note.strip()
        return ["decided_by", "decision_note"]

    return take(RECOVERIES, obj=recovery, actor=actor, action="close", reason=note, effect=effect)


# --- Repayments back into the original grants' money ---------------------------------------


@transaction.atomic
def recovery_repay(
    *,
    actor: User,
    recovery: Recovery,
    received_on: datetime.date,
    amount: Decimal | None,
    reference: str,
) -> RecoveryRepayment:
    """Book money paid back: filled into the recovery's lines grant by grant (oldest first),
    one `recovered` entry per line into that grant's account, year, source and item."""
    repayment: list[RecoveryRepayment] = []

    def effect(locked: Recovery, _) -> list[str]:
        account = lock_account(locked.account)
        money = _positive(amount)
        if not reference.strip():
            raise ValidationError({"reference": "请填写收款凭证号或银行流水号。"})
        _not_in_future(received_on, "received_on", "收款日期")
        if received_on < timezone.localtime(locked.confirmed_at).date():
            raise ValidationError({"received_on": "收款日期不能早于追回确认日期。"})
        outstanding = recovery_outstanding(locked)
        if money > outstanding:
            raise ValidationError(
                {
                    "amount": f"收回金额 {money} 元超过尚未追回的 {outstanding} 元"
                    f"（应追回 {locked.amount} 元）{CLAUSE}。"
                }
            )
        paid_back = RecoveryRepayment(
            recovery=locked,
            received_on=received_on,
            amount=money,
            reference=reference.strip(),
            recorded_by=actor,
        )
        save_tracked(paid_back, actor=actor, reason="追回款收回")
        left = money
        archive = locked.archive
        for line in recovery_lines(locked):
            if left == ZERO:
                break
            share = min(left, line.outstanding)
            if share <= ZERO:
                continue
            grant = line.grant
            post_entry(
                actor=actor,
                account=account,
                kind=Entry.Kind.RECOVERED,
                entry_date=received_on,
                year=grant.year,
                amount=share,
                source=grant.source,
                item=grant.item,
                counterpart=archive.person_name,
                reference=reference.strip(),
                description=f"追回 {archive.number} {grant.year}年{grant.get_item_display()}"
                "帮扶资金（查实虚假信息）",
                recovery_line=line,
                repayment=paid_back,
            )
            left -= share
        record_event(
            archive,
            actor=actor,
            kind=ArchiveEvent.Kind.RECOVERY_REPAID,
            note=f"{_day(received_on)}收回追回款 {money} 元（{reference.strip()}），"
            f"尚欠 {outstanding - money} 元。",
        )
        repayment.append(paid_back)
        # The table's "" target: repaid once nothing is owed, else it stays confirmed.
        if recovery_outstanding(locked) == ZERO:
            locked.status = S.REPAID
        return []

    take(
        RECOVERIES,
        obj=recovery,
        actor=actor,
        action="repay",
        reason=f"收回 {yuan(amount) if amount is not None else ''} 元",
        effect=effect,
    )
    return repayment[0]


# --- 减拨、停拨 ----------------------------------------------------------------------------


@transaction.atomic
def restriction_record(
    *,
    actor: User,
    account: FundAccount,
    to_account: FundAccount,
    year: int,
    kind: str,
    ceiling: Decimal | None,
    reason: str,
    decision_reference: str,
    decided_on: datetime.date,
) -> AllocationRestriction:
    """The city records its decision to reduce (a ceiling on the year's allocations) or
    stop a county's allocation, with the reason and the decision's reference (TA-F §14)."""
    account = lock_account(account)
    require_finance(actor, account, "登记减拨、停拨决定")
    if account.organisation.level != Level.CITY:
        raise PermissionDenied("减拨、停拨由市总工会决定。")
    if to_account.city_id != account.city_id or to_account.organisation.level != Level.COUNTY:
        raise ValidationError({"to_account": "只能对本市县级工会的帮扶资金专户减拨或停拨。"})
    if kind not in AllocationRestriction.Kind.values:
        raise ValidationError({"kind": "请选择减拨或停拨。"})
    if kind == AllocationRestriction.Kind.REDUCE:
        if ceiling is None:
            raise ValidationError({"ceiling": "减拨须填写减拨后本年度下拨上限。"})
        ceiling = yuan(ceiling)
        if ceiling < 0:
            raise ValidationError({"ceiling": "下拨上限不能为负数。"})
    else:
        ceiling = None
    if not reason.strip():
        raise ValidationError({"reason": "请填写减拨、停拨的理由。"})
    if not decision_reference.strip():
        raise ValidationError({"decision_reference": "请填写决定文号或会议纪要文号。"})
    _not_in_future(decided_on, "decided_on", "决定日期")
    restriction = AllocationRestriction(
        account=account,
        to_account=to_account,
        year=year,
        kind=kind,
        ceiling=ceiling,
        reason=reason.strip(),
        decision_reference=decision_reference.strip(),
        decided_on=decided_on,
        recorded_by=actor,
    )
    label = AllocationRestriction.Kind(kind).label
    return save_tracked(
        restriction, actor=actor, reason=f"{to_account.name} {year}年度{label}：{reason.strip()}"
    )


@transaction.atomic
def restriction_lift(
    *, actor: User, restriction: AllocationRestriction, reason: str
) -> AllocationRestriction:
    """Lift a reduce / stop decision, with the reason; the decision stays in the history."""

    def effect(locked: AllocationRestriction, _) -> list[str]:
        locked.lifted_by = actor
        locked.lifted_on = timezone.localdate()
        locked.lift_reason = reason.strip()
        return ["lifted_by", "lifted_on", "lift_reason"]

    return take(
        RESTRICTIONS, obj=restriction, actor=actor, action="lift", reason=reason, effect=effect
    )
