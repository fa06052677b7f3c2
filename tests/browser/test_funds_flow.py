"""The assistance money in the browser (DOMAIN.md §6–§7; WH-F §7–§13, TA-F §4–§6), clicked by
the people who do it, from the city's receipt to the worker's card and the year's books:

a. the city's finance records central money received with its appropriation document; the
   receipts page shows the 20-working-day deadline to pass it down (WH-F §12);
b. the city's finance drafts an allocation plan decided at a leadership meeting (its minutes'
   reference), one line to county A, and executes it after the confirmation: the transfer
   stands on both accounts, 下拨 on the city's and 上级下拨 on county A's, for the same amount;
c. a caseworker proposes a living grant from an archived household's page at its standard
   (deep, 12 × 低保 760 = 9,120.00), which the service refuses to let the proposer decide, and
   a county reviewer approves it;
d. county A's finance puts the grant into a payment batch, downloads the bank roster (.xlsx,
   read back here: payee, full card number, amount, total), marks it sent, records the bank's
   result (paid, date, reference) — the worker's SMS goes through a fake gateway — and uploads
   the bank slip;
e. county A's ledger of the year is exported from the ledger page and read back: the five
   books, the detail ledger's rows, and totals equal to those on the screen;
f. the city's auditor reads it all (the batch with its history, the roster download in the
   personal-data log, the performance report) and has no button to change anything;
g. the other county's staff get 404 on every page of it.

The household is archived through the services (the archive flow has its own browser test).
The clock is frozen (`timezone.now`, which the live server's thread reads too) and moved on
between the steps, in April 2026.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.services.users import user_update
from archives.models import Archive, ArchiveEvent
from assistance.models import PersonalDataAccess
from core.workdays import add_working_days
from funds.models import AllocationPlan, Entry, Grant, PaymentBatch, PaymentLine, Receipt
from funds.services.accounts import fund_account_create
from funds.services.grants import grant_decide
from funds.services.receipts import allocation_plan_execute
from tests.factories.accounts import PASSWORD, make_user
from tests.factories.assistance import wuhu_approved
from tests.factories.browser import Cast, log_in, screenshot
from tests.factories.core import PDF_BYTES

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


RECEIVED_ON = datetime.date(2026, 4, 13)  # a Monday
PLANNED_ON = datetime.date(2026, 4, 15)
PROPOSED_ON = datetime.date(2026, 4, 16)
SENT_ON = datetime.date(2026, 4, 20)
PAID_ON = datetime.date(2026, 4, 22)
CENTRAL = Decimal("500000.00")
TO_COUNTY_A = Decimal("200000.00")
LIVING = Decimal("9120.00")  # deep: 12 months × 低保 760.00
CARD = "6222021234567890123"  # the applicant's card, as entered on the application


@pytest.fixture
def cast(world):
    """County A's staff of the `world`, named, with finance and audit staff and the special
    accounts of the city and both counties (opened by the administrator)."""
    w = world.wuhu

    def named(user, full_name):
        return user_update(
            actor=w.admin,
            user=user,
            full_name=full_name,
            phone="",
            organisation=user.organisation,
            roles=user.roles,
            is_active=True,
        )

    def person(organisation, role, username, full_name):
        return named(make_user(organisation, role, username=username), full_name)

    def account(organisation, number):
        return fund_account_create(
            actor=w.admin,
            organisation=organisation,
            name=f"{organisation.name}困难职工帮扶资金专户",
            bank_name="中国工商银行芜湖分行",
            bank_account=number,
        )

    return Cast(
        world=world,
        caseworker=named(w.caseworker, "王经办"),
        county_reviewer=named(w.county_reviewer, "陈审核"),
        county_b_reviewer=named(w.county_b_reviewer, "冯外区"),
        city_finance=person(w.city, Role.FINANCE, "fin_city", "何会计"),
        county_finance=person(w.county, Role.FINANCE, "fin_a", "林会计"),
        county_b_finance=person(w.county_b, Role.FINANCE, "fin_b", "邓会计"),
        city_auditor=person(w.city, Role.AUDITOR, "aud_city", "许经审"),
        city_account=account(w.city, "1307010009000000001"),
        county_account=account(w.county, "1307010009000000002"),
        county_b_account=account(w.county_b, "1307010009000000003"),
    )


# --- Browser helpers ------------------------------------------------------------------------


def sign_in(page, user) -> None:
    log_in(page, user.username, PASSWORD)
    expect(page.get_by_role("heading", name=f"欢迎，{user.full_name}")).to_be_visible()


def sign_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_label("用户名")).to_be_visible()


def menu(page, name: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()


def expect_message(page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def fact(container, label: str):
    """The value beside a label of a facts list (dl.facts)."""
    return container.locator(f"dt:text-is('{label}') + dd")


def cells(row) -> list[str]:
    return [text.strip() for text in row.locator("td, th").all_inner_texts()]


def money(value) -> Decimal:
    """A money cell read back from a workbook (openpyxl gives int or float)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def download(page, link):
    """Click a link that answers with an attachment; the file's content and name."""
    with page.expect_download() as started:
        link.click()
    file = started.value
    return file.path().read_bytes(), file.suggested_filename


