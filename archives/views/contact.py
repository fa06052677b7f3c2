"""Archive view: the worker's new phone and bank card (更新联系电话、银行卡).

Form → access → service (through `run_service`) → message → redirect, as the exit actions: the service is the only
authority, what it refuses comes back on the form with everything typed kept.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from archives.access import access_archive, can_update_contact
from archives.forms.contact import ContactUpdateForm
from archives.services.contact import archive_contact_update
from core.service_forms import run_service


@login_required
def contact_update(request, pk: int):
    archive = access_archive(request.user, pk)
    old_card = archive.case.bank_card_masked
    bound = request.method == "POST"
    form = ContactUpdateForm(request.POST if bound else None, archive=archive)

    def success(updated) -> str:
        new_card = updated.case.bank_card_masked
        card = (
            f"银行卡 {old_card} 已更换为 {new_card}，此后建立的发放批次发放到新卡"
            if new_card != old_card
            else "银行卡未更换"
        )
        return f"档案 {archive.number} 的联系电话、银行卡已更新：{card}。"

    if bound:
        done = run_service(
            request,
            lambda data: archive_contact_update(
                actor=request.user, archive=archive, **form.service_arguments()
            ),
            form=form,
            success=success,
            done=lambda updated: redirect("archives:detail", pk=archive.pk),
        )
        if done:
            return done
    return render(
        request,
        "archives/contact_form.html",
        {
            "archive": archive,
            "case": archive.case,
            "form": form,
            "blocked": can_update_contact(request.user, archive),
        },
    )
