"""Funds views: the books (总账, 明细账, 辅助台账) on screen and in Excel, exports built in the
background, the audit pages (经审) and the yearly performance report (绩效评价).

Everything here reads, except asking for a background export (POST, finance staff only).
The read pages answer GET only — a POST gets 405, so audit can never change anything
through them — and are open to finance, audit and administration staff of a city or a
county. Every record comes through funds.access (404 outside the user's scope).
"""

import tempfile
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import require_role
from accounts.roles import Role
from assistance.eligibility import Category
from core.excel import XLSX_CONTENT_TYPE
from core.service_forms import paginate, run_service
from funds.access import (
    access_account,
    access_batch,
    access_entry,
    access_export_job,
    access_grant,
)
from funds.forms.ledgers import (
    BatchAuditFilterForm,
    BookFilterForm,
    ExportRequestForm,
    GrantAuditFilterForm,
    LedgerFilterForm,
)
from funds.lifecycles import EXPORT_JOBS
from funds.models import Entry, ExportJob, PaymentLine
from funds.selectors import audit as audit_selectors
from funds.selectors.ledgers import (
    BOOKS,
    detail_lines,
    export_jobs_for,
    general_ledger,
    group_book,
    ledger_entries,
    ledger_totals,
    ledger_years_for_user,
    with_sides,
)
from funds.selectors.performance import performance_report
from funds.services.exports import (
    export_request,
    ledger_filename,
    ledger_workbook,
    performance_filename,
    performance_workbook,
)

READERS = (Role.FINANCE, Role.AUDITOR, Role.ADMIN)
DETAIL_PER_PAGE = 50


def reader(view):
    """Logged in, finance, audit or administration staff; GET only."""

    @login_required
    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_role(request.user, *READERS)
        return view(request, *args, **kwargs)

    return wrapper


def _spooled():
    # In memory up to 8 MB, on disk beyond; the response closes (and so removes) it.
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115


def _xlsx(target, filename: str) -> FileResponse:
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


def _book_scope(request, form: BookFilterForm) -> dict:
    """The year, the account (or None: all in scope) and the accounts of a book."""
    values = form.values()
    accounts = list(form.fields["account"].queryset)
    account = values["account"]
    return {
        **values,
        "accounts": accounts,
        "several": account is None and len(accounts) > 1,
        "entries": ledger_entries(request.user, year=values["year"], account=account),
    }


# --- The books ----------------------------------------------------------------------------


@reader
def ledger(request):
    form = LedgerFilterForm(request.GET, user=request.user)
    scope = _book_scope(request, form)
    entries = scope.pop("entries")
    book = scope["book"]
    context = {
        "form": form,
        "books": BOOKS,
        "years": ledger_years_for_user(request.user),
        "jobs": export_jobs_for(request.user, year=scope["year"], account=scope["account"]),
        "can_request_export": request.user.has_role(Role.FINANCE),
        **scope,
    }
    if book == "general":
        context["general"] = general_ledger(entries)
    elif book == "detail":
        page = paginate(request, detail_lines(entries), per_page=DETAIL_PER_PAGE)
        context.update(page_obj=page, lines=with_sides(page), totals=ledger_totals(entries))
    else:
        context["group"] = group_book(entries, book)
    return render(request, "funds/ledgers/ledger.html", context)


@reader
def ledger_export(request):
    """The five books of a year as one workbook; a large year is built in the background."""
    form = LedgerFilterForm(request.GET, user=request.user)
    scope = _book_scope(request, form)
    if form.errors:
        messages.error(request, "未导出：请先更正查询条件。")
        return redirect(f"{reverse('funds:ledger')}?{request.GET.urlencode()}")
    entries = scope["entries"]
    count = entries.count()
    if count > settings.EXPORT_INLINE_MAX_ROWS:
        return render(
            request,
            "funds/ledgers/export_large.html",
            {
                **scope,
                "count": count,
                "limit": settings.EXPORT_INLINE_MAX_ROWS,
                "jobs": export_jobs_for(request.user, year=scope["year"], account=scope["account"]),
                "can_request_export": request.user.has_role(Role.FINANCE),
            },
        )
    target = _spooled()
    ledger_workbook(target, entries, accounts=scope["accounts"] if scope["several"] else None)
    return _xlsx(target, ledger_filename(scope["account"], scope["year"]))


@login_required
@require_POST
def export_request_view(request):
    if not request.user.has_role(Role.FINANCE):
        raise PermissionDenied("后台导出须由财务人员申请；经审、管理人员可下载已生成的文件。")
    form = ExportRequestForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "未申请导出：预算年度或账户不正确。")
        return redirect("funds:ledger")
    done = run_service(
        request,
        lambda data: export_request(
            actor=request.user,
            account=form.cleaned_data["account"],
            year=form.cleaned_data["year"],
        ),
        success="已转入后台生成，完成后可在本页下载。",
        done=lambda job: redirect("funds:export_job", job.pk),
    )
    return done or redirect("funds:ledger")


