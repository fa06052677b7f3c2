"""The recovery screens (追回, WH-M §19): recorded from the archive's page by a county
reviewer, bad input kept with the clause named, confirmed by another reviewer only, repaid
by the account's finance; the outstanding amount on the archive, the account, the ledger
and the Excel; the city's 减拨 / 停拨 page; another county gets 404 and auditors read only."""

import io
from decimal import Decimal

import openpyxl
from django.urls import reverse

from archives.models import Archive
from funds.models import AllocationRestriction, Entry, Recovery
from tests.factories.core import PDF_BYTES, upload_file
from tests.factories.funds import FOUND_ON, REPAID_ON, confirmed, record


def url(name: str, *args) -> str:
    return reverse(f"funds:{name}", args=args)


def as_user(client, user):
    client.force_login(user)
    return client


def form_data(grant, **overrides):
    return {
        "finding": "隐瞒配偶经营收入",
        "found_on": FOUND_ON.isoformat(),
        "grants": [grant.pk],
        "amount": "9120.00",
        "evidence": upload_file("核查记录.pdf", PDF_BYTES),
        **overrides,
    }


def test_the_archive_page_offers_recording_to_its_county_reviewer(
    client, world, archive, paid_grant
):
    html = as_user(client, world.wuhu.county_reviewer).get(
        reverse("archives:detail", args=[archive.pk])
    )
    assert 'data-testid="recovery-link"' in html.content.decode()
    html = as_user(client, world.wuhu.caseworker).get(reverse("archives:detail", args=[archive.pk]))
    assert 'data-testid="recovery-link"' not in html.content.decode()


def test_record_from_the_form(client, world, archive, paid_grant):
    c = as_user(client, world.wuhu.county_reviewer)
    page = c.get(url("recovery_create", archive.pk))
    assert page.status_code == 200
    assert "9120.00 元" in page.content.decode()
    response = c.post(url("recovery_create", archive.pk), form_data(paid_grant))
    recovery = Recovery.objects.get()
    assert response.status_code == 302
    assert response.url == url("recovery_detail", recovery.pk)
    assert recovery.amount == Decimal("9120.00") and recovery.recorded_by.pk
    detail = c.get(response.url).content.decode()
    assert 'data-testid="recorder-note"' in detail
    assert 'data-testid="confirm-form"' not in detail


