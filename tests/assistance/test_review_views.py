"""The review chain in the browser: the case page's panel and timeline, one view per action,
the refusal notice, the public notice and the reviewer's work queue (DOMAIN.md §4).

The services' own rules are tested in test_review_services*.py; here the screens are: who
sees what, that a form goes through its service with a confirmation and comes back with a
clear message, and that lists keep a fixed number of queries.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Level, Role
from assistance.models import (
    Case,
    CaseDocument,
    CaseTransition,
    HomeVisit,
    InformationComparison,
    NoticeObjection,
    Policy,
)
from assistance.selectors import (
    review_queue_for,
    visit_coverage_for_county,
)
from assistance.services.cases import case_submit
from assistance.services.review import (
    case_assign_reviewer,
    case_forward,
    case_reject,
    comparison_record,
    visit_record,
)
from assistance.workflow import REFUSAL_REASONS, REQUIREMENT_TEXT
from core.crypto import decrypt, mask_name
from core.history import save_tracked
from core.workdays import HolidayRange, working_days_between
from office.services.calendar import holiday_year_save
from tests.factories.accounts import make_city, make_org, make_user, system_user
from tests.factories.assistance import (
    id_number,
    minimum_living_standards,
    new_case,
    upload_all_documents,
)
from tests.factories.core import upload_file

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Staff:
    """Besides the `tree`: the reviewers and caseworkers the segregation of duties needs."""

    grassroots_reviewer: User  # 甲机械厂工会
    grassroots_reviewer2: User
    county_caseworker: User  # 镜湖区总工会
    county_reviewer2: User
    county_reviewer3: User
    caseworker_b1b: User  # 丙化工厂工会, a second visitor for a joint visit


@pytest.fixture
def staff(tree) -> Staff:
    minimum_living_standards(tree.admin, tree.county_a, tree.county_b)
    return Staff(
        grassroots_reviewer=make_user(tree.union_a1, Role.REVIEWER),
        grassroots_reviewer2=make_user(tree.union_a1, Role.REVIEWER),
        county_caseworker=make_user(tree.county_a, Role.CASEWORKER),
        county_reviewer2=make_user(tree.county_a, Role.REVIEWER),
        county_reviewer3=make_user(tree.county_a, Role.REVIEWER),
        caseworker_b1b=make_user(tree.union_b1, Role.CASEWORKER),
    )


# A one-person household: 6,000 yuan of wages against 18,000 of medical and school costs a
# year, deep hardship (低保 760); each serial its own ID number, so no duplicates.
def submitted(tree, serial: int = 11, name: str = "张建国", *, union=None, worker=None) -> Case:
    union = union or tree.union_a1
    worker = worker or tree.caseworker_a1
    case = new_case(
        worker,
        union,
        members=[],
        applicant_name=name,
        id_number=id_number(serial),
        income_wages=Decimal("6000"),
        income_transfer=Decimal("0"),
    )
    upload_all_documents(worker, case)
    return case_submit(actor=worker, case=case)


def grassroots_visit(tree, staff, case: Case) -> HomeVisit:
    return visit_record(
        actor=staff.grassroots_reviewer,
        case=case,
        visit_date=timezone.localdate(),
        staff=[tree.caseworker_a1, staff.grassroots_reviewer],
        findings="两人入户，家庭情况属实。",
        survey_signature="signed",
    )


def at_county(tree, staff, **kwargs) -> Case:
    case = submitted(tree, **kwargs)
    grassroots_visit(tree, staff, case)
    return case_forward(actor=staff.grassroots_reviewer, case=case, opinion="初审通过。")


def at_comparison(tree, staff, **kwargs) -> Case:
    case = at_county(tree, staff, **kwargs)
    return case_forward(actor=tree.county_a_reviewer, case=case, opinion="审核通过。")


def at_notice(tree, staff, **kwargs) -> Case:
    case = at_comparison(tree, staff, **kwargs)
    comparison_record(
        actor=staff.county_caseworker,
        case=case,
        result=InformationComparison.Result.CONSISTENT,
        report=upload_file("比对报告.pdf"),
    )
    return case_forward(actor=staff.county_reviewer2, case=case, opinion="比对符合。")


def page(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def detail(case: Case) -> str:
    return reverse("assistance:case_detail", args=[case.pk])


def url(name: str, case: Case) -> str:
    return reverse(f"assistance:{name}", args=[case.pk])


def section(html: str, testid: str) -> str:
    """From the element carrying data-testid=`testid` to the panel's next action or form."""
    start = html.index(f'data-testid="{testid}"')
    following = re.compile(r'data-testid="(action|form)-').search(html, start + 1)
    return html[start : following.start() if following else None]


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- The panel ------------------------------------------------------------------------------


