"""The yearly performance evaluation (绩效评价, WH-F §13–§15, TA-F §13): how much came in,
how quickly the city passed it down, how much reached households, and how quickly.

Everything is read from the records, per budget year, in the user's scope (or one account):

- received: receipt entries (资金到账), net of their reversals, by source;
- allocated: transfers out of the city's account (下拨), and their timeliness — made on or
  before the receipt's `allocation_due` (20 working days, WH-F §12);
- spent: assistance payments (帮扶支出), net of reversals, by source and by item;
- execution rate: spent ÷ (received + transferred in), per account and in total. For the
  total, a transfer between two accounts of the scope is money already counted as received
  (the city's receipt), so only transfers in from outside the scope are added;
- households helped: distinct archives with a paid grant of the year, by the grant's category;
- entered on time: paid payment lines whose bank result was recorded (date, Beijing time) on
  or before the line's `entry_due` (30 working days, WH-F §9, TA-F §5).

Percentages have one decimal, rounded half-up; a rate over nothing is shown as "—" (None).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from archives.models import Archive
from core.money import yuan
from funds.models import (
    SPEND_IN_BUDGET_YEAR,
    Entry,
    FundAccount,
    Grant,
    Item,
    PaymentLine,
    Source,
    Transfer,
)
from funds.selectors.ledgers import ledger_accounts_for_user

ZERO = Decimal("0.00")
TENTH = Decimal("0.1")
NO_ITEM = "（未分项目）"
K = Entry.Kind


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal, half-up; None when `whole` is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Share:
    count: int
    total: int

    @property
    def rate(self) -> Decimal | None:
        return percent(self.count, self.total)


@dataclass(frozen=True)
class SourceLine:
    source: str
    label: str
    received: Decimal
    allocated: Decimal
    spent: Decimal
    balance: Decimal

    @property
    def spend_in_year(self) -> bool:
        """Central and provincial money may not be carried over (WH-F §13, TA-F §10)."""
        return self.source in SPEND_IN_BUDGET_YEAR


@dataclass(frozen=True)
class ItemLine:
    label: str
    spent: Decimal


@dataclass(frozen=True)
class Execution:
    name: str
    received: Decimal
    transferred_in: Decimal
    spent: Decimal

    @property
    def available(self) -> Decimal:
        return self.received + self.transferred_in

    @property
    def rate(self) -> Decimal | None:
        return percent(self.spent, self.available)


@dataclass(frozen=True)
class CategoryLine:
    label: str
    households: int


@dataclass(frozen=True)
class Performance:
    year: int
    account: FundAccount | None
    accounts: list[FundAccount]
    sources: list[SourceLine]
    items: list[ItemLine]
    execution: list[Execution]
    total: Execution
    allocation: Share  # transfers linked to a receipt, made by its allocation_due
    transfers_unlinked: int  # transfers without a receipt: their timeliness is unknown
    categories: list[CategoryLine]
    households: int
    entered: Share

    def sum_of(self, attribute: str) -> Decimal:
        return sum((getattr(line, attribute) for line in self.sources), ZERO)

    @property
    def received(self) -> Decimal:
        return self.sum_of("received")

    @property
    def allocated(self) -> Decimal:
        return self.sum_of("allocated")

    @property
    def spent(self) -> Decimal:
        return self.sum_of("spent")

    @property
    def balance(self) -> Decimal:
        return self.sum_of("balance")


def _entry_sums(entries: QuerySet[Entry]) -> list[dict]:
    """Net amounts per account, kind (a reversal counts as the kind it reverses), source,
    item and, for transfers, the account the money came from. One query."""
    rows = list(
        entries.order_by()
        .annotate(book_kind=Coalesce("reverses__kind", "kind"))
        .values("account_id", "book_kind", "source", "item", "transfer__from_account_id")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        row["total"] = yuan(row["total"])  # SQLite sums are not rounded; PostgreSQL's exact
    return rows


def _transfers(accounts: list[FundAccount], year: int) -> list[dict]:
    """Transfers out of a city's account touching the accounts, per source. One query."""
    ids = [account.pk for account in accounts]
    timely = Q(receipt__isnull=False, transfer_date__lte=F("receipt__allocation_due"))
    return list(
        Transfer.objects.filter(year=year, from_account__county__isnull=True)
        .filter(Q(from_account_id__in=ids) | Q(to_account_id__in=ids))
        .exclude(to_account_id=F("from_account_id"))
        .order_by()
        .values("source")
        .annotate(
            amount=Sum("amount"),
            linked=Count("id", filter=Q(receipt__isnull=False)),
            timely=Count("id", filter=timely),
            unlinked=Count("id", filter=Q(receipt__isnull=True)),
        )
    )