# --- The flow -------------------------------------------------------------------------------


def test_money_from_the_citys_receipt_to_the_workers_card(page, cast, world, sms):
    # The household: person 0's standard application of union_a1, approved through the chain
    # (a deep archive under the 2026 低保 of 760), before the money arrives.
    archive = Archive.objects.get(case=wuhu_approved(world))
    assert (archive.category, archive.status) == ("deep", Archive.Status.OPEN)
    assert archive.opened_on < RECEIVED_ON

    # a. The city's finance records the central money received on its special account.
    world.clock.set(RECEIVED_ON)
    due = add_working_days(RECEIVED_ON, 20).value
    sign_in(page, cast.city_finance)
    menu(page, "帮扶资金")
    accounts = page.get_by_test_id("account")
    expect(accounts).to_have_count(3)
    expect(accounts.first).to_contain_text("芜湖市总工会困难职工帮扶资金专户")
    expect(accounts.first.get_by_test_id("balances")).to_contain_text("没有记账分录。")
    accounts.first.get_by_role("link", name="芜湖市总工会困难职工帮扶资金专户").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("芜湖市总工会困难职工帮扶资金专户")
    page.get_by_role("link", name="登记资金到账").click()
    form = page.locator("main form")
    expect(form.get_by_label("到账日期")).to_have_value(f"{RECEIVED_ON:%Y-%m-%d}")
    expect(form.get_by_label("预算年度")).to_have_value("2026")
    form.get_by_label("资金来源").select_option(label="中央财政")
    # "50万" typed as a user types it is refused, never read as 50 (a number input would
    # have dropped the 万), and comes back as typed.
    form.get_by_label("金额（元）").press_sequentially("50万")
    form.get_by_label("拨款单位").fill("安徽省总工会")
    form.get_by_label("拨款文件文号").fill("皖工财〔2026〕12号")
    form.get_by_label("拨款文件标题").fill("关于下达2026年中央财政困难职工帮扶资金的通知")
    form.get_by_role("button", name="确认提交").click()
    expect(form).to_contain_text("金额请直接写数字，不接受“万”：如指 50万元，请输入 500000.00。")
    expect(form.get_by_label("金额（元）")).to_have_value("50万")
    assert not Receipt.objects.exists()
    form.get_by_label("金额（元）").fill("500000")
    screenshot(page, "funds-receipt-form")
    form.get_by_role("button", name="确认提交").click()
    expect_message(
        page,
        f"已登记到账 500000.00 元（中央财政）。须于 {due:%Y-%m-%d} 前下达到县级工会。",
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("资金到账与下达情况")
    receipt_row = page.get_by_test_id("receipt-row")
    expect(receipt_row).to_have_count(1)
    expect(receipt_row).to_contain_text("皖工财〔2026〕12号")
    expect(receipt_row.get_by_test_id("allocated")).to_have_text("0.00")
    expect(receipt_row.get_by_test_id("remaining")).to_have_text("500000.00")
    expect(receipt_row).to_contain_text(f"{due:%Y-%m-%d}")
    expect(receipt_row).to_contain_text("剩余 20 个工作日")
    expect(receipt_row.get_by_test_id("status")).to_have_text("未下达")
    screenshot(page, "funds-receipts")
    receipt = Receipt.objects.get()
    assert (receipt.allocation_due, receipt.amount, receipt.recorded_by) == (
        due,
        CENTRAL,
        cast.city_finance,
    )
    sign_out(page)

    # b. Two days later the leadership meeting decides the plan: 200,000 to county A.
    world.clock.set(PLANNED_ON)
    sign_in(page, cast.city_finance)
    page.goto(reverse("funds:account", args=[cast.city_account.pk]))
    page.get_by_role("link", name="编制分配使用方案").click()
    form = page.locator("main form")
    form.get_by_label("方案名称").fill("2026年第一批中央财政帮扶资金分配使用方案")
    form.get_by_label("会议纪要文号").fill("芜工办纪〔2026〕5号")
    expect(form.get_by_label("会议日期")).to_have_value(f"{PLANNED_ON:%Y-%m-%d}")
    line = page.get_by_test_id("line-forms").locator("tbody tr").first
    line.locator("select[name='lines-0-receipt']").select_option(
        label=f"{RECEIVED_ON:%Y-%m-%d} 中央财政 皖工财〔2026〕12号（2026年度，未下达 500000.00 元）"
    )
    line.locator("select[name='lines-0-to_account']").select_option(label="镜湖区总工会")
    line.locator("select[name='lines-0-item']").select_option(label="生活救助")
    line.locator("input[name='lines-0-amount']").fill("200000")
    screenshot(page, "funds-plan-form")
    form.get_by_role("button", name="保存方案").click()
    expect_message(page, "已保存分配使用方案“2026年第一批中央财政帮扶资金分配使用方案”")
    expect(page.get_by_test_id("plan-status")).to_have_text("草拟")
    expect(page.get_by_test_id("plan-line")).to_have_count(1)
    expect(page.get_by_test_id("plan-total")).to_have_text("200000.00")
    plan = AllocationPlan.objects.get()
    # County A's finance may not pass the city's money down: the service says so.
    with pytest.raises(PermissionDenied, match="只能办理本级工会帮扶资金专户的业务"):
        allocation_plan_execute(
            actor=cast.county_finance, plan=plan, transfer_date=PLANNED_ON, reference="X"
        )

    page.get_by_role("link", name="下达（下拨资金）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "确认下达：2026年第一批中央财政帮扶资金分配使用方案"
    )
    form = page.locator("main form")
    expect(form.get_by_label("下拨日期")).to_have_value(f"{PLANNED_ON:%Y-%m-%d}")
    form.get_by_label("凭证号").fill("芜工财拨〔2026〕1号")
    confirm = form.get_by_label("确认按本方案下拨")
    expect(confirm).to_have_attribute("required", "")
    confirm.check()
    screenshot(page, "funds-plan-execute")
    form.get_by_role("button", name="确认下达").click()
    expect_message(
        page,
        "分配使用方案“2026年第一批中央财政帮扶资金分配使用方案”已下达，1 笔资金已下拨到县级工会专户。",
    )
    expect(page.get_by_test_id("plan-status")).to_contain_text(
        f"已下达（{PLANNED_ON:%Y-%m-%d} 由 何会计 下达）"
    )
    expect(page.get_by_test_id("plan-line")).to_contain_text(
        f"{PLANNED_ON:%Y-%m-%d} · 芜工财拨〔2026〕1号"
    )
    expect(page.get_by_role("link", name="下达（下拨资金）")).to_have_count(0)

    # The accounts list: the city's and county A's balances of the year, by source.
    menu(page, "帮扶资金")
    balances = page.get_by_test_id("balance-total")
    expect(balances).to_have_text(["300000.00", "200000.00"])
    screenshot(page, "funds-accounts")

    # The receipt: 200,000 passed down on time, 300,000 still to allocate by the deadline.
    page.goto(reverse("funds:receipts", args=[cast.city_account.pk]))
    expect(receipt_row.get_by_test_id("allocated")).to_have_text("200000.00")
    expect(receipt_row.get_by_test_id("remaining")).to_have_text("300000.00")
    expect(receipt_row.get_by_test_id("status")).to_have_text("未下达")
    expect(receipt_row).to_contain_text("剩余 18 个工作日")

    # The transfer on the city's account: 下拨, out.
    page.goto(reverse("funds:account", args=[cast.city_account.pk]))
    city_balance = page.get_by_test_id("balance-row")
    expect(city_balance).to_have_count(1)
    assert cells(city_balance) == [
        "2026",
        "中央财政 当年使用",
        "500000.00",
        "0.00",
        "200000.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "300000.00",
    ]
    out_row = page.get_by_test_id("entry-row").filter(has_text="下拨")
    expect(out_row).to_have_count(1)
    expect(out_row).to_contain_text("-200000.00")
    expect(out_row).to_contain_text("镜湖区总工会")
    expect(out_row).to_contain_text("芜工财拨〔2026〕1号")
    screenshot(page, "funds-account-city")
    sign_out(page)

    # ... and on county A's account: 上级下拨, in, the same amount, seen by its finance.
    sign_in(page, cast.county_finance)
    menu(page, "帮扶资金")
    expect(page.get_by_test_id("account")).to_have_count(1)
    page.get_by_role("link", name="镜湖区总工会困难职工帮扶资金专户").click()
    county_balance = page.get_by_test_id("balance-row")
    assert cells(county_balance) == [
        "2026",
        "中央财政 当年使用",
        "0.00",
        "200000.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "200000.00",
    ]
    in_row = page.get_by_test_id("entry-row")
    expect(in_row).to_have_count(1)
    expect(in_row).to_contain_text("上级下拨")
    expect(in_row).to_contain_text("200000.00")
    expect(in_row).to_contain_text("芜湖市总工会")
    expect(in_row).to_contain_text("生活救助")
    # County finance books no plans: it receives, it does not allocate.
    expect(page.get_by_role("link", name="编制分配使用方案")).to_have_count(0)
    screenshot(page, "funds-account-county")
    sign_out(page)
    transfer_entries = Entry.objects.filter(transfer__isnull=False)
    assert sorted(transfer_entries.values_list("kind", "amount")) == [
        ("transfer_in", TO_COUNTY_A),
        ("transfer_out", -TO_COUNTY_A),
    ]

    # c. The caseworker proposes a living grant from the archive's page: at its standard.
    world.clock.set(PROPOSED_ON)
    sign_in(page, cast.caseworker)
    menu(page, "困难职工档案")
    page.get_by_test_id("archive-list").get_by_role("link", name=archive.number).click()
    page.get_by_test_id("grant-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"帮扶救助 · 档案 {archive.number} · 张建国"
    )
    expect(page.get_by_test_id("standard-amount")).to_have_text("9120.00")
    expect(page.get_by_test_id("standard")).to_contain_text(
        "深度困难职工家庭生活救助：12 个月 × 城市低保标准 760.00 元 = 9120.00 元/年"
    )
    grant_form = page.get_by_test_id("grant-form")
    expect(grant_form.get_by_label("救助金额（元）")).to_have_value("9120.00")
    grant_form.get_by_label("资金来源").select_option(label="中央财政")
    screenshot(page, "funds-grant-form")
    grant_form.get_by_role("button", name="提交审批").click()
    expect_message(page, "已提出帮扶救助：生活救助 9120.00 元，待县级或市级审核人审批。")
    expect(page.get_by_test_id("grant-status")).to_have_text("待审批")
    expect(page.get_by_test_id("grant-amount")).to_have_text("9120.00 元")
    # The proposer has no decision form, and the service refuses a caseworker's decision.
    expect(page.get_by_test_id("decision-form")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("待档案所在县级工会或市总工会的审核人审批")
    grant = Grant.objects.get()
    with pytest.raises(PermissionDenied, match="帮扶救助须由审核人审批"):
        grant_decide(actor=cast.caseworker, grant=grant, approve=True, opinion="同意")
    sign_out(page)

    # A county reviewer (not the proposer) approves it, from the list of 帮扶发放.
    sign_in(page, cast.county_reviewer)
    menu(page, "帮扶发放")
    grant_row = page.get_by_test_id("grant-row")
    expect(grant_row).to_have_count(1)
    expect(grant_row).to_contain_text("待审批")
    grant_row.get_by_role("link", name="张建国").click()
    decision = page.get_by_test_id("decision-form")
    decision.get_by_label("批准", exact=True).check()
    decision.get_by_label("审批意见").fill("符合深度困难职工生活救助标准，同意。")
    decision.get_by_label("我已核对救助标准和计算依据").check()
    screenshot(page, "funds-grant-decide")
    decision.get_by_role("button", name="提交审批结论").click()
    expect_message(page, "已批准，待财务列入发放批次。")
    expect(page.get_by_test_id("grant-status")).to_have_text("已审批待发放")
    expect(fact(page.get_by_test_id("grant-facts"), "审批")).to_contain_text(
        "陈审核 2026-04-16 10:00：符合深度困难职工生活救助标准，同意。"
    )
    sign_out(page)

    # d. County A's finance pays it: a batch, the roster for the bank, sent.
    world.clock.set(SENT_ON)
    sign_in(page, cast.county_finance)
    menu(page, "帮扶发放")
    page.get_by_role("link", name="发放批次").click()
    page.get_by_role("link", name="建立发放批次").click()
    payable = page.get_by_test_id("payable-row")
    expect(payable).to_have_count(1)
    expect(payable).to_contain_text(archive.number)
    expect(payable).to_contain_text("9120.00")
    payable.get_by_role("checkbox").check()
    screenshot(page, "funds-batch-create")
    page.get_by_role("button", name="建立批次").click()
    batch = PaymentBatch.objects.get()
    expect_message(page, f"已建立发放批次 {batch.number}（1 人）。请下载发放花名册报送银行。")
    expect(page.get_by_test_id("batch-status")).to_have_text("待报送银行")
    expect(page.get_by_test_id("batch-totals")).to_contain_text("1 人，9120.00 元")
    batch_line = page.get_by_test_id("line-row")
    expect(batch_line).to_contain_text("张建国")
    expect(batch_line).to_contain_text("6222***********0123")

    content, name = download(page, page.get_by_test_id("roster-link"))
    assert name == f"发放花名册_{batch.number}.xlsx"
    roster = load_workbook(io.BytesIO(content), read_only=True)
    assert roster.sheetnames == ["发放花名册"]
    rows = list(roster["发放花名册"].iter_rows(values_only=True))
    assert rows[0][:7] == (
        "序号",
        "收款人姓名",
        "身份证号",
        "银行卡号",
        "开户银行",
        "救助项目",
        "金额（元）",
    )
    assert len(rows) == 3  # the header, the line, the total
    assert rows[1][:6] == (1, "张建国", archive.id_masked, CARD, "中国工商银行", "生活救助")
    assert money(rows[1][6]) == LIVING
    assert (rows[2][1], money(rows[2][6]), rows[2][7]) == ("合计 1 人", LIVING, batch.number)
    # The full card number left the system: the download is logged for the case.
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.case) == (cast.county_finance, archive.case)
    assert access.fields == [f"银行卡号（发放花名册 {batch.number}）"]

    send = page.get_by_test_id("send-form")
    expect(send.get_by_label("报送银行日期")).to_have_value(f"{SENT_ON:%Y-%m-%d}")
    send.get_by_label("确认花名册已报送银行").check()
    send.get_by_role("button", name="确认已报送银行").click()
    expect_message(page, f"发放批次 {batch.number} 已报送银行，待登记银行处理结果。")
    expect(page.get_by_test_id("batch-status")).to_have_text("已报送银行")
    screenshot(page, "funds-batch-sent")
    sign_out(page)

    # The bank's result two days later: paid. The fund is debited, the worker told by SMS.
    world.clock.set(PAID_ON)
    entry_due = add_working_days(PAID_ON, 30).value
    sign_in(page, cast.county_finance)
    page.goto(reverse("funds:batch_detail", args=[batch.pk]))
    page.get_by_role("link", name="登记银行处理结果").click()
    result_row = page.get_by_test_id("result-row")
    expect(result_row).to_have_count(1)
    expect(result_row).to_contain_text("张建国")
    line = PaymentLine.objects.get()
    result_row.locator(f"select[name='result_{line.pk}']").select_option(label="已到账")
    expect(result_row.locator(f"input[name='paid_on_{line.pk}']")).to_have_value(
        f"{PAID_ON:%Y-%m-%d}"
    )
    result_row.locator(f"input[name='reference_{line.pk}']").fill("ICBC20260422000001")
    page.get_by_label("确认按银行回单登记以上结果").check()
    screenshot(page, "funds-batch-results")
    page.get_by_role("button", name="登记结果").click()
    expect_message(page, "已登记银行处理结果。")
    expect(page.get_by_test_id("batch-status")).to_have_text("已回单")
    expect(page.get_by_test_id("batch-totals")).to_have_text(
        "1 人，9120.00 元；已到账 9120.00 元，发放失败 0.00 元，待银行处理 0.00 元"
    )
    expect(batch_line).to_contain_text("已到账")
    expect(batch_line).to_contain_text(f"{PAID_ON:%Y-%m-%d}")
    expect(batch_line).to_contain_text("ICBC20260422000001")
    expect(batch_line).to_contain_text(f"{entry_due:%Y-%m-%d}")
    expect(batch_line).to_contain_text(f"{PAID_ON:%Y-%m-%d} 已录入（按时）")
    expect(batch_line).to_contain_text("短信已发送")
    assert sms == [
        (
            "13912345678",
            "【镜湖区总工会】张建国同志：您的生活救助金 9120.00 元已于2026年4月22日发放至"
            "您尾号0123的银行卡（2026年度第1次帮扶）。",
        )
    ]

    # The bank slip, kept with the batch as its accounting record.
    slip = page.get_by_test_id("slip-form")
    slip.get_by_label("银行回单").set_input_files(
        {"name": "银行回单.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    slip.get_by_role("button", name="上传").click()
    expect_message(page, "银行回单已上传，作为会计档案保存。")
    expect(fact(page.get_by_test_id("batch-facts"), "银行回单")).to_have_text("银行回单.pdf")
    expect(page.get_by_test_id("slip-form")).to_have_count(0)
    screenshot(page, "funds-batch-detail")
    content, name = download(page, page.get_by_role("link", name="下载银行回单"))
    assert (name, content) == ("银行回单.pdf", PDF_BYTES)

    # The grant is paid, and the archive's page says when.
    grant.refresh_from_db()
    assert (grant.status, grant.paid_on) == (Grant.Status.PAID, PAID_ON)
    archive.refresh_from_db()
    assert archive.last_assisted_on == PAID_ON
    assert ArchiveEvent.objects.filter(archive=archive, kind=ArchiveEvent.Kind.ASSISTED).exists()
    payment = Entry.objects.get(kind=Entry.Kind.PAYMENT)
    assert (payment.amount, payment.source, payment.year, payment.item) == (
        -LIVING,
        "central",
        2026,
        "living",
    )

    # e. The year's books of county A: on screen, then exported and read back.
    menu(page, "账簿")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "帮扶资金账簿 · 2026年度 · 镜湖区总工会困难职工帮扶资金专户"
    )
    general_totals = cells(page.get_by_test_id("general-ledger").get_by_test_id("totals"))
    assert general_totals == ["本年合计", "0.00", "200000.00", "9120.00", "190880.00"]
    page.get_by_test_id("book-tabs").get_by_role("link", name="明细账").click()
    detail = page.get_by_test_id("detail-row")
    expect(detail).to_have_count(2)
    on_screen = [cells(detail.nth(0)), cells(detail.nth(1))]
    assert on_screen[0][0:2] == [f"{PLANNED_ON:%Y-%m-%d}", "芜工财拨〔2026〕1号"]
    assert on_screen[0][3:] == [
        "上级下拨",
        "中央财政",
        "财政资金",
        "生活救助",
        "芜湖市总工会",
        "200000.00",
        "",
        "200000.00",
    ]
    assert on_screen[1][0:2] == [f"{PAID_ON:%Y-%m-%d}", "ICBC20260422000001"]
    assert on_screen[1][3:] == [
        "帮扶支出",
        "中央财政",
        "财政资金",
        "生活救助",
        "张建国",
        "",
        "9120.00",
        "190880.00",
    ]
    screen_totals = cells(page.get_by_test_id("detail-ledger").get_by_test_id("totals"))
    assert screen_totals == ["本年合计", "200000.00", "9120.00", "190880.00"]
    screenshot(page, "funds-ledger-detail")

    content, name = download(page, page.get_by_test_id("ledger-export"))
    assert name.endswith("_2026年.xlsx")
    book = load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames == ["总账", "明细账", "项目辅助账", "资金类别辅助账", "资金来源辅助账"]

    general = list(book["总账"].iter_rows(values_only=True))
    assert general[0] == ("月份", "期初余额", "收入（借方）", "支出（贷方）", "期末余额")
    assert general[1][0] == "2026年04月"
    assert general[-1][0] == "本年合计"
    assert [money(v) for v in general[-1][2:]] == [Decimal(v) for v in general_totals[2:]]

    rows = list(book["明细账"].iter_rows(values_only=True))
    assert rows[0] == (
        "日期",
        "凭证号",
        "摘要",
        "类型",
        "资金来源",
        "资金类别",
        "项目",
        "对方单位",
        "收入（借方）",
        "支出（贷方）",
        "余额",
    )
    assert len(rows) == 4  # the header, two entries, the total
    for row, shown in zip(rows[1:3], on_screen, strict=True):
        assert row[0].date() == datetime.date.fromisoformat(shown[0])
        assert list(row[1:2]) + list(row[3:8]) == shown[1:2] + shown[3:8]
        assert [None if v is None else money(v) for v in row[8:]] == [
            Decimal(v) if v else None for v in shown[8:]
        ]
    assert rows[3][0] == "合计"
    assert [money(v) for v in rows[3][8:]] == [Decimal(v) for v in screen_totals[1:]]

    for sheet, label in (
        ("项目辅助账", "生活救助"),
        ("资金类别辅助账", "财政资金"),
        ("资金来源辅助账", "中央财政"),
    ):
        lines = list(book[sheet].iter_rows(values_only=True))
        assert lines[1][0] == label
        assert [money(v) for v in lines[1][1:]] == [Decimal(v) for v in screen_totals[1:]]
        assert lines[-1][0] == "合计"
        assert [money(v) for v in lines[-1][1:]] == [Decimal(v) for v in screen_totals[1:]]
    sign_out(page)

    # f. The city's auditor reads everything and changes nothing.
    world.clock.set(PAID_ON + datetime.timedelta(days=1))
    sign_in(page, cast.city_auditor)
    menu(page, "账簿")
    page.get_by_test_id("funds-reports").get_by_role("link", name="经审").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("经审 · 帮扶资金审计监督")
    audited = page.get_by_test_id("audit-accounts").locator("tbody tr")
    expect(audited).to_have_count(3)
    assert cells(audited.nth(0))[3:6] == ["500000.00", "200000.00", "300000.00"]
    assert cells(audited.nth(1))[3:6] == ["200000.00", "9120.00", "190880.00"]
    screenshot(page, "funds-audit-home")
    page.get_by_test_id("audit-links").get_by_role("link", name="发放批次").click()
    page.get_by_test_id("audit-batches").get_by_role("link", name=batch.number).click()
    audit_batch = page.get_by_test_id("batch")
    expect(fact(audit_batch, "状态")).to_have_text("已回单")
    expect(fact(audit_batch, "银行回单")).to_have_text("银行回单.pdf")
    history = page.get_by_test_id("history-row")
    expect(history.filter(has_text="花名册报送银行")).to_have_count(1)
    expect(history.filter(has_text="银行已到账")).to_have_count(1)
    expect(history.filter(has_text="林会计").first).to_be_visible()
    screenshot(page, "funds-audit-batch")

    # The batch's page itself: no roster (full card numbers), no button to record anything.
    page.goto(reverse("funds:batch_detail", args=[batch.pk]))
    expect(page.get_by_test_id("batch-status")).to_have_text("已回单")
    expect(page.get_by_test_id("roster-link")).to_have_count(0)
    expect(page.get_by_role("link", name="登记银行处理结果")).to_have_count(0)
    expect(page.get_by_role("link", name="下载银行回单")).to_be_visible()

    # The roster download, in the log of personal data seen.
    menu(page, "个人信息查看记录")
    log_row = page.locator("main tbody tr").first
    expect(log_row).to_contain_text("林会计（fin_a）")
    expect(log_row).to_contain_text(f"银行卡号（发放花名册 {batch.number}）")

    # The year's performance report.
    menu(page, "账簿")
    page.get_by_test_id("funds-reports").get_by_role("link", name="绩效评价").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026年度帮扶资金绩效评价表")
    sources_total = cells(page.get_by_test_id("perf-sources-total"))
    assert sources_total == ["合计", "500000.00", "200000.00", "9120.00", "490880.00", ""]
    assert cells(page.get_by_test_id("perf-allocation"))[1:] == ["1", "1", "100.0%"]
    assert cells(page.get_by_test_id("perf-entered"))[1:] == ["1", "1", "100.0%"]
    assert cells(page.get_by_test_id("perf-households-total")) == ["合计（不重复计户）", "1"]
    screenshot(page, "funds-performance")
    sign_out(page)

    # g. The other county sees none of it.
    sign_in(page, cast.county_b_finance)
    menu(page, "帮扶资金")
    expect(page.get_by_test_id("account")).to_have_count(1)
    expect(page.get_by_test_id("account")).to_contain_text("弋江区总工会困难职工帮扶资金专户")
    for url in (
        reverse("funds:account", args=[cast.county_account.pk]),
        reverse("funds:account", args=[cast.city_account.pk]),
        reverse("funds:receipts", args=[cast.city_account.pk]),
        reverse("funds:plan", args=[plan.pk]),
        reverse("funds:grant_detail", args=[grant.pk]),
        reverse("funds:batch_detail", args=[batch.pk]),
        reverse("funds:batch_roster", args=[batch.pk]),
        reverse("funds:batch_slip", args=[batch.pk]),
        reverse("funds:audit_entry", args=[payment.pk]),
    ):
        response = page.goto(url)
        assert response.status == 404, url
        expect(page.get_by_role("heading", level=1)).to_have_text("没有找到该页面或记录")
    menu(page, "账簿")
    expect(page.get_by_test_id("general-ledger")).to_contain_text("本年度没有记账分录。")
    sign_out(page)

    sign_in(page, cast.county_b_reviewer)
    for url in (
        reverse("funds:grant_create", args=[archive.pk]),
        reverse("funds:grant_detail", args=[grant.pk]),
        reverse("funds:payment_letter", args=[grant.pk]),
    ):
        response = page.goto(url)
        assert response.status == 404, url
    assert PersonalDataAccess.objects.count() == 1
