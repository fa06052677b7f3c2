"""Funds views: assistance grants (帮扶救助) — proposed from the archive with the standard
shown as the item is chosen, listed, approved or rejected by a second person, cancelled,
and the printed payment notice for the worker.

Every action is form → access → service → message → redirect; what the services refuse
comes back on the form with everything typed kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from archives.access import access_archive
from archives.models import Archive
from archives.selectors.figures import current_figures
from assistance.eligibility import Category
from core.lifecycle import move
from core.service_forms import paginate, run_service
from funds.access import access_grant
from funds.forms.grants import CancelForm, DecisionForm, GrantFilterForm, GrantForm, StandardForm
from funds.lifecycles import GRANTS
from funds.models import Grant, Item, PaymentLine
from funds.selectors import grants as selectors
from funds.selectors.payments import paid_count
from funds.services import grants as services

STAFF = (Role.CASEWORKER, Role.REVIEWER)


def _standard(archive: Archive, form: StandardForm):
    """The standard for what the form holds and whether the household may have the item
    this year, or the reason there is none (never raises)."""
    if not form.is_valid():
        return None, "", None
    today = timezone.localdate()
    try:
        standard = selectors.grant_standard(
            archive=archive,
            item=form.cleaned_data["item"],
            year=form.cleaned_data["year"],
            inputs=form.inputs(),
            on=today,
        )
        check = selectors.check_year_limits(archive, standard, on=today)
    except ValidationError as exc:
        return None, "；".join(exc.messages), None
    return standard, "", check


@login_required
@role_required(*STAFF)
def grant_create(request, archive_pk: int):
    """Propose an item for the archive's household: GET shows the standard for the item
    chosen (and the inputs typed), with the amount filled in; POST proposes it."""
    archive = access_archive(request.user, archive_pk)
    figures = current_figures(archive)
    defaults = {
        "item": Item.LIVING,
        "year": timezone.localdate().year,
        "students": figures.get("students"),
        "medical_out_of_pocket": figures.get("medical_out_of_pocket"),
        "accident_costs": figures.get("accident_costs"),
    }
    if request.method == "POST":
        form = GrantForm(request.POST, archive=archive)
        done = run_service(
            request,
            lambda data: services.grant_propose(
                actor=request.user,
                archive=archive,
                item=data["item"],
                year=data["year"],
                source=data["source"],
                amount=data["amount"],
                inputs=form.inputs(),
                basis=data["basis"],
                provincial_approval=data["provincial_approval"],
                national_approval=data["national_approval"],
            ),
            form=form,
            success=lambda grant: (
                f"已提出帮扶救助：{grant.get_item_display()} {grant.amount} 元，"
                "待县级或市级审核人审批。"
            ),
            done=lambda grant: redirect("funds:grant_detail", pk=grant.pk),
        )
        if done:
            return done
        standard, problem, check = _standard(archive, StandardForm(request.POST, archive=archive))
    else:
        chosen = StandardForm({**defaults, **request.GET.dict()}, archive=archive)
        standard, problem, check = _standard(archive, chosen)
        initial = {**defaults, **{k: v for k, v in request.GET.items() if k in chosen.fields}}
        if standard is not None and standard.amount and not check.refusal:
            initial["amount"] = standard.amount
        form = GrantForm(initial=initial, archive=archive)
        if chosen.errors:
            for name, errors in chosen.errors.items():
                for error in errors:
                    messages.error(request, f"{chosen.fields[name].label}：{error}")
    earlier = selectors.counted_grants(archive, timezone.localdate().year)
    return render(
        request,
        "funds/grants/grant_form.html",
        {
            "archive": archive,
            "form": form,
            "standard": standard,
            "problem": problem,
            "check": check,
            "earlier": earlier.order_by("created_at", "id"),
            "accident": archive.category == Category.ACCIDENT,
            "grantable": archive.status in services.GRANTABLE_STATUSES,
        },
    )


@require_GET
@login_required
@role_required(Role.CASEWORKER, Role.REVIEWER, Role.FINANCE, Role.AUDITOR)
def grant_list(request):
    form = GrantFilterForm(request.GET, counties=selectors.county_choices(request.user))
    grants = selectors.grant_list_for_user(request.user, **form.filters())
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "funds/grants/grant_list.html",
        {"form": form, "page_obj": paginate(request, grants), "params": params},
    )


def _abilities(user, grant: Grant) -> dict:
    """What the table lets this user do with the grant now (a grant waiting at the bank is
    not withdrawn: the cancel move's requirement)."""

    def may(action: str) -> bool:
        found = move(GRANTS, grant, user, action)
        return found is not None and found.allowed

    return {"decide": may("approve"), "cancel": may("cancel")}


def _detail(request, grant: Grant, *, decision=None, cancel=None, status: int = 200):
    lines = selectors.grant_lines(grant)
    pending = next((line for line in lines if line.status == PaymentLine.Status.PENDING), None)
    can = _abilities(request.user, grant)
    return render(
        request,
        "funds/grants/grant_detail.html",
        {
            "grant": grant,
            "archive": grant.archive,
            "lines": lines,
            "pending": pending,
            "can": can,
            "decision_form": decision or (DecisionForm() if can["decide"] else None),
            "cancel_form": cancel or (CancelForm() if can["cancel"] else None),
            "history": selectors.grant_history(grant),
        },
        status=status,
    )


@require_GET
@login_required
def grant_detail(request, pk: int):
    return _detail(request, access_grant(request.user, pk))


def _act(request, grant: Grant, form, perform, success: str, slot: str):
    done = run_service(
        request,
        perform,
        form=form,
        success=success,
        done=lambda _: redirect("funds:grant_detail", pk=grant.pk),
    )
    return done or _detail(request, access_grant(request.user, grant.pk), **{slot: form})


@require_POST
@login_required
@role_required(Role.REVIEWER)
def grant_decide(request, pk: int):
    grant = access_grant(request.user, pk)
    form = DecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    return _act(
        request,
        grant,
        form,
        lambda data: services.grant_decide(
            actor=request.user,
            grant=grant,
            approve=data["decision"] == "approve",
            opinion=data["opinion"],
        ),
        "已批准，待财务列入发放批次。" if approve else "已作出不予批准的决定。",
        "decision",
    )


@require_POST
@login_required
@role_required(*STAFF)
def grant_cancel(request, pk: int):
    grant = access_grant(request.user, pk)
    return _act(
        request,
        grant,
        CancelForm(request.POST),
        lambda data: services.grant_cancel(actor=request.user, grant=grant, reason=data["reason"]),
        "已撤销该帮扶救助。",
        "cancel",
    )


@require_GET
@login_required
def payment_letter(request, pk: int):
    """帮扶资金发放告知书: the written notice of a paid grant (item, amount, date, count), for
    the worker whose text message failed or who has no mobile phone (WH-F §9, TA-F §5.2)."""
    grant = access_grant(request.user, pk)
    line = (
        grant.payment_lines.filter(status=PaymentLine.Status.PAID)
        .select_related("batch__account__organisation", "notification", "grant")
        .first()
    )
    if line is None:
        messages.error(request, "该帮扶救助尚未发放到账，没有发放告知书。")
        return redirect("funds:grant_detail", pk=grant.pk)
    issuer = line.batch.account.organisation
    return render(
        request,
        "funds/grants/payment_letter.html",
        {
            "grant": grant,
            "archive": grant.archive,
            "line": line,
            "issuer": issuer,
            "count": paid_count(line),
            "today": timezone.localdate(),
        },
    )
