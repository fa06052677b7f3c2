"""Money: the special accounts and their staff, receipts and transfers, grants, batches
and payments, recoveries, and the books' entries.

The ladder every payment test climbs, each step taking the one before it:
`wuhu_approved` (assistance: an approved case) → `open_archive` (archives: its archive) →
`approved_grant` (a grant of that archive) → `sent_batch` (its batch at the bank) →
`pay` (the paid lines recorded). `paid_line` instead books a paid line directly, for the
books' tests that need many of them.
"""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from archives.models import Archive
from core.crypto import encrypt, mask_card
from core.history import save_tracked
from core.notify import SmsError
from funds.models import (
    AllocationPlan,
    Entry,
    FundAccount,
    Grant,
    Item,
    PaymentBatch,
    PaymentLine,
    Receipt,
    Source,
    Transfer,
)
from funds.services.accounts import fund_account_create
from funds.services.grants import grant_decide, grant_propose
from funds.services.ledger import lock_account, post_entry
from funds.services.payments import batch_create, batch_record_results, batch_send
from funds.services.receipts import allocation_plan_create, allocation_plan_execute, receipt_record
from funds.services.recoveries import recovery_confirm, recovery_record
from tests.factories.accounts import make_user
from tests.factories.core import PDF_BYTES, fresh, upload_file

YEAR = 2026
TODAY = datetime.date(2026, 4, 1)
PAID_ON = datetime.date(2026, 4, 13)  # a Monday
FOUND_ON = datetime.date(2026, 5, 6)
REPAID_ON = datetime.date(2026, 5, 20)
K = Entry.Kind
D = Decimal
_serial = itertools.count(1)


class FailingGateway:
    """An SMS gateway that times out (settings.SMS_BACKEND)."""

    def send(self, phone: str, text: str) -> None:
        raise SmsError("短信网关超时")


# --- The accounts and their staff ---------------------------------------------------------


@dataclass
class Accounts:
    city: FundAccount
    county_a: FundAccount
    county_b: FundAccount


@dataclass
class Finance:
    city: User
    county_a: User
    county_b: User
    city_auditor: User
    county_a_auditor: User


def open_accounts(world) -> Accounts:
    """The special accounts of Wuhu's city and its two counties (the `accounts` fixture)."""
    w = world.wuhu

    def open_account(organisation, number: str) -> FundAccount:
        return fund_account_create(
            actor=w.admin,
            organisation=organisation,
            name=f"{organisation.name}困难职工帮扶资金专户",
            bank_name="中国工商银行芜湖分行",
            bank_account=number,
        )

    return Accounts(
        city=open_account(w.city, "1307010009000000001"),
        county_a=open_account(w.county, "1307010009000000002"),
        county_b=open_account(w.county_b, "1307010009000000003"),
    )


def finance_staff(world) -> Finance:
    """Wuhu's finance and audit staff (the `world_finance` fixture)."""
    w = world.wuhu
    return Finance(
        city=make_user(w.city, Role.FINANCE, username="fin_city"),
        county_a=make_user(w.county, Role.FINANCE, username="fin_a"),
        county_b=make_user(w.county_b, Role.FINANCE, username="fin_b"),
        city_auditor=make_user(w.city, Role.AUDITOR, username="aud_city"),
        county_a_auditor=make_user(w.county, Role.AUDITOR, username="aud_a"),
    )


@dataclass
class TaianFunds:
    account: FundAccount
    finance: User
    city_finance: User


def open_taian_funds(world) -> TaianFunds:
    """Tai'an county's account and finance staff (the `taian_funds` fixture)."""
    t = world.taian
    # TA-A §14: Tai'an funds living, medical and education only.
    t.policy.items_funded = ["living", "medical", "education"]
    save_tracked(
        t.policy, actor=t.admin, reason="测试：泰安资助项目", update_fields=["items_funded"]
    )
    account = fund_account_create(
        actor=t.admin,
        organisation=t.county,
        name="泰山区总工会困难职工帮扶资金专户",
        bank_name="中国建设银行泰安分行",
        bank_account="3705010009000000001",
    )
    return TaianFunds(
        account=account,
        finance=make_user(t.county, Role.FINANCE, username="ta_fin"),
        city_finance=make_user(t.city, Role.FINANCE, username="ta_fin_city"),
    )


# --- Receipts and allocation -------------------------------------------------------------


def receive(
    finance: User,
    account: FundAccount,
    amount: str | Decimal = "100000.00",
    *,
    source: str = Source.CENTRAL,
    on: datetime.date = TODAY,
    year: int | None = None,
    number: str = "皖工办〔2026〕13号",
) -> Receipt:
    return receipt_record(
        actor=finance,
        account=account,
        received_on=on,
        year=year or on.year,
        source=source,
        amount=Decimal(amount),
        counterpart="安徽省总工会",
        document_number=number,
        document_title="关于下达2026年中央财政专项帮扶资金的通知",
    )


