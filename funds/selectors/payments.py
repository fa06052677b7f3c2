"""Reads of payment batches: the scoped list, a batch's lines with their deadlines, and the
roster (发放花名册) for the bank."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from core.crypto import decrypt
from core.excel import Column, Sheet
from core.money import yuan
from funds.access import accounts_in_scope
from funds.models import BankReturn, FundAccount, Grant, PaymentBatch, PaymentLine
from funds.rules import LineResult, ReturnMatch, bank_pays, match_return, read_return_file

ZERO = Decimal("0.00")


def batches_in_scope(user) -> QuerySet[PaymentBatch]:
    """Batches of the special accounts the user may see: every county's for the city, its
    own for a county, none for a grassroots union."""
    return PaymentBatch.objects.filter(account__in=accounts_in_scope(user))


def batch_list_for_user(user, *, status: str = "") -> QuerySet[PaymentBatch]:
    batches = (
        batches_in_scope(user)
        .select_related("account", "created_by")
        .annotate(
            line_count=Count("lines"),
            total=Sum("lines__amount"),
            paid_total=Sum("lines__amount", filter=Q(lines__status=PaymentLine.Status.PAID)),
            failed_count=Count("lines", filter=Q(lines__status=PaymentLine.Status.FAILED)),
        )
    )
    if status:
        batches = batches.filter(status=status)
    return batches.order_by("-created_at", "-id")


def own_account(user) -> FundAccount | None:
    """The special account of the user's own union (finance staff work on their own)."""
    if getattr(user, "organisation_id", None) is None:
        return None
    return FundAccount.objects.filter(organisation_id=user.organisation_id).first()


@dataclass(frozen=True)
class LineRow:
    line: PaymentLine
    # Recorded within the 30 working days of the payment (WH-M §17, WH-F §9)?
    on_time: bool | None

    @property
    def recorded_on(self) -> datetime.date | None:
        at = self.line.result_recorded_at
        return timezone.localdate(at) if at else None


def batch_lines(batch: PaymentBatch) -> list[LineRow]:
    lines = batch.lines.select_related(
        "grant", "grant__archive", "notification", "result_recorded_by"
    ).order_by("id")
    rows = []
    for line in lines:
        on_time = None
        if line.entry_due and line.result_recorded_at:
            on_time = timezone.localdate(line.result_recorded_at) <= line.entry_due
        rows.append(LineRow(line=line, on_time=on_time))
    return rows


def paid_count(line: PaymentLine) -> int:
    """Which help of the year a paid line is for the household (次数, WH-F §9): the paid
    grants of its year up to this one."""
    grant = line.grant
    earlier = Q(paid_on__lt=line.paid_on) | Q(paid_on=line.paid_on, pk__lte=grant.pk)
    return Grant.objects.filter(
        earlier, archive_id=grant.archive_id, year=grant.year, status=Grant.Status.PAID
    ).count()


ROSTER_COLUMNS = (
    Column("序号", "int", 6),
    Column("收款人姓名", "text", 12),
    Column("身份证号", "text", 22),
    Column("银行卡号", "text", 24),
    Column("开户银行", "text", 20),
    Column("救助项目", "text", 14),
    Column("金额（元）", "money", 14),
    Column("备注", "text", 36),
)


def _roster_rows(lines: list[PaymentLine]) -> Iterator[list]:
    for number, line in enumerate(lines, start=1):
        grant = line.grant
        archive = grant.archive
        item = "意外致困一次性救助" if grant.category == "accident" else grant.get_item_display()
        note = f"{grant.year}年{item} 档案{archive.number}"
        if line.status != PaymentLine.Status.PENDING:
            note += f"（{line.get_status_display()}）"
        yield [
            number,
            line.payee_name,
            archive.id_masked,
            decrypt(line.card_cipher),
            line.bank_name,
            item,
            line.amount,
            note,
        ]


def roster_sheet(batch: PaymentBatch) -> Sheet:
    """The bank's roster: the full card number (the bank needs it), the ID number masked,
    and a total row. Only the account's finance staff download it, each time logged."""
    lines = list(batch.lines.select_related("grant", "grant__archive").order_by("id"))
    live = bank_pays(lines)
    total = yuan(sum((line.amount for line in live), ZERO))
    return Sheet(
        title="发放花名册",
        columns=ROSTER_COLUMNS,
        rows=_roster_rows(lines),
        footer=[["", f"合计 {len(live)} 人", "", "", "", "", total, batch.number or ""]],
    )


@dataclass(frozen=True)
class ReturnPreview:
    """The bank's return file matched against its batch: the file's own problem, each row
    with its line and problem, and whether it may be recorded (no problem, something to
    record)."""

    upload: BankReturn
    problem: str
    matches: list[ReturnMatch]

    @property
    def problems(self) -> list[ReturnMatch]:
        return [match for match in self.matches if match.problem]

    @property
    def to_record(self) -> list[ReturnMatch]:
        return [m for m in self.matches if m.line is not None and m.row.result is not None]

    @property
    def recordable(self) -> bool:
        return (
            not self.problem
            and not self.problems
            and bool(self.to_record)
            and self.upload.confirmed_at is None
        )

    def results(self) -> dict[int, LineResult]:
        return {match.line.pk: match.row.result for match in self.to_record}


def return_preview(upload: BankReturn) -> ReturnPreview:
    """Read the stored return file again and match it against the batch's lines as they
    are now (in roster order, as `roster_sheet` numbers them)."""
    batch = upload.batch
    with upload.file.open("rb") as stored:
        content = stored.read()
    lines = list(batch.lines.select_related("grant", "grant__archive").order_by("id"))
    cards = {line.pk: decrypt(line.card_cipher) for line in lines}
    problem, matches = match_return(
        read_return_file(content, upload.name),
        batch_number=batch.number or "",
        lines=lines,
        cards=cards,
        today=timezone.localdate(),
        sent_on=batch.sent_on,
    )
    return ReturnPreview(upload=upload, problem=problem, matches=matches)
