"""Archive views: leaving the archive (退档), 脱困 and its phase-out, objections and their
re-check, the printed exit registration form and the re-check result letter.

Every action is form → access → service (through `run_service`) → message → redirect. The
services are the only authority: what the page offers comes from the tables
(`archives.lifecycles`), and whatever the services refuse comes back on the form with
everything typed kept.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import role_required
from accounts.roles import Role
from archives.access import access_archive
from archives.forms.exits import (
    ArchiveForm,
    ExitFindingForm,
    ExitRequestForm,
    FinaliseForm,
    ObjectionDecideForm,
    ObjectionForm,
    PhaseOutConcludeForm,
)
from archives.models import Archive, ArchiveExit, ExitObjection
from archives.selectors import exits as selectors
from archives.selectors.figures import VISIT_FIGURES, current_figures
from archives.selectors.reverify import pending_change
from archives.services import exits as services
from assistance.models import Case
from core.models import Notification
from core.service_forms import paginate, run_service
from core.workdays import span_note


def _panel(archive: Archive, user) -> selectors.ExitPanel:
    return selectors.exit_panel(archive, user)["exit_panel"]


def _form(request, form_class: type[ArchiveForm], archive: Archive) -> ArchiveForm:
    bound = request.method == "POST"
    return form_class(
        request.POST if bound else None, request.FILES if bound else None, archive=archive
    )


def _page(request, archive: Archive, form: ArchiveForm, *, title: str, blocked: str, **context):
    """The action's page: the form (as typed, with any refusal) and why it cannot be done now."""
    return render(
        request,
        "archives/exits/action.html",
        {
            "archive": archive,
            "title": title,
            "form": form,
            "blocked": blocked,
            "max_mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024),
            **context,
        },
    )


def _back(archive: Archive):
    return lambda result: redirect("archives:detail", pk=archive.pk)


@login_required
def exit_request(request, pk: int):
    archive = access_archive(request.user, pk)
    form = _form(request, ExitRequestForm, archive)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.exit_request_record(
                actor=request.user,
                archive=archive,
                request_date=data["request_date"],
                request_document=data["request_document"],
                note=data["note"],
            ),
            form=form,
            success=f"档案 {archive.number} 已按本人申请退档，档案已撤档。",
            done=_back(archive),
        )
        if done:
            return done
    return _page(
        request,
        archive,
        form,
        title="登记本人退档申请",
        blocked=_panel(archive, request.user).request_blocked,
    )


def _finding_message(exit: ArchiveExit) -> str:
    archive = exit.archive
    if exit.outcome == ArchiveExit.Outcome.PHASE_OUT:
        return (
            f"已登记脱困：档案 {archive.number} 进入渐退期，至 {archive.phase_out_until:%Y-%m-%d}；"
            f"职工可在 {exit.objection_until:%Y-%m-%d} 前申请复核。"
        )
    return (
        f"已登记退档：档案 {archive.number} 进入退档告知期；职工可在 "
        f"{exit.objection_until:%Y-%m-%d} 前申请复核，期满无异议后办结退档。"
    )


@login_required
def exit_finding(request, pk: int):
    archive = access_archive(request.user, pk)
    form = _form(request, ExitFindingForm, archive)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.exit_finding_record(
                actor=request.user,
                archive=archive,
                situation=data["situation"],
                signature=data["signature"],
                investigators_note=data["investigators_note"],
                notified_on=data["notified_on"],
                signed_form=data["signed_form"],
                **form.visit_arguments(),
            ),
            form=form,
            success=_finding_message,
            done=_back(archive),
        )
        if done:
            return done
    return _page(
        request,
        archive,
        form,
        title="登记困难职工脱困登记表（走访发现达到退档标准）",
        blocked=_panel(archive, request.user).find_blocked,
        finding=True,
    )


@login_required
def exit_objection(request, pk: int, exit_pk: int):
    archive = access_archive(request.user, pk)
    exit = selectors.exit_of(archive, exit_pk)
    form = _form(request, ObjectionForm, archive)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.exit_objection_record(
                actor=request.user,
                exit=exit,
                received_on=data["received_on"],
                content=data["content"],
                request_document=data["request_document"],
            ),
            form=form,
            success=lambda objection: (
                f"已登记复核申请，须于 {objection.decide_by:%Y-%m-%d} 前完成复核。"
                f"{span_note(objection.received_on, objection.decide_by)}"
            ),
            done=_back(archive),
        )
        if done:
            return done
    row = next((r for r in _panel(archive, request.user).rows if r.exit.pk == exit.pk), None)
    return _page(
        request,
        archive,
        form,
        title="登记退档复核申请",
        blocked=row.object_blocked if row is not None else "没有找到该退档登记。",
        exit=exit,
    )


@login_required
def objection_decide(request, pk: int, objection_pk: int):
    archive = access_archive(request.user, pk)
    objection = selectors.objection_of(archive, objection_pk)
    form = _form(request, ObjectionDecideForm, archive)

    def success(decided: ExitObjection) -> str:
        text = f"复核结论已登记：{decided.get_result_display()}。"
        notification = decided.notification
        if notification.status == Notification.Status.SENT:
            return text + "已短信告知职工。"
        if notification.status == Notification.Status.FAILED:
            messages.warning(
                request,
                f"短信发送失败（{notification.error}）：请打印《退档复核结果告知书》书面送达。",
            )
            return text
        return text + "请打印《退档复核结果告知书》送达职工。"

    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.exit_objection_decide(
                actor=request.user,
                objection=objection,
                result=data["result"],
                note=data["note"],
                channel=data["channel"],
            ),
            form=form,
            success=success,
            done=_back(archive),
        )
        if done:
            return done
    panel = _panel(archive, request.user)
    row = next((r for r in panel.rows if r.objection and r.objection.pk == objection.pk), None)
    deadline = selectors.objection_deadlines([objection], timezone.localdate())[objection.pk]
    return _page(
        request,
        archive,
        form,
        title="退档复核结论",
        blocked=row.decide_blocked if row is not None else "没有找到该复核申请。",
        exit=objection.exit,
        objection=objection,
        deadline=deadline,
    )