def test_panel_shows_stage_holder_and_a_blocked_forward_with_its_requirement(client, tree, staff):
    case = submitted(tree)
    client.force_login(staff.grassroots_reviewer)

    html = page(client.get(detail(case)))

    assert re.search(r'data-testid="stage"><strong>待基层初审</strong>（甲机械厂工会办理）', html)
    forward = section(html, "action-forward")
    assert '<button type="button" disabled>初审通过，报县级审核</button>' in forward
    assert REQUIREMENT_TEXT["grassroots_visit"] in forward
    assert "<form" not in forward
    # Reject and return are open, each with its own form.
    assert f'action="{url("review_reject", case)}"' in html
    assert f'action="{url("review_return", case)}"' in html
    for reason in REFUSAL_REASONS.values():
        assert reason in html
    # The visit form is offered; the doubtful flag is not (it belongs to county review).
    assert 'data-testid="form-visit"' in html and 'data-testid="form-flag"' not in html


def test_after_the_visit_the_forward_button_is_open(client, tree, staff):
    case = submitted(tree)
    grassroots_visit(tree, staff, case)
    client.force_login(staff.grassroots_reviewer)

    forward = section(page(client.get(detail(case))), "action-forward")

    assert "disabled" not in forward and REQUIREMENT_TEXT["grassroots_visit"] not in forward
    assert f'action="{url("review_forward", case)}"' in forward
    assert 'name="confirm"' in forward and "required" in forward


def test_who_sees_which_actions(client, tree, staff):
    case = submitted(tree)

    # The caseworker who entered it, a county reviewer (not its level yet), the city
    # reviewer, a county auditor: the panel, but no decisions offered.
    auditor = make_user(tree.county_a, Role.AUDITOR)
    for user in (tree.caseworker_a1, tree.county_a_reviewer, tree.city_reviewer, auditor):
        client.force_login(user)
        html = page(client.get(detail(case)))
        assert 'data-testid="review-panel"' in html
        assert 'data-testid="action-' not in html, user

    # The auditor's home page: the county's figures, no work queue.
    client.force_login(auditor)
    context = client.get(reverse("home")).context
    assert "queue" not in context and context["state_counts"].total == 1
    assert context["coverage"].new_cases == 0

    # A reviewer of a sibling union does not see the case at all.
    client.force_login(make_user(tree.union_a2, Role.REVIEWER))
    assert client.get(detail(case)).status_code == 404


# --- Confirmations, forward, reject, return -----------------------------------------------------


def test_forward_without_confirmation_changes_nothing_and_keeps_the_opinion(client, tree, staff):
    case = submitted(tree)
    grassroots_visit(tree, staff, case)
    client.force_login(staff.grassroots_reviewer)

    response = client.post(
        url("review_forward", case),
        {"seen_status": case.status, "opinion": "家庭困难属实，同意上报。"},
    )

    assert response.status_code == 200
    assert reload(case).status == Case.Status.SUBMITTED
    assert not CaseTransition.objects.filter(case=case, action="grassroots_forward").exists()
    html = page(response)
    assert "请勾选确认：该操作提交后不能撤销。" in html
    assert "家庭困难属实，同意上报。" in html
    assert messages_of(response) == ["未办理：请按标红提示修改；已填内容均已保留。"]


def test_forward_with_documents_moves_the_case_and_shows_on_the_timeline(client, tree, staff):
    case = submitted(tree)
    grassroots_visit(tree, staff, case)
    relied_on = case.documents.get(doc_type=CaseDocument.Type.INCOME_PROOF)
    client.force_login(staff.grassroots_reviewer)

    response = client.post(
        url("review_forward", case),
        {
            "seen_status": case.status,
            "opinion": "家庭困难属实，同意上报。",
            "documents": [relied_on.pk],
            "confirm": "on",
        },
        follow=True,
    )

    case = reload(case)
    assert case.status == Case.Status.COUNTY_REVIEW
    assert response.redirect_chain == [(detail(case), 302)]
    assert messages_of(response) == [f"申请 {case.number} 已办理，当前环节：待县级审核。"]
    step = CaseTransition.objects.get(case=case, action="grassroots_forward")
    assert list(step.documents.all()) == [relied_on]
    html = page(response)
    timeline = html.split("<h2>变更记录</h2>", 1)[1]
    [row] = [r for r in re.findall(r'<tr class="step".*?</tr>', timeline, re.S) if "初审通过" in r]
    assert "甲机械厂工会 · 基层" in row
    assert "待基层初审 → 待县级审核" in row
    assert "意见：家庭困难属实，同意上报。" in row
    download = reverse("assistance:document_download", args=[case.pk, relied_on.pk])
    assert f'href="{download}"' in row
    assert "状态：待基层初审 → 待县级审核" in row  # the step's own change, folded in
    # Read-only: nothing in the timeline posts anywhere.
    assert "<form" not in timeline and "<button" not in timeline


