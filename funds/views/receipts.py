"""Funds views: the special accounts and their entries, receipts and the allocation
deadline, allocation plans and their execution, Tai'an quarterly budget requests, returns,
冲销 and the year-end report of unspent money.

Finance, audit (经审) and administrators of the city or a county read these pages; only
finance staff of the account's own union act on it (the services check again), and an
auditor's POST is refused (403). Every object comes through funds.access (404 outside the
user's scope).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import require_role
from accounts.roles import Level, Role
from core.lifecycle import move
from core.service_forms import NOT_DONE, paginate, run_service
from funds.access import access_account, access_entry, access_plan, access_receipt, can_finance
from funds.forms.receipts import (
    AccountCreateForm,
    BalanceYearForm,
    BudgetRequestForm,
    BudgetYearForm,
    CarryOverApproveForm,
    EntryFilterForm,
    PlanExecuteForm,
    PlanForm,
    PlanLineFormSet,
    ReceiptForm,
    ReturnForm,
    ReverseForm,
    UnspentYearForm,
)
from funds.lifecycles import PLANS
from funds.models import AllocationPlan, FundAccount
from funds.selectors import accounts as selectors
from funds.services import ledger
from funds.services import receipts as services
from funds.services.accounts import fund_account_create

READERS = (Role.FINANCE, Role.AUDITOR, Role.ADMIN)


def funds_reader(view):
    """A page that only reads: GET, logged in, and finance, audit or administration staff
    (of a city or a county). A POST is refused (405) before anything else."""

    @require_GET
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_role(request.user, *READERS)
        return view(request, *args, **kwargs)

    return wrapper


def funds_finance(view):
    """Logged in and finance staff; an auditor or administrator is refused (403), GET or
    POST: they read, they do not book."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_role(Role.FINANCE):
            raise PermissionDenied("帮扶资金的收支业务须由财务人员办理；经审、管理人员只能查看。")
        return view(request, *args, **kwargs)

    return wrapper


def _require_own_account(user, account: FundAccount) -> None:
    if user.organisation_id != account.organisation_id:
        raise PermissionDenied(
            f"只能办理本级工会帮扶资金专户的业务；{account.name}由其工会财务办理。"
        )


# --- Accounts ---------------------------------------------------------------------------------


@funds_reader
def account_list(request):
    today = timezone.localdate()
    form = BalanceYearForm(request.GET)
    year = form.selected_year()
    balances = selectors.accounts_with_balances(request.user, year=year)
    return render(
        request,
        "funds/account_list.html",
        {
            "balances": balances,
            "year": year,
            "all_years": year is None,
            "years": sorted({today.year, *selectors.entry_years(b.account for b in balances)}),
            "columns": selectors.FLOW_COLUMNS,
            "warnings": selectors.year_end_warnings(request.user, today),
            "forbidden_uses": selectors.FORBIDDEN_USES,
            "can_create": request.user.has_role(Role.ADMIN),
        },
    )


@funds_reader
def account_detail(request, pk: int):
    account = access_account(request.user, pk)
    form = EntryFilterForm(request.GET)
    page = paginate(request, selectors.entry_list_for_account(account, **form.filters()))
    may_book = not can_finance(request.user, account, "")
    for entry in page:
        entry.may_reverse = may_book and selectors.entry_reversible(entry)
    return render(
        request,
        "funds/account_detail.html",
        {
            "account": account,
            "rows": selectors.balance_rows([account]).get(account.pk, []),
            "columns": selectors.FLOW_COLUMNS,
            "form": form,
            "page_obj": page,
            "params": {k: v for k, v in request.GET.items() if k != "page" and v},
            "may_book": may_book,
            "is_city": account.organisation.level == Level.CITY,
        },
    )


@login_required
def account_create(request):
    require_role(request.user, Role.ADMIN)
    form = AccountCreateForm(request.POST or None, user=request.user)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: fund_account_create(actor=request.user, **data),
            form=form,
            success=lambda account: f"已开设{account.name}。",
            done=lambda account: redirect("funds:account", pk=account.pk),
        )
        if done:
            return done
    return render(request, "funds/account_form.html", {"form": form})


# --- Receipts -----------------------------------------------------------------------------------


@funds_reader
def receipt_list(request, pk: int):
    account = access_account(request.user, pk)
    form = BudgetYearForm(request.GET)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    page = paginate(request, selectors.receipt_list_for_account(account, year=year))
    is_city = account.organisation.level == Level.CITY
    return render(
        request,
        "funds/receipts/receipt_list.html",
        {
            "account": account,
            "page_obj": page,
            "rows": selectors.receipt_rows(page, timezone.localdate()),
            "year": year,
            "is_city": is_city,
            "may_book": not can_finance(request.user, account, ""),
        },
    )


