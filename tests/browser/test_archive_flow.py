"""Two households' archives in the browser (DOMAIN.md §5; WH-M §13–§17).

张建国's archive is opened when the county confirms his case (relative hardship), found in
困难职工档案, and re-verified every six months: in April 2026 his illness has cut his wages
and the figures move him from relative into deep hardship, a category change another
reviewer approves (the other way, out of the deep archive, goes only through 脱困 and its
phase-out, WH-M §13). 李桂芳's relative archive is found above the relative line on an exit
visit where the worker refuses to sign; the worker asks for a re-check within the month, a
reviewer upholds the exit within the 15 working days (the National Day holiday does not
count) and tells the worker by SMS, and the archive is closed, read-only, kept 30 years.

The applications and their review up to the notice are entered through the services (the
review flow has its own browser test), and so is 张建国's first, unremarkable re-verification
in October 2025; every other archive step is clicked. The clock is frozen (`timezone.now`,
which the live server's thread reads too) and moved on between steps: the cases are
approved in spring 2025, 张建国 re-verified in April 2026, and 李桂芳 leaves in autumn 2026.

The figures, by the engine (per capita = (income − rigid expenses) ÷ 12 ÷ household size;
deep ≤ 低保 L, relative ≤ 2L with rigid expenses over 15,000 and a cause other than
schooling), for the standard household of four with 18,000 of rigid expenses (illness):

- 2025, L = 720: wages 70,000 + transfers 7,400 → (77,400 − 18,000) ÷ 12 ÷ 4 = 1,237.50
  ≤ 1,440: relative (both households);
- 2026, L = 760: wages 40,000 → (47,400 − 18,000) ÷ 48 = 612.50 ≤ 760: deep;
- 2026, wages 100,000 → (107,400 − 18,000) ÷ 48 = 1,862.50 > 1,520: no longer qualifies.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.services.users import user_update
from archives.models import Archive, ArchiveEvent, ArchiveExit, CategoryChange, ExitObjection
from archives.selectors.figures import current_figures
from archives.services.reverify import reverification_record
from assistance.models import Case
from assistance.services.review import case_forward
from core.dates import add_months
from core.models import Notification
from core.workdays import add_working_days
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

# A Tuesday; the application is dated 2025-03-14.
DAY_1 = datetime.date(2025, 4, 1)
# The yearly wages that make the standard household relatively poor under 2025's 低保.
RELATIVE_WAGES = "70000"


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(monkeypatch)
    clock.set(DAY_1)
    return clock


@pytest.fixture
def cast(tree, clock, settings, tmp_path):
    """County A of the `tree`, with named staff; 低保 720 until 2025, 760 from 2026."""
    settings.MEDIA_ROOT = tmp_path / "private"
    minimum_living_standards(
        tree.admin,
        tree.county_a,
        tree.county_b,
        amount="720",
        effective_from=datetime.date(2020, 1, 1),
    )
    minimum_living_standards(
        tree.admin,
        tree.county_a,
        tree.county_b,
        amount="760",
        effective_from=datetime.date(2026, 1, 1),
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
        county_caseworker=person(tree.county_a, Role.CASEWORKER, "cw_county_a", "郑核查"),
        county_reviewer=named(tree.county_a_reviewer, "陈审核"),
        county_reviewer_2=person(tree.county_a, Role.REVIEWER, "cr_a_2", "周比对"),
        county_reviewer_3=person(tree.county_a, Role.REVIEWER, "cr_a_3", "吴确认"),
        county_b_reviewer=named(tree.county_b_reviewer, "冯外区"),
        city_reviewer=named(tree.city_reviewer, "孙市审"),
    )


def to_the_notice(
    cast, *, person: int, applicant_name: str, application_date: datetime.date, **fields
) -> Case:
    """An application of union_a1 through the services up to its public notice, today."""
    case = submitted(
        cast.caseworker,
        cast.tree.union_a1,
        person=person,
        applicant_name=applicant_name,
        application_date=application_date,
        **fields,
    )
    visit(cast.caseworker, case, cast.grassroots_reviewer)
    case = case_forward(actor=cast.grassroots_reviewer, case=case, opinion="初审属实，报县级。")
    case = case_forward(actor=cast.county_reviewer, case=case, opinion="审核通过，转比对。")
    consistent_comparison(cast.county_caseworker, case)
    return case_forward(actor=cast.county_reviewer_2, case=case, opinion="比对符合，公示。")


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


def open_archive(page, archive: Archive) -> None:
    """From the menu: 困难职工档案, then the archive's number."""
    menu(page, "困难职工档案")
    page.get_by_test_id("archive-list").get_by_role("link", name=archive.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"困难职工档案 {archive.number}")