def plan(
    finance: User,
    account: FundAccount,
    lines: list,
    *,
    meeting_date: datetime.date = TODAY,
    year: int = 2026,
    reference: str = "市总党组会纪要〔2026〕5号",
) -> AllocationPlan:
    return allocation_plan_create(
        actor=finance,
        account=account,
        year=year,
        title="2026年第一批帮扶资金分配使用方案",
        meeting_reference=reference,
        meeting_date=meeting_date,
        lines=lines,
    )


def execute(finance: User, allocation: AllocationPlan, on: datetime.date = TODAY):
    return allocation_plan_execute(
        actor=finance, plan=allocation, transfer_date=on, reference="记账凭证 2026-04-018"
    )


# --- The ladder: grant, batch, payment --------------------------------------------------


def fund(actor, account, amount: str, *, source: str = "central", year: int = 2026) -> Entry:
    """Money received on the account, posted straight to the ledger."""
    with transaction.atomic():
        return post_entry(
            actor=actor,
            account=lock_account(account),
            kind=Entry.Kind.RECEIPT,
            entry_date=datetime.date(2026, 4, 1),
            year=year,
            amount=Decimal(amount),
            source=source,
            counterpart="安徽省总工会",
            reference="皖工〔2026〕1号",
            description="中央财政专项帮扶资金到账",
        )


def approved_grant(world, archive: Archive, item: str = "living", **overrides) -> Grant:
    """A grant of the archive, proposed by its caseworker and approved by the county."""
    arguments = {
        "actor": world.wuhu.caseworker,
        "archive": archive,
        "item": item,
        "year": 2026,
        "source": "central",
        "inputs": {},
        **overrides,
    }
    grant = grant_propose(**arguments)
    return grant_decide(actor=world.wuhu.county_reviewer, grant=grant, approve=True, opinion="同意")


def sent_batch(world, finance, account, grants) -> PaymentBatch:
    """The grants' batch, made and sent to the bank by the account's finance."""
    batch = batch_create(actor=finance, account=account, grants=grants)
    return batch_send(actor=finance, batch=batch)


def many_approved_grants(archive: Archive, account: FundAccount, actor, count: int, amount="100"):
    """`count` approved grants of one archive, saved directly (the proposal and review are
    tested elsewhere): for a batch of many lines."""
    return [
        save_tracked(
            Grant(
                archive=archive,
                account=account,
                organisation=archive.organisation,
                county=archive.county,
                city=archive.city,
                year=YEAR,
                item=Item.LIVING,
                source="central",
                category=archive.category,
                standard_amount=D(amount),
                amount=D(amount) + D(n % 7),
                basis="测试：按标准发放",
                inputs={"test": True},
                proposed_by=actor,
                status=Grant.Status.APPROVED,
            ),
            actor=actor,
            reason="测试：帮扶项目",
        )
        for n in range(count)
    ]


# The return file's result columns, after the roster's own.
RETURN_HEADER = ("结果", "到账日期", "失败原因", "银行流水号")


def return_rows(batch: PaymentBatch, fill=None, *, footer: bool = True) -> list[list]:
    """The batch's roster (as downloaded) with the four result columns: `fill(number, row)`
    gives (结果, 到账日期, 失败原因, 银行流水号) per line (default: 到账 today, ICBC<n>)."""
    from funds.selectors.payments import roster_sheet

    sheet = roster_sheet(batch)
    today = timezone.localdate()
    fill = fill or (lambda number, row: ("到账", today, "", f"ICBC{number:05d}"))
    rows = [[column.header for column in sheet.columns] + list(RETURN_HEADER)]
    for row in sheet.rows:
        rows.append([*row, *fill(row[0], row)])
    if footer:
        rows.extend(list(row) for row in sheet.footer)
    return rows


def return_xlsx(rows: list[list]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("发放花名册")
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def return_csv(rows: list[list], encoding: str = "gbk") -> bytes:
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text)
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return text.getvalue().encode(encoding)


def paid(line: PaymentLine, on: datetime.date = PAID_ON, reference: str = "ICBC20260413001"):
    return {line.pk: ("paid", on, reference, "")}


def failed(line: PaymentLine, reason: str = "户名与卡号不符"):
    return {line.pk: ("failed", None, "", reason)}


def pay(world, finance, account, grants) -> list[Grant]:
    """The grants' batch sent and each line recorded paid today: the grants, now paid."""
    batch = sent_batch(world, finance, account, grants)
    results = {}
    for line in batch.lines.all():
        results.update(paid(line, timezone.localdate(), reference=f"ICBC{line.pk:04d}"))
    batch_record_results(actor=finance, batch=batch, results=results)
    return [fresh(g) for g in grants]