@funds_finance
def receipt_create(request, pk: int):
    account = access_account(request.user, pk)
    _require_own_account(request.user, account)
    form = ReceiptForm(request.POST or None)

    def success(receipt) -> str:
        text = f"已登记到账 {receipt.amount} 元（{receipt.get_source_display()}）。"
        if account.organisation.level == Level.CITY:
            text += (
                f"须于 {receipt.allocation_due:%Y-%m-%d} 前下达到县级工会。"
                f"{selectors.allocation_due_note(receipt)}"
            )
        return text

    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.receipt_record(actor=request.user, account=account, **data),
            form=form,
            success=success,
            done=lambda receipt: redirect("funds:receipts", pk=account.pk),
        )
        if done:
            return done
    return render(
        request,
        "funds/receipts/form.html",
        {"form": form, "account": account, "title": "登记资金到账"},
    )


@funds_finance
def receipt_carry_over(request, pk: int):
    receipt = access_receipt(request.user, pk)
    _require_own_account(request.user, receipt.account)
    form = CarryOverApproveForm(request.POST or None)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.receipt_carry_over_approve(
                actor=request.user, receipt=receipt, document=data["carry_over_document"]
            ),
            form=form,
            success=lambda receipt: (
                f"已登记本级财政批准跨年使用（{receipt.carry_over_document}）：该笔地方财政配套资金"
                f"可在{receipt.year}年度结束后继续使用。"
            ),
            done=lambda receipt: redirect("funds:receipts", pk=receipt.account_id),
        )
        if done:
            return done
    return render(
        request,
        "funds/receipts/carry_over.html",
        {"form": form, "receipt": receipt, "account": receipt.account},
    )


# --- Allocation plans ---------------------------------------------------------------------------


@funds_reader
def plan_list(request, pk: int):
    account = access_account(request.user, pk)
    return render(
        request,
        "funds/receipts/plan_list.html",
        {
            "account": account,
            "page_obj": paginate(request, selectors.plan_list_for_account(account)),
            "may_book": not can_finance(request.user, account, "")
            and account.organisation.level == Level.CITY,
        },
    )


@funds_finance
def plan_create(request, pk: int):
    account = access_account(request.user, pk)
    _require_own_account(request.user, account)
    if account.organisation.level != Level.CITY:
        raise PermissionDenied("分配使用方案由市总工会编制并下达到县级工会。")
    today = timezone.localdate()
    bound = request.method == "POST"
    form = PlanForm(request.POST if bound else None)
    receipts = selectors.receipts_with_remaining(account)
    lines = PlanLineFormSet(
        request.POST if bound else None,
        prefix="lines",
        form_kwargs={
            "receipts": receipts,
            "counties": selectors.county_accounts_of(account),
            "items": selectors.items_funded(account, today),
        },
    )
    if bound and not lines.is_valid():
        messages.error(request, NOT_DONE)
    elif bound:
        done = run_service(
            request,
            lambda data: services.allocation_plan_create(
                actor=request.user,
                account=account,
                lines=[line for line in (f.line() for f in lines.forms) if line],
                **data,
            ),
            form=form,
            success=lambda plan: f"已保存分配使用方案“{plan.title}”，请核对后下达。",
            done=lambda plan: redirect("funds:plan", pk=plan.pk),
        )
        if done:
            return done
    return render(
        request,
        "funds/receipts/plan_form.html",
        {"account": account, "form": form, "lines": lines, "receipts": receipts},
    )


@funds_reader
def plan_detail(request, pk: int):
    plan = access_plan(request.user, pk)
    lines = list(selectors.plan_lines(plan))
    return render(
        request,
        "funds/receipts/plan_detail.html",
        {
            "plan": plan,
            "account": plan.account,
            "lines": lines,
            "total": sum((line.amount for line in lines), selectors.ZERO),
            "may_execute": bool(
                (execute := move(PLANS, plan, request.user, "execute")) and execute.allowed
            ),
        },
    )


