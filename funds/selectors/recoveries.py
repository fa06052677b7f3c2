"""Reads of recoveries (追回, WH-M §19) and of the city's reduce / stop decisions (减拨、停拨,
TA-F §14): what is owed, what was repaid, what is outstanding, per recovery, grant, account
and budget year; and whether an allocation to a county is allowed by the decisions in force.

What was repaid is always the sum of the `recovered` entries of a recovery line (the
ledger), never a stored counter.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.money import yuan
from funds.models import (
    AllocationRestriction,
    Entry,
    FundAccount,
    Grant,
    Recovery,
    RecoveryLine,
    Transfer,
)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
CLAUSE = "（芜湖实施办法第十九条；泰安资金细则第十四条）"
RESTRICTION_CLAUSE = "（泰安资金细则第十四条：减拨或停拨资金）"


def _repaid_of_lines():
    """The repaid sum of the recovery line in the outer query (a subquery: no join rows)."""
    return Coalesce(
        Subquery(
            Entry.objects.filter(recovery_line=OuterRef("pk"))
            .order_by()
            .values("recovery_line")
            .annotate(total=Sum("amount"))
            .values("total")[:1],
            output_field=MONEY,
        ),
        Value(ZERO),
        output_field=MONEY,
    )


def _repaid_of_recoveries():
    return Coalesce(
        Subquery(
            Entry.objects.filter(recovery_line__recovery=OuterRef("pk"))
            .order_by()
            .values("recovery_line__recovery")
            .annotate(total=Sum("amount"))
            .values("total")[:1],
            output_field=MONEY,
        ),
        Value(ZERO),
        output_field=MONEY,
    )


def owed(recovery: Recovery, repaid: Decimal) -> Decimal:
    """Still to be recovered: the amount less what was repaid, while the recovery is
    confirmed; nothing is owed before confirmation, nor after cancelling or closing."""
    if recovery.status not in Recovery.OWING_STATUSES:
        return ZERO
    return yuan(recovery.amount - repaid)


def with_amounts(recoveries: QuerySet[Recovery]) -> list[Recovery]:
    """Recoveries with `repaid` and `outstanding` set (one query)."""
    rows = list(recoveries.annotate(repaid_sum=_repaid_of_recoveries()))
    for recovery in rows:
        recovery.repaid = yuan(recovery.repaid_sum)
        recovery.outstanding = owed(recovery, recovery.repaid)
        recovery.unrecovered = yuan(recovery.amount - recovery.repaid)
    return rows


def recovery_lines(recovery: Recovery) -> list[RecoveryLine]:
    """The recovery's lines, grant by grant in the order they are repaid, each with
    `repaid` and `outstanding`."""
    lines = list(
        recovery.lines.select_related("grant")
        .annotate(repaid_sum=_repaid_of_lines())
        .order_by("grant__paid_on", "grant__id")
    )
    for line in lines:
        line.repaid = yuan(line.repaid_sum)
        line.outstanding = (
            yuan(line.amount - line.repaid) if recovery.status in Recovery.OWING_STATUSES else ZERO
        )
    return lines


def recovery_outstanding(recovery: Recovery) -> Decimal:
    repaid = Entry.objects.filter(recovery_line__recovery=recovery).aggregate(total=Sum("amount"))[
        "total"
    ]
    return owed(recovery, yuan(repaid or ZERO))


def recoveries_of_archive(archive) -> list[Recovery]:
    return with_amounts(
        Recovery.objects.filter(archive=archive).select_related("recorded_by", "confirmed_by")
    )


def recoveries_of_account(account: FundAccount) -> list[Recovery]:
    return with_amounts(
        Recovery.objects.filter(account=account)
        .exclude(status=Recovery.Status.CANCELLED)
        .select_related("archive")
    )


def outstanding_total(recoveries: Iterable[Recovery]) -> Decimal:
    return sum((r.outstanding for r in recoveries), ZERO)


def recovered_so_far(grant: Grant) -> Decimal:
    """What of a grant's money is already taken up by recoveries that were not cancelled."""
    total = RecoveryLine.objects.filter(
        grant=grant, recovery__status__in=Recovery.LIVE_STATUSES
    ).aggregate(total=Sum("amount"))["total"]
    return yuan(total or ZERO)