@reader
def export_job(request, pk: int):
    job = access_export_job(request.user, pk)
    return render(
        request,
        "funds/ledgers/export_job.html",
        {"job": job, "pending": job.status in EXPORT_JOBS.open_states()},
    )


@reader
def export_download(request, pk: int):
    job = access_export_job(request.user, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("文件尚未生成。")
    account = None
    if job.params.get("account") is not None:
        account = access_account(request.user, job.params["account"])
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("文件已不存在，请重新导出。") from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=ledger_filename(account, job.params["year"]),
        content_type=XLSX_CONTENT_TYPE,
    )


# --- Audit (经审) -----------------------------------------------------------------------------


@reader
def audit_home(request):
    form = BookFilterForm(request.GET, user=request.user)
    year = form.values()["year"]
    accounts = list(form.fields["account"].queryset)
    balances = audit_selectors.account_balances(accounts, year)
    return render(
        request,
        "funds/audit/home.html",
        {
            "form": form,
            "year": year,
            "years": ledger_years_for_user(request.user),
            "accounts": [(a, balances[a.pk]) for a in accounts],
            "recent": audit_selectors.recent_changes(request.user, accounts),
        },
    )


@reader
def audit_account(request, pk: int):
    account = access_account(request.user, pk)
    form = BookFilterForm(request.GET, user=request.user)
    year = form.values()["year"]
    entries = ledger_entries(request.user, year=year, account=account)
    return render(
        request,
        "funds/audit/account.html",
        {
            "account": account,
            "year": year,
            "years": ledger_years_for_user(request.user),
            "sources": group_book(entries, "source"),
            "history": audit_selectors.account_history(account),
        },
    )


@reader
def audit_entry(request, pk: int):
    entry = access_entry(request.user, pk)
    line = None
    if entry.payment_line_id:
        line = PaymentLine.objects.select_related("batch", "grant__archive").get(
            pk=entry.payment_line_id
        )
    return render(
        request,
        "funds/audit/entry.html",
        {
            "entry": entry,
            "reversed_by": Entry.objects.filter(reverses=entry).first(),
            "line": line,
            "history": audit_selectors.entry_history(entry),
        },
    )


@reader
def audit_grants(request):
    form = GrantAuditFilterForm(request.GET, user=request.user)
    values = form.values()
    scoped = list(form.fields["account"].queryset)
    accounts = [values["account"]] if values["account"] else scoped
    grants = audit_selectors.grant_list_for_audit(
        accounts, year=values["year"], status=values["status"]
    )
    return render(
        request,
        "funds/audit/grant_list.html",
        {"form": form, "accounts": scoped, "page_obj": paginate(request, grants), **values},
    )


@reader
def audit_grant(request, pk: int):
    grant = access_grant(request.user, pk)
    return render(
        request,
        "funds/audit/grant.html",
        {
            "grant": grant,
            "category": dict(Category.choices()).get(grant.category, grant.category),
            "lines": grant.payment_lines.select_related("batch", "result_recorded_by"),
            "entries": Entry.objects.filter(payment_line__grant=grant).order_by("entry_date", "id"),
            "history": audit_selectors.grant_history(grant),
        },
    )


@reader
def audit_batches(request):
    form = BatchAuditFilterForm(request.GET, user=request.user)
    values = form.values()
    scoped = list(form.fields["account"].queryset)
    accounts = [values["account"]] if values["account"] else scoped
    batches = audit_selectors.batch_list_for_audit(accounts, status=values["status"])
    return render(
        request,
        "funds/audit/batch_list.html",
        {"form": form, "accounts": scoped, "page_obj": paginate(request, batches), **values},
    )


@reader
def audit_batch(request, pk: int):
    batch = access_batch(request.user, pk)
    return render(
        request,
        "funds/audit/batch.html",
        {
            "batch": batch,
            "lines": batch.lines.select_related("grant__archive", "result_recorded_by"),
            "entries": Entry.objects.filter(payment_line__batch=batch).order_by("entry_date", "id"),
            "history": audit_selectors.batch_history(batch),
        },
    )


# --- Performance (绩效评价) -------------------------------------------------------------------


def _performance(request):
    form = BookFilterForm(request.GET, user=request.user)
    values = form.values()
    report = performance_report(request.user, year=values["year"], account=values["account"])
    return form, report


@reader
def performance(request):
    form, report = _performance(request)
    return render(
        request,
        "funds/performance.html",
        {
            "form": form,
            "report": report,
            "years": ledger_years_for_user(request.user),
            "accounts": list(form.fields["account"].queryset),
            "today": timezone.localdate(),
        },
    )


@reader
def performance_export(request):
    form, report = _performance(request)
    target = _spooled()
    performance_workbook(target, report)
    return _xlsx(target, performance_filename(report))