@funds_finance
def plan_execute(request, pk: int):
    plan = access_plan(request.user, pk)
    _require_own_account(request.user, plan.account)
    lines = list(selectors.plan_lines(plan))
    form = PlanExecuteForm(request.POST or None)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.allocation_plan_execute(
                actor=request.user,
                plan=plan,
                transfer_date=data["transfer_date"],
                reference=data["reference"],
            ),
            form=form,
            success=lambda executed: (
                f"分配使用方案“{executed.title}”已下达，{len(lines)} 笔资金已下拨到县级工会专户。"
            ),
            done=lambda executed: redirect("funds:plan", pk=executed.pk),
        )
        if done:
            return done
    return render(
        request,
        "funds/receipts/plan_execute.html",
        {
            "form": form,
            "plan": plan,
            "account": plan.account,
            "lines": lines,
            "total": sum((line.amount for line in lines), selectors.ZERO),
            "executed": plan.status != AllocationPlan.Status.DRAFT,
        },
    )


# --- Tai'an quarterly budget requests (TA-F §7) ---------------------------------------------------


@funds_reader
def budget_request_list(request):
    form = BudgetYearForm(request.GET)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    page = paginate(request, selectors.budget_request_list_for_user(request.user, year=year))
    for budget in page:
        budget.timing = selectors.request_timing(budget)
        budget.item_rows = selectors.request_items(budget)
    own = getattr(request.user.organisation, "fund_account", None)
    return render(
        request,
        "funds/receipts/budget_request_list.html",
        {
            "page_obj": page,
            "year": year,
            "own_account": own
            if own is not None
            and request.user.has_role(Role.FINANCE)
            and own.organisation.level == Level.COUNTY
            else None,
        },
    )


@funds_finance
def budget_request_create(request, pk: int):
    account = access_account(request.user, pk)
    _require_own_account(request.user, account)
    items = selectors.items_funded(account, timezone.localdate())
    form = BudgetRequestForm(request.POST or None, items=items)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.budget_request_record(
                actor=request.user,
                account=account,
                year=data["year"],
                quarter=data["quarter"],
                submitted_on=data["submitted_on"],
                amount=data["amount"],
                items=form.items(),
                note=data["note"],
            ),
            form=form,
            success=lambda budget: (
                f"已报送{budget.year}年第{budget.quarter}季度资金使用预算"
                + ("。" if budget.on_time else "：未在规定月份（上一季度最后一个月）报送，已标注。")
            ),
            done=lambda budget: redirect("funds:budget_requests"),
        )
        if done:
            return done
    return render(
        request,
        "funds/receipts/form.html",
        {"form": form, "account": account, "title": "报送季度资金使用预算", "taian": True},
    )


# --- Returns, corrections, the year-end report -----------------------------------------------------


@funds_finance
def return_create(request, pk: int):
    account = access_account(request.user, pk)
    _require_own_account(request.user, account)
    form = ReturnForm(request.POST or None)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.funds_return(
                actor=request.user,
                account=account,
                year=data["year"],
                source=data["source"],
                amount=data["amount"],
                counterpart=data["counterpart"],
                reference=data["reference"],
                entry_date=data["entry_date"],
            ),
            form=form,
            success=lambda entry: f"已登记资金上缴（退回）{-entry.amount} 元。",
            done=lambda entry: redirect("funds:account", pk=account.pk),
        )
        if done:
            return done
    return render(
        request,
        "funds/receipts/form.html",
        {"form": form, "account": account, "title": "资金上缴（退回）", "danger": True},
    )


@funds_finance
def entry_reverse(request, pk: int):
    entry = access_entry(request.user, pk)
    _require_own_account(request.user, entry.account)
    form = ReverseForm(request.POST or None)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: ledger.entry_reverse(
                actor=request.user,
                entry=entry,
                reason=data["reason"],
                entry_date=data["entry_date"],
            ),
            form=form,
            success=lambda reversal: (
                f"已冲销：另记冲销分录 #{reversal.pk}，金额 {reversal.amount} 元。"
            ),
            done=lambda reversal: redirect("funds:account", pk=entry.account_id),
        )
        if done:
            return done
    return render(
        request,
        "funds/receipts/entry_reverse.html",
        {
            "form": form,
            "entry": entry,
            "account": entry.account,
            "reversible": selectors.entry_reversible(entry),
        },
    )


@funds_reader
def unspent(request):
    today = timezone.localdate()
    form = UnspentYearForm(request.GET or {"year": today.year})
    year = form.cleaned_data["year"] if form.is_valid() else today.year
    rows = selectors.unspent_report(request.user, year)
    return render(
        request,
        "funds/receipts/unspent.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "total": sum((row.unspent for row in rows), selectors.ZERO),
            "no_carry_over": selectors.NO_CARRY_OVER,
        },
    )
