"""The review chain in the browser (DOMAIN.md §4; WH-M §10): a Wuhu case from the grassroots
union through the county to 已认定, watched by the city; a refusal with its printed notice;
and two county reviewers deciding the same case at once.

The application itself is entered through the services (the intake flow has its own browser
test); every review step is clicked. The clock is frozen (`timezone.now`, which the live
server's thread reads too) and moved on between steps, so that the timeline has an order,
the queue counts waited working days and the notice period can end.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.services.users import user_update
from assistance.eligibility import reason_text
from assistance.models import Case, CaseTransition
from assistance.services.review import case_forward
from assistance.workflow import REQUIREMENT_TEXT
from core.crypto import mask_name
from tests.factories.accounts import PASSWORD, make_user
from tests.factories.assistance import (
    consistent_comparison,
    household,
    minimum_living_standards,
    submitted,
    visit,
)
from tests.factories.browser import Cast, Clock, log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

S = Case.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# 2026-04-01 is a Wednesday; 清明 (4–6 April) falls inside the notice period.
DAY_1 = datetime.date(2026, 4, 1)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(monkeypatch)
    clock.set(DAY_1)
    return clock


@pytest.fixture
def cast(tree, clock, settings, tmp_path):
    """The `tree`'s county A with named staff: segregation of duties needs several reviewers."""
    settings.MEDIA_ROOT = tmp_path / "private"
    minimum_living_standards(
        tree.admin, tree.county_a, tree.county_b, effective_from=datetime.date(2020, 1, 1)
    )

    def named(user, full_name):
        return user_update(
            actor=tree.admin,
            user=user,
            full_name=full_name,
            phone="",
            organisation=user.organisation,
            roles=user.roles,
            is_active=True,
        )

    def person(organisation, role, username, full_name):
        return named(make_user(organisation, role, username=username), full_name)

    return Cast(
        tree=tree,
        caseworker=named(tree.caseworker_a1, "王经办"),
        grassroots_reviewer=person(tree.union_a1, Role.REVIEWER, "gr_a1", "刘初审"),
        county_reviewer=named(tree.county_a_reviewer, "陈审核"),
        county_reviewer_2=person(tree.county_a, Role.REVIEWER, "cr_a_2", "周比对"),
        county_reviewer_3=person(tree.county_a, Role.REVIEWER, "cr_a_3", "吴确认"),
        city_reviewer=named(tree.city_reviewer, "孙市审"),
    )


# --- Browser helpers ------------------------------------------------------------------------


def sign_in(page, user) -> None:
    log_in(page, user.username, PASSWORD)
    expect(page.get_by_role("heading", name=f"欢迎，{user.full_name}")).to_be_visible()


def sign_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_label("用户名")).to_be_visible()


