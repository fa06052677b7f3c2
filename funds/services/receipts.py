"""Money into the special accounts and down the tree: receipts (资金到账), allocation plans
(分配使用方案) and their execution as transfers (下拨), Tai'an quarterly budget requests
(季度资金预算), returns of unspent money (资金上缴) and corrections (冲销).

Every function checks the actor, runs in one transaction with the accounts it changes
locked (`lock_account`, in id order when there are several), validates, writes through
`save_tracked` with a Chinese reason, and posts entries only through `post_entry`.
There is deliberately no free-form expenditure (WH-F §8): money leaves an account only as
a transfer down the tree, a grant payment (funds.services.payments) or a return.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Level
from assistance.models import Policy
from assistance.selectors import PolicyNotFound, policy_in_force
from core.deadlines import follow_calendar
from core.history import save_tracked
from core.lifecycle import locked, take
from core.money import exact_yuan
from core.workdays import add_working_days
from funds.lifecycles import PLANS
from funds.models import (
    AllocationLine,
    AllocationPlan,
    BudgetRequest,
    Entry,
    FundAccount,
    Receipt,
    Source,
    Transfer,
)
from funds.selectors.accounts import receipt_remaining, request_window
from funds.selectors.recoveries import check_allocation_restrictions
from funds.services.ledger import (
    carry_over_local_only,
    lock_account,
    post_entry,
    require_finance,
    require_in_budget_year,
)

K = Entry.Kind
LineInput = tuple[Receipt, FundAccount, str, Decimal]


def _policy(account: FundAccount, on: datetime.date) -> Policy:
    try:
        return policy_in_force(region=account.organisation.region, on=on)
    except PolicyNotFound as exc:
        raise ValidationError(str(exc)) from exc


def allocation_due_for(account: FundAccount, received_on: datetime.date) -> datetime.date:
    """The last day to pass a receipt down: the policy's working days after it arrived
    (WH-F §12: 20), counted under the holiday calendar as it stands."""
    policy = _policy(account, received_on)
    return add_working_days(received_on, policy.allocation_working_days).value


def recompute_allocation_dues(
    *, actor: User, first: datetime.date, last: datetime.date, reason: str
) -> int:
    """A year's holiday calendar was published or changed: every receipt whose allocation
    period reaches into it gets its `allocation_due` recounted, with history (the on-time
    share of the performance figures reads it, so passed-down receipts follow too)."""
    receipts = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("account__organisation")
        .filter(received_on__lte=last, allocation_due__gte=first)
        .order_by("pk")
    )

    def due_of(receipt: Receipt) -> datetime.date | None:
        try:
            return allocation_due_for(receipt.account, receipt.received_on)
        except ValidationError:
            return None  # no policy in force that day any more: the stored deadline stays

    return follow_calendar(
        receipts,
        field="allocation_due",
        due_of=due_of,
        label="下达截止",
        actor=actor,
        reason=reason,
    )


def _not_in_future(day: datetime.date, field: str, label: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: f"{label}不能晚于今天。"})


def _positive(amount, field: str = "amount") -> Decimal:
    try:
        amount = exact_yuan(amount)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError({field: "请输入金额（数字，最多两位小数）。"}) from exc
    if amount <= 0:
        raise ValidationError({field: "金额须大于零。"})
    return amount


def _budget_year(year: int, day: datetime.date, label: str) -> None:
    """A budget year is the year of the day, or the one before or after (提前下达, 上年结算)."""
    if not day.year - 1 <= year <= day.year + 1:
        raise ValidationError({"year": f"预算年度应为{label}所在年度或其前后一年。"})


def _required(**values: str) -> dict[str, str]:
    labels = {
        "counterpart": "拨款单位",
        "document_number": "拨款文件文号",
        "document_title": "拨款文件标题",
        "title": "方案名称",
        "meeting_reference": "会议纪要文号",
        "reference": "凭证号",
    }
    cleaned = {name: (value or "").strip() for name, value in values.items()}
    missing = {name: f"请填写{labels[name]}。" for name, value in cleaned.items() if not value}
    if missing:
        raise ValidationError(missing)
    return cleaned


def _require_city_account(account: FundAccount) -> None:
    if account.organisation.level != Level.CITY:
        raise PermissionDenied("分配使用方案由市总工会编制并下达到县级工会。")


# --- Receipts ------------------------------------------------------------------------------


@transaction.atomic
def receipt_record(
    *,
    actor: User,
    account: FundAccount,
    received_on: datetime.date,
    year: int,
    source: str,
    amount: Decimal,
    counterpart: str,
    document_number: str,
    document_title: str,
    carry_over_approved: bool = False,
    carry_over_document: str = "",
) -> Receipt:
    """Funds received by the account with their appropriation document (拨款文件); the
    city must pass them down within the policy's working days (WH-F §12: 20).

    Money of a budget year is not received after its 31 December (WH-F §13, TA-F §10),
    unless it is local finance money whose finance approved using it later: the approval's
    document (本级财政批准跨年使用) is recorded with the receipt and follows its money."""
    account = lock_account(account)
    require_finance(actor, account, "登记资金到账")
    text = _required(
        counterpart=counterpart, document_number=document_number, document_title=document_title
    )
    amount = _positive(amount)
    if source not in Source.values:
        raise ValidationError({"source": "请选择资金来源。"})
    carry_over_document = (carry_over_document or "").strip()
    if carry_over_approved and source != Source.LOCAL:
        raise ValidationError({"carry_over_approved": carry_over_local_only(account)})
    if carry_over_approved and not carry_over_document:
        raise ValidationError({"carry_over_document": "请填写本级财政批准跨年使用的批复文号。"})
    _not_in_future(received_on, "received_on", "到账日期")
    _budget_year(year, received_on, "到账日期")
    require_in_budget_year(
        field="received_on",
        account=account,
        source=source,
        year=year,
        on=received_on,
        what="登记到账",
        approved=carry_over_approved,
    )
    if Receipt.objects.filter(
        account=account, source=source, document_number=text["document_number"]
    ).exists():
        raise ValidationError(
            {
                "document_number": f"{text['document_number']} 的{Source(source).label}资金已登记到账，不能重复登记。"
            }
        )
    due = allocation_due_for(account, received_on)
    receipt = Receipt(
        account=account,
        received_on=received_on,
        year=year,
        source=source,
        amount=amount,
        allocation_due=due,
        carry_over_approved=bool(carry_over_approved),
        carry_over_document=carry_over_document if carry_over_approved else "",
        recorded_by=actor,
        **text,
    )
    save_tracked(receipt, actor=actor, reason="登记资金到账")
    post_entry(
        actor=actor,
        account=account,
        kind=K.RECEIPT,
        entry_date=received_on,
        year=year,
        amount=amount,
        source=source,
        counterpart=text["counterpart"],
        reference=text["document_number"],
        description=f"资金到账：{text['document_title']}",
        receipt=receipt,
    )
    return receipt


@transaction.atomic
def receipt_carry_over_approve(*, actor: User, receipt: Receipt, document: str) -> Receipt:
    """Local finance approved using a local receipt's money after its budget year (地方财政
    配套的帮扶资金，可根据当地财政批复意见执行, WH-F §13, TA-F §10): its document is recorded
    on the receipt, once; what is left of the money may then be used after the year."""
    account = lock_account(receipt.account)
    require_finance(actor, account, "登记本级财政跨年使用批复")
    receipt = locked(Receipt, receipt.pk)
    if receipt.source != Source.LOCAL:
        raise ValidationError(carry_over_local_only(account))
    if receipt.carry_over_approved:
        raise ValidationError(
            f"该笔到账已登记本级财政批准跨年使用（{receipt.carry_over_document}）。"
        )
    document = (document or "").strip()
    if not document:
        raise ValidationError({"carry_over_document": "请填写本级财政批准跨年使用的批复文号。"})
    receipt.carry_over_approved = True
    receipt.carry_over_document = document
    return save_tracked(
        receipt,
        actor=actor,
        reason=f"本级财政批准跨年使用：{document}",
        update_fields=["carry_over_approved", "carry_over_document", "updated_at"],
    )


# --- Allocation plans and transfers (WH-F §7, §11, §12; TA-F §8) -------------------------


def _check_lines(
    account: FundAccount,
    year: int,
    lines: list[LineInput],
    items: Iterable[str],
    *,
    on: datetime.date,
    what: str,
) -> list[LineInput]:
    """The plan's lines, checked on the day the plan allocates (`on`, meeting or transfer)."""
    if not lines:
        raise ValidationError("请至少填写一条分配明细。")
    items = set(items)
    per_receipt: dict[int, Decimal] = defaultdict(Decimal)
    receipts: dict[int, Receipt] = {}
    cleaned = []
    for number, (receipt, to_account, item, amount) in enumerate(lines, start=1):
        where = f"第{number}条明细："
        if receipt.account_id != account.pk:
            raise ValidationError(f"{where}所选到账不属于{account.name}。")
        if receipt.year != year:
            raise ValidationError(
                f"{where}所选到账属于{receipt.year}年度预算，与方案的{year}年度不一致。"
            )
        if to_account.city_id != account.city_id or to_account.organisation.level != Level.COUNTY:
            raise ValidationError(f"{where}只能下达到本市县级工会的帮扶资金专户。")
        if item and item not in items:
            raise ValidationError(f"{where}现行政策不资助“{Policy.Item(item).label}”项目。")
        try:
            require_in_budget_year(
                account=account,
                source=receipt.source,
                year=receipt.year,
                on=on,
                what=what,
                approved=receipt.carry_over_approved,
            )
        except ValidationError as exc:
            raise ValidationError(f"{where}{exc.messages[0]}") from exc
        amount = _positive(amount)
        per_receipt[receipt.pk] += amount
        receipts[receipt.pk] = receipt
        cleaned.append((receipt, to_account, item, amount))
    for pk, total in per_receipt.items():
        remaining = receipt_remaining(receipts[pk])
        if total > remaining:
            receipt = receipts[pk]
            raise ValidationError(
                f"{receipt.received_on:%Y-%m-%d} 到账的{receipt.get_source_display()}资金"
                f"（{receipt.document_number}）尚未下达 {remaining} 元，不足分配 {total} 元。"
            )
    # The city's reduce / stop decisions (减拨、停拨, TA-F §14), at drafting and execution.
    check_allocation_restrictions(year, [(to, amount) for _, to, _, amount in cleaned])
    return cleaned