@login_required
def exit_finalise(request, pk: int):
    archive = access_archive(request.user, pk)
    form = _form(request, FinaliseForm, archive)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.exit_finalise(actor=request.user, archive=archive),
            form=form,
            success=f"档案 {archive.number} 已退档（撤档）。",
            done=_back(archive),
        )
        if done:
            return done
    return _page(
        request,
        archive,
        form,
        title="办结退档",
        blocked=_panel(archive, request.user).finalise_blocked,
    )


def _conclusion_message(archive: Archive) -> str:
    if archive.status == Archive.Status.CLOSED:
        return f"渐退期满：档案 {archive.number} 已退档，列为送温暖重点对象。"
    pending = pending_change(archive)
    if pending is not None:
        return (
            f"渐退期满：档案 {archive.number} 恢复在档，拟变更为"
            f"{pending.get_to_category_display()}，待审核。"
        )
    return f"渐退期满：档案 {archive.number} 仍符合{archive.get_category_display()}标准，返回在档。"


@login_required
def phase_out_conclude(request, pk: int):
    archive = access_archive(request.user, pk)
    form = _form(request, PhaseOutConcludeForm, archive)
    if request.method == "POST":
        done = run_service(
            request,
            lambda data: services.phase_out_conclude(
                actor=request.user, archive=archive, **form.visit_arguments()
            ),
            form=form,
            success=_conclusion_message,
            done=_back(archive),
        )
        if done:
            return done
    return _page(
        request,
        archive,
        form,
        title="渐退期满核查",
        blocked=_panel(archive, request.user).conclude_blocked,
    )


# --- Printed pages -------------------------------------------------------------------------


def _figure_rows(figures: dict) -> list[list[tuple[str, str]]]:
    """The figures with their labels, three to a printed row."""
    cells = [
        (Case._meta.get_field(name).verbose_name, figures.get(name, "")) for name in VISIT_FIGURES
    ]
    return [cells[i : i + 3] for i in range(0, len(cells), 3)]


@login_required
def print_exit_form(request, pk: int, exit_pk: int):
    """困难职工脱困登记表 of a recorded exit finding (WH-M §14), filled from the record."""
    archive = access_archive(request.user, pk)
    exit = selectors.exit_of(archive, exit_pk)
    if exit.kind != ArchiveExit.Kind.STANDARD_MET:
        messages.error(request, "本人申请退档的，以退档申请书为准，没有脱困登记表。")
        return redirect("archives:detail", pk=archive.pk)
    visit = exit.visit
    return render(
        request,
        "archives/exits/print_exit_form.html",
        {
            "archive": archive,
            "exit": exit,
            "visit": visit,
            "staff": selectors.exit_visit_staff(exit),
            "people": list(archive.people.all()),
            "figures": _figure_rows(visit.figures),
            "above_line": visit.per_capita_income > visit.minimum_living_standard,
            "months_needed": visit.policy.exit_months_above_line,
        },
    )


@login_required
def print_exit_blank(request, pk: int):
    """A blank 困难职工脱困登记表 to take on the visit: the household and its current figures."""
    archive = access_archive(request.user, pk)
    return render(
        request,
        "archives/exits/print_exit_form.html",
        {
            "archive": archive,
            "exit": None,
            "people": list(archive.people.all()),
            "figures": _figure_rows(current_figures(archive)),
            "blank_lines": range(3),
            "signatures": ArchiveExit.Signature.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
def recheck_letter(request, pk: int, objection_pk: int):
    """退档复核结果告知书: the re-check's result in writing (WH-M §14)."""
    archive = access_archive(request.user, pk)
    objection = selectors.objection_of(archive, objection_pk)
    if objection.decided_on is None:
        messages.error(request, "该复核尚未作出结论，没有告知书。")
        return redirect("archives:detail", pk=archive.pk)
    return render(
        request,
        "archives/exits/recheck_letter.html",
        {
            "archive": archive,
            "objection": objection,
            "exit": objection.exit,
            "issuer": objection.decided_by.organisation,
            "revoked": objection.result == ExitObjection.Result.REVOKED,
        },
    )


# --- Lists ---------------------------------------------------------------------------------


@login_required
@role_required(Role.CASEWORKER, Role.REVIEWER, Role.AUDITOR)
def objection_list(request):
    """Re-checks not yet decided in the user's scope, with their deadlines."""
    page_obj = paginate(request, selectors.open_objections_for_user(request.user))
    return render(
        request,
        "archives/exits/objection_list.html",
        {"page_obj": page_obj, "rows": selectors.with_deadlines(page_obj)},
    )


@login_required
@role_required(Role.CASEWORKER, Role.REVIEWER, Role.AUDITOR)
def phase_out_list(request):
    """Households in their phase-out, with its end; those ended need a visit."""
    page_obj = paginate(request, selectors.phase_out_for_user(request.user))
    return render(
        request,
        "archives/exits/phase_out_list.html",
        {"page_obj": page_obj, "today": timezone.localdate()},
    )
