"""Reads of the special accounts: balances by year and source, the entries, the receipts
and their allocation deadline, allocation plans, budget requests, and the year-end rules.

Every balance is a sum of entries computed by the database (one GROUP BY), never a stored
counter (WH-F §10, TA-F §6).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.roles import Level
from assistance.models import Policy
from assistance.selectors import PolicyNotFound, policy_in_force
from core.workdays import WorkdayResult, holiday_published_years, span_note, working_days_since
from funds.access import accounts_in_scope
from funds.models import (
    SPEND_IN_BUDGET_YEAR,
    AllocationPlan,
    BudgetRequest,
    Entry,
    FundAccount,
    Receipt,
    Source,
    Transfer,
)
from funds.rules import REVERSIBLE_KINDS

ZERO = Decimal("0.00")
K = Entry.Kind
SOURCE_ORDER = {value: index for index, value in enumerate(Source.values)}

# The columns of the balance table: each is the sum of one kind of entry. Money out is
# shown as a positive amount; a reversal keeps its sign (冲销 of a receipt is negative).
FLOW_COLUMNS = (
    ("received", K.RECEIPT, "到账"),
    ("transferred_in", K.TRANSFER_IN, "上级下拨"),
    ("transferred_out", K.TRANSFER_OUT, "下拨"),
    ("paid", K.PAYMENT, "帮扶支出"),
    ("returned", K.RETURN, "上缴（退回）"),
    ("reversed", K.REVERSAL, "冲销"),
    ("recovered", K.RECOVERED, "追回"),
)
OUTFLOWS = frozenset({"transferred_out", "paid", "returned"})

# WH-F §13, TA-F §10.
NO_CARRY_OVER = "须在预算年度内使用，不得结转"
LOCAL_APPROVAL = "按地方财政批复执行"
WARNING_FROM_MONTH = 11

# WH-F §8: what the special account may never pay.
FORBIDDEN_USES = (
    "帮扶中心工作人员工资或办公经费",
    "各种奖金、津贴和福利补助",
    "购买车辆、手机等交通工具及通讯设备",
    "帮扶中心基本建设投资",
    "其他与困难职工群体帮扶无关的支出",
)


def _money(expression) -> Coalesce:
    return Coalesce(
        expression, Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
    )


# --- Balances ----------------------------------------------------------------------------


@dataclass
class BalanceRow:
    year: int
    source: str
    received: Decimal = ZERO
    transferred_in: Decimal = ZERO
    transferred_out: Decimal = ZERO
    paid: Decimal = ZERO
    returned: Decimal = ZERO
    reversed: Decimal = ZERO
    recovered: Decimal = ZERO
    balance: Decimal = ZERO

    @property
    def source_label(self) -> str:
        return Source(self.source).label if self.source else "合计"

    @property
    def spend_in_year(self) -> bool:
        return self.source in SPEND_IN_BUDGET_YEAR

    def add(self, other: "BalanceRow") -> None:
        for name in (*(column for column, _, _ in FLOW_COLUMNS), "balance"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class AccountBalances:
    account: FundAccount
    rows: list[BalanceRow] = field(default_factory=list)

    @property
    def total(self) -> BalanceRow:
        total = BalanceRow(year=0, source="")
        for row in self.rows:
            total.add(row)
        return total


def account_list_for_user(user) -> QuerySet[FundAccount]:
    return accounts_in_scope(user).order_by("organisation__level", "organisation__code")


def balance_rows(
    accounts: Iterable[FundAccount], *, year: int | None = None
) -> dict[int, list[BalanceRow]]:
    """Per account: one row per budget year and source with each kind's sum (one query)."""
    ids = [account.pk for account in accounts]
    entries = Entry.objects.filter(account_id__in=ids)
    if year is not None:
        entries = entries.filter(year=year)
    sums = {name: _money(Sum("amount", filter=Q(kind=kind))) for name, kind, _ in FLOW_COLUMNS}
    grouped = (
        entries.order_by()
        .values("account_id", "year", "source")
        .annotate(**sums, balance=_money(Sum("amount")))
    )
    result: dict[int, list[BalanceRow]] = defaultdict(list)
    for values in grouped:
        row = BalanceRow(year=values["year"], source=values["source"], balance=values["balance"])
        for name, _, _ in FLOW_COLUMNS:
            amount = values[name]
            setattr(row, name, -amount if name in OUTFLOWS else amount)
        result[values["account_id"]].append(row)
    for rows in result.values():
        rows.sort(key=lambda row: (-row.year, SOURCE_ORDER.get(row.source, 99)))
    return result