def recoverable_grants(archive) -> QuerySet[Grant]:
    """The archive's paid grants: the ones a recovery may concern."""
    return (
        Grant.objects.filter(archive=archive, status=Grant.Status.PAID)
        .select_related("account")
        .order_by("paid_on", "id")
    )


@dataclass(frozen=True)
class LedgerRecovery:
    """One recovery line of a book's accounts and year: for the ledgers and the Excel."""

    account: str
    archive_number: str
    person_name: str
    status: str
    source: str
    item: str
    amount: Decimal
    repaid: Decimal
    outstanding: Decimal


def ledger_recoveries(account_ids: Iterable[int], year: int) -> list[LedgerRecovery]:
    """The recovery lines whose grants are of `year` and were paid from these accounts,
    with what was repaid into that year and what is outstanding (the 应追回款 book)."""
    lines = (
        RecoveryLine.objects.filter(grant__account_id__in=list(account_ids), grant__year=year)
        .exclude(recovery__status=Recovery.Status.CANCELLED)
        .select_related("recovery__archive", "grant__account")
        .annotate(repaid_sum=_repaid_of_lines())
        .order_by("grant__account_id", "recovery__created_at", "id")
    )
    rows = []
    for line in lines:
        recovery = line.recovery
        repaid = yuan(line.repaid_sum)
        outstanding = (
            yuan(line.amount - repaid) if recovery.status in Recovery.OWING_STATUSES else ZERO
        )
        rows.append(
            LedgerRecovery(
                account=line.grant.account.name,
                archive_number=recovery.archive.number,
                person_name=recovery.archive.person_name,
                status=recovery.get_status_display(),
                source=line.grant.get_source_display(),
                item=line.grant.get_item_display(),
                amount=line.amount,
                repaid=repaid,
                outstanding=outstanding,
            )
        )
    return rows


# --- Reduce or stop a county's allocation (减拨、停拨) ------------------------------------


def restrictions_in_force(to_account: FundAccount, year: int) -> list[AllocationRestriction]:
    return list(
        AllocationRestriction.objects.filter(
            to_account=to_account, year=year, status=AllocationRestriction.Status.IN_FORCE
        ).order_by("decided_on", "id")
    )


def restriction_list_for_account(account: FundAccount) -> QuerySet[AllocationRestriction]:
    """The decisions the city (this account) took about its counties, newest first."""
    return AllocationRestriction.objects.filter(account=account).select_related(
        "to_account", "recorded_by", "lifted_by"
    )


def restrictions_on_county(account: FundAccount) -> QuerySet[AllocationRestriction]:
    """The decisions taken about a county's account (shown on its page)."""
    return AllocationRestriction.objects.filter(to_account=account).select_related(
        "recorded_by", "lifted_by"
    )


def check_allocation_restrictions(year: int, lines: Iterable[tuple[FundAccount, Decimal]]) -> None:
    """Refuse lines to a county whose allocation of `year` is stopped, or that would take
    the year's allocations to it above a reduced ceiling (transfers already made count)."""
    per_county: dict[int, Decimal] = defaultdict(Decimal)
    accounts: dict[int, FundAccount] = {}
    for to_account, amount in lines:
        per_county[to_account.pk] += amount
        accounts[to_account.pk] = to_account
    for pk, adding in per_county.items():
        county = accounts[pk]
        for restriction in restrictions_in_force(county, year):
            if restriction.kind == AllocationRestriction.Kind.STOP:
                raise ValidationError(
                    f"市总工会已于{restriction.decided_on:%Y-%m-%d}决定对{county.name}"
                    f"{year}年度帮扶资金停拨（{restriction.decision_reference}），"
                    f"不能再下达{RESTRICTION_CLAUSE}。"
                )
            transfers = Transfer.objects.filter(to_account=county, year=year)
            done = yuan(transfers.aggregate(total=Sum("amount"))["total"] or ZERO)
            if done + adding > restriction.ceiling:
                raise ValidationError(
                    f"市总工会已于{restriction.decided_on:%Y-%m-%d}决定对{county.name}"
                    f"{year}年度帮扶资金减拨（{restriction.decision_reference}），本年度下拨"
                    f"不超过 {restriction.ceiling} 元；已下拨 {done} 元，本方案再下达 {adding} 元"
                    f"将超过上限{RESTRICTION_CLAUSE}。"
                )
