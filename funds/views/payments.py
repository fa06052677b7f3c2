"""Funds views: payment batches (发放批次) — made from approved grants, the roster for the
bank (发放花名册, Excel), sending, the bank's results per line, the bank slip (回单).

Every batch is reached through `access_batch` (not found outside the user's scope); every
change goes through a service (`core.service_forms.run_service`), which checks the finance
role and the account again; what the page offers is asked of the batch's lifecycle.
"""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from core.client_ip import client_ip
from core.excel import XLSX_CONTENT_TYPE, write_workbook
from core.models import Notification
from core.service_forms import paginate, run_service
from funds.access import access_batch, can_finance
from funds.forms.payments import (
    BatchCreateForm,
    BatchFilterForm,
    ResultsForm,
    ReturnConfirmForm,
    ReturnUploadForm,
    SendForm,
    SlipForm,
)
from funds.lifecycles import PAYMENT_BATCHES
from funds.models import BankReturn, PaymentBatch, PaymentLine
from funds.rules import batch_totals, slip_refusal
from funds.selectors import payments as selectors
from funds.selectors.grants import grants_payable
from funds.services import payments as services

READERS = (Role.FINANCE, Role.AUDITOR)
SLIP_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


@require_GET
@login_required
@role_required(*READERS)
def batch_list(request):
    form = BatchFilterForm(request.GET)
    batches = selectors.batch_list_for_user(request.user, status=form.status_filter())
    account = selectors.own_account(request.user)
    return render(
        request,
        "funds/payments/batch_list.html",
        {
            "form": form,
            "page_obj": paginate(request, batches),
            "can_create": account is not None and request.user.has_role(Role.FINANCE),
        },
    )


@login_required
@role_required(Role.FINANCE)
def batch_create(request):
    """Finance of a county puts approved grants of its own account into a batch."""
    account = selectors.own_account(request.user)
    if account is None:
        messages.error(request, "您所在工会没有帮扶资金专户，不能建立发放批次。")
        return redirect("funds:batch_list")
    payable = grants_payable(account)
    form = BatchCreateForm(request.POST or None, payable=payable)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.batch_create(
                actor=request.user, account=account, grants=list(data["grants"])
            ),
            form=form,
            success=lambda batch: (
                f"已建立发放批次 {batch.number}（{batch.lines.count()} 人）。"
                "请下载发放花名册报送银行。"
            ),
            done=lambda batch: redirect("funds:batch_detail", pk=batch.pk),
        )
        if done:
            return done
    return render(
        request,
        "funds/payments/batch_form.html",
        {"form": form, "account": account, "grants": list(payable)},
    )


def _detail(request, batch: PaymentBatch, **forms):
    """The batch with its lines; the forms of the moves the user may take now."""
    rows = selectors.batch_lines(batch)
    finance = not can_finance(request.user, batch.account, "")
    may_send = not PAYMENT_BATCHES.why_not(batch, request.user, "send")
    may_upload = finance and not slip_refusal(batch)
    return render(
        request,
        "funds/payments/batch_detail.html",
        {
            "batch": batch,
            "rows": rows,
            "totals": batch_totals(row.line for row in rows),
            "finance": finance,
            "send_form": forms.get("send_form") or (SendForm() if may_send else None),
            "slip_form": forms.get("slip_form") or (SlipForm() if may_upload else None),
            "can_record": not PAYMENT_BATCHES.why_not(batch, request.user, "record"),
            "sms_failed": any(
                r.line.notification and r.line.notification.status == Notification.Status.FAILED
                for r in rows
            ),
        },
    )


@require_GET
@login_required
@role_required(*READERS)
def batch_detail(request, pk: int):
    return _detail(request, access_batch(request.user, pk))


