"""Posting to the ledger: the only code that creates an `Entry`.

Every movement of money calls `post_entry` inside its own service's transaction, with the
account locked (`lock_account`): the balance of the account's year and source is checked
before the entry is written (the database checks it again, `funds.migration_ops`), and so
is the budget year (`carry_over_refusal`, WH-F §13, TA-F §10).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import User
from core.history import save_tracked
from core.lifecycle import locked
from core.money import yuan
from funds.access import require_finance
from funds.models import (
    SOURCE_CATEGORY,
    SPEND_IN_BUDGET_YEAR,
    Entry,
    FundAccount,
    Source,
    Transfer,
)
from funds.rules import REVERSIBLE_KINDS

ZERO = Decimal("0.00")
K = Entry.Kind


def lock_account(account: FundAccount) -> FundAccount:
    return locked(FundAccount, account.pk, related=("organisation", "county", "city"))


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


# --- No carry-over (WH-F §13, TA-F §10) -------------------------------------------------------

# 央财、省财帮扶资金根据预算必须当年使用完毕，不得结转下年。地方财政配套的帮扶资金，可根据当地
# 财政批复意见执行. The entries that use money: received, passed down, paid. A return (上缴)
# or a reversal (冲销) after the year is how unspent or mistaken money leaves: always allowed.
CARRY_OVER_KINDS = {
    K.RECEIPT: "登记到账",
    K.TRANSFER_IN: "下拨",
    K.TRANSFER_OUT: "下拨",
    K.PAYMENT: "发放",
}
CARRY_OVER_CLAUSES = {
    "wuhu": "芜湖资金使用管理细则第十三条",
    "taian": "泰安资金使用管理细则第十条",
}


def carry_over_clause(account: FundAccount) -> str:
    """The clause of the account's region; both seeds' when the region has none of its own."""
    region = account.organisation.region
    return CARRY_OVER_CLAUSES.get(region) or "、".join(CARRY_OVER_CLAUSES.values())


def carry_over_local_only(account: FundAccount) -> str:
    """Why a carry-over approval is recorded on local finance money only."""
    return (
        "只有地方财政配套资金可经本级财政批准跨年使用；中央和省级专项资金不得结转下年"
        f"（{carry_over_clause(account)}），其他来源无需批复。"
    )


def local_carry_over_left(account: FundAccount, year: int) -> Decimal:
    """Local finance money of `year` on `account` that may still be used after the year.

    What came to the account from receipts whose local finance approved using it later
    (received there or passed down to it, less what was passed on, net of reversals), less
    what was paid from the year's local money after 31 December, and never more than the
    balance. One query."""
    approved = (
        Q(receipt__carry_over_approved=True)
        | Q(transfer__receipt__carry_over_approved=True)
        | Q(reverses__receipt__carry_over_approved=True)
    )
    after = Q(kind=K.PAYMENT, entry_date__gt=datetime.date(year, 12, 31))
    sums = Entry.objects.filter(account=account, year=year, source=Source.LOCAL).aggregate(
        total=Sum("amount"),
        approved=Sum("amount", filter=approved),
        paid_after=Sum("amount", filter=after),
    )
    covered = (sums["approved"] or ZERO) + (sums["paid_after"] or ZERO)
    return yuan(max(ZERO, min(sums["total"] or ZERO, covered)))


def carry_over_refusal(
    *,
    account: FundAccount,
    source: str,
    year: int,
    on: datetime.date,
    what: str,
    approved: bool | None = None,
    amount: Decimal | None = None,
) -> str:
    """Why money of `source` and budget `year` may not be used on `on` ("" if it may).

    Every step asks this one rule: receipt, allocation plan, transfer, grant, payment.
    Until 31 December of `year` any money may be used. After it, central and provincial
    money never; local finance money with its finance's approval — `approved` is the
    receipt's own flag for a step that moves one receipt's money (receipt, plan, transfer);
    left None, the account's approved local money of the year must cover `amount` (a
    payment; a grant proposal asks for any). Other sources (union funds, donations,
    interest) follow their own rules and are not limited here."""
    if on.year <= year:
        return ""
    head = f"{on:%Y-%m-%d}不能{what}{year}年度{Source(source).label}资金："
    clause = carry_over_clause(account)
    if source in SPEND_IN_BUDGET_YEAR:
        return (
            f"{head}中央和省级专项资金须在预算年度内使用完毕，不得结转下年（{clause}）；"
            "未使用的资金请办理上缴（退回）。"
        )
    if source != Source.LOCAL:
        return ""
    rule = f"地方财政配套资金跨年度使用须经本级财政批准（{clause}）"
    if approved is not None:
        if approved:
            return ""
        return f"{head}{rule}，该笔资金没有登记本级财政批准跨年使用的批复。"
    left = local_carry_over_left(account, year)
    if left > 0 and (amount is None or yuan(amount) <= left):
        return ""
    wanted = f"，不足{what} {yuan(amount)} 元" if amount is not None else ""
    return (
        f"{head}{rule}，{account.name}{year}年度经本级财政批准跨年使用的地方财政资金"
        f"尚余 {left} 元{wanted}。"
    )


def require_in_budget_year(*, field: str | None = None, **question) -> None:
    """`carry_over_refusal` as a ValidationError (on `field` when given)."""
    refusal = carry_over_refusal(**question)
    if refusal:
        raise ValidationError({field: refusal} if field else refusal)


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
    if kind in CARRY_OVER_KINDS:
        transfer = links.get("transfer")
        receipt = links.get("receipt") or (transfer.receipt if transfer is not None else None)
        require_in_budget_year(
            account=account,
            source=source,
            year=year,
            on=entry_date,
            what=CARRY_OVER_KINDS[kind],
            **(
                {"amount": -amount}
                if kind == K.PAYMENT
                else {"approved": bool(receipt and receipt.carry_over_approved)}
            ),
        )
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
