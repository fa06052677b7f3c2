"""Intake in the browser: a caseworker enters an application, watches the live assessment,
uploads the documents and submits; a sibling union cannot see it; one household, one file.

Expected numbers by hand (低保 760 元/月; 3 people: applicant, spouse, child at school):
per-capita = (income − rigid expenses) ÷ 12 ÷ 3; deep ≤ 760; relative ≤ 1520 and rigid > 15000.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assistance.models import Case, CaseDocument, PersonalDataAccess
from assistance.selectors import submission_problems
from assistance.services import minimum_living_standard_create
from tests.factories.accounts import PASSWORD
from tests.factories.assistance import id_number
from tests.factories.browser import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

APPLICANT_ID = id_number(11)
SPOUSE_ID = id_number(21, birth="19820202")
CHILD_ID = id_number(31, birth="20120505")


@pytest.fixture
def mls(tree):
    for county in (tree.county_a, tree.county_b):
        minimum_living_standard_create(
            actor=tree.admin,
            county=county,
            monthly_amount=Decimal("760"),
            effective_from=datetime.date(2026, 1, 1),
        )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def log_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.get_by_label("用户名").wait_for()


def fill_applicant(page, *, name: str, number: str, phone: str, unit: str, card: str) -> None:
    page.get_by_label("申请日期").fill("2026-03-15")
    page.get_by_label("申请人姓名").fill(name)
    page.get_by_label("身份证号").fill(number)
    page.get_by_label("联系电话").fill(phone)
    page.get_by_label("工作单位").fill(unit)
    page.get_by_label("开户银行").fill("中国工商银行")
    page.get_by_label("银行卡号").fill(card)


def add_member(page, *, name, number, relation, employment, school="") -> None:
    """Click 添加家庭成员 and fill the new (last) row."""
    rows = page.locator("#members tbody tr.member-row")
    index = rows.count()
    page.get_by_role("button", name="添加家庭成员").click()
    expect(rows).to_have_count(index + 1)
    row = rows.nth(index)
    row.locator(f'[name="members-{index}-name"]').fill(name)
    row.locator(f'[name="members-{index}-id_number"]').fill(number)
    row.locator(f'[name="members-{index}-relation"]').select_option(relation)
    row.locator(f'[name="members-{index}-school"]').select_option(school)
    row.locator(f'[name="members-{index}-employment"]').select_option(employment)


def expect_assessment(page, *, category: str, per_capita: str) -> None:
    panel = page.locator("#assessment-panel")
    expect(panel.get_by_test_id("category")).to_have_text(category)
    expect(panel.get_by_test_id("per-capita")).to_have_text(per_capita)


def upload(page, tmp_path, label: str, filename: str) -> None:
    path = tmp_path / filename
    path.write_bytes(PDF)
    page.get_by_label("材料类型").select_option(label=label)
    page.locator('input[type="file"][name="file"]').set_input_files(str(path))
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(f"已上传：{label}：{filename}")


def test_caseworker_enters_uploads_submits_and_finds_the_case(page, tree, mls, media, tmp_path):
    log_in(page, "cw_a1", PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="新建申请").click()
    expect(page.get_by_role("heading", name="新建帮扶申请")).to_be_visible()
    expect(page.get_by_label("受理基层工会")).to_have_value(str(tree.union_a1.pk))

    fill_applicant(
        page,
        name="张建国",
        number=APPLICANT_ID,
        phone="13912345678",
        unit="芜湖造船厂",
        card="6222021234567890123",
    )
    add_member(page, name="李秀英", number=SPOUSE_ID, relation="spouse", employment="flexible")
    add_member(
        page,
        name="张小明",
        number=CHILD_ID,
        relation="child",
        school="junior",
        employment="student",
    )
    panel = page.locator("#assessment-panel")
    # The cause of hardship is still missing: the panel says what to fill in first.
    page.get_by_label("工资性收入").fill("20000")
    expect(panel).to_contain_text("请先填写或更正：主要致困原因")

    page.get_by_label("主要致困原因").select_option(label="因病")
    # 20000 ÷ 12 ÷ 3 = 555.56 is below 低保, but no rigid expenses: no file.
    expect_assessment(page, category="不符合建档条件", per_capita="555.56 元")
    expect(panel).to_contain_text("3 人 / 1 人")
    expect(panel).to_contain_text("致困支出总额小于5000元")

    page.get_by_label("因病支出").fill("15000")
    page.get_by_label("医保内个人负担医疗费").fill("15000")
    # (20000 − 15000) ÷ 12 ÷ 3 = 138.89 ≤ 760: deep hardship.
    expect_assessment(page, category="深度困难", per_capita="138.89 元")

    page.get_by_label("工资性收入").fill("60000")
    # (60000 − 15000) ÷ 12 ÷ 3 = 1250.00: above 760, within 1520, but 15000 is not
    # more than 1.5万元: no relative file.
    expect_assessment(page, category="不符合建档条件", per_capita="1250.00 元")
    expect(panel).to_contain_text("致困费用在1.5万元以下")

    page.get_by_label("因病支出").fill("16000")
    # (60000 − 16000) ÷ 12 ÷ 3 = 1222.22: relative hardship.
    expect_assessment(page, category="相对困难", per_capita="1222.22 元")
    expect(panel).not_to_contain_text("致困费用在1.5万元以下")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky panel beside the top of the form
    screenshot(page, "intake-form-live-assessment")

    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("（草稿）")
    case = Case.objects.get(applicant_name="张建国")
    case_url = reverse("assistance:case_detail", args=[case.pk])
    assert page.url.endswith(case_url)
    assert (case.household_size, case.students, case.category) == (3, 1, "relative")
    assert case.per_capita_income == Decimal("1222.22")
    expect(page.get_by_test_id("applicant-id")).to_have_text(case.applicant_id_masked)
    expect(page.locator("body")).not_to_contain_text(APPLICANT_ID)

    # Documents: one of each type; the checklist turns ✓ one by one.
    checklist = page.locator("ul.checklist li")
    expect(checklist).to_have_count(len(CaseDocument.REQUIRED_FOR_SUBMISSION))
    expect(checklist.filter(has_text="✗")).to_have_count(len(CaseDocument.REQUIRED_FOR_SUBMISSION))
    types = [(t.value, t.label) for t in CaseDocument.REQUIRED_FOR_SUBMISSION]
    for index, (value, label) in enumerate(types, start=1):
        upload(page, tmp_path, label, f"{value}.pdf")
        expect(checklist.filter(has_text=label)).to_have_text(f"✓ {label}")
        expect(checklist.filter(has_text="✓")).to_have_count(index)
        if index < len(types):  # the form offers the next missing type
            expect(page.get_by_label("材料类型")).to_have_value(types[index][0])
    expect(page.get_by_role("heading", name="提交前还需")).to_have_count(0)
    screenshot(page, "intake-case-detail")

    document = case.documents.get(doc_type=CaseDocument.Type.ID_CARD)
    download_url = reverse("assistance:document_download", args=[case.pk, document.pk])
    response = page.request.get(download_url)
    assert response.status == 200 and response.body() == PDF

    page.get_by_role("link", name="提交", exact=True).click()
    expect(page.get_by_role("heading", name=f"提交申请 {case.number}")).to_be_visible()
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator(".messages")).to_contain_text(f"申请 {case.number} 已提交")
    expect(page.get_by_role("heading", level=1)).to_contain_text("待基层初审")
    expect(page.get_by_role("link", name="修改", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="上传", exact=True)).to_have_count(0)
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED

    # Full numbers only on request, and the request is logged.
    page.get_by_role("button", name="查看完整证件号和银行卡号").click()
    expect(page.get_by_test_id("applicant-id")).to_have_text(APPLICANT_ID)
    expect(page.get_by_text("本次查看已记录")).to_be_visible()
    logged = PersonalDataAccess.objects.filter(case=case, user=tree.caseworker_a1)
    # The earlier document download and this reveal, each logged once.
    assert {a.fields[0] for a in logged} == {
        "申请人身份证号",
        f"材料：{document.get_doc_type_display()}（{document.original_name}）",
    }
    assert logged.count() == 2

    # The list: found by the applicant's ID number, by a member's, and by name.
    page.get_by_role("navigation").get_by_role("link", name="帮扶申请").click()
    search = page.get_by_placeholder("姓名、申请编号或身份证号")
    rows = page.locator("table tbody tr")
    for query in (APPLICANT_ID, CHILD_ID, "张建国"):
        search.fill(query)
        page.get_by_role("button", name="查询").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(case.number)
        expect(rows.first).to_contain_text(case.applicant_id_masked)
        expect(rows.first).not_to_contain_text(APPLICANT_ID)
    expect(rows.first).to_contain_text("相对困难")
    expect(rows.first).to_contain_text("1222.22")
    screenshot(page, "intake-case-list")
    search.fill("李四")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_text(["没有符合条件的申请。"])

    # A caseworker of the sibling union: neither the case nor its documents exist for her.
    log_out(page)
    log_in(page, tree.caseworker_a2.username, PASSWORD)
    expect(page.get_by_text(tree.union_a2.name).first).to_be_visible()
    response = page.goto(case_url)
    assert response is not None and response.status == 404
    assert page.request.get(download_url).status == 404
    assert page.request.get(reverse("assistance:case_edit", args=[case.pk])).status == 404

    # One household, one file: her new applicant's wife is already in 甲机械厂's case.
    page.goto(reverse("assistance:case_create"))
    expect(page.get_by_label("受理基层工会")).to_have_value(str(tree.union_a2.pk))
    fill_applicant(
        page,
        name="王志强",
        number=id_number(51, birth="19780808"),
        phone="0553-5871234",
        unit="芜湖纺织厂",
        card="6217001234567890",
    )
    add_member(page, name="李秀英", number=SPOUSE_ID, relation="spouse", employment="unemployed")
    page.get_by_label("工资性收入").fill("18000")
    page.get_by_label("因病支出").fill("9000")
    page.get_by_label("主要致困原因").select_option(label="因病")
    # (18000 − 9000) ÷ 12 ÷ 2 = 375.00
    expect_assessment(page, category="深度困难", per_capita="375.00 元")
    duplicate = page.locator("#assessment-panel").get_by_test_id("duplicate")
    expect(duplicate).to_have_count(1)
    expect(duplicate).to_contain_text("李秀英 已在其他在办申请中")
    expect(duplicate).to_contain_text(f"由 {tree.union_a1.name} 受理")
    expect(duplicate.locator("a")).to_have_count(0)
    expect(duplicate).not_to_contain_text(case.number)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky panel beside the top of the form
    screenshot(page, "intake-duplicate-flag")

    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("（草稿）")
    second = Case.objects.get(applicant_name="王志强")
    notice = page.get_by_test_id("duplicate")
    expect(notice).to_contain_text(f"李秀英 也在 {tree.union_a1.name} 受理的申请中")
    expect(notice).to_contain_text("须由审核人登记说明后才能提交")
    expect(notice.locator("a")).to_have_count(0)
    expect(page.locator("ul.reasons").last).to_contain_text(
        "李秀英 已在其他在办申请中，须由审核人登记说明后才能提交"
    )

    # The county reviewer sees both cases: the notice links to the other one.
    log_out(page)
    log_in(page, tree.county_a_reviewer.username, PASSWORD)
    page.goto(reverse("assistance:case_detail", args=[second.pk]))
    notice = page.get_by_test_id("duplicate")
    link = notice.get_by_role("link", name=f"{case.number}（{tree.union_a1.name}）")
    expect(link).to_be_visible()
    # The reviewer records why both may stand (here: to be settled at review); the flag
    # then no longer stops the second application.
    notice.get_by_role("textbox").fill("两户分居，李秀英随王志强共同生活，待审核时核实。")
    notice.get_by_role("button", name="登记说明").click()
    expect(page.locator(".messages")).to_contain_text("已登记说明")
    expect(page.get_by_test_id("duplicate")).to_contain_text("已登记说明。")
    assert not any("李秀英" in problem for problem in submission_problems(second))
    page.get_by_test_id("duplicate").get_by_role("link", name=case.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"申请 {case.number} · 张建国")


def test_the_form_survives_logging_in_again_in_another_tab(page, tree, mls):
    """The session runs out while a long form is open: the panel says so instead of showing
    an old verdict, and after logging in again in another tab the form still saves."""
    log_in(page, "cw_a1", PASSWORD)
    page.goto(reverse("assistance:case_create"))
    fill_applicant(
        page,
        name="赵桂兰",
        number=id_number(61, birth="19750303"),
        phone="13800001111",
        unit="芜湖钢铁厂",
        card="6228480012345678",
    )
    page.get_by_label("主要致困原因").select_option(label="因病")
    page.get_by_label("工资性收入").fill("12000")
    page.get_by_label("因病支出").fill("6000")
    # (12000 − 6000) ÷ 12 ÷ 1 = 500.00
    expect_assessment(page, category="深度困难", per_capita="500.00 元")

    other = page.context.new_page()
    other.goto("/")
    log_out(other)
    page.get_by_label("工资性收入").fill("13200")
    unavailable = page.get_by_test_id("assessment-unavailable")
    expect(unavailable).to_contain_text("登录已过期")
    expect(page.get_by_test_id("per-capita")).to_have_count(0)

    log_in(other, "cw_a1", PASSWORD)
    other.get_by_role("navigation").wait_for()
    other.close()
    page.get_by_label("工资性收入").fill("13800")
    # (13800 − 6000) ÷ 12 ÷ 1 = 650.00
    expect_assessment(page, category="深度困难", per_capita="650.00 元")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("（草稿）")
    assert Case.objects.get(applicant_name="赵桂兰").per_capita_income == Decimal("650.00")