# --- Grants ------------------------------------------------------------------------------


def propose(world, archive: Archive, item: str = "living", **overrides) -> Grant:
    arguments = {
        "actor": world.wuhu.caseworker,
        "archive": archive,
        "item": item,
        "year": YEAR,
        "source": "central",
        "inputs": {},
        **overrides,
    }
    return grant_propose(**arguments)


def approve(world, grant: Grant, actor=None) -> Grant:
    return grant_decide(
        actor=actor or world.wuhu.county_reviewer, grant=grant, approve=True, opinion="同意。"
    )


# --- Recoveries -------------------------------------------------------------------------


def record(world, archive, grants, amount="9120.00", actor=None, **overrides):
    arguments = {
        "actor": actor or world.wuhu.county_reviewer,
        "archive": archive,
        "grants": grants,
        "amount": Decimal(amount),
        "finding": "隐瞒配偶经营收入，比对发现其名下有营业执照",
        "found_on": FOUND_ON,
        "evidence": upload_file("核查记录.pdf", PDF_BYTES),
        **overrides,
    }
    return recovery_record(**arguments)


def confirmed(world, archive, grants, amount="9120.00", channel="sms"):
    recovery = record(world, archive, grants, amount)
    return recovery_confirm(actor=world.wuhu.county_reviewer_2, recovery=recovery, channel=channel)


# --- The books --------------------------------------------------------------------------


def post(
    actor,
    account: FundAccount,
    kind: str,
    day: datetime.date,
    amount: str,
    source: str,
    *,
    year: int | None = None,
    item: str = "",
    description: str = "",
    reference: str = "",
    counterpart: str = "芜湖市财政局",
    **links,
) -> Entry:
    with transaction.atomic():
        return post_entry(
            actor=actor,
            account=lock_account(account),
            kind=kind,
            entry_date=day,
            year=year or day.year,
            amount=D(amount),
            source=source,
            item=item,
            counterpart=counterpart,
            reference=reference or f"记-{next(_serial):04d}",
            description=description or f"{Entry.Kind(kind).label} {amount}",
            **links,
        )


def receipt(actor, account, day, amount, source, *, due, year=None) -> Receipt:
    return save_tracked(
        Receipt(
            account=account,
            received_on=day,
            year=year or day.year,
            source=source,
            amount=D(amount),
            counterpart="安徽省总工会",
            document_number=f"皖工财〔{day.year}〕{next(_serial)}号",
            document_title="关于下达困难职工帮扶资金的通知",
            allocation_due=due,
            recorded_by=actor,
        ),
        actor=actor,
        reason="测试：资金到账",
    )


def transfer(
    actor, from_account, to_account, day, amount, source, *, receipt=None, item=""
) -> Transfer:
    """A transfer down the tree with its two entries (out of one account, into the other)."""
    t = save_tracked(
        Transfer(
            from_account=from_account,
            to_account=to_account,
            receipt=receipt,
            transfer_date=day,
            year=day.year,
            source=source,
            item=item,
            amount=D(amount),
            reference=f"拨-{next(_serial):04d}",
            recorded_by=actor,
        ),
        actor=actor,
        reason="测试：下拨",
    )
    post(actor, from_account, K.TRANSFER_OUT, day, f"-{amount}", source, transfer=t, item=item)
    post(actor, to_account, K.TRANSFER_IN, day, amount, source, transfer=t, item=item)
    return t


def paid_line(
    archive,
    account: FundAccount,
    actor,
    *,
    amount: str,
    item: str,
    source: str,
    year: int = 2026,
    category: str | None = None,
    status: str = Grant.Status.PAID,
    recorded_at: datetime.datetime | None = None,
    entry_due: datetime.date | None = None,
    pk: int | None = None,
) -> PaymentLine:
    """A grant of the archive, paid (or not) through a batch of its own: the line a
    payment entry points at. `pk`: the key of all three (default: the next)."""
    grant = save_tracked(
        Grant(
            pk=pk,
            archive=archive,
            account=account,
            organisation=archive.organisation,
            county=archive.county,
            city=archive.city,
            year=year,
            item=item,
            source=source,
            category=category or archive.category,
            standard_amount=D(amount),
            amount=D(amount),
            basis="测试：按标准发放",
            inputs={"test": True},
            proposed_by=actor,
            status=status,
        ),
        actor=actor,
        reason="测试：帮扶项目",
    )
    batch = save_tracked(
        PaymentBatch(pk=pk, account=account, number=f"PB{next(_serial):06d}", created_by=actor),
        actor=actor,
        reason="测试：发放批次",
    )
    paid = status == Grant.Status.PAID
    return save_tracked(
        PaymentLine(
            pk=pk,
            batch=batch,
            grant=grant,
            payee_name=archive.person_name,
            bank_name="中国工商银行",
            card_cipher=encrypt("6222021234567890123"),
            card_masked=mask_card("6222021234567890123"),
            amount=D(amount),
            status=PaymentLine.Status.PAID if paid else PaymentLine.Status.PENDING,
            paid_on=recorded_at.date() if paid and recorded_at else None,
            entry_due=entry_due,
            result_recorded_at=recorded_at,
            result_recorded_by=actor if recorded_at else None,
        ),
        actor=actor,
        reason="测试：发放明细",
    )