def open_case(page, case: Case) -> None:
    page.goto(reverse("assistance:case_detail", args=[case.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"申请 {case.number}")


def queue_rows(page):
    return page.get_by_test_id("queue").get_by_test_id("queue-row")


def pdf(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(PDF)
    return str(path)


def decide(page, kind: str, label: str, opinion: str, *, also: tuple[str, ...] = ()) -> None:
    """Open an action of the review panel, give the opinion, tick the boxes named in `also`
    (seen first), confirm and submit it."""
    action = page.get_by_test_id(f"action-{kind}")
    action.locator("summary").filter(has_text=label).click()
    action.get_by_role("textbox").first.fill(opinion)
    for name in also:
        expect(action.get_by_role("checkbox", name=name)).to_be_visible()
        action.get_by_role("checkbox", name=name).check()
    confirm = action.get_by_role("checkbox", name="提交后不能撤销")
    expect(confirm).to_have_attribute("required", "")
    confirm.check()
    action.get_by_role("button", name=label).click()


def expect_message(page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def expect_stage(page, text: str) -> None:
    expect(page.get_by_test_id("stage")).to_contain_text(text)


# --- a. One case through the whole Wuhu chain -------------------------------------------------


def test_a_case_through_the_wuhu_chain(page, cast, clock, tmp_path):
    t = cast.tree
    # Two older applications wait in the grassroots queue too (oldest first).
    clock.set(datetime.date(2026, 3, 25))
    submitted(t.caseworker_a1, t.union_a1, person=1, applicant_name="赵桂兰")
    clock.set(datetime.date(2026, 3, 27))
    submitted(t.caseworker_a1, t.union_a1, person=2, applicant_name="钱家宝")
    clock.set(DAY_1, 9)
    case = submitted(cast.caseworker, t.union_a1, person=3, applicant_name="张建国")
    assert case.category == "deep"

    # The grassroots reviewer: the case waits in her queue, the oldest first.
    clock.set(DAY_1 + datetime.timedelta(days=1), 9)
    sign_in(page, cast.grassroots_reviewer)
    rows = queue_rows(page)
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("赵桂兰")
    expect(rows.nth(2)).to_contain_text(case.number)
    expect(rows.nth(2)).to_contain_text("待基层初审")
    screenshot(page, "review-queue")
    rows.nth(2).get_by_role("link", name=case.number).click()
    expect_stage(page, "待基层初审（甲机械厂工会办理）")

    # Forwarding waits for the home visit: the button is disabled and says why.
    blocked = page.get_by_test_id("action-forward")
    expect(blocked.get_by_role("button", name="初审通过，报县级审核")).to_be_disabled()
    expect(blocked).to_contain_text(REQUIREMENT_TEXT["grassroots_visit"])

    # The home visit: two staff, the survey, and the wage the visit verified.
    visit_form = page.get_by_test_id("form-visit")
    visit_form.locator("summary").click()
    expect(visit_form.get_by_label("走访日期")).to_have_value("2026-04-02")
    visit_form.get_by_label("刘初审（甲机械厂工会）").check()
    visit_form.get_by_label("王经办（甲机械厂工会）").check()
    visit_form.get_by_label("走访情况").fill(
        "入户查看住房和就医票据；单位出具的工资证明核实全年工资 42000 元。"
    )
    visit_form.get_by_label("困难职工家庭走访调查表").set_input_files(
        pdf(tmp_path, "走访调查表.pdf")
    )
    visit_form.get_by_label("核实工资性收入").fill("42000")
    visit_form.get_by_label("确认登记走访").check()
    screenshot(page, "review-visit-form")
    visit_form.get_by_role("button", name="登记走访").click()
    expect_message(page, f"已登记申请 {case.number} 的入户走访。")
    visit_row = page.get_by_test_id("visit")
    expect(visit_row).to_have_count(1)
    expect(visit_row).to_contain_text("刘初审")
    expect(visit_row).to_contain_text("王经办")
    expect(visit_row).to_contain_text("工资性收入：42000")
    # (47400 − 18000) ÷ 12 ÷ 4 = 612.50 before; (49400 − 18000) ÷ 12 ÷ 4 = 654.17 after.
    expect(visit_row).to_contain_text("深度困难，人均 612.50 元 → 深度困难，人均 654.17 元")
    expect(visit_row.get_by_role("link", name="下载")).to_be_visible()

    # Now the forward: the opinion and the confirmation, without which nothing is sent.
    clock.set(DAY_1 + datetime.timedelta(days=1), 10)
    action = page.get_by_test_id("action-forward")
    action.locator("summary").click()
    action.get_by_label("审批意见").fill("经入户走访核实，家庭因病致困属实，同意上报。")
    action.get_by_label("走访调查表").check()
    confirm = action.get_by_role("checkbox", name="确认审批通过")
    screenshot(page, "review-forward-confirm")
    action.get_by_role("button", name="初审通过，报县级审核").click()
    expect(confirm).not_to_be_checked()
    assert confirm.evaluate("box => box.validity.valueMissing")
    confirm.check()
    action.get_by_role("button", name="初审通过，报县级审核").click()
    expect_message(page, f"申请 {case.number} 已办理，当前环节：待县级审核。")
    expect_stage(page, "待县级审核（镜湖区总工会办理）")
    expect(page.get_by_test_id("action-forward")).to_have_count(0)
    page.get_by_role("navigation").get_by_role("link", name="首页").click()
    expect(queue_rows(page)).to_have_count(2)
    expect(page.get_by_test_id("queue")).not_to_contain_text(case.number)
    sign_out(page)

    # The county: the case waits for its reviewers; the first one forwards it.
    clock.set(DAY_1 + datetime.timedelta(days=2), 9)
    sign_in(page, cast.county_reviewer)
    expect(queue_rows(page)).to_have_count(1)
    expect(page.get_by_test_id("coverage")).to_contain_text("未达到")
    screenshot(page, "review-county-home")
    queue_rows(page).get_by_role("link", name=case.number).click()
    expect_stage(page, "待县级审核（镜湖区总工会办理）")
    decide(page, "forward", "审核通过，转信息比对", "材料齐全，走访属实，同意转信息比对。")
    expect_message(page, f"申请 {case.number} 已办理，当前环节：待信息比对。")
    expect_stage(page, "待信息比对（镜湖区总工会办理）")
    # He forwarded it: passing the comparison is for a colleague (segregation of duties).
    expect(page.get_by_test_id("action-forward")).to_have_count(0)
    withheld = page.get_by_test_id("withheld")
    expect(withheld.get_by_role("button", name="比对符合，开始公示")).to_be_disabled()
    expect(withheld).to_contain_text("职责分离")
    expect(page.get_by_test_id("action-reject")).to_be_visible()
    # A visit may still be recorded, but figures are verified only up to the county review.
    later_visit = page.get_by_test_id("form-visit")
    expect(later_visit.get_by_test_id("no-verify")).to_have_count(1)
    expect(later_visit.get_by_label("核实工资性收入")).to_have_count(0)

    # The county records the comparison with its report.
    clock.set(DAY_1 + datetime.timedelta(days=2), 9, 30)
    compare = page.get_by_test_id("form-compare")
    compare.locator("summary").click()
    compare.get_by_label("一致（符合建档条件）").check()
    compare.get_by_label("家庭经济状况核对报告").set_input_files(pdf(tmp_path, "核对报告.pdf"))
    compare.get_by_label("说明").fill("民政、住建、车管、社保数据比对，无不符。")
    compare.get_by_label("确认登记比对结果").check()
    compare.get_by_role("button", name="登记比对结果").click()
    expect_message(page, f"已登记申请 {case.number} 的信息比对结果。")
    expect(page.get_by_test_id("comparison")).to_contain_text("一致（符合建档条件）")
    expect(page.get_by_test_id("comparison")).to_contain_text("核对报告.pdf")
    page.get_by_role("navigation").get_by_role("link", name="首页").click()
    expect(page.get_by_test_id("queue")).to_contain_text("没有等待您审核的申请。")
    sign_out(page)

    # A second county reviewer passes the comparison: the notice starts.
    clock.set(DAY_1 + datetime.timedelta(days=2), 14)
    sign_in(page, cast.county_reviewer_2)
    expect(queue_rows(page)).to_have_count(1)
    expect(queue_rows(page)).to_contain_text("待信息比对")
    queue_rows(page).get_by_role("link", name=case.number).click()
    decide(page, "forward", "比对符合，开始公示", "信息比对一致，同意在甲机械厂工会公示。")
    expect_message(page, f"申请 {case.number} 已办理，当前环节：公示中。")
    expect_stage(page, "公示中")
    case.refresh_from_db()
    assert case.status == S.NOTICE and case.notice_start == datetime.date(2026, 4, 3)
    expect(page.get_by_test_id("notice-period")).to_contain_text(
        f"2026-04-03 至 {case.notice_end:%Y-%m-%d}（共 5 个工作日）"
    )
    page.get_by_role("navigation").get_by_role("link", name="首页").click()
    expect(page.get_by_test_id("queue")).to_contain_text("没有等待您审核的申请。")
    sign_out(page)

    # The grassroots union prints the notice for its board: name and ID number masked.
    sign_in(page, cast.caseworker)
    page.get_by_role("navigation").get_by_role("link", name="公示").click()
    board = page.get_by_test_id("notice-board")
    expect(board.get_by_role("heading", name="困难职工建档公示")).to_be_visible()
    line = board.get_by_test_id("notice-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(mask_name("张建国"))
    expect(line).to_contain_text(case.applicant_id_masked)
    expect(line).to_contain_text("深度困难")
    expect(line).to_contain_text(f"2026-04-03 至 {case.notice_end:%Y-%m-%d}")
    expect(board).not_to_contain_text("张建国")
    expect(board).not_to_contain_text(household(3)["id_number"])
    expect(board).to_contain_text("甲机械厂工会（盖章）")
    screenshot(page, "review-notice-board")
    sign_out(page)

    # The city watches: it sees the case and its records, and decides nothing (in Wuhu the
    # county confirms).
    sign_in(page, cast.city_reviewer)
    expect(page.get_by_test_id("queue")).not_to_contain_text(case.number)
    open_case(page, case)
    expect_stage(page, "公示中")
    expect(page.get_by_test_id("visit")).to_have_count(1)
    expect(page.get_by_test_id("comparison")).to_have_count(1)
    panel = page.get_by_test_id("review-panel")
    expect(panel.locator("[data-testid^=action-]")).to_have_count(0)
    expect(panel.get_by_role("heading", name="办理")).to_have_count(0)
    sign_out(page)

    # The third county reviewer: the case is in his queue, but confirming waits for the end
    # of the notice.
    sign_in(page, cast.county_reviewer_3)
    expect(queue_rows(page)).to_have_count(1)
    expect(queue_rows(page)).to_contain_text("公示中")
    queue_rows(page).get_by_role("link", name=case.number).click()
    blocked = page.get_by_test_id("action-forward")
    expect(blocked.get_by_role("button", name="公示无异议，确认建档")).to_be_disabled()
    expect(blocked).to_contain_text(REQUIREMENT_TEXT["notice_ended"])
    sign_out(page)

    # After the notice (ended on a Friday), on Monday: confirmed with the final category.
    monday = case.notice_end + datetime.timedelta(days=3)
    clock.set(monday, 9)
    sign_in(page, cast.county_reviewer_3)
    expect(queue_rows(page)).to_have_count(1)
    queue_rows(page).get_by_role("link", name=case.number).click()
    # The county visited none of this year's new files: the confirmation says so (WH-M §10(三)).
    decide(
        page,
        "forward",
        "公示无异议，确认建档",
        "公示期满无异议，同意建立深度困难档案。",
        also=("我已知悉",),
    )
    expect_message(page, f"申请 {case.number} 已办理，当前环节：已认定。")
    expect_stage(page, "已认定")
    expect(page.get_by_test_id("review-panel")).to_contain_text(
        f"认定类别深度困难（{monday:%Y-%m-%d} 认定）"
    )
    case.refresh_from_db()
    assert (case.status, case.final_category) == (S.APPROVED, "deep")
    page.get_by_role("navigation").get_by_role("link", name="首页").click()
    expect(page.get_by_test_id("queue")).to_contain_text("没有等待您审核的申请。")

    # The timeline: every step with its actor, union, level and opinion, newest first.
    open_case(page, case)
    steps = page.get_by_test_id("step")
    expected = [
        ("吴确认", "镜湖区总工会 · 县级", "公示无异议，确认建档", "公示期满无异议"),
        ("周比对", "镜湖区总工会 · 县级", "比对符合，开始公示", "信息比对一致"),
        ("陈审核", "镜湖区总工会 · 县级", "审核通过，转信息比对", "材料齐全，走访属实"),
        ("刘初审", "甲机械厂工会 · 基层", "初审通过，报县级审核", "经入户走访核实"),
        ("王经办", "甲机械厂工会 · 基层", "提交申请", "状态：草稿 → 待基层初审"),
    ]
    expect(steps).to_have_count(len(expected))
    for step, texts in zip(steps.all(), expected, strict=True):
        for text in texts:
            expect(step).to_contain_text(text)
    assert list(
        CaseTransition.objects.filter(case=case).order_by("id").values_list("action", "actor")
    ) == [
        ("submit", cast.caseworker.pk),
        ("grassroots_forward", cast.grassroots_reviewer.pk),
        ("county_forward", cast.county_reviewer.pk),
        ("comparison_pass", cast.county_reviewer_2.pk),
        ("notice_confirm", cast.county_reviewer_3.pk),
    ]
    page.get_by_role("heading", name="变更记录").scroll_into_view_if_needed()
    screenshot(page, "review-case-timeline")


# --- b. A refusal and its printed notice ---------------------------------------------------


def test_a_refusal_with_the_printed_notice(page, cast, clock):
    # Wages of 150000 a year: (157400 − 18000) ÷ 12 ÷ 4 = 2904.17, twice 低保 is 1520.
    case = submitted(
        cast.caseworker,
        cast.tree.union_a1,
        person=4,
        applicant_name="李富贵",
        income_wages=Decimal("150000"),
    )
    assert case.category is None
    engine_reasons = case.assessment["reasons"]
    assert "income_above_relative_line" in engine_reasons

    clock.set(DAY_1 + datetime.timedelta(days=1), 9)
    sign_in(page, cast.grassroots_reviewer)
    expect(queue_rows(page)).to_contain_text("不符合")
    queue_rows(page).get_by_role("link", name=case.number).click()
    action = page.get_by_test_id("action-reject")
    action.locator("summary").click()
    for code in engine_reasons:
        action.get_by_label(reason_text(code)).check()
    action.get_by_role("textbox", name="审核意见").fill(
        "家庭人均月收入远高于低保标准的2倍，不符合建档条件。"
    )
    action.get_by_role("checkbox", name="确认不予帮扶").check()
    screenshot(page, "review-reject-form")
    action.get_by_role("button", name="不予帮扶").click()
    expect_message(page, f"申请 {case.number} 不予帮扶，已办结")
    expect_stage(page, "不予帮扶")

    page.get_by_test_id("rejected").get_by_role("link", name="打印《不予困难帮扶告知书》").click()
    notice = page.get_by_test_id("refusal-notice")
    expect(notice.get_by_role("heading", name="不予困难帮扶告知书")).to_be_visible()
    expect(notice).to_contain_text(f"申请编号：{case.number}")
    expect(notice).to_contain_text(f"李富贵（身份证号：{case.applicant_id_masked}）")
    expect(notice).to_contain_text("甲机械厂工会于 2026年4月2日 决定不予困难帮扶")
    expect(notice.locator("ol.doc-reasons li")).to_have_text(
        [reason_text(code) for code in engine_reasons]
    )
    expect(notice).to_contain_text("审核意见：家庭人均月收入远高于低保标准的2倍")
    screenshot(page, "review-refusal-notice")

    # Closed: the case page offers nothing to do any more.
    page.get_by_role("link", name="返回申请").click()
    expect_stage(page, "不予帮扶")
    panel = page.get_by_test_id("review-panel")
    expect(panel.locator("[data-testid^=action-], [data-testid^=form-]")).to_have_count(0)
    for name in ("修改", "提交", "撤回"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="上传", exact=True)).to_have_count(0)
    case.refresh_from_db()
    assert case.status == S.REJECTED and sorted(case.rejection_reasons) == sorted(engine_reasons)


# --- c. Two county reviewers decide the same case at once ------------------------------------


@pytest.fixture
def other_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    other = context.new_page()
    other.set_default_timeout(10_000)
    yield other
    context.close()


def test_two_reviewers_forward_the_same_case(page, other_page, cast, clock):
    case = submitted(cast.caseworker, cast.tree.union_a1, person=5, applicant_name="周桂英")
    visit(cast.caseworker, case, cast.grassroots_reviewer)
    case = case_forward(actor=cast.grassroots_reviewer, case=case, opinion="初审属实，报县级。")
    forward_url = reverse("assistance:review_forward", args=[case.pk])

    clock.set(DAY_1, 14)
    for browser_page, reviewer in (
        (page, cast.county_reviewer),
        (other_page, cast.county_reviewer_2),
    ):
        sign_in(browser_page, reviewer)
        browser_page.goto(forward_url)
        expect(browser_page.get_by_role("heading", level=1)).to_contain_text("审核通过，转信息比对")
        browser_page.get_by_label("审批意见").fill(f"{reviewer.full_name}：同意转信息比对。")
        browser_page.get_by_role("checkbox", name="确认审批通过").check()

    page.get_by_role("button", name="确认提交").click()
    expect_message(page, f"申请 {case.number} 已办理，当前环节：待信息比对。")

    other_page.get_by_role("button", name="确认提交").click()
    expect(other_page.locator(".form-errors")).to_contain_text(
        "该申请已由他人处理，当前环节为“待信息比对”，您看到的是“待县级审核”"
    )
    expect(other_page.locator(".messages")).to_contain_text("未办理：该申请已由他人处理")
    # The page keeps the step the reviewer saw and does not offer to send it again.
    expect(other_page.get_by_role("heading", level=1)).to_contain_text("审核通过，转信息比对")
    expect(other_page.get_by_role("button", name="确认提交")).to_be_disabled()
    expect(other_page.get_by_label("审批意见")).to_have_value("周比对：同意转信息比对。")
    screenshot(other_page, "review-already-handled")

    forwards = CaseTransition.objects.filter(case=case, action="county_forward")
    assert [(step.actor_id, step.opinion) for step in forwards] == [
        (cast.county_reviewer.pk, "陈审核：同意转信息比对。")
    ]
    assert Case.objects.get(pk=case.pk).status == S.COMPARISON


# --- An objection during the notice starts a new round ---------------------------------------


def test_an_objection_sends_the_case_back_for_a_new_round(page, cast, clock):
    case = submitted(cast.caseworker, cast.tree.union_a1, person=6, applicant_name="孙秀兰")
    visit(cast.caseworker, case, cast.grassroots_reviewer)
    case = case_forward(actor=cast.grassroots_reviewer, case=case, opinion="初审属实，报县级。")
    case = case_forward(actor=cast.county_reviewer, case=case, opinion="审核通过，转比对。")
    consistent_comparison(cast.county_reviewer, case)
    case = case_forward(actor=cast.county_reviewer_2, case=case, opinion="比对符合，公示。")

    clock.set(DAY_1 + datetime.timedelta(days=1), 9)
    sign_in(page, cast.caseworker)
    open_case(page, case)
    action = page.get_by_test_id("action-objection")
    action.locator("summary").click()
    action.get_by_label("异议人").fill("本厂职工（实名）")
    action.get_by_label("异议内容").fill("申请人家有门面房出租，收入未申报。")
    action.get_by_role("checkbox", name="确认登记异议").check()
    action.get_by_role("button", name="登记公示异议，退回县级审核").click()
    expect_message(page, f"已登记公示异议，申请 {case.number} 退回县级审核。")
    expect_stage(page, "待县级审核")
    expect(page.get_by_test_id("objection")).to_contain_text("申请人家有门面房出租")
    expect(page.get_by_test_id("notice-interrupted")).to_be_visible()
    sign_out(page)

    # A new round: the county reviewer who forwarded the case before may do so again.
    sign_in(page, cast.county_reviewer)
    expect(queue_rows(page)).to_contain_text(case.number)
    queue_rows(page).get_by_role("link", name=case.number).click()
    expect(page.get_by_test_id("action-forward")).to_be_visible()
    expect(page.get_by_test_id("withheld")).to_have_count(0)
