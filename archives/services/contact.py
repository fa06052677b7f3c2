"""Updating the worker's phone and bank card after the archive is opened (联系电话、银行卡变更).

The case is read-only once approved, but a worker changes numbers and banks close cards: a
payment refused with "收款账户已销户" can only be paid again to a new card. A caseworker or
reviewer of the archive's own union or county records the new phone and card with a
reason; the next payment batch reads the card from the case (`funds.services.payments`).

The full card numbers are never shown or written to a history reason: only their masks.
Every write goes through `save_tracked`, and the change is a line of the archive's timeline
(`ArchiveEvent.Kind.CONTACT_CHANGED`).
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from archives.models import Archive, ArchiveEvent
from archives.services.lifecycle import (
    lock_archive,
    record_event,
    require_active,
    require_staff_in_scope,
)
from archives.services.visits import STAFF_ROLES
from assistance.models import Case
from assistance.services.cases import bank_card_digits
from core.crypto import decrypt, encrypt, mask_card
from core.history import save_tracked

WHAT = "更新联系电话、银行卡"
CARD_DIGITS = (12, 19)
PHONE_CHARS = (7, 20)
# The reason is written on the timeline and in the history with the two masked cards.
REASON_MAX = 200
_PHONE = re.compile(r"\+?[0-9]+")


def without_spaces(value: str) -> str:
    return value.replace(" ", "").replace("\u3000", "")


def clean_phone(value: str) -> str:
    """The phone without its spaces: ASCII digits, a leading "+" allowed, 7–20 characters."""
    phone = without_spaces(value)
    if not phone:
        raise ValidationError("请填写联系电话。")
    low, high = PHONE_CHARS
    if not (_PHONE.fullmatch(phone) and low <= len(phone) <= high):
        raise ValidationError(f"联系电话应为 {low}–{high} 位数字（可以“+”开头，不含“-”等符号）。")
    return phone


def clean_bank_card(value: str) -> str:
    """The new card without its spaces: 12–19 ASCII digits, or "" to keep the stored card."""
    card = bank_card_digits(value)
    low, high = CARD_DIGITS
    if card and not low <= len(card) <= high:
        raise ValidationError(f"银行卡号应为 {low}–{high} 位数字。")
    return card


def contact_update_blocked(actor: User, archive: Archive) -> str:
    """Why `actor` cannot update this archive's phone and card, or "" (no query).

    A courtesy for the screen: `archive_contact_update` checks it all again.
    """
    if not actor.has_role(*STAFF_ROLES) or getattr(actor, "organisation_id", None) not in (
        archive.organisation_id,
        archive.county_id,
    ):
        return "只有该档案所在基层工会或县级工会的经办人、审核人可以更新联系电话、银行卡。"
    if not archive.is_active:
        return f"档案{archive.get_status_display()}，不能{WHAT}。"
    return ""


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
    case = Case.objects.select_for_update().get(pk=archive.case_id)

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
