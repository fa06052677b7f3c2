"""Archive views: the list with its search and export, the archive page, the merge of a
duplicate, and the two printed forms (救助审批表, 联系卡).

Every view gets an archive through `access_archive` (not found outside the user's scope);
the merge goes through `archive_merge` (by `run_service`), which checks everything again.
"""

import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import require_role
from accounts.roles import Role
from archives.access import access_archive
from archives.forms.listing import ArchiveFilterForm, ArchiveSearchForm, MergeForm
from archives.lifecycles import ARCHIVE
from archives.selectors.exits import exit_panel
from archives.selectors.listing import (
    EXPORT_COLUMNS,
    approval_figures,
    approval_members,
    approval_opinions,
    archive_documents,
    archive_events,
    archive_export_rows,
    archive_find_by_number,
    archive_history,
    archive_list_for_user,
    archive_merged_from,
    archive_people,
    stale_verification_cutoff,
    union_contacts,
)
from archives.selectors.reverify import reverify_panel
from archives.services.lifecycle import archive_merge
from core.excel import XLSX_CONTENT_TYPE, Sheet, write_workbook
from core.service_forms import paginate, run_service

# Parameters of the list that are not filters.
NOT_FILTERS = {"csrfmiddlewaretoken", "page", "id_number"}


def _filter_params(data) -> dict[str, str]:
    return {k: v for k, v in data.items() if k not in NOT_FILTERS and v}


@require_POST
@login_required
def archive_search(request):
    """The list's search form posts here, so that an ID number typed into it never appears
    in a URL: it is replaced by its keyed hash (`person`), and the list shown by a redirect."""
    params = _filter_params(request.POST)
    params.pop("person", None)
    search = ArchiveSearchForm(request.POST)
    if search.is_valid():
        if search.cleaned_data["id_number"]:
            params["person"] = search.cleaned_data["id_number"]
    else:
        for message in search.errors["id_number"]:
            messages.error(request, f"未按身份证号查找：{message}")
    return redirect(f"{reverse('archives:list')}?{urlencode(params)}")


@login_required
def archive_list(request):
    form = ArchiveFilterForm(request.GET, user=request.user)
    archives = archive_list_for_user(request.user, **form.filters())
    today = timezone.localdate()
    return render(
        request,
        "archives/archive_list.html",
        {
            "form": form,
            "page_obj": paginate(request, archives),
            "params": _filter_params(request.GET),
            "today": today,
            "stale_before": stale_verification_cutoff(today),
        },
    )


@login_required
def archive_export(request):
    """The filtered list as an Excel workbook: GET with the list's filters; POST when the
    search is by ID number (typed, or as the list's keyed hash)."""
    data = request.POST if request.method == "POST" else request.GET
    filters = ArchiveFilterForm(data, user=request.user).filters()
    if request.method == "POST":
        search = ArchiveSearchForm(request.POST)
        if not search.is_valid():
            for message in search.errors["id_number"]:
                messages.error(request, f"未导出：{message}")
            return redirect(f"{reverse('archives:list')}?{urlencode(_filter_params(data))}")
        if search.cleaned_data["id_number"]:
            filters["person_hash"] = search.cleaned_data["id_number"]
    archives = archive_list_for_user(request.user, **filters)
    today = timezone.localdate()
    # In memory up to 8 MB, on disk beyond; the response closes (and so removes) it.
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_workbook(
        target,
        [Sheet(title="困难职工档案", columns=EXPORT_COLUMNS, rows=archive_export_rows(archives))],
    )
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"困难职工档案_{today:%Y%m%d}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@login_required
def archive_detail(request, pk: int):
    archive = access_archive(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "archives/archive_detail.html",
        {
            "archive": archive,
            "case": archive.case,
            "people": archive_people(archive),
            "events": archive_events(archive),
            "merged_from": archive_merged_from(archive),
            "documents": archive_documents(archive),
            "history": archive_history(archive),
            "today": today,
            "overdue": archive.on_schedule and archive.verification_due < today,
            "can_merge": not ARCHIVE.why_not(archive, request.user, "merge"),
            **reverify_panel(archive, request.user),
            **exit_panel(archive, request.user),
        },
    )


@login_required
def archive_merge_view(request, pk: int):
    """合并重复档案: the number of the duplicate and the reason, then a confirmation page
    with both archives side by side, then `archive_merge`."""
    keep = access_archive(request.user, pk)
    require_role(request.user, Role.ADMIN)
    form = MergeForm(request.POST or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        duplicate = archive_find_by_number(request.user, form.cleaned_data["number"])
        if duplicate is None:
            form.add_error("number", "没有找到该档案编号，或该档案不在您的管理范围内。")
        elif duplicate.pk == keep.pk:
            form.add_error("number", "这是本档案的编号：请填写另一份重复档案的编号。")
            duplicate = None
        elif request.POST.get("confirmed") == "yes":
            done = run_service(
                request,
                lambda data: archive_merge(
                    actor=request.user, keep=keep, duplicate=duplicate, reason=data["reason"]
                ),
                form=form,
                success=f"档案 {duplicate.number} 已并入档案 {keep.number}，原档案只读保存。",
                done=lambda kept: redirect("archives:detail", pk=keep.pk),
            )
            if done:
                return done
            duplicate = None
    if duplicate is not None:
        return render(
            request,
            "archives/merge_confirm.html",
            {
                "keep": keep,
                "duplicate": duplicate,
                "form": form,
                "keep_people": archive_people(keep),
                "duplicate_people": archive_people(duplicate),
            },
        )
    return render(request, "archives/merge_form.html", {"archive": keep, "form": form})


@login_required
def print_approval(request, pk: int):
    """困难职工救助审批表: the approved application with each level's opinion and seal box."""
    archive = access_archive(request.user, pk)
    return render(
        request,
        "archives/print_approval.html",
        {
            "archive": archive,
            "case": archive.case,
            "members": approval_members(archive),
            "figures": approval_figures(archive.case),
            "levels": approval_opinions(archive),
            "today": timezone.localdate(),
        },
    )


@login_required
def print_card(request, pk: int):
    """困难职工联系卡: the household's number, category and whom at the union to call."""
    archive = access_archive(request.user, pk)
    if archive.is_final:
        messages.error(request, f"档案{archive.get_status_display()}，不再出具困难职工联系卡。")
        return redirect("archives:detail", pk=archive.pk)
    return render(
        request,
        "archives/print_card.html",
        {
            "archive": archive,
            "contacts": union_contacts(archive),
            "today": timezone.localdate(),
        },
    )
