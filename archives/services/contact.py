"""Updating the worker's phone and bank card after the archive is opened (联系电话、银行卡变更).

The case is read-only once approved, but a worker changes numbers and banks close cards: a
payment refused with "收款账户已销户" can only be paid again to a new card. A caseworker or
reviewer of the archive's own union or county records the new phone and card with a
reason; the next payment batch reads the card from the case (`funds.services.payments`).

The full card numbers are never shown or written to a history reason: only their masks.
Every write goes through `save_tracked`, and the change is a line of the archive's timeline
(`ArchiveEvent.Kind.CONTACT_CHANGED`).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from archives.access import STAFF_ROLES, require_active, require_staff_in_scope
from archives.lifecycles import record_event
from archives.models import Archive, ArchiveEvent
from archives.rules import REASON_MAX, clean_bank_card, clean_phone, without_spaces
from archives.services.lifecycle import lock_archive
from assistance.models import Case
from core.crypto import decrypt, encrypt, mask_card
from core.history import save_tracked
from core.lifecycle import locked

WHAT = "更新联系电话、银行卡"


@transaction.atomic
def archive_contact_update(
    *, actor: User, archive: Archive, phone: str, bank_name: str, bank_card: str, reason: str
) -> Archive:
    """Record the worker's new phone and/or bank card on the archive and its case.

    `bank_card` blank keeps the stored card; a new card needs its bank. The archive is
    locked, then its case; nothing is written unless every value is good and at least one
    of them changes. Returns the archive, its `case` the updated one.
    """
    archive = lock_archive(archive)
    require_staff_in_scope(actor, archive, STAFF_ROLES, WHAT)
    if actor.organisation_id not in (archive.organisation_id, archive.county_id):
        raise PermissionDenied(
            "联系电话、银行卡须由档案所在基层工会或县级工会的经办人、审核人更新。"
        )
    require_active(archive, WHAT)
    case = locked(Case, archive.case_id)

    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["请填写更新原因（如：原银行卡已销户）。"]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [f"更新原因请控制在 {REASON_MAX} 字以内。"]
    typed_phone = without_spaces(phone or "")
    if typed_phone and typed_phone == archive.phone:
        # As recorded at intake (which allows "0553-1234567"): unchanged, not re-checked.
        new_phone = archive.phone
    else:
        try:
            new_phone = clean_phone(phone or "")
        except ValidationError as exc:
            errors["phone"] = exc.messages
    try:
        new_card = clean_bank_card(bank_card or "")
    except ValidationError as exc:
        errors["bank_card"] = exc.messages
        new_card = ""
    if new_card and case.bank_card_cipher and decrypt(case.bank_card_cipher) == new_card:
        new_card = ""  # the card on file, typed again: nothing to change
    new_bank = (bank_name or "").strip()
    bank_max = Case._meta.get_field("bank_name").max_length
    if new_card and not new_bank:
        errors["bank_name"] = ["更换银行卡须填写新卡的开户银行。"]
    elif len(new_bank) > bank_max:
        errors["bank_name"] = [f"开户银行不超过 {bank_max} 字。"]
    if errors:
        raise ValidationError(errors)
    new_bank = new_bank or case.bank_name

    phone_changed = new_phone != archive.phone or new_phone != case.phone
    bank_changed = new_bank != case.bank_name
    if not (phone_changed or bank_changed or new_card):
        raise ValidationError("联系电话、开户银行和银行卡号均未改变，无需更新。")

    card_change = f"银行卡 {case.bank_card_masked}→{mask_card(new_card)}" if new_card else ""
    changed = [
        *(["联系电话"] if phone_changed else []),
        *(["开户银行"] if bank_changed else []),
        *([card_change] if new_card else []),
    ]
    history_reason = f"更新{'、'.join(changed)}：{reason}"

    fields = []
    if phone_changed:
        case.phone = new_phone
        fields.append("phone")
    if bank_changed:
        case.bank_name = new_bank
        fields.append("bank_name")
    if new_card:
        case.bank_card_cipher = encrypt(new_card)
        case.bank_card_masked = mask_card(new_card)
        fields += ["bank_card_cipher", "bank_card_masked"]
    save_tracked(case, actor=actor, reason=history_reason, update_fields=[*fields, "updated_at"])

    # Always a row on the archive too, so that its page's change history shows the step.
    archive.phone = new_phone
    save_tracked(archive, actor=actor, reason=history_reason, update_fields=["phone", "updated_at"])
    record_event(archive, actor=actor, kind=ArchiveEvent.Kind.CONTACT_CHANGED, note=history_reason)
    archive.case = case
    return archive
