"""Recovering money in the browser (WH-M §19 追回; TA-F §14), clicked by the people who do it:

a. a county reviewer records, from the archive's page, the false information found with its
   evidence, the paid grant and the amount — one fen more than was paid is refused with the
   clause, the typing kept — and, having recorded it, is offered no confirmation;
b. another reviewer of the county confirms it by SMS: the archive is closed for cause
   (因虚假信息追回撤档), read-only, and the worker's text goes through a fake gateway;
c. the county's finance books part of the money paid back: one 追回 entry into the account,
   budget year, source and item of the original grant;
d. the outstanding amount stands on the archive's page and on the account's page.

The household, its paid grant and the money are set up through the services; the clock is
frozen (`timezone.now`, which the live server's thread reads too).
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import Role
from archives.models import Archive
from funds.models import Entry, Recovery
from funds.services.accounts import fund_account_create
from funds.services.grants import grant_decide, grant_propose
from funds.services.payments import batch_create, batch_record_results, batch_send
from tests.factories.accounts import PASSWORD, make_user
from tests.factories.assistance import wuhu_approved
from tests.factories.browser import log_in, screenshot
from tests.factories.core import PDF_BYTES
from tests.factories.funds import fund

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


PAID_ON = datetime.date(2026, 4, 22)
FOUND_ON = datetime.date(2026, 5, 6)
REPAID_ON = datetime.date(2026, 5, 20)


def sign_in(page, user) -> None:
    log_in(page, user.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")


def sign_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_label("用户名")).to_be_visible()


def expect_message(page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


@pytest.fixture
def paid(world):
    """A deep household of county A with a living grant of 9,120.00 of 2026 central money,
    paid on 2026-04-22, and county A's finance."""
    w = world.wuhu
    archive = Archive.objects.get(case=wuhu_approved(world))
    for organisation, number in ((w.city, "01"), (w.county, "02"), (w.county_b, "03")):
        fund_account_create(
            actor=w.admin,
            organisation=organisation,
            name=f"{organisation.name}困难职工帮扶资金专户",
            bank_name="中国工商银行芜湖分行",
            bank_account=f"13070100090000000{number}",
        )
    finance = make_user(w.county, Role.FINANCE, username="fin_a")
    account = w.county.fund_account
    fund(finance, account, "50000")
    world.clock.set(PAID_ON)
    grant = grant_propose(
        actor=w.caseworker, archive=archive, item="living", year=2026, source="central", inputs={}
    )
    grant = grant_decide(actor=w.county_reviewer, grant=grant, approve=True, opinion="同意")
    batch = batch_send(
        actor=finance, batch=batch_create(actor=finance, account=account, grants=[grant])
    )
    line = batch.lines.get()
    batch_record_results(
        actor=finance, batch=batch, results={line.pk: ("paid", PAID_ON, "ICBC20260422001", "")}
    )
    world.clock.set(FOUND_ON)
    return archive, finance, account


def test_record_confirm_close_repay_and_the_outstanding(page, world, paid, sms):
    archive, finance, account = paid
    w = world.wuhu
    archive_url = reverse("archives:detail", args=[archive.pk])

    # a. The county reviewer records the finding from the archive's page.
    sign_in(page, w.county_reviewer)
    page.goto(archive_url)
    page.get_by_test_id("recovery-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("登记追回帮扶资金")
    form = page.get_by_test_id("recovery-form")
    form.get_by_label("查实的虚假信息情况").fill("隐瞒配偶经营收入：比对发现其配偶名下有营业执照")
    form.get_by_label("查实日期").fill("2026-05-06")
    form.get_by_label("查实材料", exact=False).set_input_files(
        {"name": "核查记录.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    form.get_by_label("2026年生活救助 9120.00 元", exact=False).check()
    form.get_by_label("应追回金额（元）").fill("9120.01")
    form.get_by_role("button", name="登记追回").click()
    expect(page.locator(".error, .form-errors")).to_contain_text("芜湖实施办法第十九条")
    expect(form.get_by_label("查实的虚假信息情况")).to_have_value(
        "隐瞒配偶经营收入：比对发现其配偶名下有营业执照"
    )
    assert not Recovery.objects.exists()
    form.get_by_label("查实材料", exact=False).set_input_files(
        {"name": "核查记录.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    form.get_by_label("应追回金额（元）").fill("9120.00")
    form.get_by_role("button", name="登记追回").click()
    expect_message(page, "已登记追回 9120.00 元，待本县其他审核人确认")
    expect(page.get_by_test_id("recovery-status")).to_have_text("待确认")
    expect(page.get_by_test_id("recorder-note")).to_be_visible()
    expect(page.get_by_test_id("confirm-form")).to_have_count(0)
    recovery_url = page.url
    sign_out(page)

    # b. Another reviewer of the county confirms: the archive closes for cause.
    sign_in(page, w.county_reviewer_2)
    page.goto(recovery_url)
    confirm = page.get_by_test_id("confirm-form")
    confirm.get_by_label("短信").check()
    confirm.get_by_label("我已核实查实材料", exact=False).check()
    confirm.get_by_role("button", name="确认追回").click()
    expect_message(page, "已确认追回：档案因虚假信息撤档")
    expect(page.get_by_test_id("recovery-status")).to_have_text("已确认，追回中")
    expect(page.get_by_test_id("recovery-outstanding")).to_contain_text("9120.00 元")
    ((phone, text),) = sms
    assert phone == "13912345678" and "须退回帮扶资金 9120.00 元" in text
    page.goto(archive_url)
    expect(page.get_by_test_id("read-only")).to_contain_text("因虚假信息追回撤档")
    expect(page.get_by_test_id("archive-outstanding")).to_contain_text("9120.00 元")
    screenshot(page, "archive-recovery-closed")
    sign_out(page)

    # c. The county's finance books 3,000.00 paid back.
    world.clock.set(REPAID_ON)
    sign_in(page, finance)
    page.goto(recovery_url)
    repay = page.get_by_test_id("repay-form")
    repay.get_by_label("收款日期").fill("2026-05-20")
    repay.get_by_label("收回金额（元）").fill("3000")
    repay.get_by_label("收款凭证号（银行流水号）").fill("ICBC20260520007")
    repay.get_by_role("button", name="登记收回").click()
    expect_message(page, "已登记收回追回款")
    expect(page.get_by_test_id("recovery-outstanding")).to_contain_text("6120.00 元")
    screenshot(page, "funds-recovery-detail")
    entry = Entry.objects.get(kind=Entry.Kind.RECOVERED)
    assert (entry.account, entry.year, entry.source, entry.item, entry.amount) == (
        account,
        2026,
        "central",
        "living",
        Decimal("3000.00"),
    )

    # d. The outstanding amount on the archive and on the account.
    page.goto(archive_url)
    expect(page.get_by_test_id("archive-outstanding")).to_contain_text("6120.00 元")
    page.goto(reverse("funds:account", args=[account.pk]))
    expect(page.get_by_test_id("account-outstanding")).to_contain_text("6120.00 元")
    expect(page.get_by_test_id("entry-row").filter(has_text="追回")).to_contain_text("3000.00")