def test_reject_shows_reasons_and_the_printable_refusal_notice(client, tree, staff):
    case = at_county(tree, staff, name="李四")
    client.force_login(tree.county_a_reviewer)

    response = client.post(
        url("review_reject", case),
        {
            "seen_status": case.status,
            "reasons": ["visit_not_confirmed", "false_material"],
            "opinion": "经核实，申请人隐瞒了经营收入。",
            "confirm": "on",
        },
        follow=True,
    )

    case = reload(case)
    assert case.status == Case.Status.REJECTED
    assert case.rejection_reasons == ["false_material", "visit_not_confirmed"]
    assert messages_of(response) == [
        f"申请 {case.number} 不予帮扶，已办结；请打印《不予困难帮扶告知书》交申请人。"
    ]
    html = page(response)
    assert 'data-testid="rejected"' in html and 'data-testid="action-' not in html
    notice_url = url("refusal_notice", case)
    assert f'href="{notice_url}"' in html
    assert 'data-testid="form-' not in html  # read-only: no visit, flag or other forms

    notice = page(client.get(notice_url))
    assert "不予困难帮扶告知书" in notice and "李四" in notice
    assert case.applicant_id_masked in notice
    assert decrypt(case.applicant_id_cipher) not in notice
    assert "镜湖区总工会（盖章）" in notice
    assert f"{case.application_date:%Y}年{case.application_date.month}月" in notice
    decided = timezone.localdate(case.decided_at)
    assert f"于 {decided.year}年{decided.month}月{decided.day}日 决定不予困难帮扶" in notice
    # Each reason with its rule, in the order the form offered them.
    first, second = REFUSAL_REASONS["visit_not_confirmed"], REFUSAL_REASONS["false_material"]
    assert first in notice and second in notice and notice.index(first) < notice.index(second)
    assert "芜湖实施办法第七条第四项" in notice
    assert "经核实，申请人隐瞒了经营收入。" in notice
    assert "可以再次向所在单位" in notice
    assert "经办人：" in notice and "申请人签字：" in notice


def test_reject_needs_a_reason_and_keeps_what_was_typed(client, tree, staff):
    case = at_county(tree, staff)
    client.force_login(tree.county_a_reviewer)

    response = client.post(
        url("review_reject", case),
        {"seen_status": case.status, "opinion": "材料不实。", "confirm": "on"},
    )

    assert reload(case).status == Case.Status.COUNTY_REVIEW
    assert "材料不实。" in page(response)
    assert response.context["form"].errors["reasons"]


def test_refusal_notice_only_for_a_rejected_case(client, tree, staff):
    case = submitted(tree)
    client.force_login(tree.caseworker_a1)

    response = client.get(url("refusal_notice", case), follow=True)

    assert response.redirect_chain == [(detail(case), 302)]
    assert messages_of(response) == ["该申请未作出不予帮扶的决定，没有告知书。"]


def test_return_then_resubmit_goes_back_to_the_returning_level(client, tree, staff):
    case = at_county(tree, staff)
    client.force_login(tree.county_a_reviewer)
    response = client.post(
        url("review_return", case),
        {"seen_status": case.status, "opinion": "请补充医疗费用发票。", "confirm": "on"},
        follow=True,
    )
    assert reload(case).status == Case.Status.RETURNED
    assert messages_of(response) == [f"申请 {case.number} 已退回基层工会补充材料。"]

    client.force_login(tree.caseworker_a1)
    html = page(client.get(detail(case)))
    assert "请补充医疗费用发票。" in section(html, "returned")
    assert "补充材料后重新提交" in html
    submit_page = page(client.get(url("case_submit", case)))
    assert "确认提交" in submit_page and "尚不能提交" not in submit_page

    response = client.post(url("case_submit", case), follow=True)

    case = reload(case)
    assert case.status == Case.Status.COUNTY_REVIEW and case.returned_to == ""
    assert CaseTransition.objects.filter(case=case, action="resubmit").exists()


def test_a_race_is_refused_with_a_clear_message_and_nothing_changes(client, tree, staff):
    case = at_county(tree, staff)
    client.force_login(staff.county_reviewer2)
    html = page(client.get(detail(case)))
    shown = section(html, "action-return")
    assert 'name="seen_status" value="county_review"' in shown
    # Someone else decides first: the case moves on to the comparison, where a return is
    # possible too; but it is not what the reviewer saw, so it is not applied.
    case_forward(actor=tree.county_a_reviewer, case=case, opinion="审核通过。")
    steps = CaseTransition.objects.count()

    response = client.post(
        url("review_return", case),
        {"seen_status": "county_review", "opinion": "请补充材料。", "confirm": "on"},
    )

    assert response.status_code == 200
    assert reload(case).status == Case.Status.COMPARISON
    assert CaseTransition.objects.count() == steps
    html = page(response)
    assert (
        "该申请已由他人处理，当前环节为“待信息比对”，您看到的是“待县级审核”：未办理，"
        "请返回申请页面查看后再操作。"
    ) in html
    assert "请补充材料。" in html