@dataclass
class Book:
    account: FundAccount
    entries: dict[str, Entry]


def build_book(accounts, world_finance, archive) -> Book:
    """County A's 2026: two receipts, a return, a receipt reversed, a transfer in, a
    payment; and entries of the city, of county B and of 2025 that its book leaves out."""
    fin = world_finance.county_a
    a = accounts.county_a
    e = {}
    post(
        world_finance.city,
        accounts.city,
        K.RECEIPT,
        datetime.date(2026, 1, 5),
        "900000.00",
        "central",
    )
    e["central"] = post(
        fin, a, K.RECEIPT, datetime.date(2026, 1, 10), "100000.00", Source.CENTRAL,
        reference="皖财社〔2026〕1号", description="中央财政专项帮扶资金",
    )  # fmt: skip
    e["union"] = post(fin, a, K.RECEIPT, datetime.date(2026, 1, 20), "20000.00", Source.UNION)
    e["return"] = post(fin, a, K.RETURN, datetime.date(2026, 2, 5), "-5000.00", Source.CENTRAL)
    e["donation"] = post(fin, a, K.RECEIPT, datetime.date(2026, 2, 10), "1000.00", Source.DONATION)
    e["reversal"] = post(
        fin, a, K.REVERSAL, datetime.date(2026, 2, 11), "-1000.00", Source.DONATION,
        reverses=e["donation"], description="冲销 捐赠误记",
    )  # fmt: skip
    # The city's provincial money, passed down to county A: one transfer, both accounts.
    post(
        world_finance.city, accounts.city, K.RECEIPT, datetime.date(2026, 2, 20), "50000.00",
        Source.PROVINCIAL,
    )  # fmt: skip
    passed = transfer(
        world_finance.city, accounts.city, a, datetime.date(2026, 3, 1), "50000.00",
        Source.PROVINCIAL, item=Item.LIVING,
    )  # fmt: skip
    e["transfer_in"] = passed.entries.get(kind=K.TRANSFER_IN)
    line = paid_line(archive, a, fin, amount="3000.00", item=Item.LIVING, source=Source.CENTRAL)
    e["payment"] = post(
        fin, a, K.PAYMENT, datetime.date(2026, 3, 15), "-3000.00", Source.CENTRAL,
        item=Item.LIVING, payment_line=line, counterpart=archive.person_name,
    )  # fmt: skip
    post(
        world_finance.county_b,
        accounts.county_b,
        K.RECEIPT,
        datetime.date(2026, 1, 6),
        "7777.00",
        "local",
    )
    post(fin, a, K.RECEIPT, datetime.date(2025, 12, 1), "555.00", Source.LOCAL)
    return Book(account=a, entries=e)


RUNNING = [
    D("100000.00"),
    D("120000.00"),
    D("115000.00"),
    D("116000.00"),
    D("115000.00"),
    D("165000.00"),
    D("162000.00"),
]


# --- The ledger's own guards ------------------------------------------------------------


def _refused_by_database(sql: str, params: list) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert(entry: Entry, **changes) -> tuple[str, list]:
    """A raw INSERT of a copy of `entry` with `changes`: what a script or a DBA could do."""
    now = timezone.now()
    values = {
        "created_at": now,
        "updated_at": now,
        "account_id": entry.account_id,
        "county_id": entry.county_id,
        "city_id": entry.city_id,
        "kind": entry.kind,
        "entry_date": entry.entry_date,
        "year": entry.year,
        "amount": entry.amount,
        "source": entry.source,
        "fund_category": entry.fund_category,
        "item": entry.item,
        "counterpart": entry.counterpart,
        "reference": entry.reference,
        "description": entry.description,
        "created_by_id": entry.created_by_id,
        **changes,
    }
    columns = ", ".join(connection.ops.quote_name(name) for name in values)
    marks = ", ".join(["%s"] * len(values))
    table = connection.ops.quote_name(Entry._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values())