@transaction.atomic
def allocation_plan_create(
    *,
    actor: User,
    account: FundAccount,
    year: int,
    title: str,
    meeting_reference: str,
    meeting_date: datetime.date,
    lines: list[LineInput],
) -> AllocationPlan:
    """A draft plan of the city: which county receives how much of which receipt, decided
    collectively by the union leadership (领导班子集体研究, its minutes' reference)."""
    account = lock_account(account)
    require_finance(actor, account, "编制分配使用方案")
    _require_city_account(account)
    text = _required(title=title, meeting_reference=meeting_reference)
    _not_in_future(meeting_date, "meeting_date", "会议日期")
    policy = _policy(account, meeting_date)
    cleaned = _check_lines(
        account, year, list(lines), policy.items_funded, on=meeting_date, what="分配"
    )
    plan = AllocationPlan(
        account=account, year=year, meeting_date=meeting_date, recorded_by=actor, **text
    )
    save_tracked(plan, actor=actor, reason="编制帮扶资金分配使用方案")
    for receipt, to_account, item, amount in cleaned:
        line = AllocationLine(
            plan=plan, receipt=receipt, to_account=to_account, item=item, amount=amount
        )
        save_tracked(line, actor=actor, reason="分配使用方案明细")
    return plan


@transaction.atomic
def allocation_plan_execute(
    *, actor: User, plan: AllocationPlan, transfer_date: datetime.date, reference: str
) -> AllocationPlan:
    """Pass the plan's money down (下拨): per line one transfer that appears in both
    accounts (下拨 on the city's, 上级下拨 on the county's), all in one transaction. Once
    (`funds.lifecycles.PLANS`: the city's finance, from a draft)."""
    return take(
        PLANS,
        obj=plan,
        actor=actor,
        action="execute",
        effect=lambda locked, _: _pass_down(locked, actor, transfer_date, reference),
    )