def fact(page, label: str):
    """The value beside a label of the archive page's facts."""
    return page.get_by_test_id("archive-facts").locator(f"dt:text-is('{label}') + dd")


def confirm_and_submit(page, confirm_label: str) -> None:
    """Tick the confirmation the irreversible step requires, and submit."""
    confirm = page.get_by_label(confirm_label)
    expect(confirm).to_have_attribute("required", "")
    confirm.check()
    page.get_by_role("button", name="确认提交").click()


def popup(page, link_name: str):
    """A printed form opens in a new tab."""
    with page.expect_popup() as opened:
        page.get_by_role("link", name=link_name).first.click()
    printed = opened.value
    printed.wait_for_load_state()
    return printed


# --- The flow -------------------------------------------------------------------------------


def test_an_archive_from_approval_to_exit(page, cast, clock, sms):
    # Another household, relatively poor, archived a month earlier (its re-verification
    # will be overdue, and it is the one that leaves), so that the list and the due list
    # have something to tell apart.
    clock.set(datetime.date(2025, 3, 3))
    other = to_the_notice(
        cast,
        person=2,
        applicant_name="李桂芳",
        application_date=datetime.date(2025, 2, 20),
        income_wages=RELATIVE_WAGES,
    )
    clock.set(add_working_days(other.notice_end, 1).value)
    case_forward(
        actor=cast.county_reviewer_3, case=other, opinion="公示无异议。", coverage_confirmed=True
    )
    leaving = Archive.objects.get(case=other)
    assert leaving.category == "relative"
    other_due = leaving.verification_due

    clock.set(DAY_1)
    case = to_the_notice(
        cast,
        person=1,
        applicant_name="张建国",
        application_date=datetime.date(2025, 3, 14),
        income_wages=RELATIVE_WAGES,
    )
    assert case.category == "relative" and case.minimum_living_standard == Decimal("720.00")
    confirm_day = add_working_days(case.notice_end, 1).value

    # a. The county's third reviewer confirms the case after its notice: the archive opens.
    clock.set(confirm_day, 9)
    sign_in(page, cast.county_reviewer_3)
    page.get_by_test_id("queue").get_by_role("link", name=case.number).click()
    action = page.get_by_test_id("action-forward")
    action.locator("summary").filter(has_text="公示无异议，确认建档").click()
    action.get_by_role("textbox").first.fill("公示期满无异议，同意建立相对困难档案。")
    # No new file of the year has a county visit: below 50 %, confirmed knowingly.
    action.get_by_role("checkbox", name="我已知悉").check()
    action.get_by_role("checkbox", name="提交后不能撤销").check()
    action.get_by_role("button", name="公示无异议，确认建档").click()
    expect_message(page, f"申请 {case.number} 已办理，当前环节：已认定。")
    archive = Archive.objects.get(case=case)
    assert (archive.status, archive.category) == (Archive.Status.OPEN, "relative")
    first_due = add_months(confirm_day, 6)
    assert archive.verification_due == first_due

    # The list: both households, newest first; the search by ID number finds one, and the
    # number never appears in the address.
    menu(page, "困难职工档案")
    rows = page.get_by_test_id("archive-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("张建国")
    expect(rows.nth(0)).to_contain_text(archive.id_masked)
    expect(rows.nth(0)).to_contain_text("相对困难")
    expect(rows.nth(0)).to_contain_text("在档")
    expect(rows.nth(0)).to_contain_text(f"{first_due:%Y-%m-%d}")
    id_number = household(1)["id_number"]
    search = page.get_by_test_id("archive-search")
    search.get_by_label("身份证号").fill(id_number)
    search.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("result-count")).to_have_text("共 1 份档案")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(archive.number)
    assert id_number not in page.url
    expect(page.get_by_test_id("archive-list")).not_to_contain_text(id_number)
    screenshot(page, "archive-list")

    rows.get_by_role("link", name=archive.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"困难职工档案 {archive.number} · 张建国"
    )
    expect(fact(page, "困难类别")).to_have_text("相对困难")
    expect(fact(page, "状态")).to_have_text("在档")
    expect(fact(page, "建档日期")).to_have_text(f"{confirm_day:%Y-%m-%d}")
    expect(fact(page, "下次核查到期")).to_have_text(f"{first_due:%Y-%m-%d}")
    expect(page.get_by_test_id("people").locator("tbody tr")).to_have_count(4)
    panel = page.get_by_test_id("reverify-panel")
    expect(panel).to_contain_text("每 6 个月（相对困难）")
    events = page.get_by_test_id("event")
    expect(events).to_have_count(1)
    expect(events.first).to_contain_text(f"由申请 {case.number} 认定为相对困难职工，建档。")
    screenshot(page, "archive-detail")

    # The printed approval form, filled from the record.
    approval = popup(page, "打印救助审批表")
    expect(approval.locator("body")).to_contain_text("困难职工救助审批表")
    expect(approval.locator("body")).to_contain_text("公示期满无异议，同意建立相对困难档案。")
    approval.close()
    sign_out(page)

    # Six months on, the first re-verification (through the service): nothing has changed,
    # still relative under 2025's 低保; the next one is due six months later.
    clock.set(first_due, 9)
    reverification_record(
        actor=cast.county_caseworker,
        archive=archive,
        visit_date=first_due,
        staff=[cast.county_caseworker, cast.caseworker],
        findings="入户走访：家庭情况与建档时相同。",
        figures=current_figures(archive),
        survey_signature="signed",
    )
    archive.refresh_from_db()
    due_2026 = add_months(first_due, 6)
    assert (archive.category, archive.verified_on, archive.verification_due) == (
        "relative",
        first_due,
        due_2026,
    )
    assert not CategoryChange.objects.exists()

    # b. The next re-verification is due within 30 days: the county caseworker finds it
    # under 核查到期 and records the visit.
    reverify_day = due_2026 - datetime.timedelta(days=7)
    clock.set(reverify_day, 9)
    sign_in(page, cast.county_caseworker)
    menu(page, "核查到期")
    # The overdue first: the other household, with its days overdue.
    overdue_row = page.get_by_test_id("due-row")
    expect(overdue_row).to_have_count(1)
    expect(overdue_row).to_contain_text("李桂芳")
    expect(overdue_row).to_contain_text(f"{other_due:%Y-%m-%d}")
    expect(overdue_row.locator("td").last).to_have_text(str((reverify_day - other_due).days))
    screenshot(page, "archive-due")
    page.get_by_test_id("tabs").get_by_role("link", name="30天内到期（1）").click()
    due_row = page.get_by_test_id("due-row")
    expect(due_row).to_have_count(1)
    expect(due_row).to_contain_text("张建国")
    expect(due_row).to_contain_text("相对困难")
    expect(due_row).to_contain_text(f"{first_due:%Y-%m-%d}")
    expect(due_row).to_contain_text(f"{due_2026:%Y-%m-%d}")
    due_row.get_by_role("link", name=archive.number).click()
    page.get_by_test_id("reverify-panel").get_by_role("link", name="登记定期核查").click()

    form = page.get_by_test_id("reverify-form")
    expect(form.get_by_label("走访日期")).to_have_value(f"{reverify_day:%Y-%m-%d}")
    expect(form.get_by_label("工资性收入")).to_have_value("70000.00")
    form.get_by_label("郑核查（镜湖区总工会）").check()
    form.get_by_label("王经办（甲机械厂工会）").check()
    form.get_by_label("走访情况").fill(
        "入户走访：申请人病情加重，住院后停薪休养，单位工资证明全年工资 40000 元；"
        "医疗、教育支出同上年。"
    )
    form.get_by_label("工资性收入").fill("40000")
    # The survey entered in the system, signed by the worker (WH-M §17).
    form.get_by_label("职工已在调查表上签字确认").check()
    form.get_by_label("确认登记定期核查").check()
    screenshot(page, "archive-reverify-form")
    form.get_by_role("button", name="确认提交").click()
    expect_message(page, f"已登记档案 {archive.number} 的定期核查。")

    # The result: deep hardship under the 2026 低保; the category waits for a reviewer, and
    # until then the archive stays on the relative (six-month) cycle.
    expect(page.get_by_test_id("verdict")).to_contain_text("符合深度困难建档标准")
    before_after = page.get_by_test_id("before-after")
    expect(before_after.locator("tr").filter(has_text="档案类别")).to_contain_text(
        "相对困难（类别变更待审核）"
    )
    expect(page.get_by_test_id("visit-category")).to_have_text("深度困难")
    expect(page.get_by_test_id("income-before")).to_have_text("1237.50")
    expect(page.get_by_test_id("income-after")).to_have_text("612.50")
    expect(before_after.locator("tr").filter(has_text="适用低保标准")).to_contain_text("720.00")
    expect(before_after.locator("tr").filter(has_text="适用低保标准")).to_contain_text("760.00")
    next_due = add_months(reverify_day, 6)
    expect(page.get_by_test_id("due-after")).to_have_text(f"{next_due:%Y-%m-%d}")
    change_notice = page.get_by_test_id("result-change")
    expect(change_notice).to_contain_text("相对困难 → 深度困难，待审核")
    expect(change_notice.get_by_role("link", name="审核类别变更")).to_have_count(0)
    screenshot(page, "archive-reverify-result")

    # The caseworker may not decide it: the archive page says why, in the service's words.
    page.get_by_role("link", name="返回档案").click()
    pending = page.get_by_test_id("pending-change")
    expect(pending).to_contain_text("相对困难 → 深度困难")
    expect(pending).to_contain_text("类别变更须由审核人审核。")
    expect(pending.get_by_role("link", name="审核类别变更")).to_have_count(0)
    expect(fact(page, "困难类别")).to_have_text("相对困难")
    sign_out(page)

    # c. Another reviewer of the county approves the change.
    clock.set(reverify_day + datetime.timedelta(days=1), 10)
    sign_in(page, cast.county_reviewer)
    open_archive(page, archive)
    page.get_by_test_id("pending-change").get_by_role("link", name="审核类别变更").click()
    expect(page.get_by_test_id("change")).to_contain_text("相对困难 → 深度困难")
    expect(page.get_by_test_id("change")).to_contain_text("登记人 郑核查")
    decide = page.get_by_test_id("decide-form")
    decide.get_by_label("同意变更", exact=True).check()
    decide.get_by_label("审核意见").fill(
        "核查属实：停薪休养后家庭人均月收入不高于低保标准，同意变更为深度困难。"
    )
    decide.get_by_label("我已核对核查记录").check()
    screenshot(page, "archive-category-decide")
    decide.get_by_role("button", name="确认提交").click()
    expect_message(page, f"档案 {archive.number} 的类别变更已审核：已同意。")
    deep_due = add_months(reverify_day, 12)
    expect(fact(page, "困难类别")).to_have_text("深度困难")
    expect(fact(page, "下次核查到期")).to_have_text(f"{deep_due:%Y-%m-%d}")
    expect(page.get_by_test_id("reverify-panel")).to_contain_text("每 12 个月（深度困难）")
    expect(page.get_by_test_id("pending-change")).to_have_count(0)
    expect(page.get_by_test_id("event").last).to_contain_text("同意类别变更（相对困难 → 深度困难）")
    change = CategoryChange.objects.get(archive=archive)
    assert (change.status, change.proposed_by, change.decided_by) == (
        CategoryChange.Status.APPROVED,
        cast.county_caseworker,
        cast.county_reviewer,
    )
    assert list(
        ArchiveEvent.objects.filter(archive=archive).order_by("id").values_list("kind", "actor")
    ) == [
        ("opened", cast.county_reviewer_3.pk),
        ("reverified", cast.county_caseworker.pk),
        ("reverified", cast.county_caseworker.pk),
        ("category_proposed", cast.county_caseworker.pk),
        ("category_decided", cast.county_reviewer.pk),
    ]
    sign_out(page)

    # d. An exit visit to 李桂芳's relative household: it is above twice the 低保; the
    # worker refuses to sign.
    exit_day = datetime.date(2026, 9, 14)  # a Monday
    clock.set(exit_day, 15)
    sign_in(page, cast.county_caseworker)
    open_archive(page, leaving)
    expect(fact(page, "困难类别")).to_have_text("相对困难")
    page.get_by_test_id("exit-panel").get_by_role("link", name="登记脱困（退档）走访").click()
    expect(page.get_by_label("走访日期")).to_have_value(f"{exit_day:%Y-%m-%d}")
    expect(page.get_by_label("工资性收入")).to_have_value("70000.00")
    page.get_by_label("郑核查（镜湖区总工会）").check()
    page.get_by_label("王经办（甲机械厂工会）").check()
    page.get_by_label("走访情况").fill(
        "入户走访：申请人已升任班组长，单位工资证明全年工资 100000 元；医疗支出同上年。"
    )
    page.get_by_label("工资性收入").fill("100000")
    page.get_by_label("脱困（退档）情况").fill(
        "家庭人均月收入 1862.50 元，超过低保标准的2倍，不再符合相对困难职工建档标准。"
    )
    page.get_by_label("本人拒绝签字").check()
    page.get_by_label("调查人说明").fill(
        "职工对收入核定有异议，拒绝在登记表上签字；已当面告知复核途径。"
    )
    expect(page.get_by_label("告知职工日期")).to_have_value(f"{exit_day:%Y-%m-%d}")
    # The survey entered in the system: refused too, the visitors' note says why (WH-M §17).
    page.get_by_label("职工拒绝签字（走访人员注明情况）").check()
    page.get_by_label("未签字说明").fill("职工对收入核定有异议，拒绝在调查表上签字。")
    page.get_by_label("确认登记：已告知职工").check()
    screenshot(page, "archive-exit-finding")
    page.get_by_role("button", name="确认提交").click()
    objection_until = datetime.date(2026, 10, 14)  # one calendar month after being told
    expect_message(
        page,
        f"已登记退档：档案 {leaving.number} 进入退档告知期；职工可在 "
        f"{objection_until:%Y-%m-%d} 前申请复核，期满无异议后办结退档。",
    )
    expect(fact(page, "状态")).to_have_text("退档告知期")
    exit = ArchiveExit.objects.get(archive=leaving)
    exit_row = page.get_by_test_id(f"exit-{exit.pk}")
    expect(exit_row).to_contain_text("走访发现达到脱困（退档）标准")
    expect(exit_row).to_contain_text(f"{objection_until:%Y-%m-%d}")
    expect(exit_row).to_contain_text("异议期内")
    expect(exit_row).to_contain_text("本人拒绝签字")
    expect(exit_row).to_contain_text("调查人说明：职工对收入核定有异议")
    expect(page.get_by_test_id("exiting-notice")).to_contain_text(
        "异议期至2026年10月14日，期满且无复核申请后才能办结退档。"
    )
    expect(page.get_by_role("link", name="办结退档", exact=True)).to_have_count(0)

    # The exit registration form, printed from the record.
    form = popup(page, "打印登记表")
    sheet = form.get_by_test_id("exit-form")
    expect(sheet.get_by_role("heading", name="困难职工脱困登记表")).to_be_visible()
    expect(sheet).to_contain_text(f"档案编号：{leaving.number}")
    investigators = sheet.get_by_test_id("investigators")
    expect(investigators).to_contain_text("郑核查（镜湖区总工会）签字")
    expect(investigators).to_contain_text("王经办（甲机械厂工会）签字")
    expect(sheet.get_by_test_id("income-vs-line")).to_contain_text("1862.50 元")
    expect(sheet.get_by_test_id("income-vs-line")).to_contain_text("760.00 元/月")
    expect(sheet.get_by_test_id("situation")).to_contain_text("不再符合相对困难职工建档标准")
    expect(sheet.get_by_test_id("signature-status")).to_have_text("本人拒绝签字")
    expect(sheet).to_contain_text("调查人说明：职工对收入核定有异议，拒绝在登记表上签字")
    expect(sheet).to_contain_text("异议期至2026年10月14日")
    screenshot(form, "archive-exit-form")
    form.close()
    sign_out(page)

    # e. Eight days later the worker asks for a re-check: due in 15 working days, which
    # skip 中秋 and 国庆 (25–27 September, 1–7 October) and count Saturday 10 October.
    received = datetime.date(2026, 9, 22)
    decide_by = datetime.date(2026, 10, 20)  # Monday to Friday alone would give 13 October
    clock.set(received, 10)
    sign_in(page, cast.county_caseworker)
    open_archive(page, leaving)
    page.get_by_test_id(f"exit-{exit.pk}").get_by_role("link", name="登记复核申请").click()
    expect(page.get_by_label("收到复核申请日期")).to_have_value(f"{received:%Y-%m-%d}")
    page.get_by_label("复核理由").fill("工资中含一次性奖金 20000 元，不应计入经常性收入。")
    confirm_and_submit(page, "确认登记复核申请（记录不能修改）")
    expect_message(page, f"已登记复核申请，须于 {decide_by:%Y-%m-%d} 前完成复核。")
    deadline = page.get_by_test_id("deadline")
    expect(deadline).to_have_text(f"复核期限 {decide_by:%Y-%m-%d}（剩余 15 个工作日）")
    sign_out(page)

    # f. A county reviewer decides on 9 October (eight working days left) and upholds the
    # exit; the worker is told by SMS.
    decide_day = datetime.date(2026, 10, 9)
    clock.set(decide_day, 10)
    sign_in(page, cast.county_reviewer_2)
    open_archive(page, leaving)
    expect(page.get_by_test_id("deadline")).to_have_text(
        f"复核期限 {decide_by:%Y-%m-%d}（剩余 8 个工作日）"
    )
    # The county's open re-checks, with their deadlines.
    page.get_by_test_id("exit-panel").get_by_role("link", name="待办退档复核").click()
    open_recheck = page.get_by_test_id("objections").locator("tbody tr")
    expect(open_recheck).to_have_count(1)
    expect(open_recheck).to_contain_text("李桂芳")
    expect(open_recheck).to_contain_text(f"{received:%Y-%m-%d}")
    expect(open_recheck).to_contain_text(f"{decide_by:%Y-%m-%d}")
    expect(open_recheck).to_contain_text("剩余 8 个工作日")
    screenshot(page, "archive-objections")
    open_recheck.get_by_role("link", name=leaving.number).click()
    page.get_by_test_id(f"exit-{exit.pk}").get_by_role("link", name="复核结论").click()
    expect(page.get_by_test_id("decide-by")).to_contain_text(
        f"{decide_by:%Y-%m-%d}（剩余 8 个工作日）"
    )
    page.get_by_label("符合退出标准，予以退出").check()
    page.get_by_label("复核说明").fill(
        "经向单位核实，全年工资 100000 元均为按月发放的岗位工资，不含一次性奖金；"
        "家庭人均月收入 1862.50 元，超过低保标准的2倍，维持退档。"
    )
    page.get_by_label("短信", exact=True).check()
    page.get_by_label("确认复核结论并告知职工").check()
    screenshot(page, "archive-objection-decide")
    page.get_by_role("button", name="确认提交").click()
    expect_message(page, "复核结论已登记：符合退出标准，予以退出。已短信告知职工。")
    exit_row = page.get_by_test_id(f"exit-{exit.pk}")
    expect(exit_row).to_contain_text(f"符合退出标准，予以退出（{decide_day:%Y-%m-%d}，周比对）")
    expect(exit_row.get_by_test_id("notification")).to_have_text("短信：已发送")
    assert len(sms) == 1
    phone, text = sms[0]
    assert phone == "13912345678"
    assert "经复核，符合退出标准，予以退出。您的困难职工档案予以退档。" in text
    objection = ExitObjection.objects.get(exit=exit)
    assert objection.notification.status == Notification.Status.SENT

    # The re-check letter, for the file.
    letter = popup(page, "打印复核结果告知书")
    expect(letter.get_by_test_id("result")).to_contain_text("符合退出标准，予以退出。")
    expect(letter.get_by_test_id("recheck-letter")).to_contain_text("镜湖区总工会（盖章）")
    letter.close()

    # g. The re-check upheld the exit: the reviewer closes it (the daily command would too).
    page.get_by_role("link", name="办结退档", exact=True).click()
    confirm_and_submit(page, "确认办结退档：档案将撤档，转为只读（提交后不能撤销）")
    expect_message(page, f"档案 {leaving.number} 已退档（撤档）。")
    retain_until = datetime.date(2056, 10, 9)
    expect(page.get_by_test_id("read-only")).to_contain_text(
        f"已撤档，只读：{decide_day:%Y-%m-%d} 撤档（达到退档（脱困）标准）。"
    )
    expect(page.get_by_test_id("read-only")).to_contain_text(
        f"原始档案保管至 {retain_until:%Y-%m-%d}"
    )
    expect(fact(page, "状态")).to_have_text("已退档")
    expect(
        page.get_by_test_id("reverify-panel").get_by_role("link", name="登记定期核查")
    ).to_have_count(0)
    expect(page.get_by_role("link", name="打印困难职工联系卡")).to_have_count(0)
    screenshot(page, "archive-closed")
    leaving.refresh_from_db()
    assert (leaving.status, leaving.closed_on, leaving.retain_until) == (
        Archive.Status.CLOSED,
        decide_day,
        retain_until,
    )
    assert list(
        ArchiveEvent.objects.filter(archive=leaving).order_by("id").values_list("kind", "actor")
    ) == [
        ("opened", cast.county_reviewer_3.pk),
        ("exit_recorded", cast.county_caseworker.pk),
        ("objection_received", cast.county_caseworker.pk),
        ("objection_decided", cast.county_reviewer_2.pk),
        ("closed", cast.county_reviewer_2.pk),
    ]
    sign_out(page)

    # h. The other county sees none of it: not the archives, not their printed forms.
    sign_in(page, cast.county_b_reviewer)
    menu(page, "困难职工档案")
    expect(page.get_by_test_id("archive-list")).to_contain_text("没有符合条件的档案。")
    for url in (
        reverse("archives:detail", args=[archive.pk]),
        reverse("archives:detail", args=[leaving.pk]),
        reverse("archives:print_exit_form", args=[leaving.pk, exit.pk]),
        reverse("archives:recheck_letter", args=[leaving.pk, objection.pk]),
    ):
        response = page.goto(url)
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("没有找到该页面或记录")