def test_an_action_no_longer_possible_is_refused_by_the_service(client, tree, staff):
    case = at_county(tree, staff)
    case_reject(actor=tree.county_a_reviewer, case=case, opinion="不符。", reasons=["other"])
    client.force_login(staff.county_reviewer2)

    response = client.post(
        url("review_return", case),
        {"seen_status": "rejected", "opinion": "请补充材料。", "confirm": "on"},
    )

    assert reload(case).status == Case.Status.REJECTED
    assert "当前环节（不予帮扶）不能执行该操作，可能已由他人处理。" in page(response)


def test_a_transition_page_says_why_it_cannot_be_taken(client, tree, staff):
    case = submitted(tree)
    client.force_login(staff.grassroots_reviewer)

    html = page(client.get(url("review_forward", case)))

    assert REQUIREMENT_TEXT["grassroots_visit"] in section(html, "blocked")
    assert re.search(r'<button type="submit"[^>]* disabled>确认提交</button>', html)


# --- Objection, visit, doubt, comparison --------------------------------------------------------


def test_objection_during_the_notice_sends_the_case_back(client, tree, staff):
    case = at_notice(tree, staff)
    client.force_login(tree.caseworker_a1)
    html = page(client.get(detail(case)))
    assert 'data-testid="action-objection"' in html
    assert f"{case.notice_start:%Y-%m-%d} 至 {case.notice_end:%Y-%m-%d}" in html

    response = client.post(
        url("review_objection", case),
        {
            "seen_status": case.status,
            "raised_by": "王五",
            "content": "申请人有一辆货车未申报。",
            "confirm": "on",
        },
        follow=True,
    )

    assert reload(case).status == Case.Status.COUNTY_REVIEW
    assert messages_of(response) == [f"已登记公示异议，申请 {case.number} 退回县级审核。"]
    objection = NoticeObjection.objects.get(case=case)
    assert (objection.raised_by, objection.recorded_by) == ("王五", tree.caseworker_a1)
    assert "申请人有一辆货车未申报。" in section(page(response), "objection")


def test_notice_dates_say_when_the_calendar_fell_back(client, tree, staff, monkeypatch):
    # Posted on Monday 28 Dec 2026: five working days end on Friday 1 Jan 2027, a day the
    # unpublished 2027 calendar cannot yet call a holiday.
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 12, 28, 10, tzinfo=SHANGHAI)
    )
    case = at_notice(tree, staff)
    client.force_login(tree.caseworker_a1)

    period = section(page(client.get(detail(case))), "notice-period")

    assert "2026-12-28 至 2027-01-01（共 5 个工作日）" in period
    assert "2027年的法定节假日安排尚未公布，已按周一至周五计算。" in period
    board = page(client.get(reverse("assistance:notice_board")))
    assert "2027年的法定节假日安排尚未公布，已按周一至周五计算。" in section(
        board, "notice-board-note"
    )

    # The administrator publishes 2027 (1–3 Jan off): the notice now ends on Monday 4 Jan.
    holiday_year_save(
        actor=tree.admin,
        year=2027,
        holidays=[HolidayRange(datetime.date(2027, 1, 1), datetime.date(2027, 1, 3), "元旦")],
        workdays=[],
        notice_number="国办发明电〔2026〕7号",
        publish=True,
    )
    period = section(page(client.get(detail(case))), "notice-period")
    assert "2026-12-28 至 2027-01-04（共 5 个工作日）" in period
    assert "尚未公布" not in period
    board = page(client.get(reverse("assistance:notice_board")))
    assert "2026-12-28 至 2027-01-04" in board and "notice-board-note" not in board


def test_visit_with_survey_and_verified_figures_shows_before_and_after(client, tree, staff):
    case = at_county(tree, staff)
    client.force_login(staff.county_caseworker)
    html = page(client.get(detail(case)))
    form = section(html, "form-visit")
    assert f'value="{staff.county_reviewer2.pk}"' in form  # the county's own staff
    assert f'value="{tree.caseworker_a1.pk}"' not in form  # not the grassroots union's

    response = client.post(
        url("review_visit", case),
        {
            "visit_date": timezone.localdate().isoformat(),
            "staff": [staff.county_caseworker.pk, staff.county_reviewer2.pk],
            "findings": "入户核实：工资收入高于申报。",
            "survey": upload_file("走访调查表.pdf"),
            "verified_income_wages": "30000",
            "verified_vehicles": "",
            "confirm": "on",
        },
        follow=True,
    )

    assert messages_of(response) == [f"已登记申请 {case.number} 的入户走访。"]
    visit = HomeVisit.objects.get(case=case, level=Level.COUNTY)
    assert visit.verified == {"income_wages": "30000"}
    assert visit.survey.doc_type == CaseDocument.Type.VISIT_SURVEY
    case = reload(case)
    assert case.income_wages == Decimal("30000") and case.vehicles == 0
    row = re.findall(r'<tr data-testid="visit">.*?</tr>', page(response), re.S)[-1]
    assert "镜湖区总工会（县级）" in row and "入户核实：工资收入高于申报。" in row
    survey = reverse("assistance:document_download", args=[case.pk, visit.survey.pk])
    assert f'href="{survey}"' in row
    assert "工资性收入：30000" in row
    # (6,000 − 18,000 rigid expenses) / 12 → (30,000 − 18,000) / 12: deep → relative.
    assert "深度困难，人均 -1000.00 元" in row and "相对困难，人均 1000.00 元" in row
    assert "人均月收入差额 +2000.00 元" in row