def _pass_down(
    plan: AllocationPlan, actor: User, transfer_date: datetime.date, reference: str
) -> list[str]:
    """The locked draft's lines passed down as transfers; the fields of the plan it set."""
    text = _required(reference=reference)
    _not_in_future(transfer_date, "transfer_date", "下拨日期")
    if transfer_date < plan.meeting_date:
        raise ValidationError({"transfer_date": "下拨日期不能早于集体研究决定的会议日期。"})
    lines = list(plan.lines.select_related("receipt", "to_account__organisation").order_by("id"))
    # Both sides of every transfer, locked in id order (no deadlock with another plan).
    ids = sorted({plan.account_id, *(line.to_account_id for line in lines)})
    locked = {pk: lock_account(FundAccount(pk=pk)) for pk in ids}
    _check_lines(
        plan.account,
        plan.year,
        [(line.receipt, line.to_account, line.item, line.amount) for line in lines],
        Policy.Item.values,
        on=transfer_date,
        what="下拨",
    )
    for line in lines:
        if transfer_date < line.receipt.received_on:
            raise ValidationError({"transfer_date": "下拨日期不能早于资金到账日期。"})
    city = locked[plan.account_id]
    for line in lines:
        county = locked[line.to_account_id]
        transfer = Transfer(
            from_account=city,
            to_account=county,
            line=line,
            receipt=line.receipt,
            transfer_date=transfer_date,
            year=plan.year,
            source=line.receipt.source,
            item=line.item,
            amount=line.amount,
            reference=text["reference"],
            recorded_by=actor,
        )
        save_tracked(transfer, actor=actor, reason=f"按分配使用方案下拨：{plan.title}")
        common = {
            "actor": actor,
            "entry_date": transfer_date,
            "year": plan.year,
            "source": transfer.source,
            "item": line.item,
            "reference": text["reference"],
            "description": f"{plan.title}（{plan.meeting_reference}）",
            "transfer": transfer,
        }
        post_entry(
            account=city,
            kind=K.TRANSFER_OUT,
            amount=-line.amount,
            counterpart=county.organisation.name,
            **common,
        )
        post_entry(
            account=county,
            kind=K.TRANSFER_IN,
            amount=line.amount,
            counterpart=city.organisation.name,
            **common,
        )
    plan.executed_on = transfer_date
    plan.executed_by = actor
    return ["executed_on", "executed_by"]


