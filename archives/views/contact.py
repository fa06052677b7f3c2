"""Archive view: the worker's new phone and bank card (更新联系电话、银行卡).

Form → access → service → message → redirect, as the exit actions: the service is the only
authority, what it refuses comes back on the form with everything typed kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from archives.access import access_archive
from archives.forms.contact import ContactUpdateForm
from archives.services.contact import archive_contact_update, contact_update_blocked
from core.service_forms import add_service_errors


@login_required
def contact_update(request, pk: int):
    archive = access_archive(request.user, pk)
    old_card = archive.case.bank_card_masked
    bound = request.method == "POST"
    form = ContactUpdateForm(request.POST if bound else None, archive=archive)
    if bound:
        if form.is_valid():
            try:
                updated = archive_contact_update(
                    actor=request.user, archive=archive, **form.service_arguments()
                )
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc)
            else:
                new_card = updated.case.bank_card_masked
                card = (
                    f"银行卡 {old_card} 已更换为 {new_card}，此后建立的发放批次发放到新卡"
                    if new_card != old_card
                    else "银行卡未更换"
                )
                messages.success(
                    request, f"档案 {archive.number} 的联系电话、银行卡已更新：{card}。"
                )
                return redirect("archives:detail", pk=archive.pk)
        messages.error(request, "未办理：请按标红提示修改；已填内容均已保留。")
    return render(
        request,
        "archives/contact_form.html",
        {
            "archive": archive,
            "case": archive.case,
            "form": form,
            "blocked": contact_update_blocked(request.user, archive),
        },
    )