@require_GET
@login_required
@role_required(*READERS)
def batch_roster(request, pk: int):
    """The roster for the bank (.xlsx): full card numbers, so each download is logged."""
    batch = access_batch(request.user, pk)
    services.batch_roster_access(actor=request.user, batch=batch, ip_address=client_ip(request))
    # In memory up to 8 MB, on disk beyond; the response closes (and so removes) it.
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_workbook(target, [selectors.roster_sheet(batch)])
    target.seek(0)
    response = FileResponse(
        target,
        as_attachment=True,
        filename=f"发放花名册_{batch.number}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
@role_required(Role.FINANCE)
def batch_send(request, pk: int):
    batch = access_batch(request.user, pk)
    form = SendForm(request.POST)
    done = run_service(
        request,
        lambda data: services.batch_send(actor=request.user, batch=batch, sent_on=data["sent_on"]),
        form=form,
        success=f"发放批次 {batch.number} 已报送银行，待登记银行处理结果。",
        done=lambda sent: redirect("funds:batch_detail", pk=sent.pk),
    )
    return done or _detail(request, access_batch(request.user, pk), send_form=form)


# Lines per page of the on-screen results form: 4 fields each, so a page posts about 200
# fields, well under DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000).
RESULTS_PER_PAGE = 50


@login_required
@role_required(Role.FINANCE)
def batch_results(request, pk: int):
    """The bank's result per line still at the bank: paid (date, reference) or failed, a
    page of lines at a time; or the bank's return file, uploaded for a preview."""
    batch = access_batch(request.user, pk)
    pending = (
        batch.lines.filter(status=PaymentLine.Status.PENDING)
        .select_related("grant", "grant__archive")
        .order_by("id")
    )
    bound = request.method == "POST"
    if bound:
        # The lines the posted page carried (those still at the bank).
        posted = {
            int(key[7:]) for key in request.POST if key[7:].isdigit() and key.startswith("result_")
        }
        lines = list(pending.filter(pk__in=posted))
        page_obj = None
    else:
        page_obj = paginate(request, pending, per_page=RESULTS_PER_PAGE)
        lines = list(page_obj)
    form = ResultsForm(request.POST if bound else None, batch=batch, lines=lines)
    if bound:
        done = run_service(
            request,
            lambda data: services.batch_record_results(
                actor=request.user, batch=batch, results=form.results()
            ),
            form=form,
            success="已登记银行处理结果。",
            done=lambda recorded: redirect(
                "funds:batch_results"
                if recorded.status == PaymentBatch.Status.SENT
                else "funds:batch_detail",
                pk=recorded.pk,
            ),
        )
        if done:
            return done
    blocked = PAYMENT_BATCHES.why_not(batch, request.user, "record")
    return render(
        request,
        "funds/payments/batch_results.html",
        {
            "batch": batch,
            "form": form,
            "page_obj": page_obj,
            "blocked": blocked,
            "upload_form": ReturnUploadForm(),
        },
    )


@require_POST
@login_required
@role_required(Role.FINANCE)
def batch_return_upload(request, pk: int):
    """The bank's return file: kept, then shown matched line by line; nothing recorded."""
    batch = access_batch(request.user, pk)
    form = ReturnUploadForm(request.POST, request.FILES)
    done = run_service(
        request,
        lambda data: services.bank_return_upload(
            actor=request.user, batch=batch, upload=data["file"]
        ),
        form=form,
        success="回盘文件已上传，请核对以下结果后确认登记（确认前不登记）。",
        done=lambda upload: redirect(
            "funds:batch_return_preview", pk=batch.pk, sha256=upload.sha256
        ),
    )
    if done:
        return done
    blocked = PAYMENT_BATCHES.why_not(batch, request.user, "record")
    pending = batch.lines.filter(status=PaymentLine.Status.PENDING).order_by("id")
    page_obj = paginate(request, pending, per_page=RESULTS_PER_PAGE)
    return render(
        request,
        "funds/payments/batch_results.html",
        {
            "batch": batch,
            "form": ResultsForm(batch=batch, lines=list(page_obj)),
            "page_obj": page_obj,
            "blocked": blocked,
            "upload_form": form,
        },
    )


@login_required
@role_required(Role.FINANCE)
def batch_return_preview(request, pk: int, sha256: str):
    """The return file matched against the batch: problems in red; only the confirmation
    (a POST of this page, carrying nothing but the confirmation) records."""
    batch = access_batch(request.user, pk)
    upload = get_object_or_404(BankReturn, batch=batch, sha256=sha256)
    form = ReturnConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.bank_return_confirm(actor=request.user, upload=upload),
            form=form,
            success="已按回盘文件登记银行处理结果。",
            done=lambda recorded: redirect("funds:batch_detail", pk=recorded.pk),
        )
        if done:
            return done
        upload.refresh_from_db()
    return render(
        request,
        "funds/payments/batch_return.html",
        {"batch": batch, "preview": selectors.return_preview(upload), "form": form},
    )


@require_POST
@login_required
@role_required(Role.FINANCE)
def batch_slip_upload(request, pk: int):
    batch = access_batch(request.user, pk)
    form = SlipForm(request.POST, request.FILES)
    done = run_service(
        request,
        lambda data: services.batch_upload_slip(
            actor=request.user, batch=batch, upload=data["file"]
        ),
        form=form,
        success="银行回单已上传，作为会计档案保存。",
        done=lambda uploaded: redirect("funds:batch_detail", pk=uploaded.pk),
    )
    return done or _detail(request, access_batch(request.user, pk), slip_form=form)


@require_GET
@login_required
@role_required(*READERS)
def batch_slip(request, pk: int):
    """The bank slip, from private storage, to finance and auditors in scope."""
    batch = access_batch(request.user, pk)
    if not batch.bank_slip:
        raise Http404("该批次没有上传银行回单。")
    name = batch.bank_slip.name.lower()
    content_type = next(
        (kind for suffix, kind in SLIP_TYPES.items() if name.endswith(suffix)), "image/png"
    )
    return FileResponse(
        batch.bank_slip.open("rb"),
        as_attachment=True,
        filename=batch.bank_slip_name or "银行回单",
        content_type=content_type,
    )
