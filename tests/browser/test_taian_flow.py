"""A new region starts, in the browser (issue 10 point 7; DOMAIN.md §4, §6, §9; TA-A §12, §14):

a. 泰安市总工会 is created by `manage.py create_city --region taian`, as a deployment would;
   its administrator finds no policy, copies wuhu-2020 and changes what Tai'an's documents
   change — the Tai'an review chain (TA-A §12) and the items funded (living, medical and
   education only, TA-A §14) — naming each change's source document. A changed rule without
   its source is refused with what was typed kept; the version is in force from 2026-03-01,
   before today, so the page asks for confirmation first. The administrator then enters the
   county's 城市低保标准;
b. a case goes through the Tai'an chain: the grassroots union checks it and posts the notice
   inside the work unit, reports to the county after the notice, the county checks the
   household's data and then visits with two staff, the city confirms (认定), and the result is seen
   back down at the county and the grassroots union (TA-A §12.4);
c. the archive is open and a living grant is proposed from it — only the three items Tai'an
   funds are offered — and approved by the county.

The application itself is entered through the services (the intake flow has its own browser
test); the organisations, staff and special accounts are created through the services too.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Organisation, User
from accounts.roles import Role
from accounts.services.organisations import organisation_create
from accounts.services.users import user_create
from archives.models import Archive
from assistance.models import Case, Policy
from assistance.workflow import REQUIREMENT_TEXT
from funds.models import Grant
from funds.services.accounts import fund_account_create
from tests.factories.accounts import PASSWORD
from tests.factories.assistance import submitted
from tests.factories.browser import Cast, Clock, log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

S = Case.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY_1 = datetime.date(2026, 4, 1)  # a Wednesday
TA_A_12 = "泰会办〔2020〕10号 附2《泰安工会困难职工档案管理暂行办法》第十二条"
TA_A_14 = "泰会办〔2020〕10号 附2《泰安工会困难职工档案管理暂行办法》第十四条"


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(monkeypatch)
    clock.set(DAY_1)
    return clock


@pytest.fixture
def taian(db, clock, monkeypatch, settings, tmp_path):
    """泰安市总工会 created by the deployment command, with its tree and staff."""
    settings.MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setattr(
        "accounts.management.commands.create_city.getpass.getpass", lambda prompt="": PASSWORD
    )
    call_command(
        "create_city",
        code="TA",
        name="泰安市总工会",
        region="taian",
        admin="ta_admin",
        admin_name="赵管理",
    )
    admin = User.objects.get(username="ta_admin")
    city = admin.organisation

    def org(parent, code, name, kind):
        return organisation_create(actor=admin, parent=parent, code=code, name=name, kind=kind)

    county = org(city, "TA-TS", "泰山区总工会", Organisation.Kind.COUNTY)
    union = org(county, "TA-TS-01", "泰山钢铁厂工会", Organisation.Kind.ENTERPRISE)

    def person(organisation, role, username, full_name):
        return user_create(
            actor=admin,
            username=username,
            full_name=full_name,
            organisation=organisation,
            roles=[role],
            password=PASSWORD,
        )

    def account(organisation, number):
        return fund_account_create(
            actor=admin,
            organisation=organisation,
            name=f"{organisation.name}困难职工帮扶资金专户",
            bank_name="中国工商银行泰安分行",
            bank_account=number,
        )

    account(city, "1606010009000000001")
    account(county, "1606010009000000002")
    return Cast(
        admin=admin,
        city=city,
        county=county,
        union=union,
        caseworker=person(union, Role.CASEWORKER, "ta_cw", "孟经办"),
        grassroots_reviewer=person(union, Role.REVIEWER, "ta_gr", "岳初核"),
        grassroots_reviewer_2=person(union, Role.REVIEWER, "ta_gr_2", "秦公示"),
        county_caseworker=person(county, Role.CASEWORKER, "ta_cw_county", "鲁走访"),
        county_reviewer=person(county, Role.REVIEWER, "ta_cr", "齐复审"),
        county_reviewer_2=person(county, Role.REVIEWER, "ta_cr_2", "田核查"),
        city_reviewer=person(city, Role.REVIEWER, "ta_city_r", "孔认定"),
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


def expect_stage(page, text: str) -> None:
    expect(page.get_by_test_id("stage")).to_contain_text(text)


def queue_rows(page):
    return page.get_by_test_id("queue").get_by_test_id("queue-row")


def pdf(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(PDF)
    return str(path)


def decide(page, label: str, opinion: str) -> None:
    """Open the forward action of the review panel, give the opinion, confirm and submit."""
    action = page.get_by_test_id("action-forward")
    action.locator("summary").filter(has_text=label).click()
    action.get_by_label("审批意见").fill(opinion)
    action.get_by_role("checkbox", name="提交后不能撤销").check()
    action.get_by_role("button", name=label).click()


def field(page, name: str):
    """A policy form's input (its labels carry the required mark)."""
    return page.locator(f"#id_{name}")


