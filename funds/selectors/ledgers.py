"""The books of the special account (WH-F §10, TA-F §6): general ledger (总账), detail
ledger (明细账) and the auxiliary books by item, fund category and source (辅助台账).

A book covers one budget year of one account, or of every account in the user's scope (a
city). The budget year is kept apart from every other year (each entry carries its year,
and the database keeps each year's source balance apart), so a year's book opens at zero.

Which column an entry stands in is decided by what it is, not only by its sign: money in
(到账, 上级下拨) is income (收入, 借方), money out (下拨, 帮扶支出, 上缴) is expenditure (支出, 贷方).
A reversal (红字冲销) stands in the column of the entry it reverses, as a negative amount:
a reversed receipt lowers the income, it is not an expenditure. Income minus expenditure is
always the sum of the entries, i.e. the balance.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Window
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.roles import Level
from accounts.selectors import scope_queryset
from core.money import yuan
from funds.access import accounts_in_scope
from funds.models import Entry, ExportJob, FundAccount, FundCategory, Item, Source

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)
LEDGER_EXPORT = "ledger"  # ExportJob.kind of a year's books
NO_ITEM = "（未分项目）"

BOOKS = {
    "general": "总账",
    "detail": "明细账",
    "item": "项目辅助账",
    "category": "资金类别辅助账",
    "source": "资金来源辅助账",
}
# The auxiliary books: the entry's field and the labels of its values, in their order.
GROUP_FIELDS = {
    "item": ("item", [("", NO_ITEM), *Item.choices]),
    "category": ("fund_category", FundCategory.choices),
    "source": ("source", Source.choices),
}
GROUP_HEADERS = {"item": "项目", "category": "资金类别", "source": "资金来源"}

KIND_LABELS = dict(Entry.Kind.choices)
SOURCE_LABELS = dict(Source.choices)
CATEGORY_LABELS = dict(FundCategory.choices)
ITEM_LABELS = dict(Item.choices)

# The income side (收入): money in, and the reversal of money in (a negative amount).
INCOME_SIDE = (Q(amount__gt=0) & ~Q(kind=Entry.Kind.REVERSAL)) | (
    Q(amount__lt=0) & Q(kind=Entry.Kind.REVERSAL)
)


def is_income(kind: str, amount: Decimal) -> bool:
    """The Python twin of `INCOME_SIDE`: a reversal stands on the side of what it reverses."""
    return amount < 0 if kind == Entry.Kind.REVERSAL else amount > 0


@dataclass(frozen=True)
class Totals:
    income: Decimal
    outgo: Decimal

    @property
    def balance(self) -> Decimal:
        return self.income - self.outgo


@dataclass(frozen=True)
class MonthLine:
    month: datetime.date
    opening: Decimal
    income: Decimal
    outgo: Decimal
    closing: Decimal

    @property
    def label(self) -> str:
        return f"{self.month:%Y年%m月}"


@dataclass(frozen=True)
class GeneralLedger:
    months: list[MonthLine]
    totals: Totals
    opening: Decimal = ZERO


@dataclass(frozen=True)
class GroupLine:
    key: str
    label: str
    income: Decimal
    outgo: Decimal

    @property
    def balance(self) -> Decimal:
        return self.income - self.outgo


@dataclass(frozen=True)
class GroupBook:
    book: str
    title: str
    header: str
    lines: list[GroupLine]
    totals: Totals


# --- What a book covers ------------------------------------------------------------------


def ledger_accounts_for_user(user) -> QuerySet[FundAccount]:
    return accounts_in_scope(user).order_by("organisation__level", "organisation__code")


def entries_in_scope(user) -> QuerySet[Entry]:
    """The entries of the accounts the user may see, filtered on the entry's own indexed
    city or county (a book of a city's year reads one index range); none for a user whose
    level has no accounts."""
    return scope_queryset(Entry.objects.all(), user)


def ledger_years_for_user(user) -> list[int]:
    """The budget years with entries in the user's scope, and this year, newest first."""
    years = set(entries_in_scope(user).order_by().values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def ledger_entries(user, *, year: int, account: FundAccount | None = None) -> QuerySet[Entry]:
    """The entries of a budget year in the user's scope; of one account if given.

    The book of all the city's accounts is consolidated (合并): money the city passed down
    to its counties is internal to it, so both sides of those transfers are left out; the
    city's receipts are counted once, as in the performance report.
    """
    entries = entries_in_scope(user).filter(year=year)
    if account is not None:
        return entries.filter(account=account)
    if user.organisation.level == Level.CITY:
        entries = entries.exclude(kind__in=(Entry.Kind.TRANSFER_IN, Entry.Kind.TRANSFER_OUT))
    return entries


def export_jobs_for(user, *, year: int, account: FundAccount | None, limit: int = 5):
    """The latest background exports of this book the user may download (funds.access)."""
    jobs = ExportJob.objects.filter(kind=LEDGER_EXPORT, params__year=year).select_related(
        "requested_by"
    )
    if account is None:
        jobs = jobs.filter(params__account=None, organisation_id=user.organisation_id)
    else:
        jobs = jobs.filter(params__account=account.pk)
    return list(jobs.order_by("-created_at", "-id")[:limit])


# --- The books ---------------------------------------------------------------------------


def _sums() -> dict:
    return {
        "income": Sum("amount", filter=INCOME_SIDE, default=ZERO),
        "total": Sum("amount", default=ZERO),
    }


def _totals(income: Decimal, total: Decimal) -> Totals:
    # yuan(): SQLite returns sums unrounded (15 significant digits); PostgreSQL exact.
    return Totals(income=yuan(income), outgo=yuan(income) - yuan(total))


def ledger_totals(entries: QuerySet[Entry]) -> Totals:
    sums = entries.order_by().aggregate(**_sums())
    return _totals(sums["income"], sums["total"])


def general_ledger(entries: QuerySet[Entry]) -> GeneralLedger:
    """总账: per calendar month of the entry date, opening, income, expenditure, closing."""
    rows = (
        entries.order_by()
        .annotate(month=TruncMonth("entry_date"))
        .values("month")
        .annotate(**_sums())
        .order_by("month")
    )
    months = []
    running = ZERO
    income = ZERO
    total = ZERO
    for row in rows:
        month = _totals(row["income"], row["total"])
        months.append(
            MonthLine(
                month=row["month"],
                opening=running,
                income=month.income,
                outgo=month.outgo,
                closing=running + month.balance,
            )
        )
        running += month.balance
        income += month.income
        total += month.balance
    return GeneralLedger(months=months, totals=_totals(income, total))


def group_book(entries: QuerySet[Entry], book: str) -> GroupBook:
    """An auxiliary book: income, expenditure and balance per item, fund category or source."""
    field, choices = GROUP_FIELDS[book]
    sums = {
        row[field]: _totals(row["income"], row["total"])
        for row in entries.order_by().values(field).annotate(**_sums())
    }
    labels = dict(choices)
    order = [key for key, _ in choices if key in sums] + sorted(set(sums) - set(labels))
    lines = [
        GroupLine(key, labels.get(key, key), sums[key].income, sums[key].outgo) for key in order
    ]
    totals = Totals(
        income=sum((line.income for line in lines), ZERO),
        outgo=sum((line.outgo for line in lines), ZERO),
    )
    return GroupBook(book, BOOKS[book], GROUP_HEADERS[book], lines, totals)


def detail_lines(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    """明细账 for the screen: each entry with its income, expenditure and running balance.

    The running balance is a window over the whole year (SUM() OVER (ORDER BY date, id)),
    computed by the database before a page is cut, so page 40 shows the right balance.
    """
    order = [F("entry_date").asc(), F("id").asc()]
    return (
        entries.select_related("account")
        .annotate(running=Window(Sum("amount"), order_by=order, output_field=MONEY))
        .order_by("entry_date", "id")
    )


def with_sides(page) -> list[tuple[Entry, Decimal | None, Decimal | None]]:
    """The entries of a page with their income and expenditure columns."""
    for entry in page:
        entry.running = yuan(entry.running)
    return [
        (
            entry,
            *(
                (entry.amount, None)
                if is_income(entry.kind, entry.amount)
                else (None, -entry.amount)
            ),
        )
        for entry in page
    ]


DETAIL_FIELDS = (
    "entry_date",
    "reference",
    "description",
    "kind",
    "source",
    "fund_category",
    "item",
    "counterpart",
    "amount",
    "account_id",
)


def detail_rows(
    entries: QuerySet[Entry], *, account_names: dict[int, str] | None = None
) -> Iterator[tuple]:
    """明细账 for export: one tuple per entry in date order with its running balance.

    Streams (a server-side cursor on PostgreSQL, 2,000 rows at a time) and keeps only the
    running balance: memory does not grow with the year. With `account_names`, each row
    begins with its account's name (a book of several accounts).
    """
    running = ZERO
    rows = (
        entries.order_by("entry_date", "id").values_list(*DETAIL_FIELDS).iterator(chunk_size=2000)
    )
    for (
        date,
        reference,
        description,
        kind,
        source,
        category,
        item,
        counterpart,
        amount,
        acc,
    ) in rows:
        running += amount
        if is_income(kind, amount):
            income, outgo = amount, None
        else:
            income, outgo = None, -amount
        row = (
            date,
            reference,
            description,
            KIND_LABELS.get(kind, kind),
            SOURCE_LABELS.get(source, source),
            CATEGORY_LABELS.get(category, category),
            ITEM_LABELS.get(item, item),
            counterpart,
            income,
            outgo,
            running,
        )
        yield (account_names[acc], *row) if account_names is not None else row
