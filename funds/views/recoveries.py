"""Funds views: recovering money (追回, WH-M §19; TA-F §14) and the city's reduce / stop
decisions (减拨、停拨, TA-F §14).

A county reviewer records a recovery from the archive's page; another reviewer of that
county confirms it (the archive closes for cause, the worker is told), or it is cancelled;
the county's finance books what is paid back; a reviewer who did not record it may end it.
The city's finance records 减拨 / 停拨 decisions on its account. Auditors and the city read
every page and change nothing (the services refuse them). Every action is form → access →
service → message → redirect; a refusal comes back on the form with what was typed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from accounts.access import require_role, role_required
from accounts.roles import Level, Role
from archives.access import access_archive
from core.service_forms import add_service_errors, oversized_upload
from funds.access import access_account, access_recovery, access_restriction
from funds.forms_recoveries import (
    ConfirmForm,
    LiftForm,
    NoteForm,
    RecoveryForm,
    RepayForm,
    RestrictionForm,
)
from funds.models import Recovery
from funds.recovery_workflow import actions_from
from funds.selectors import recoveries as selectors
from funds.selectors.accounts import county_accounts_of
from funds.selectors.audit import history_changes
from funds.services import recoveries as services

NOT_DONE = "未办理：请按标红提示修改；已填内容均已保留。"
READERS = (Role.CASEWORKER, Role.REVIEWER, Role.FINANCE, Role.AUDITOR, Role.ADMIN)


@login_required
@role_required(Role.REVIEWER)
def recovery_create(request, archive_pk: int):
    """登记追回: the finding, its evidence, the paid grants and the amount."""
    archive = access_archive(request.user, archive_pk)
    grants = selectors.recoverable_grants(archive)
    too_big = oversized_upload(request) if request.method == "POST" else ""
    if request.method == "POST" and not too_big:
        form = RecoveryForm(request.POST, request.FILES, grants=grants)
        if form.is_valid():
            data = form.cleaned_data
            try:
                recovery = services.recovery_record(
                    actor=request.user,
                    archive=archive,
                    grants=data["grants"],
                    amount=data["amount"],
                    finding=data["finding"],
                    found_on=data["found_on"],
                    evidence=data["evidence"],
                )
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"已登记追回 {recovery.amount} 元，待本县其他审核人确认（登记人不能确认）。",
                )
                return redirect("funds:recovery_detail", pk=recovery.pk)
        messages.error(request, NOT_DONE)
    else:
        form = RecoveryForm(request.POST or None, grants=grants)
        if too_big:
            form.add_error("evidence", too_big)
            messages.error(request, NOT_DONE)
    return render(
        request,
        "funds/recoveries/recovery_form.html",
        {"archive": archive, "form": form, "grants": grants},
    )


def _may_decide(user, recovery: Recovery) -> bool:
    organisation = user.organisation
    return (
        user.has_role(Role.REVIEWER)
        and organisation is not None
        and organisation.level == Level.COUNTY
        and organisation.pk == recovery.county_id
    )


def _may_repay(user, recovery: Recovery) -> bool:
    return user.has_role(Role.FINANCE) and user.organisation_id == recovery.account.organisation_id


def _render_detail(request, recovery: Recovery, **forms):
    actions = {t.action for t in actions_from(recovery.status)}
    decide = _may_decide(request.user, recovery)
    recorder = request.user.pk == recovery.recorded_by_id
    context = {
        "recovery": recovery,
        "archive": recovery.archive,
        "lines": selectors.recovery_lines(recovery),
        "repayments": recovery.repayments.select_related("recorded_by"),
        "outstanding": selectors.recovery_outstanding(recovery),
        "history": history_changes(
            recovery.history.order_by("history_date", "history_id"), lambda r: "追回"
        ),
        "recorder_here": decide and recorder and "confirm" in actions,
    }
    if decide and not recorder and "confirm" in actions:
        context["confirm_form"] = forms.get("confirm_form") or ConfirmForm()
    if decide and "cancel" in actions:
        context["cancel_form"] = forms.get("cancel_form") or NoteForm(prefix="cancel")
    if decide and not recorder and "close" in actions:
        context["close_form"] = forms.get("close_form") or NoteForm(prefix="close")
    if _may_repay(request.user, recovery) and "repay" in actions:
        context["repay_form"] = forms.get("repay_form") or RepayForm()
    return render(request, "funds/recoveries/recovery_detail.html", context)


@require_GET
@login_required
def recovery_detail(request, pk: int):
    require_role(request.user, *READERS)
    return _render_detail(request, access_recovery(request.user, pk))


def _act(request, pk: int, form_class, form_name: str, perform, success: str, prefix=None):
    """One step of the recovery page: its form → the service → message → redirect."""
    recovery = access_recovery(request.user, pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            perform(recovery, form.cleaned_data)
        except ValidationError as exc:
            # A PermissionDenied (an auditor, another union, the recorder) is a 403 page.
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("funds:recovery_detail", pk=pk)
    messages.error(request, NOT_DONE)
    return _render_detail(request, recovery, **{form_name: form})


@login_required
@require_POST
@role_required(Role.REVIEWER)
def recovery_confirm(request, pk: int):
    return _act(
        request,
        pk,
        ConfirmForm,
        "confirm_form",
        lambda recovery, data: services.recovery_confirm(
            actor=request.user, recovery=recovery, channel=data["channel"]
        ),
        "已确认追回：档案因虚假信息撤档（只读保存），已告知职工。",
    )


@login_required
@require_POST
@role_required(Role.REVIEWER)
def recovery_cancel(request, pk: int):
    return _act(
        request,
        pk,
        NoteForm,
        "cancel_form",
        lambda recovery, data: services.recovery_cancel(
            actor=request.user, recovery=recovery, note=data["note"]
        ),
        "已撤销该追回登记。",
        prefix="cancel",
    )


@login_required
@require_POST
@role_required(Role.REVIEWER)
def recovery_close(request, pk: int):
    return _act(
        request,
        pk,
        NoteForm,
        "close_form",
        lambda recovery, data: services.recovery_close(
            actor=request.user, recovery=recovery, note=data["note"]
        ),
        "已终结追回；已收回的款项保留在账。",
        prefix="close",
    )


@login_required
@require_POST
@role_required(Role.FINANCE)
def recovery_repay(request, pk: int):
    return _act(
        request,
        pk,
        RepayForm,
        "repay_form",
        lambda recovery, data: services.recovery_repay(
            actor=request.user,
            recovery=recovery,
            received_on=data["received_on"],
            amount=data["amount"],
            reference=data["reference"],
        ),
        "已登记收回追回款，按原帮扶项目的年度、来源和项目记入专户。",
    )


# --- 减拨、停拨 ----------------------------------------------------------------------------


@login_required
def restrictions(request, account_pk: int):
    """The city's reduce / stop decisions about its counties (and the form for its finance);
    a county's page lists the decisions about it."""
    require_role(request.user, Role.FINANCE, Role.AUDITOR, Role.ADMIN)
    account = access_account(request.user, account_pk)
    is_city = account.organisation.level == Level.CITY
    may_record = (
        is_city
        and request.user.has_role(Role.FINANCE)
        and request.user.organisation_id == account.organisation_id
    )
    counties = county_accounts_of(account) if is_city else None
    form = None
    if may_record:
        form = RestrictionForm(request.POST or None, counties=counties)
        if request.method == "POST":
            if form.is_valid():
                try:
                    restriction = services.restriction_record(
                        actor=request.user, account=account, **form.cleaned_data
                    )
                except (ValidationError, PermissionDenied) as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(
                        request,
                        f"已登记对{restriction.to_account.name}{restriction.year}年度"
                        f"{restriction.get_kind_display()}的决定；分配下达将按此执行。",
                    )
                    return redirect("funds:restrictions", account_pk=account.pk)
            messages.error(request, NOT_DONE)
    elif request.method == "POST":
        raise PermissionDenied("减拨、停拨决定由市总工会财务人员登记；其他人员只能查看。")
    rows = (
        selectors.restriction_list_for_account(account)
        if is_city
        else selectors.restrictions_on_county(account)
    )
    return render(
        request,
        "funds/recoveries/restrictions.html",
        {
            "account": account,
            "rows": rows,
            "form": form,
            "may_record": may_record,
            "lift_form": LiftForm() if may_record else None,
        },
    )