def open_queued(page, case: Case) -> None:
    queue_rows(page).get_by_role("link", name=case.number).click()


# --- The flow -------------------------------------------------------------------------------


def test_taian_starts_and_runs_its_chain(page, taian, clock, tmp_path):
    t = taian
    # a. The administrator: no policy yet, so nothing can be assessed; a copy of wuhu-2020.
    sign_in(page, t.admin)
    menu(page, "政策与低保标准")
    expect(page.locator("main")).to_contain_text("本市（政策地区 taian）尚无帮扶政策")
    start = page.get_by_test_id("policy-start")
    start.get_by_label("为本市建立第一项政策：复制").select_option("wuhu-2020")
    start.get_by_role("button", name="复制并修改").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("为本市建立第一项政策")
    expect(field(page, "region")).to_have_value("taian")
    expect(field(page, "region")).to_be_disabled()
    expect(field(page, "relative_living_months")).to_have_value("9")
    field(page, "code").fill("taian-2026")
    field(page, "name").fill("泰安市工会困难职工帮扶")
    field(page, "document").fill("泰会办〔2020〕10号")
    field(page, "effective_from").fill("2026-03-01")
    field(page, "workflow").select_option("taian")
    page.get_by_label("审核流程的依据").fill(TA_A_12)
    # TA-A §14: living, medical and education only.
    rule = page.get_by_test_id("rule-items_funded")
    rule.get_by_label("职业培训和职业介绍").uncheck()
    rule.get_by_label("法律援助").uncheck()
    page.get_by_role("button", name="保存新版本").click()
    # The items changed without their source: refused, and everything typed is still there.
    expect(rule).to_contain_text(
        "已修改“资助项目”，请填写该项数值的依据文件（如 鲁财建〔2017〕33号）。"
    )
    expect(field(page, "code")).to_have_value("taian-2026")
    expect(page.get_by_label("审核流程的依据")).to_have_value(TA_A_12)
    expect(rule.get_by_label("法律援助")).not_to_be_checked()
    expect(rule.get_by_label("医疗救助")).to_be_checked()
    page.get_by_label("资助项目的依据").fill(TA_A_14)
    page.get_by_role("button", name="保存新版本").click()
    # In force from 2026-03-01, before today: it asks first, and says what it changes.
    backdated = page.get_by_test_id("backdated")
    expect(backdated).to_contain_text("生效日期 2026-03-01 早于今天，新版本将追溯适用。")
    expect(backdated).to_contain_text("本地区没有受影响的未发放帮扶救助项目。")
    screenshot(page, "policy-first-backdated")
    assert not Policy.objects.filter(region="taian").exists()
    backdated.get_by_label("确认追溯生效").check()
    page.get_by_role("button", name="保存新版本").click()
    expect_message(page, "已新建政策“taian-2026”。")
    expect(page.locator("main")).to_contain_text("复制自 wuhu-2020")
    rows = page.get_by_test_id("policy-row")
    expect(rows.filter(has_text="资助项目")).to_contain_text("生活救助、医疗救助、助学救助")
    expect(rows.filter(has_text="资助项目")).to_contain_text(TA_A_14)
    expect(rows.filter(has_text="审核流程")).to_contain_text(TA_A_12)
    expect(rows.filter(has_text="公示期（工作日）")).to_contain_text("芜工办〔2020〕14号")
    screenshot(page, "policy-first-detail")
    policy = Policy.objects.get(region="taian")
    assert (policy.workflow, policy.items_funded) == ("taian", ["living", "medical", "education"])
    assert policy.history.latest().history_user == t.admin

    # The county's 城市低保标准, entered by the same administrator.
    menu(page, "政策与低保标准")
    page.get_by_role("link", name="录入低保标准").click()
    page.get_by_label("县（市、区）").select_option(label="泰山区总工会")
    page.get_by_label("月低保标准（元）").fill("760")
    page.get_by_label("执行日期").fill("2026-01-01")
    page.get_by_label("依据文件").fill("泰政字〔2025〕60号")
    page.get_by_role("button", name="保存").click()
    expect_message(page, "已录入")
    expect(page.locator("main")).to_contain_text("泰山区总工会")
    sign_out(page)

    # b. An application of the steel works' union (entered through the services).
    case = submitted(t.caseworker, t.union, person=3, applicant_name="杜长顺")
    assert (case.policy, case.category) == (policy, "deep")

    # The grassroots union checks it and posts the notice inside the work unit first.
    clock.set(DAY_1, 10)
    sign_in(page, t.grassroots_reviewer)
    open_queued(page, case)
    expect_stage(page, "待基层初审（泰山钢铁厂工会办理）")
    decide(page, "初核通过，在单位公示", "材料属实，经研究同意在本单位公示。")
    expect_message(page, f"申请 {case.number} 已办理，当前环节：公示中。")
    case.refresh_from_db()
    assert case.status == S.NOTICE and case.notice_start is not None
    menu(page, "公示")
    board = page.get_by_test_id("notice-board")
    expect(board.get_by_test_id("notice-line")).to_have_count(1)
    expect(board).to_contain_text("泰山钢铁厂工会（盖章）")
    sign_out(page)

    # After the notice, a second grassroots reviewer reports it to the county.
    clock.set(case.notice_end + datetime.timedelta(days=1), 9)
    sign_in(page, t.grassroots_reviewer_2)
    open_queued(page, case)
    decide(page, "公示期满无异议，报县级复审", "公示期满无异议，报泰山区总工会复审。")
    expect_message(page, f"申请 {case.number} 已办理，当前环节：待县级审核。")
    sign_out(page)

    # The county reviews, then checks the household's data (TA-A §12.3).
    sign_in(page, t.county_reviewer)
    open_queued(page, case)
    decide(page, "复审通过，转家庭信息核查", "复审材料齐全，转家庭信息核查。")
    expect_message(page, f"申请 {case.number} 已办理，当前环节：待信息比对。")
    compare = page.get_by_test_id("form-compare")
    compare.locator("summary").click()
    compare.get_by_label("一致（符合建档条件）").check()
    compare.get_by_label("家庭经济状况核对报告").set_input_files(pdf(tmp_path, "核对报告.pdf"))
    compare.get_by_label("确认登记比对结果").check()
    compare.get_by_role("button", name="登记比对结果").click()
    expect(page.get_by_test_id("comparison")).to_contain_text("一致（符合建档条件）")
    sign_out(page)

    # Reporting to the city waits for the visit by two staff after the check.
    clock.set(case.notice_end + datetime.timedelta(days=1), 11)
    sign_in(page, t.county_reviewer_2)
    open_queued(page, case)
    report = "核查符合、入户走访属实，报市级认定"
    blocked = page.get_by_test_id("action-forward")
    expect(blocked.get_by_role("button", name=report)).to_be_disabled()
    expect(blocked).to_contain_text(REQUIREMENT_TEXT["county_visit_after_check"])
    visit_form = page.get_by_test_id("form-visit")
    visit_form.locator("summary").click()
    visit_form.get_by_label("田核查（泰山区总工会）").check()
    visit_form.get_by_label("鲁走访（泰山区总工会）").check()
    visit_form.get_by_label("走访情况").fill("入户查看住房和就医票据，家庭因病致困属实。")
    visit_form.get_by_label("困难职工家庭走访调查表").set_input_files(
        pdf(tmp_path, "走访调查表.pdf")
    )
    visit_form.get_by_label("确认登记走访").check()
    visit_form.get_by_role("button", name="登记走访").click()
    expect_message(page, f"已登记申请 {case.number} 的入户走访。")
    decide(page, report, "家庭信息核查符合，两名工作人员入户走访属实，报市总工会认定。")
    expect_message(page, f"申请 {case.number} 已办理，当前环节：待市级认定。")
    sign_out(page)

    # The city confirms (认定).
    sign_in(page, t.city_reviewer)
    open_queued(page, case)
    decide(page, "认定符合，确认建档", "符合深度困难职工建档标准，予以认定。")
    expect_message(page, f"申请 {case.number} 已办理，当前环节：已认定。")
    case.refresh_from_db()
    assert (case.status, case.final_category) == (S.APPROVED, "deep")
    sign_out(page)

    # The 认定 is seen back down the tree (TA-A §12.4): the county, then the work unit's union.
    for user in (t.county_reviewer, t.caseworker):
        sign_in(page, user)
        page.goto(f"/assistance/cases/{case.pk}/")
        expect_stage(page, "已认定")
        confirmed = page.get_by_test_id("step").filter(has_text="认定符合，确认建档")
        expect(confirmed).to_contain_text("孔认定")
        expect(confirmed).to_contain_text("泰安市总工会 · 市级")
        expect(confirmed).to_contain_text("符合深度困难职工建档标准，予以认定。")
        sign_out(page)

    # c. The archive is open; the caseworker proposes a living grant at its standard.
    archive = Archive.objects.get(case=case)
    sign_in(page, t.caseworker)
    menu(page, "困难职工档案")
    page.get_by_test_id("archive-list").get_by_role("link", name=archive.number).click()
    page.get_by_test_id("grant-link").click()
    grant_form = page.get_by_test_id("grant-form")
    items = page.get_by_test_id("standard-form").locator("select[name=item] option")
    expect(items).to_have_text(["生活救助", "医疗救助", "助学救助"])
    expect(page.get_by_test_id("standard-amount")).to_have_text("9120.00")
    expect(page.get_by_test_id("standard")).to_contain_text("政策 taian-2026")
    grant_form.get_by_label("资金来源").select_option(label="中央财政")
    grant_form.get_by_role("button", name="提交审批").click()
    expect_message(page, "已提出帮扶救助：生活救助 9120.00 元，待县级或市级审核人审批。")
    sign_out(page)

    sign_in(page, t.county_reviewer_2)
    menu(page, "帮扶发放")
    page.get_by_test_id("grant-row").get_by_role("link", name="杜长顺").click()
    decision = page.get_by_test_id("decision-form")
    decision.get_by_label("批准", exact=True).check()
    decision.get_by_label("审批意见").fill("符合深度困难职工生活救助标准，同意。")
    decision.get_by_label("我已核对救助标准和计算依据").check()
    decision.get_by_role("button", name="提交审批结论").click()
    expect_message(page, "已批准，待财务列入发放批次。")
    grant = Grant.objects.get()
    assert (grant.status, grant.amount, grant.city) == (
        Grant.Status.APPROVED,
        Decimal("9120.00"),
        t.city,
    )
    assert grant.inputs["policy"] == "taian-2026"