def accounts_with_balances(user, *, year: int | None) -> list[AccountBalances]:
    accounts = list(account_list_for_user(user))
    rows = balance_rows(accounts, year=year)
    return [AccountBalances(account, rows.get(account.pk, [])) for account in accounts]


def entry_years(accounts: Iterable[FundAccount]) -> list[int]:
    ids = [account.pk for account in accounts]
    years = Entry.objects.filter(account_id__in=ids).order_by().values_list("year", flat=True)
    return sorted(set(years.distinct()), reverse=True)


# --- Entries -----------------------------------------------------------------------------


def entry_list_for_account(
    account: FundAccount,
    *,
    year: int | None = None,
    source: str = "",
    item: str = "",
    kind: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    text: str = "",
) -> QuerySet[Entry]:
    """The account's entries, newest first, each with the entry that reversed it if any."""
    entries = Entry.objects.filter(account=account).select_related(
        "reversed_by", "reverses", "created_by"
    )
    if year is not None:
        entries = entries.filter(year=year)
    if source:
        entries = entries.filter(source=source)
    if item == "-":
        entries = entries.filter(item="")
    elif item:
        entries = entries.filter(item=item)
    if kind:
        entries = entries.filter(kind=kind)
    if date_from is not None:
        entries = entries.filter(entry_date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(entry_date__lte=date_to)
    if text:
        entries = entries.filter(
            Q(counterpart__icontains=text)
            | Q(reference__icontains=text)
            | Q(description__icontains=text)
        )
    return entries.order_by("-entry_date", "-id")


def entry_reversible(entry: Entry) -> bool:
    """Whether a 冲销 may be offered for this entry (funds.services.ledger.entry_reverse
    decides, on the same rule): receipts and returns; transfers and payments are undone by their own business."""
    return entry.kind in REVERSIBLE_KINDS and not hasattr(entry, "reversed_by")


# --- Receipts and their allocation deadline (WH-F §12) ------------------------------------


def _allocated_subquery():
    return (
        Transfer.objects.filter(receipt=OuterRef("pk"))
        .order_by()
        .values("receipt")
        .annotate(total=Sum("amount"))
        .values("total")
    )


def receipts_annotated(receipts: QuerySet[Receipt]) -> QuerySet[Receipt]:
    """Each receipt with what was passed down from it, whether any of it late, and whether
    its entry was reversed (a reversed receipt counts as nothing received)."""
    return receipts.annotate(
        allocated=_money(Subquery(_allocated_subquery())),
        late_transfer=Exists(
            Transfer.objects.filter(
                receipt=OuterRef("pk"), transfer_date__gt=OuterRef("allocation_due")
            )
        ),
        reversed=Exists(Entry.objects.filter(kind=K.REVERSAL, reverses__receipt=OuterRef("pk"))),
    )


def receipt_remaining(receipt: Receipt) -> Decimal:
    """What of a receipt has not been passed down yet (under the caller's lock)."""
    row = receipts_annotated(Receipt.objects.filter(pk=receipt.pk)).values(
        "amount", "allocated", "reversed"
    )[0]
    received = ZERO if row["reversed"] else row["amount"]
    return received - row["allocated"]


def receipt_list_for_account(account: FundAccount, *, year: int | None = None):
    receipts = Receipt.objects.filter(account=account).select_related("recorded_by")
    if year is not None:
        receipts = receipts.filter(year=year)
    return receipts_annotated(receipts).order_by("-received_on", "-id")


class AllocationStatus:
    ON_TIME = "按时下达"
    LATE = "逾期下达"
    PENDING = "未下达"
    OVERDUE = "逾期未下达"
    REVERSED = "已冲销"


@dataclass(frozen=True)
class ReceiptRow:
    receipt: Receipt
    received: Decimal
    allocated: Decimal
    remaining: Decimal
    status: str
    working_days_left: int | None
    due_note: str

    @property
    def overdue(self) -> bool:
        return self.status == AllocationStatus.OVERDUE


def allocation_due_note(receipt: Receipt, published: set[int] | None = None) -> str:
    """The fallback note when the deadline was counted over a year whose official holidays
    are not entered (Monday–Friday assumed), else ""."""
    return span_note(receipt.received_on, receipt.allocation_due, published)


def receipt_rows(receipts: Iterable[Receipt], today: datetime.date) -> list[ReceiptRow]:
    """Allocation status of a page of annotated receipts (`receipt_list_for_account`).

    On time (按时下达): every transfer from the receipt was made by its deadline and nothing
    remains. Late (逾期下达): all passed down, some after the deadline. Pending (未下达):
    money remains and the deadline has not passed; overdue (逾期未下达) once it has.
    One read of the holiday calendar for the whole page.
    """
    receipts = list(receipts)
    open_dues = {r.allocation_due for r in receipts if r.allocation_due >= today}
    counts: dict[datetime.date, WorkdayResult[int]] = {}
    if open_dues:
        counts = working_days_since({today, *open_dues}, max(open_dues))
    published = set(holiday_published_years()) if receipts else set()
    rows = []
    for receipt in receipts:
        received = ZERO if receipt.reversed else receipt.amount
        remaining = received - receipt.allocated
        left = None
        if receipt.reversed:
            status = AllocationStatus.REVERSED
        elif remaining <= 0:
            status = AllocationStatus.LATE if receipt.late_transfer else AllocationStatus.ON_TIME
        elif today > receipt.allocation_due:
            status = AllocationStatus.OVERDUE
        else:
            status = AllocationStatus.PENDING
            left = counts[today].value - counts[receipt.allocation_due].value
        note = allocation_due_note(receipt, published)
        rows.append(ReceiptRow(receipt, received, receipt.allocated, remaining, status, left, note))
    return rows


def receipts_with_remaining(account: FundAccount) -> list[Receipt]:
    """The account's receipts with money not yet passed down (choices of a plan's lines)."""
    receipts = receipts_annotated(Receipt.objects.filter(account=account)).order_by(
        "-received_on", "-id"
    )
    result = []
    for receipt in receipts:
        receipt.remaining = (ZERO if receipt.reversed else receipt.amount) - receipt.allocated
        if receipt.remaining > 0:
            result.append(receipt)
    return result


def county_accounts_of(account: FundAccount) -> QuerySet[FundAccount]:
    """The county accounts of a city account's city (where a plan may pass money)."""
    return (
        FundAccount.objects.filter(city_id=account.city_id, organisation__level=Level.COUNTY)
        .select_related("organisation")
        .order_by("organisation__code")
    )


def items_funded(account: FundAccount, on: datetime.date) -> list[str]:
    """The items the policy in force for the account's region funds (TA-A §14 for Tai'an)."""
    return items_funded_in(account.organisation.region, on)


def items_funded_in(region: str, on: datetime.date) -> list[str]:
    """The items the policy in force in `region` on `on` funds; every item without one."""
    try:
        policy = policy_in_force(region=region, on=on)
    except PolicyNotFound:
        return list(Policy.Item.values)
    return list(policy.items_funded)


# --- Allocation plans ---------------------------------------------------------------------


def plan_list_for_account(account: FundAccount) -> QuerySet[AllocationPlan]:
    return (
        AllocationPlan.objects.filter(account=account)
        .select_related("recorded_by", "executed_by")
        .annotate(total=_money(Sum("lines__amount")))
        .order_by("-meeting_date", "-id")
    )


def plan_lines(plan: AllocationPlan):
    return plan.lines.select_related("receipt", "to_account__organisation", "transfer").order_by(
        "id"
    )


# --- Tai'an quarterly budget requests (TA-F §7) -------------------------------------------


def request_window(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """The last month of the quarter before the requested one: December of the year before
    for the first quarter, March, June and September for the others."""
    if quarter == 1:
        return datetime.date(year - 1, 12, 1), datetime.date(year - 1, 12, 31)
    month = 3 * (quarter - 1)
    last_day = 30 if month in (6, 9) else 31
    return datetime.date(year, month, 1), datetime.date(year, month, last_day)


def request_timing(request: BudgetRequest) -> str:
    if request.on_time:
        return "按时报送"
    start, _ = request_window(request.year, request.quarter)
    return "未按时：提前报送" if request.submitted_on < start else "逾期报送"


def request_items(request: BudgetRequest) -> list[tuple[str, str]]:
    """The request's amounts per item, labelled, in the order of the policy's items."""
    order = {item: index for index, item in enumerate(Policy.Item.values)}
    return [
        (Policy.Item(item).label if item in order else item, amount)
        for item, amount in sorted(request.items.items(), key=lambda kv: order.get(kv[0], 99))
    ]


def budget_request_list_for_user(user, *, year: int | None = None) -> QuerySet[BudgetRequest]:
    requests = BudgetRequest.objects.filter(account__in=accounts_in_scope(user)).select_related(
        "account__organisation", "recorded_by"
    )
    if year is not None:
        requests = requests.filter(year=year)
    return requests.order_by("account__organisation__code", "-year", "-quarter")


# --- Year-end rules (WH-F §13, TA-F §10) ---------------------------------------------------


@dataclass(frozen=True)
class YearEndWarning:
    account_id: int
    account_name: str
    year: int
    source: str
    amount: Decimal
    past: bool  # an earlier budget year: the money should already have been used

    @property
    def source_label(self) -> str:
        return Source(self.source).label

    @property
    def deadline(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)


def year_end_warnings(user, today: datetime.date) -> list[YearEndWarning]:
    """Central and provincial money of the current budget year not yet spent, from
    1 November (it must be used within the budget year, no carry-over: WH-F §13, TA-F §10),
    and such money left over from an earlier year at any time. One query."""
    years = Q(year__lt=today.year)
    if today.month >= WARNING_FROM_MONTH:
        years |= Q(year=today.year)
    rows = list(
        Entry.objects.filter(account__in=accounts_in_scope(user), source__in=SPEND_IN_BUDGET_YEAR)
        .filter(years)
        .order_by()
        .values("account_id", "account__name", "account__organisation__code", "year", "source")
        .annotate(amount=Sum("amount"))
        .filter(amount__gt=0)
    )
    warnings = [
        YearEndWarning(
            account_id=row["account_id"],
            account_name=row["account__name"],
            year=row["year"],
            source=row["source"],
            amount=row["amount"],
            past=row["year"] < today.year,
        )
        for row in rows
    ]
    codes = {row["account_id"]: row["account__organisation__code"] for row in rows}
    warnings.sort(key=lambda w: (w.year, codes[w.account_id], SOURCE_ORDER[w.source]))
    return warnings


@dataclass
class UnspentRow:
    account: FundAccount
    source: str
    received: Decimal
    transferred_in: Decimal
    transferred_out: Decimal
    paid: Decimal
    returned: Decimal
    # Money recovered from households (追回, WH-M §19) is back in the year's money.
    recovered: Decimal = ZERO

    @property
    def unspent(self) -> Decimal:
        return (
            self.received
            + self.transferred_in
            - self.transferred_out
            - self.paid
            - self.returned
            + self.recovered
        )

    @property
    def source_label(self) -> str:
        return Source(self.source).label

    @property
    def rule(self) -> str:
        if self.source in SPEND_IN_BUDGET_YEAR:
            return NO_CARRY_OVER
        if self.source == Source.LOCAL:
            return LOCAL_APPROVAL
        return ""


def _kind_or_its_reversal(kind: str) -> Q:
    """Entries of `kind`, and the reversals of such entries (netted into the same column)."""
    return Q(kind=kind) | Q(kind=K.REVERSAL, reverses__kind=kind)


def unspent_report(user, year: int) -> list[UnspentRow]:
    """Per account in scope and source: received + transferred in − transferred out − paid −
    returned = unspent, for one budget year; a reversal counts in the column of the entry
    it reverses. One query."""
    accounts = list(account_list_for_user(user))
    by_id = {account.pk: account for account in accounts}
    columns = {
        name: _money(Sum("amount", filter=_kind_or_its_reversal(kind)))
        for name, kind, _ in FLOW_COLUMNS
        if kind != K.REVERSAL
    }
    grouped = (
        Entry.objects.filter(account_id__in=list(by_id), year=year)
        .order_by()
        .values("account_id", "source")
        .annotate(**columns)
    )
    rows = [
        UnspentRow(
            account=by_id[values["account_id"]],
            source=values["source"],
            received=values["received"],
            transferred_in=values["transferred_in"],
            transferred_out=-values["transferred_out"],
            paid=-values["paid"],
            returned=-values["returned"],
            recovered=values["recovered"],
        )
        for values in grouped
    ]
    order = {account.pk: index for index, account in enumerate(accounts)}
    rows.sort(key=lambda row: (order[row.account.pk], SOURCE_ORDER[row.source]))
    return rows