def test_visit_form_errors_keep_what_was_typed(client, tree, staff):
    case = at_county(tree, staff)
    client.force_login(staff.county_caseworker)

    response = client.post(
        url("review_visit", case),
        {
            "visit_date": timezone.localdate().isoformat(),
            "staff": [staff.county_caseworker.pk],
            "findings": "一人入户。",
            "verified_income_wages": "-1",
            "confirm": "on",
        },
    )

    assert response.status_code == 200
    assert not HomeVisit.objects.filter(case=case, level=Level.COUNTY).exists()
    errors = response.context["form"].errors
    assert errors["staff"] == ["入户走访须有两名以上工作人员。"]
    assert errors["verified_income_wages"] == ["金额不能为负数。"]
    assert "一人入户。" in page(response)


def test_visit_upload_declared_too_large_is_refused_unread(client, tree, staff, settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    case = at_county(tree, staff)
    client.force_login(staff.county_caseworker)

    response = client.post(
        url("review_visit", case),
        {"findings": "x", "survey": upload_file("走访调查表.pdf")},
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )

    assert response.status_code == 302
    follow = client.get(detail(case))
    assert messages_of(follow) == ["文件超过 1.0 MB，未保存，请压缩或拆分后重新上传。"]
    assert not HomeVisit.objects.filter(case=case, level=Level.COUNTY).exists()


def test_county_flags_doubt_and_the_forward_then_waits_for_a_county_visit(client, tree, staff):
    case = at_county(tree, staff)
    client.force_login(tree.county_a_reviewer)
    assert 'data-testid="form-flag"' in page(client.get(detail(case)))

    without = client.post(url("review_flag", case), {"reason": "收入来源不清。"})
    assert not reload(case).doubtful and without.context["form"].errors["confirm"]

    response = client.post(
        url("review_flag", case), {"reason": "收入来源不清。", "confirm": "on"}, follow=True
    )

    assert reload(case).doubtful
    html = page(response)
    assert "收入来源不清。" in section(html, "doubtful")
    forward = section(html, "action-forward")
    assert "disabled" in forward and REQUIREMENT_TEXT["county_visit_if_doubtful"] in forward
    assert 'data-testid="form-flag"' not in html  # already flagged


def test_comparison_needs_its_report_and_then_opens_the_forward(client, tree, staff):
    case = at_comparison(tree, staff)
    client.force_login(staff.county_caseworker)

    missing = client.post(
        url("review_compare", case), {"result": "consistent", "note": "一致", "confirm": "on"}
    )
    assert missing.context["form"].errors["report"]
    assert not InformationComparison.objects.filter(case=case).exists()

    response = client.post(
        url("review_compare", case),
        {
            "result": "consistent",
            "report": upload_file("核对报告.pdf"),
            "note": "民政核对一致",
            "confirm": "on",
        },
        follow=True,
    )

    assert messages_of(response) == [f"已登记申请 {case.number} 的信息比对结果。"]
    comparison = InformationComparison.objects.get(case=case)
    assert "民政核对一致" in section(page(response), "comparison")
    client.force_login(staff.county_reviewer2)
    forward = section(page(client.get(detail(case))), "action-forward")
    assert "比对符合，开始公示" in forward and "disabled" not in forward
    assert comparison.report.doc_type == CaseDocument.Type.COMPARISON_REPORT


# --- Assignment and joint visits ------------------------------------------------------------------


def test_assign_a_reviewer_of_the_holding_union(client, tree, staff):
    case = at_county(tree, staff)
    client.force_login(tree.county_a_reviewer)
    form = section(page(client.get(detail(case))), "form-assign")
    assert f'value="{staff.county_reviewer2.pk}"' in form
    assert f'value="{staff.county_caseworker.pk}"' not in form  # reviewers only

    response = client.post(
        url("review_assign", case), {"reviewer": staff.county_reviewer2.pk}, follow=True
    )

    assert messages_of(response) == [f"申请 {case.number} 已指派给 测试用户 审核。"]
    assert "测试用户（镜湖区总工会）" in page(response)
    # The others of the county no longer see it as theirs to decide.
    assert list(review_queue_for(staff.county_reviewer2)) == [case]
    assert list(review_queue_for(tree.county_a_reviewer)) == []
    client.force_login(staff.county_reviewer3)
    assert 'data-testid="action-forward"' not in page(client.get(detail(case)))


def test_assign_is_refused_to_a_reviewer_of_another_level(client, tree, staff):
    case = at_county(tree, staff)
    client.force_login(tree.city_reviewer)

    response = client.post(url("review_assign", case), {"reviewer": staff.county_reviewer2.pk})

    assert response.status_code == 200
    assert "只有当前办理层级的审核人可以指派。" in page(response)
    assert not case.user_grants.exists()


def test_an_invited_joint_visitor_may_view_and_visit_and_nothing_else(client, tree, staff):
    case = at_county(tree, staff)
    visitor = tree.caseworker_b1
    client.force_login(visitor)
    assert client.get(detail(case)).status_code == 404

    client.force_login(tree.county_a_reviewer)
    form = section(page(client.get(detail(case))), "form-invite")
    assert f'value="{visitor.pk}"' in form and f'value="{staff.county_reviewer2.pk}"' not in form
    response = client.post(url("review_invite", case), {"user": visitor.pk}, follow=True)
    assert messages_of(response) == [f"已邀请 测试用户 参加申请 {case.number} 的联合走访。"]

    client.force_login(visitor)
    html = page(client.get(detail(case)))
    assert "您受邀参加该申请的联合走访" in html
    assert 'data-testid="form-visit"' in html and 'data-testid="action-' not in html
    assert "查看完整证件号和银行卡号" not in html
    document = case.documents.first()
    download = reverse("assistance:document_download", args=[case.pk, document.pk])
    assert client.get(download).status_code == 200
    for name in ("review_forward", "review_reject", "review_flag", "review_invite"):
        assert client.get(url(name, case)).status_code == 404, name
    assert client.get(url("case_edit", case)).status_code == 404
    assert client.post(url("case_reveal", case)).status_code == 403

    response = client.post(
        url("review_visit", case),
        {
            "visit_date": timezone.localdate().isoformat(),
            "staff": [visitor.pk, staff.caseworker_b1b.pk],
            "findings": "联合走访，情况属实。",
            "survey_signature": "signed",
            "confirm": "on",
        },
        follow=True,
    )

    visit = HomeVisit.objects.get(case=case, organisation=tree.union_b1)
    assert {s.user for s in visit.staff.all()} == {visitor, staff.caseworker_b1b}
    assert messages_of(response) == [f"已登记申请 {case.number} 的入户走访。"]


# --- The public notice ------------------------------------------------------------------------------


def test_mask_name():
    assert mask_name("张建国") == "张*国"
    assert mask_name("李四") == "李*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name(" 王 ") == "*"
    assert mask_name("") == ""


def test_notice_board_masks_names_and_numbers(client, tree, staff):
    case = at_notice(tree, staff, name="张建国")
    client.force_login(tree.caseworker_a1)

    html = page(client.get(reverse("assistance:notice_board")))

    board = section(html, "notice-board")
    assert "困难职工建档公示" in board and "甲机械厂工会（盖章）" in board
    assert "张*国" in board and "张建国" not in html
    assert case.applicant_id_masked in board
    assert decrypt(case.applicant_id_cipher) not in html
    [line] = re.findall(r'<tr data-testid="notice-line">.*?</tr>', board, re.S)
    assert '<td class="num">1</td><td>张*国</td>' in line and "深度困难" in line
    assert f"{case.notice_start:%Y-%m-%d} 至 {case.notice_end:%Y-%m-%d}" in line
    assert "异议方式" in board and "公示期内" in board


def test_county_chooses_a_union_of_its_own_for_the_notice_board(client, tree, staff):
    at_notice(tree, staff)
    client.force_login(tree.county_a_reviewer)
    notice_board = reverse("assistance:notice_board")

    html = page(client.get(notice_board))
    assert "请选择一个基层工会" in html and tree.union_a2.name in html
    assert tree.union_b1.name not in html

    html = page(client.get(notice_board, {"organisation": tree.union_a1.pk}))
    assert "张*国" in section(html, "notice-board")
    html = page(client.get(notice_board, {"organisation": tree.union_a2.pk}))
    assert "目前没有公示中的申请。" in html
    assert client.get(notice_board, {"organisation": tree.union_b1.pk}).status_code == 404
    assert client.get(notice_board, {"organisation": tree.county_a.pk}).status_code == 404


def test_notice_board_queries_do_not_grow_with_the_cases(
    client, tree, staff, django_assert_num_queries
):
    at_notice(tree, staff, serial=101, name="甲一")
    client.force_login(tree.caseworker_a1)
    notice_board = reverse("assistance:notice_board")
    with CaptureQueriesContext(connection) as first:
        client.get(notice_board)

    for serial in (102, 103, 104):
        at_notice(tree, staff, serial=serial, name=f"甲{serial}")

    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(notice_board)
    assert len(re.findall('data-testid="notice-line"', page(response))) == 4


# --- The work queue and the dashboard -----------------------------------------------------------


def _submit_at(monkeypatch, when: datetime.datetime, tree, serial: int) -> Case:
    monkeypatch.setattr(timezone, "now", lambda: when)
    case = new_case(
        tree.caseworker_a1,
        tree.union_a1,
        members=[],
        applicant_name=f"申请人{serial}",
        id_number=id_number(serial),
        income_wages=Decimal("6000"),
        income_transfer=Decimal("0"),
    )
    upload_all_documents(tree.caseworker_a1, case)
    return case_submit(actor=tree.caseworker_a1, case=case)


def test_queue_is_the_users_level_oldest_first_with_waited_working_days(
    client, tree, staff, monkeypatch
):
    real_now = timezone.now
    # Entered their state on Friday 25 Sep and Monday 21 Sep 2026 (created in the other order).
    later = _submit_at(monkeypatch, datetime.datetime(2026, 9, 25, 10, tzinfo=SHANGHAI), tree, 21)
    older = _submit_at(monkeypatch, datetime.datetime(2026, 9, 21, 10, tzinfo=SHANGHAI), tree, 22)
    monkeypatch.setattr(timezone, "now", real_now)
    county_case = at_county(tree, staff, serial=23, name="王芳")

    client.force_login(staff.grassroots_reviewer2)
    response = client.get(reverse("home"))
    rows = response.context["queue"]["rows"]
    assert [row.case for row in rows] == [older, later]
    today = timezone.localdate()
    assert [row.waited.value for row in rows] == [
        working_days_between(datetime.date(2026, 9, 21), today).value,
        working_days_between(datetime.date(2026, 9, 25), today).value,
    ]
    html = page(response)
    assert county_case.number not in section(html, "queue")
    assert f">{rows[0].waited.value}</td>" in html

    # The county reviewer sees only the case at county review; the city reviewer nothing.
    client.force_login(tree.county_a_reviewer)
    rows = client.get(reverse("home")).context["queue"]["rows"]
    assert [row.case for row in rows] == [county_case]
    client.force_login(tree.city_reviewer)
    assert client.get(reverse("home")).context["queue"]["rows"] == []
    # The reviewer who forwarded it does not find it again (segregation of duties).
    client.force_login(staff.grassroots_reviewer)
    rows = client.get(reverse("home")).context["queue"]["rows"]
    assert [row.case for row in rows] == [older, later]


def taian_notice_case() -> tuple[Case, User, User]:
    """泰安 (workflow "taian"): the grassroots union posts the notice after its own check."""
    city = make_city("泰安市总工会", region="taian")
    county = make_org(city, "泰山区总工会")
    union = make_org(county, "泰山钢铁厂工会")
    wuhu = Policy.objects.get(code="wuhu-2020")
    values = {
        field.name: getattr(wuhu, field.name)
        for field in Policy._meta.concrete_fields
        if field.name not in {"id", "created_at", "updated_at"}
    }
    values.update(code="taian-2020", region="taian", workflow=Policy.Workflow.TAIAN)
    save_tracked(Policy(**values), actor=system_user(), reason="测试：泰安政策")
    minimum_living_standards(make_user(city, Role.ADMIN), county)
    caseworker = make_user(union, Role.CASEWORKER)
    reviewers = [make_user(union, Role.REVIEWER) for _ in range(2)]
    case = new_case(
        caseworker,
        union,
        members=[],
        id_number=id_number(99),
        income_wages=Decimal("6000"),
        income_transfer=Decimal("0"),
    )
    upload_all_documents(caseworker, case)
    case = case_submit(actor=caseworker, case=case)
    case = case_forward(actor=reviewers[0], case=case, opinion="初核属实，公示。")
    return case, reviewers[1], make_user(county, Role.REVIEWER)


def test_the_queue_follows_each_cases_own_workflow(tree, staff):
    # A notice waits for the county in Wuhu (公示无异议，确认建档) ...
    wuhu = at_notice(tree, staff)
    assert list(review_queue_for(staff.county_reviewer3)) == [wuhu]
    assert list(review_queue_for(staff.grassroots_reviewer2)) == []
    # ... and for the grassroots union in Tai'an (公示期满无异议，报县级复审).
    taian, grassroots_reviewer, county_reviewer = taian_notice_case()
    assert taian.status == Case.Status.NOTICE
    assert list(review_queue_for(grassroots_reviewer)) == [taian]
    assert list(review_queue_for(county_reviewer)) == []


def test_queue_filters(client, tree, staff):
    at_county(tree, staff, serial=31, name="甲")
    other = submitted(tree, serial=32, name="乙", union=tree.union_b1, worker=tree.caseworker_b1)
    client.force_login(tree.county_b_reviewer)
    assert client.get(reverse("home")).context["queue"]["rows"] == []

    client.force_login(staff.grassroots_reviewer)
    home = reverse("home")
    assert len(client.get(home).context["queue"]["rows"]) == 0  # forwarded the one it had
    client.force_login(staff.grassroots_reviewer2)
    assert client.get(home, {"status": "county_review"}).context["queue"]["rows"] == []
    assert client.get(home, {"category": "relative"}).context["queue"]["rows"] == []
    assert other.number not in page(client.get(home))


def test_queue_page_queries_do_not_grow_with_the_cases(
    client, tree, staff, django_assert_num_queries
):
    for serial in (41, 42):
        at_county(tree, staff, serial=serial, name=f"县{serial}")
    client.force_login(staff.county_reviewer2)
    home = reverse("home")
    with CaptureQueriesContext(connection) as first:
        response = client.get(home)
    assert len(response.context["queue"]["rows"]) == 2

    for serial in range(43, 49):
        at_county(tree, staff, serial=serial, name=f"县{serial}")

    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(home)
    assert len(response.context["queue"]["rows"]) == 8


def test_state_counts_per_union_for_the_county_and_per_county_for_the_city(client, tree, staff):
    at_county(tree, staff, serial=51, name="甲")
    submitted(tree, serial=52, name="乙")
    submitted(tree, serial=53, name="丙", union=tree.union_b1, worker=tree.caseworker_b1)

    client.force_login(tree.county_a_reviewer)
    counts = client.get(reverse("home")).context["state_counts"]
    assert counts.group_label == "基层工会"
    assert counts.rows == [("甲机械厂工会", [1, 0, 1, 0, 0, 0], 2)]

    client.force_login(tree.city_reviewer)
    counts = client.get(reverse("home")).context["state_counts"]
    assert counts.statuses[:3] == ["待基层初审", "退回补充材料", "待县级审核"]
    assert counts.rows == [
        ("镜湖区总工会", [1, 0, 1, 0, 0, 0], 2),
        ("弋江区总工会", [1, 0, 0, 0, 0, 0], 1),
    ] or counts.rows == [
        ("弋江区总工会", [1, 0, 0, 0, 0, 0], 1),
        ("镜湖区总工会", [1, 0, 1, 0, 0, 0], 2),
    ]
    assert counts.total == 3


def test_visit_coverage_of_this_years_new_cases(client, tree, staff, monkeypatch):
    year = timezone.localdate().year
    cases = [at_county(tree, staff, serial=60 + i, name=f"新{i}") for i in range(3)]
    # A case first at county review last year is not one of this year's new cases.
    real_now = timezone.now
    old = submitted(tree, serial=70, name="旧")
    grassroots_visit(tree, staff, old)
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(year - 1, 12, 31, 10, tzinfo=SHANGHAI)
    )
    case_forward(actor=staff.grassroots_reviewer, case=old, opinion="初审通过。")
    monkeypatch.setattr(timezone, "now", real_now)
    county_visit = {
        "visit_date": timezone.localdate(),
        "staff": [staff.county_caseworker, staff.county_reviewer2],
        "findings": "县级走访。",
        "survey_signature": "signed",
    }
    visit_record(actor=staff.county_caseworker, case=cases[0], **county_visit)
    visit_record(actor=staff.county_caseworker, case=old, **county_visit)

    coverage = visit_coverage_for_county(tree.county_a, year)
    assert (coverage.new_cases, coverage.visited, coverage.minimum_percent) == (3, 1, 50)
    assert coverage.percent == Decimal("33.3") and coverage.below_minimum

    client.force_login(tree.county_a_reviewer)
    html = page(client.get(reverse("home")))
    assert re.search(r'data-testid="coverage" class="below-minimum"', html)
    assert "覆盖率 <strong>33.3%</strong>" in html and "未达到" in html

    visit_record(actor=staff.county_caseworker, case=cases[1], **county_visit)
    coverage = visit_coverage_for_county(tree.county_a, year)
    assert coverage.percent == Decimal("66.7") and not coverage.below_minimum
    html = page(client.get(reverse("home")))
    assert 'data-testid="coverage" class=""' in html and "未达到" not in html
    assert visit_coverage_for_county(tree.county_b, year).percent is None


# --- Services refusing what the screen offered -----------------------------------------------------


def test_service_refusals_come_back_on_the_form(client, tree, staff):
    case = at_county(tree, staff)
    case_assign_reviewer(actor=tree.county_a_reviewer, case=case, reviewer=staff.county_reviewer2)
    client.force_login(staff.county_reviewer3)

    response = client.post(
        url("review_return", case),
        {"seen_status": case.status, "opinion": "请补充。", "confirm": "on"},
    )

    assert response.status_code == 200
    assert "该申请已指派给测试用户审核。" in page(response)
    assert reload(case).status == Case.Status.COUNTY_REVIEW


def test_the_visit_form_asks_for_the_employment_costs(client, tree, staff):
    case = at_county(tree, staff)
    client.force_login(staff.county_caseworker)

    form = section(page(client.get(detail(case))), "form-visit")

    assert 'name="verified_employment_costs"' in form and "核实必要就业成本" in form
