"""The worker's new phone and bank card after the archive is opened: who may record it, what
is checked (a card of ASCII digits only), the history with actor and reason and only masked
card numbers, and the screen that never shows the full card."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from accounts.roles import Role
from archives.models import Archive
from archives.services.contact import archive_contact_update
from archives.services.lifecycle import close_archive, lock_archive
from assistance.models import Case
from core.crypto import decrypt
from core.history import save_tracked
from tests.factories.accounts import make_user
from tests.factories.core import refusal_text

OLD_CARD = "6222021234567890123"
OLD_MASKED = "6222***********0123"
NEW_CARD = "6217 0012 3456 7890 12"
NEW_DIGITS = "621700123456789012"
NEW_MASKED = "6217**********9012"


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def update(actor, archive: Archive, **overrides) -> Archive:
    arguments = {
        "phone": "13800001111",
        "bank_name": "中国建设银行",
        "bank_card": NEW_CARD,
        "reason": "原银行卡已销户，职工本人提供新卡",
        **overrides,
    }
    return archive_contact_update(actor=actor, archive=archive, **arguments)


def snapshot(archive: Archive) -> tuple:
    archive, case = fresh(archive), fresh(archive.case)
    return (
        archive.phone,
        case.phone,
        case.bank_name,
        case.bank_card_cipher,
        case.bank_card_masked,
        archive.history.count(),
        case.history.count(),
    )


# --- The service -----------------------------------------------------------------------------


def test_the_union_caseworker_records_a_new_phone_and_card(world, archive):
    caseworker = world.wuhu.caseworker
    assert (archive.case.bank_card_masked, archive.phone) == (OLD_MASKED, "13912345678")
    updated = update(caseworker, archive)
    archive, case = fresh(archive), fresh(archive.case)
    assert updated.case.bank_card_masked == case.bank_card_masked == NEW_MASKED
    assert decrypt(case.bank_card_cipher) == NEW_DIGITS
    assert (archive.phone, case.phone, case.bank_name) == (
        "13800001111",
        "13800001111",
        "中国建设银行",
    )
    reason = f"更新联系电话、开户银行、银行卡 {OLD_MASKED}→{NEW_MASKED}：原银行卡已销户，职工本人提供新卡"
    for row in (case.history.first(), archive.history.first()):
        assert row.history_user == caseworker
        assert row.history_change_reason == reason
    # Only masks in the reasons: the full numbers are nowhere in the history's words.
    reasons = [
        *Case.history.values_list("history_change_reason", flat=True),
        *Archive.history.values_list("history_change_reason", flat=True),
    ]
    assert not any(OLD_CARD in (r or "") or NEW_DIGITS in (r or "") for r in reasons)
    assert case.history.first().bank_card_masked == NEW_MASKED
    event = archive.events.get(kind="contact_changed")
    assert (event.note, event.actor) == (reason, caseworker)


def test_the_county_reviewer_may_too_and_a_blank_card_keeps_the_old_one(world, archive):
    cipher = archive.case.bank_card_cipher
    update(world.wuhu.county_reviewer, archive, bank_card="  ", phone="+86 139 0000 2222")
    archive, case = fresh(archive), fresh(archive.case)
    assert (archive.phone, case.phone) == ("+8613900002222", "+8613900002222")
    assert (case.bank_card_cipher, case.bank_card_masked) == (cipher, OLD_MASKED)
    assert decrypt(case.bank_card_cipher) == OLD_CARD
    assert case.history.first().history_change_reason.startswith("更新联系电话、开户银行：")


def test_a_phone_entered_with_a_hyphen_at_intake_passes_unchanged(world, archive):
    # Intake takes "0553-1234567"; the prefilled form sends it back as it is.
    with transaction.atomic():
        locked = lock_archive(archive)
        case = Case.objects.select_for_update().get(pk=locked.case_id)
        for row in (locked, case):
            row.phone = "0553-1234567"
            save_tracked(row, actor=world.wuhu.caseworker, reason="测试", update_fields=["phone"])
    update(world.wuhu.caseworker, archive, phone="0553-1234567", bank_name="中国工商银行")
    assert fresh(archive).phone == fresh(archive.case).phone == "0553-1234567"
    assert decrypt(fresh(archive.case).bank_card_cipher) == NEW_DIGITS
    assert (
        fresh(archive.case)
        .history.first()
        .history_change_reason.startswith(f"更新银行卡 {OLD_MASKED}→{NEW_MASKED}：")
    )
    # A new number is digits only.
    with pytest.raises(ValidationError) as exc:
        update(world.wuhu.caseworker, archive, phone="0553-7654321", bank_card="")
    assert "联系电话应为 7–20 位数字" in refusal_text(exc)


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ("12ab", "银行卡号应为数字。"),
        ("²²²²²²²²²²²²", "银行卡号应为数字。"),  # str.isdigit() says yes
        ("٦٢٢٢٠٢١٢٣٤٥٦٧٨٩", "银行卡号应为数字。"),  # Arabic-Indic digits
        ("62220212345", "银行卡号应为 12–19 位数字。"),
        ("62220212345678901234", "银行卡号应为 12–19 位数字。"),
    ],
)
def test_a_bad_card_is_refused_and_nothing_changes(world, archive, card, message):
    before = snapshot(archive)
    with pytest.raises(ValidationError) as exc:
        update(world.wuhu.caseworker, archive, bank_card=card)
    assert exc.value.message_dict["bank_card"] == [message]
    assert snapshot(archive) == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reason": "  "}, "reason", "请填写更新原因"),
        ({"reason": "因" * 201}, "reason", "更新原因请控制在 200 字以内"),
        ({"phone": "139-1234-5678"}, "phone", "联系电话应为 7–20 位数字"),
        ({"phone": "12345"}, "phone", "联系电话应为 7–20 位数字"),
        ({"phone": "+" + "1" * 20}, "phone", "联系电话应为 7–20 位数字"),
        ({"phone": "１３９１２３４５６７８"}, "phone", "联系电话应为 7–20 位数字"),  # full-width
        ({"phone": ""}, "phone", "请填写联系电话"),
        ({"bank_name": " "}, "bank_name", "更换银行卡须填写新卡的开户银行"),
    ],
)
def test_other_bad_input_is_refused_in_chinese(world, archive, overrides, field, message):
    before = snapshot(archive)
    with pytest.raises(ValidationError) as exc:
        update(world.wuhu.caseworker, archive, **overrides)
    assert message in " ".join(exc.value.message_dict[field])
    assert snapshot(archive) == before


def test_nothing_to_change_is_refused(world, archive):
    before = snapshot(archive)
    with pytest.raises(ValidationError) as exc:
        # The card on file typed again (with spaces) is no change either.
        update(
            world.wuhu.caseworker,
            archive,
            phone="139 1234 5678",
            bank_name="中国工商银行",
            bank_card="6222 0212 3456 7890 123",
        )
    assert "均未改变" in refusal_text(exc)
    assert snapshot(archive) == before


def test_staff_of_the_other_county_sibling_union_or_city_are_refused(world, archive):
    w = world.wuhu
    before = snapshot(archive)
    for actor in (w.caseworker_b, w.county_b_reviewer, w.caseworker_sibling):
        with pytest.raises(PermissionDenied) as exc:
            update(actor, archive)
        assert "不在您的管理范围内" in refusal_text(exc)
    with pytest.raises(PermissionDenied) as exc:
        update(w.city_reviewer, archive)
    assert "基层工会或县级工会的经办人、审核人" in refusal_text(exc)
    assert snapshot(archive) == before


def test_finance_auditor_and_administrator_are_refused(world, archive):
    w = world.wuhu
    before = snapshot(archive)
    for actor in (
        make_user(w.county, Role.FINANCE, username="fin_contact"),
        make_user(w.county, Role.AUDITOR, username="aud_contact"),
        w.admin,
    ):
        with pytest.raises(PermissionDenied) as exc:
            update(actor, archive)
        assert "须由经办人、审核人办理" in refusal_text(exc)
    assert snapshot(archive) == before


def test_a_closed_archive_is_refused(world, archive):
    with transaction.atomic():
        close_archive(
            actor=world.wuhu.caseworker,
            archive=lock_archive(archive),
            reason=Archive.CloseReason.REQUEST,
            note="本人申请退档",
            on=world.clock.today(),
        )
    before = snapshot(archive)
    with pytest.raises(ValidationError) as exc:
        update(world.wuhu.caseworker, archive)
    assert refusal_text(exc) == "档案已退档，不能更新联系电话、银行卡。"
    assert snapshot(archive) == before


# --- The screen ------------------------------------------------------------------------------


def url(archive: Archive) -> str:
    return reverse("archives:contact_update", args=[archive.pk])


def post_data(**overrides) -> dict:
    return {
        "phone": "13800001111",
        "bank_name": "中国建设银行",
        "bank_card": NEW_CARD,
        "reason": "原银行卡已销户",
        "confirm": "on",
        **overrides,
    }


def test_the_archive_page_links_to_the_form_for_staff_only(client, world, archive):
    detail = reverse("archives:detail", args=[archive.pk])
    client.force_login(world.wuhu.caseworker)
    assert url(archive) in client.get(detail).content.decode()
    client.force_login(make_user(world.wuhu.county, Role.AUDITOR, username="aud_page"))
    page = client.get(detail)
    assert page.status_code == 200
    assert url(archive) not in page.content.decode()


def test_the_form_is_prefilled_but_never_shows_the_full_card(client, world, archive):
    client.force_login(world.wuhu.caseworker)
    response = client.get(url(archive))
    assert response.status_code == 200
    html = response.content.decode()
    assert OLD_CARD not in html
    assert OLD_MASKED in html
    assert 'value="13912345678"' in html
    assert 'value="中国工商银行"' in html
    assert 'data-testid="blocked"' not in html
    form = response.context["form"]
    assert "bank_card" not in form.initial and form["bank_card"].value() is None


def test_a_refused_post_keeps_what_was_typed(client, world, archive):
    before = snapshot(archive)
    client.force_login(world.wuhu.caseworker)
    data = post_data(bank_card="12ab", phone="13800002222", reason="换卡", confirm="")
    response = client.post(url(archive), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["bank_card"] == ["银行卡号应为数字。"]
    assert "请勾选确认" in errors["confirm"][0]
    html = response.content.decode()
    for typed in (
        'value="13800002222"',
        'value="中国建设银行"',
        'value="12ab"',
        "换卡</textarea>",
    ):
        assert typed in html
    assert OLD_CARD not in html
    assert "未办理：请按标红提示修改；已填内容均已保留。" in [
        str(m) for m in get_messages(response.wsgi_request)
    ]
    assert snapshot(archive) == before


def test_a_service_refusal_comes_back_on_the_form(client, world, archive):
    client.force_login(world.wuhu.caseworker)
    response = client.post(
        url(archive), post_data(phone="139 1234 5678", bank_name="中国工商银行", bank_card="")
    )
    assert response.status_code == 200
    assert "均未改变" in " ".join(response.context["form"].non_field_errors())


def test_a_good_post_goes_back_to_the_archive_with_a_message(client, world, archive):
    client.force_login(world.wuhu.county_reviewer)
    response = client.post(url(archive), post_data())
    assert response.status_code == 302
    assert response.url == reverse("archives:detail", args=[archive.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"档案 {archive.number} 的联系电话、银行卡已更新：银行卡 {OLD_MASKED} 已更换为 "
        f"{NEW_MASKED}，此后建立的发放批次发放到新卡。"
    ]
    case = fresh(archive.case)
    assert decrypt(case.bank_card_cipher) == NEW_DIGITS
    page = client.get(response.url).content.decode()
    assert f"更新联系电话、开户银行、银行卡 {OLD_MASKED}→{NEW_MASKED}：原银行卡已销户" in page
    assert NEW_DIGITS not in page and OLD_CARD not in page


def test_the_other_county_gets_not_found(client, world, archive):
    client.force_login(world.wuhu.caseworker_b)
    assert client.get(url(archive)).status_code == 404
    before = snapshot(archive)
    assert client.post(url(archive), post_data()).status_code == 404
    assert snapshot(archive) == before


def test_an_auditor_sees_why_and_cannot_post(client, world, archive):
    before = snapshot(archive)
    client.force_login(make_user(world.wuhu.county, Role.AUDITOR, username="aud_view"))
    response = client.get(url(archive))
    assert response.status_code == 200
    assert 'data-testid="blocked"' in response.content.decode()
    response = client.post(url(archive), post_data())
    assert response.status_code == 200
    assert "须由经办人、审核人办理" in " ".join(response.context["form"].non_field_errors())
    assert snapshot(archive) == before