# --- Tai'an quarterly budget requests (TA-F §7) ---------------------------------------------


@transaction.atomic
def budget_request_record(
    *,
    actor: User,
    account: FundAccount,
    year: int,
    quarter: int,
    submitted_on: datetime.date,
    amount: Decimal,
    items: Mapping[str, Decimal],
    note: str,
) -> BudgetRequest:
    """A county's budget for the next quarter, due in the last month of the current one;
    a late request is recorded and flagged. Items: those the policy funds (TA-A §14)."""
    account = lock_account(account)
    require_finance(actor, account, "报送季度资金使用预算")
    if account.organisation.level != Level.COUNTY:
        raise PermissionDenied("季度资金使用预算由县级工会向上一级报送。")
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": "请选择季度。"})
    _not_in_future(submitted_on, "submitted_on", "报送日期")
    if not submitted_on.year <= year <= submitted_on.year + 1:
        raise ValidationError({"year": "申请年度应为报送日期所在年度或下一年度。"})
    amount = _positive(amount)
    policy = _policy(account, submitted_on)
    amounts = {item: value for item, value in items.items() if value not in (None, "")}
    if not amounts:
        raise ValidationError("请填写各项目的申请金额。")
    unfunded = [item for item in amounts if item not in policy.items_funded]
    if unfunded:
        labels = "、".join(
            Policy.Item(item).label if item in Policy.Item.values else item for item in unfunded
        )
        raise ValidationError(f"现行政策（{policy.document}）不资助：{labels}。")
    amounts = {item: _positive(value) for item, value in amounts.items()}
    if sum(amounts.values()) != amount:
        raise ValidationError(
            {"amount": f"申请金额 {amount} 元与分项目合计 {sum(amounts.values())} 元不一致。"}
        )
    if BudgetRequest.objects.filter(account=account, year=year, quarter=quarter).exists():
        raise ValidationError(f"{year}年第{quarter}季度的资金使用预算已经报送。")
    start, end = request_window(year, quarter)
    request = BudgetRequest(
        account=account,
        year=year,
        quarter=quarter,
        submitted_on=submitted_on,
        amount=amount,
        items={item: str(value) for item, value in amounts.items()},
        on_time=start <= submitted_on <= end,
        note=note.strip(),
        recorded_by=actor,
    )
    reason = "报送季度资金使用预算" + ("" if request.on_time else "（未在规定月份报送）")
    return save_tracked(request, actor=actor, reason=reason)


# --- Returns and corrections -------------------------------------------------------------


@transaction.atomic
def funds_return(
    *,
    actor: User,
    account: FundAccount,
    year: int,
    source: str,
    amount: Decimal,
    counterpart: str,
    reference: str,
    entry_date: datetime.date,
) -> Entry:
    """Hand unspent money back (资金上缴（退回）), e.g. central or provincial money that
    cannot be used within its budget year (WH-F §13, TA-F §10)."""
    account = lock_account(account)
    require_finance(actor, account, "资金上缴（退回）")
    text = _required(counterpart=counterpart, reference=reference)
    amount = _positive(amount)
    if source not in Source.values:
        raise ValidationError({"source": "请选择资金来源。"})
    _not_in_future(entry_date, "entry_date", "上缴日期")
    _budget_year(year, entry_date, "上缴日期")
    return post_entry(
        actor=actor,
        account=account,
        kind=K.RETURN,
        entry_date=entry_date,
        year=year,
        amount=-amount,
        source=source,
        counterpart=text["counterpart"],
        reference=text["reference"],
        description=f"{year}年度{Source(source).label}资金上缴（退回）",
    )