def performance_report(user, *, year: int, account: FundAccount | None = None) -> Performance:
    """The year's evaluation for the user's scope, or for one account in it."""
    scoped = list(ledger_accounts_for_user(user))
    if account is not None and account.pk not in {a.pk for a in scoped}:
        raise PermissionDenied("只能查看本级及下级工会帮扶资金专户的绩效。")
    accounts = [account] if account is not None else scoped
    ids = {a.pk for a in accounts}
    entries = Entry.objects.filter(year=year, account_id__in=ids)
    sums = _entry_sums(entries)

    def net(kind: str, **match) -> dict:
        out: dict = {}
        for row in sums:
            if row["book_kind"] == kind and all(row[k] == v for k, v in match.items()):
                out[row["source"]] = out.get(row["source"], ZERO) + row["total"]
        return out

    received = net(K.RECEIPT)
    spent = {source: -amount for source, amount in net(K.PAYMENT).items()}
    balances: dict[str, Decimal] = {}
    for row in sums:
        balances[row["source"]] = balances.get(row["source"], ZERO) + row["total"]
    transfers = _transfers(accounts, year)
    allocated = {row["source"]: yuan(row["amount"]) for row in transfers}
    used = set(received) | set(spent) | set(allocated) | {s for s, b in balances.items() if b}
    sources = [
        SourceLine(
            source=value,
            label=label,
            received=received.get(value, ZERO),
            allocated=allocated.get(value, ZERO),
            spent=spent.get(value, ZERO),
            balance=balances.get(value, ZERO),
        )
        for value, label in Source.choices
        if value in used
    ]

    by_item: dict[str, Decimal] = {}
    for row in sums:
        if row["book_kind"] == K.PAYMENT:
            by_item[row["item"]] = by_item.get(row["item"], ZERO) - row["total"]
    item_labels = dict(Item.choices)
    items = [
        ItemLine(item_labels.get(key, key or NO_ITEM), by_item[key])
        for key in [*Item.values, ""]
        if by_item.get(key)
    ]

    execution = []
    for a in accounts:
        mine = [row for row in sums if row["account_id"] == a.pk]
        execution.append(
            Execution(
                name=a.name,
                received=sum((r["total"] for r in mine if r["book_kind"] == K.RECEIPT), ZERO),
                transferred_in=sum(
                    (r["total"] for r in mine if r["book_kind"] == K.TRANSFER_IN), ZERO
                ),
                spent=-sum((r["total"] for r in mine if r["book_kind"] == K.PAYMENT), ZERO),
            )
        )
    from_outside = sum(
        (
            row["total"]
            for row in sums
            if row["book_kind"] == K.TRANSFER_IN and row["transfer__from_account_id"] not in ids
        ),
        ZERO,
    )
    total = Execution(
        name="合计",
        received=sum((e.received for e in execution), ZERO),
        transferred_in=from_outside,
        spent=sum((e.spent for e in execution), ZERO),
    )

    grants = Grant.objects.filter(year=year, status=Grant.Status.PAID, account_id__in=ids)
    per_category = dict(
        grants.order_by().values_list("category").annotate(n=Count("archive_id", distinct=True))
    )
    category_labels = dict(Archive._meta.get_field("category").choices)
    categories = [
        CategoryLine(category_labels.get(key, key), per_category[key])
        for key in [*category_labels, *sorted(set(per_category) - set(category_labels))]
        if per_category.get(key)
    ]
    households = grants.aggregate(n=Count("archive_id", distinct=True))["n"]

    lines = PaymentLine.objects.filter(
        batch__account_id__in=ids,
        grant__year=year,
        status=PaymentLine.Status.PAID,
        entry_due__isnull=False,
    )
    entered = lines.aggregate(
        total=Count("id"),
        on_time=Count("id", filter=Q(result_recorded_at__date__lte=F("entry_due"))),
    )

    return Performance(
        year=year,
        account=account,
        accounts=accounts,
        sources=sources,
        items=items,
        execution=execution,
        total=total,
        allocation=Share(
            sum(row["timely"] for row in transfers), sum(row["linked"] for row in transfers)
        ),
        transfers_unlinked=sum(row["unlinked"] for row in transfers),
        categories=categories,
        households=households,
        entered=Share(entered["on_time"], entered["total"]),
    )
