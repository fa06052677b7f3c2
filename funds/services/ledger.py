"""Posting to the ledger: the only code that creates an `Entry`.

Every movement of money calls `post_entry` inside its own service's transaction, with the
account locked (`lock_account`): the balance of the account's year and source is checked
before the entry is written (the database checks it again, `funds.migration_ops`).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from core.history import save_tracked
from core.money import yuan
from funds.models import SOURCE_CATEGORY, Entry, FundAccount, Source, Transfer

ZERO = Decimal("0.00")


def lock_account(account: FundAccount) -> FundAccount:
    return (
        FundAccount.objects.select_for_update(of=("self",))
        .select_related("organisation", "county", "city")
        .get(pk=account.pk)
    )


def require_finance(actor: User, account: FundAccount, what: str) -> None:
    """Finance staff of the account's own union."""
    if not actor.has_role(Role.FINANCE):
        raise PermissionDenied(f"{what}须由财务人员办理。")
    if actor.organisation_id != account.organisation_id:
        raise PermissionDenied("只能办理本级工会帮扶资金专户的业务。")


def balance(
    account: FundAccount,
    *,
    year: int | None = None,
    source: str | None = None,
    item: str | None = None,
) -> Decimal:
    """The sum of the account's entries, for a year, a source and an item if given."""
    entries = Entry.objects.filter(account=account)
    if year is not None:
        entries = entries.filter(year=year)
    if source is not None:
        entries = entries.filter(source=source)
    if item is not None:
        entries = entries.filter(item=item)
    return yuan(entries.aggregate(total=Sum("amount"))["total"] or ZERO)


def post_entry(
    *,
    actor: User,
    account: FundAccount,
    kind: str,
    entry_date: datetime.date,
    year: int,
    amount: Decimal,
    source: str,
    counterpart: str,
    reference: str,
    description: str,
    item: str = "",
    **links,
) -> Entry:
    """Write one entry to a locked account; refuse it if it takes the year's source below 0.

    `links` are the records the entry comes from: receipt, transfer, payment_line, reverses.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_entry must run inside the calling service's transaction")
    amount = yuan(amount)
    if amount == 0:
        raise ValidationError({"amount": "金额不能为零。"})
    if source not in Source.values:
        raise ValidationError({"source": "请选择资金来源。"})
    if amount < 0:
        available = balance(account, year=year, source=source)
        if available + amount < 0:
            raise ValidationError(
                f"{account.name} {year}年度{Source(source).label}余额 {available} 元，"
                f"不足支出 {-amount} 元。"
            )
    entry = Entry(
        account=account,
        county=account.county,
        city=account.city,
        kind=kind,
        entry_date=entry_date,
        year=year,
        amount=amount,
        source=source,
        fund_category=SOURCE_CATEGORY[Source(source)],
        item=item,
        counterpart=counterpart[:100],
        reference=reference[:100],
        description=description[:200],
        created_by=actor,
        **links,
    )
    return save_tracked(entry, actor=actor, reason=f"记账：{entry.get_kind_display()}")


# Entries a 冲销 may correct; transfers and payments are undone by their own business.
REVERSIBLE_KINDS = frozenset({Entry.Kind.RECEIPT, Entry.Kind.RETURN})


@transaction.atomic
def entry_reverse(*, actor: User, entry: Entry, reason: str, entry_date: datetime.date) -> Entry:
    """Correct a mistaken entry by a reversing entry (红字冲销); the original stays.

    A receipt some of which has already been passed down is not reversed here: the plan's
    transfers are its business, to be undone first."""
    account = lock_account(entry.account)
    require_finance(actor, account, "冲销")
    entry = Entry.objects.get(pk=entry.pk)
    if entry_date > timezone.localdate():
        raise ValidationError({"entry_date": "冲销日期不能晚于今天。"})
    if entry.receipt_id and Transfer.objects.filter(receipt_id=entry.receipt_id).exists():
        raise ValidationError("该笔到账已有资金按分配使用方案下拨，不能冲销。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写冲销原因。"})
    if entry.kind == Entry.Kind.REVERSAL:
        raise ValidationError("冲销分录不能再冲销，请另行记账。")
    if Entry.objects.filter(reverses=entry).exists():
        raise ValidationError("该分录已冲销。")
    if entry.kind not in REVERSIBLE_KINDS:
        raise ValidationError("下拨和帮扶支出由其业务办理，不能单独冲销一方分录。")
    if entry_date < entry.entry_date:
        raise ValidationError({"entry_date": "冲销日期不能早于原分录日期。"})
    return post_entry(
        actor=actor,
        account=account,
        kind=Entry.Kind.REVERSAL,
        entry_date=entry_date,
        year=entry.year,
        amount=-entry.amount,
        source=entry.source,
        item=entry.item,
        counterpart=entry.counterpart,
        reference=entry.reference,
        description=f"冲销 {entry.entry_date} {entry.description}：{reason.strip()}"[:200],
        reverses=entry,
    )