@login_required
@require_POST
@role_required(Role.FINANCE)
def restriction_lift(request, pk: int):
    restriction = access_restriction(request.user, pk)
    form = LiftForm(request.POST)
    if form.is_valid():
        try:
            services.restriction_lift(
                actor=request.user, restriction=restriction, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, f"未解除：{message}")
        else:
            messages.success(request, f"已解除{restriction.get_kind_display()}决定。")
    else:
        messages.error(request, "未解除：请填写解除理由。")
    return redirect("funds:restrictions", account_pk=restriction.account_id)


urlpatterns = [
    path("archives/<int:archive_pk>/recoveries/new/", recovery_create, name="recovery_create"),
    path("recoveries/<int:pk>/", recovery_detail, name="recovery_detail"),
    path("recoveries/<int:pk>/confirm/", recovery_confirm, name="recovery_confirm"),
    path("recoveries/<int:pk>/cancel/", recovery_cancel, name="recovery_cancel"),
    path("recoveries/<int:pk>/close/", recovery_close, name="recovery_close"),
    path("recoveries/<int:pk>/repay/", recovery_repay, name="recovery_repay"),
    path("accounts/<int:account_pk>/restrictions/", restrictions, name="restrictions"),
    path("restrictions/<int:pk>/lift/", restriction_lift, name="restriction_lift"),
]
