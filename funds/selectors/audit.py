"""What audit (经审, WH-F §15–§16, TA-F §11–§13) reads: every record of the special accounts
in scope with its history — who changed it, when, why, and which fields.

The history is django-simple-history's (every funds model is tracked): each row names its
user (`history_user`), time (`history_date`) and the service's reason
(`history_change_reason`); a change is diffed against the row before it.
"""

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from core import history
from core.history import HistoryChange
from core.money import yuan
from funds.models import Entry, FundAccount, Grant, PaymentBatch, PaymentLine
from funds.selectors.ledgers import INCOME_SIDE, ZERO, entries_in_scope

# Never shown: the card number's cipher (its masked form is), and bookkeeping timestamps.
HIDDEN_FIELDS = {"card_cipher", "created_at", "updated_at"}


def history_changes(records, subject) -> list[HistoryChange]:
    """History rows (oldest first) as changes, each diffed against the row before it."""
    return history.history_changes(records, subject, hidden=HIDDEN_FIELDS)


def _newest_first(changes: list[HistoryChange]) -> list[HistoryChange]:
    return sorted(changes, key=lambda change: (change.at, change.seq), reverse=True)


def entry_history(entry: Entry) -> list[HistoryChange]:
    records = entry.history.select_related("history_user").order_by("history_date", "history_id")
    return _newest_first(history_changes(records, lambda r: "记账分录"))


def account_history(account: FundAccount) -> list[HistoryChange]:
    records = account.history.select_related("history_user").order_by("history_date", "history_id")
    return _newest_first(history_changes(records, lambda r: "专户"))


def grant_history(grant: Grant) -> list[HistoryChange]:
    """The grant's changes and those of its payment lines."""
    records = grant.history.select_related("history_user").order_by("history_date", "history_id")
    changes = history_changes(records, lambda r: "帮扶项目")
    lines = PaymentLine.history.filter(grant_id=grant.pk).select_related("history_user")
    changes += history_changes(
        lines.order_by("history_date", "history_id"), lambda r: f"发放明细 {r.payee_name}"
    )
    return _newest_first(changes)


def batch_history(batch: PaymentBatch) -> list[HistoryChange]:
    """The batch's changes and those of its lines."""
    records = batch.history.select_related("history_user").order_by("history_date", "history_id")
    changes = history_changes(records, lambda r: "发放批次")
    lines = PaymentLine.history.filter(batch_id=batch.pk).select_related("history_user")
    changes += history_changes(
        lines.order_by("history_date", "history_id"), lambda r: f"发放明细 {r.payee_name}"
    )
    return _newest_first(changes)


def recent_changes(user, accounts: list[FundAccount], *, limit: int = 30) -> list[HistoryChange]:
    """The latest changes to entries, grants, batches and payment lines in scope (4 queries).

    Each is listed as recorded; a change's fields are on the record's own page."""
    ids = [account.pk for account in accounts]
    entry_ids = entries_in_scope(user).values("pk")
    kinds = [
        (
            Entry.history.filter(id__in=entry_ids),
            lambda r: f"记账分录 {r.entry_date} {r.reference}",
        ),
        (Grant.history.filter(account_id__in=ids), lambda r: f"帮扶项目 {r.amount} 元"),
        (PaymentBatch.history.filter(account_id__in=ids), lambda r: f"发放批次 {r.number or ''}"),
        (
            PaymentLine.history.filter(batch__account_id__in=ids),
            lambda r: f"发放明细 {r.payee_name} {r.amount} 元",
        ),
    ]
    changes = []
    for records, subject in kinds:
        latest = records.select_related("history_user").order_by("-history_date", "-history_id")
        latest = latest[:limit]
        for record in latest:
            changes.append(HistoryChange.of(record, subject(record)))
    return _newest_first(changes)[:limit]


def account_balances(accounts: list[FundAccount], year: int) -> dict[int, dict[str, Decimal]]:
    """Per account: the year's income, expenditure and balance (one query)."""
    rows = (
        Entry.objects.filter(account_id__in=[a.pk for a in accounts], year=year)
        .order_by()
        .values("account_id")
        .annotate(
            income=Sum("amount", filter=INCOME_SIDE, default=ZERO),
            total=Sum("amount", default=ZERO),
        )
    )
    result = {a.pk: {"income": ZERO, "outgo": ZERO, "balance": ZERO} for a in accounts}
    for row in rows:
        income, total = yuan(row["income"]), yuan(row["total"])
        result[row["account_id"]] = {"income": income, "outgo": income - total, "balance": total}
    return result


def grant_list_for_audit(
    accounts: list[FundAccount], *, year: int | None = None, status: str = ""
) -> QuerySet[Grant]:
    grants = Grant.objects.filter(account_id__in=[a.pk for a in accounts]).select_related(
        "archive", "account", "organisation"
    )
    if year is not None:
        grants = grants.filter(year=year)
    if status:
        grants = grants.filter(status=status)
    return grants.order_by("-created_at", "-id")


def batch_list_for_audit(accounts: list[FundAccount], *, status: str = "") -> QuerySet:
    batches = PaymentBatch.objects.filter(account_id__in=[a.pk for a in accounts]).select_related(
        "account", "created_by"
    )
    if status:
        batches = batches.filter(status=status)
    return batches.annotate(
        line_count=Count("lines"), total=Sum("lines__amount", default=ZERO)
    ).order_by("-created_at", "-id")
