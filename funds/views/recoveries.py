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
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import require_role, role_required
from accounts.roles import Level, Role
from archives.access import access_archive
from core.lifecycle import moves
from core.service_forms import NOT_DONE, oversized_upload, run_service
from funds.access import access_account, access_recovery, access_restriction, can_finance
from funds.forms.recoveries import (
    ConfirmForm,
    LiftForm,
    NoteForm,
    RecoveryForm,
    RepayForm,
    RestrictionForm,
)
from funds.lifecycles import RECOVERIES
from funds.models import Recovery
from funds.selectors import recoveries as selectors
from funds.selectors.accounts import county_accounts_of
from funds.selectors.audit import history_changes
from funds.services import recoveries as services

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
        done = run_service(
            request,
            lambda data: services.recovery_record(
                actor=request.user,
                archive=archive,
                grants=data["grants"],
                amount=data["amount"],
                finding=data["finding"],
                found_on=data["found_on"],
                evidence=data["evidence"],
            ),
            form=form,
            success=lambda recovery: (
                f"已登记追回 {recovery.amount} 元，待本县其他审核人确认（登记人不能确认）。"
            ),
            done=lambda recovery: redirect("funds:recovery_detail", pk=recovery.pk),
        )
        if done:
            return done
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


# The forms of the page, by the move they take.
FORMS = {
    "confirm": ("confirm_form", lambda: ConfirmForm()),
    "cancel": ("cancel_form", lambda: NoteForm(prefix="cancel")),
    "close": ("close_form", lambda: NoteForm(prefix="close")),
    "repay": ("repay_form", lambda: RepayForm()),
}


def _render_detail(request, recovery: Recovery, **forms):
    """The recovery, and a form for each move the table lets this user take now."""
    may = {m.transition.action: m for m in moves(RECOVERIES, recovery, request.user)}
    context = {
        "recovery": recovery,
        "archive": recovery.archive,
        "lines": selectors.recovery_lines(recovery),
        "repayments": recovery.repayments.select_related("recorded_by"),
        "outstanding": selectors.recovery_outstanding(recovery),
        "history": history_changes(
            recovery.history.order_by("history_date", "history_id"), lambda r: "追回"
        ),
    }
    for action, (name, blank) in FORMS.items():
        # A posted form comes back with its refusal even when the move is not the user's.
        if name in forms or (action in may and may[action].allowed):
            context[name] = forms.get(name) or blank()
    # A reviewer who may act here but not decide: who recorded the finding (职责分离).
    confirm, cancel = may.get("confirm"), may.get("cancel")
    if confirm and cancel and cancel.allowed and not confirm.allowed:
        context["recorder_note"] = confirm.why_not
    return render(request, "funds/recoveries/recovery_detail.html", context)


@require_GET
@login_required
def recovery_detail(request, pk: int):
    require_role(request.user, *READERS)
    return _render_detail(request, access_recovery(request.user, pk))


def _act(request, pk: int, form_class, form_name: str, perform, success: str, prefix=None):
    """One step of the recovery page: its form → the service → message → redirect; a
    refusal (the recorder confirming, an unmet condition) comes back on the form."""
    recovery = access_recovery(request.user, pk)
    form = form_class(request.POST, prefix=prefix)
    done = run_service(
        request,
        lambda data: perform(recovery, data),
        form=form,
        success=success,
        done=lambda _: redirect("funds:recovery_detail", pk=pk),
    )
    return done or _render_detail(request, recovery, **{form_name: form})


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
    may_record = is_city and not can_finance(request.user, account, "登记减拨、停拨决定")
    counties = county_accounts_of(account) if is_city else None
    form = None
    if may_record:
        form = RestrictionForm(request.POST or None, counties=counties)
        if request.method == "POST":
            done = run_service(
                request,
                lambda data: services.restriction_record(
                    actor=request.user, account=account, **data
                ),
                form=form,
                success=lambda restriction: (
                    f"已登记对{restriction.to_account.name}"
                    f"{restriction.year}年度{restriction.get_kind_display()}的决定；"
                    "分配下达将按此执行。"
                ),
                done=lambda _: redirect("funds:restrictions", account_pk=account.pk),
            )
            if done:
                return done
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
    back = redirect("funds:restrictions", account_pk=restriction.account_id)
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未办理：请填写解除理由。")
        return back
    return (
        run_service(
            request,
            lambda data: services.restriction_lift(
                actor=request.user, restriction=restriction, reason=form.cleaned_data["reason"]
            ),
            success=f"已解除{restriction.get_kind_display()}决定。",
            done=lambda _: back,
        )
        or back
    )