def test_one_fen_over_is_refused_with_the_clause_and_the_typing_kept(
    client, world, archive, paid_grant
):
    c = as_user(client, world.wuhu.county_reviewer)
    response = c.post(url("recovery_create", archive.pk), form_data(paid_grant, amount="9120.01"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "芜湖实施办法第十九条" in html
    assert 'value="9120.01"' in html and "隐瞒配偶经营收入" in html
    assert not Recovery.objects.exists()
    response = c.post(url("recovery_create", archive.pk), form_data(paid_grant, amount="2万"))
    assert response.status_code == 200 and not Recovery.objects.exists()


def test_another_county_and_grassroots_get_404(client, world, archive, paid_grant):
    recovery = record(world, archive, [paid_grant])
    for user in (world.wuhu.county_b_reviewer, world.wuhu.grassroots_reviewer):
        c = as_user(client, user)
        assert c.get(url("recovery_detail", recovery.pk)).status_code == 404
        assert (
            c.post(
                url("recovery_confirm", recovery.pk), {"channel": "sms", "confirm": "on"}
            ).status_code
            == 404
        )
    assert (
        as_user(client, world.wuhu.county_b_reviewer)
        .get(url("recovery_create", archive.pk))
        .status_code
        == 404
    )
    assert fresh_status(recovery) == Recovery.Status.RECORDED


def fresh_status(recovery):
    return Recovery.objects.get(pk=recovery.pk).status


def test_auditors_read_and_change_nothing(client, world, archive, world_finance, paid_grant):
    recovery = record(world, archive, [paid_grant])
    c = as_user(client, world_finance.county_a_auditor)
    page = c.get(url("recovery_detail", recovery.pk))
    assert page.status_code == 200
    assert 'data-testid="confirm-form"' not in page.content.decode()
    response = c.post(url("recovery_confirm", recovery.pk), {"channel": "sms", "confirm": "on"})
    assert response.status_code == 403
    assert fresh_status(recovery) == Recovery.Status.RECORDED


def test_the_recorder_posting_a_confirmation_is_refused(client, world, archive, paid_grant):
    recovery = record(world, archive, [paid_grant])
    c = as_user(client, world.wuhu.county_reviewer)
    response = c.post(url("recovery_confirm", recovery.pk), {"channel": "sms", "confirm": "on"})
    # The refusal comes back on the page, with the form and what was chosen.
    assert response.status_code == 200
    html = response.content.decode()
    assert "职责分离" in html and "未办理：请按标红提示修改" in html
    assert fresh_status(recovery) == Recovery.Status.RECORDED


def test_confirm_then_repay_and_the_outstanding_everywhere(
    client, world, archive, accounts, world_finance, paid_grant
):
    recovery = record(world, archive, [paid_grant])
    c = as_user(client, world.wuhu.county_reviewer_2)
    assert (
        'data-testid="confirm-form"' in c.get(url("recovery_detail", recovery.pk)).content.decode()
    )
    response = c.post(url("recovery_confirm", recovery.pk), {"channel": "letter"})
    assert response.status_code == 200 and "请勾选确认" in response.content.decode()
    response = c.post(url("recovery_confirm", recovery.pk), {"channel": "sms", "confirm": "on"})
    assert response.status_code == 302
    assert Archive.objects.get(pk=archive.pk).close_reason == "false_info"

    world.clock.set(REPAID_ON)
    fin = as_user(client, world_finance.county_a)
    response = fin.post(
        url("recovery_repay", recovery.pk),
        {"received_on": "2026-05-20", "amount": "9120.01", "reference": "退款001"},
    )
    assert response.status_code == 200
    assert "超过尚未追回的 9120.00 元" in response.content.decode()
    response = fin.post(
        url("recovery_repay", recovery.pk),
        {"received_on": "2026-05-20", "amount": "3000", "reference": "退款001"},
    )
    assert response.status_code == 302
    assert Entry.objects.get(kind="recovered").amount == Decimal("3000.00")

    archive_page = fin.get(reverse("archives:detail", args=[archive.pk])).content.decode()
    assert "因虚假信息追回撤档" in archive_page
    assert 'data-testid="archive-outstanding">尚未追回：<strong>6120.00 元' in archive_page
    account_page = fin.get(url("account", accounts.county_a.pk)).content.decode()
    assert 'data-testid="account-outstanding">尚未追回合计：<strong>6120.00 元' in account_page
    ledger = fin.get(url("ledger"), {"year": 2026, "account": accounts.county_a.pk})
    assert 'data-testid="ledger-outstanding">6120.00<' in ledger.content.decode()
    export = fin.get(url("ledger_export"), {"year": 2026, "account": accounts.county_a.pk})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    sheet = book["应追回款"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1:8] == (archive.number, "张建国", "中央财政", "生活救助", 9120, 3000, 6120)
    assert rows[-1][0] == "尚未追回合计" and rows[-1][7] == 6120


def test_a_year_without_recoveries_keeps_five_sheets(
    client, world, archive, accounts, world_finance, paid_grant
):
    export = as_user(client, world_finance.county_a).get(
        url("ledger_export"), {"year": 2026, "account": accounts.county_a.pk}
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    assert "应追回款" not in book.sheetnames and len(book.sheetnames) == 5


def test_the_city_records_and_lifts_a_stop(client, world, accounts, world_finance):
    world.clock.set(FOUND_ON)
    c = as_user(client, world_finance.city)
    page = url("restrictions", accounts.city.pk)
    response = c.post(
        page,
        {
            "to_account": accounts.county_a.pk,
            "year": 2026,
            "kind": "reduce",
            "reason": "弄虚作假",
            "decision_reference": "芜工党组〔2026〕5号",
            "decided_on": "2026-05-06",
        },
    )
    assert response.status_code == 200 and "减拨须填写" in response.content.decode()
    response = c.post(
        page,
        {
            "to_account": accounts.county_a.pk,
            "year": 2026,
            "kind": "stop",
            "reason": "弄虚作假",
            "decision_reference": "芜工党组〔2026〕5号",
            "decided_on": "2026-05-06",
        },
    )
    assert response.status_code == 302
    restriction = AllocationRestriction.objects.get()
    county = as_user(client, world_finance.county_a)
    listed = county.get(url("restrictions", accounts.county_a.pk)).content.decode()
    assert "停拨" in listed and "芜工党组〔2026〕5号" in listed
    assert county.post(url("restrictions", accounts.county_a.pk), {}).status_code == 403
    assert county.get(url("restrictions", accounts.city.pk)).status_code == 404
    assert (
        as_user(client, world_finance.county_b)
        .get(url("restrictions", accounts.county_a.pk))
        .status_code
        == 404
    )
    c = as_user(client, world_finance.city)
    c.post(url("restriction_lift", restriction.pk), {"reason": "整改到位"})
    assert AllocationRestriction.objects.get().status == "lifted"


def test_the_recovery_page_lists_the_history(client, world, archive, paid_grant):
    recovery = confirmed(world, archive, [paid_grant])
    html = as_user(client, world.wuhu.county_reviewer).get(url("recovery_detail", recovery.pk))
    text = html.content.decode()
    assert "登记追回：查实提供虚假信息" in text and "确认追回" in text
