# --- Payments and exports ---
# Pure decisions of paying grants by bank transfer and of the bank's results (WH-F §9,
# TA-F §4–§5), and of which entries a 冲销 may correct: values in, a refusal ("" = allowed)
# or values out; no database. The services, selectors and forms ask these.

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from accounts.roles import Role
from core.money import yuan
from funds.models import Entry, PaymentBatch, PaymentLine

# Entries a 冲销 may correct; transfers and payments are undone by their own business.
REVERSIBLE_KINDS = frozenset({Entry.Kind.RECEIPT, Entry.Kind.RETURN})


def finance_refusal(actor, account, what: str) -> str:
    """Only finance staff of the account's own union book on it (WH-F §10, TA-F §6)."""
    if not actor.has_role(Role.FINANCE):
        return f"{what}须由财务人员办理。"
    if actor.organisation_id != account.organisation_id:
        return "只能办理本级工会帮扶资金专户的业务。"
    return ""


def sent_on_refusal(
    sent_on: datetime.date, *, today: datetime.date, created_on: datetime.date
) -> str:
    """The day the roster went to the bank: not after today, not before the batch."""
    if sent_on > today:
        return "报送日期不能晚于今天。"
    if sent_on < created_on:
        return "报送日期不能早于批次建立日期。"
    return ""


def slip_refusal(batch: PaymentBatch) -> str:
    """The bank's slip (回单) comes after the roster went to the bank, and is kept once as
    the accounting record (WH-F §9)."""
    if batch.status == PaymentBatch.Status.DRAFT:
        return "花名册尚未报送银行，还没有银行回单。"
    if batch.bank_slip:
        return "该批次已上传银行回单；回单作为会计档案保存，不能替换。"
    return ""


@dataclass(frozen=True)
class LineResult:
    """The bank's result of one line: paid (on a day, with its reference) or failed."""

    status: str
    paid_on: datetime.date | None = None
    bank_reference: str = ""
    failure_reason: str = ""


# The move of the line's lifecycle that each result of the bank takes.
RESULT_ACTIONS = {PaymentLine.Status.PAID: "pay", PaymentLine.Status.FAILED: "fail"}


def line_results(raw: Mapping) -> dict[int, LineResult]:
    """The bank's results as given (a line id → a LineResult, a mapping of its fields or
    (status, paid_on, bank_reference, failure_reason)), by line id."""

    def one(value) -> LineResult:
        if isinstance(value, LineResult):
            return value
        if isinstance(value, Mapping):
            return LineResult(**value)
        status, paid_on, bank_reference, failure_reason = value
        return LineResult(status, paid_on, bank_reference or "", failure_reason or "")

    try:
        return {int(key): one(value) for key, value in raw.items()}
    except (TypeError, ValueError) as exc:
        raise ValidationError("发放明细或结果不正确。") from exc


def line_result_refusal(
    result: LineResult, *, today: datetime.date, sent_on: datetime.date | None
) -> str:
    """Whether the bank's result of a line can be recorded as given ("" = it can): a paid
    line with its day (not after today, not before the roster went to the bank) and the
    bank's reference, a failed one with the bank's reason."""
    if result.status == PaymentLine.Status.PAID:
        if result.paid_on is None:
            return "请填写到账日期。"
        if result.paid_on > today:
            return "到账日期不能晚于今天。"
        if sent_on and result.paid_on < sent_on:
            return f"到账日期不能早于报送银行日期 {sent_on}。"
        if not (result.bank_reference or "").strip():
            return "请填写银行流水号。"
        return ""
    if result.status == PaymentLine.Status.FAILED:
        if not (result.failure_reason or "").strip():
            return "发放失败须填写失败原因。"
        return ""
    return "请选择“已到账”或“发放失败”。"


def bank_pays(lines: Iterable[PaymentLine]) -> list[PaymentLine]:
    """The lines the bank pays: a failed line stays on the roster for the record only."""
    return [line for line in lines if line.status != PaymentLine.Status.FAILED]


def batch_totals(lines: Iterable[PaymentLine]) -> dict:
    """A batch's count and amounts: in all, paid, failed, still at the bank."""
    lines = list(lines)

    def total(status: str | None = None) -> Decimal:
        amounts = (line.amount for line in lines if status is None or line.status == status)
        return yuan(sum(amounts, Decimal("0.00")))

    return {
        "count": len(lines),
        "total": total(),
        "paid": total(PaymentLine.Status.PAID),
        "failed": total(PaymentLine.Status.FAILED),
        "pending": total(PaymentLine.Status.PENDING),
    }
