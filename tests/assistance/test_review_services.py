"""The review chain's services: both variants end to end, visits, comparison, refusal,
return, public notice and the history each step leaves (DOMAIN.md §4, §8)."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from accounts.roles import Level
from assistance.models import (
    Case,
    CaseDocument,
    CaseTransition,
    HomeVisit,
    InformationComparison,
    NoticeObjection,
)
from assistance.rules import notice_period
from assistance.selectors import available_transitions, case_duplicates, member_inputs
from assistance.services import case_update, case_withdraw, document_upload
from assistance.services.cases import case_submit
from assistance.services.review import (
    case_flag_doubtful,
    case_forward,
    case_reject,
    case_return,
    comparison_record,
    notice_objection,
    take_transition,
    visit_record,
)
from assistance.workflow import (
    REFUSAL_REASONS,
    REQUIREMENT_TEXT,
    WORKFLOWS,
    InvalidTransition,
    find_transition,
)
from core.history import save_tracked
from core.models import Holiday
from core.workdays import HolidayRange
from office.services.calendar import holiday_year_save
from tests.factories.assistance import (
    HIGH_WAGES,
    OPINION,
    TODAY,
    actions,
    case_fields,
    consistent_comparison,
    footprint,
    household,
    new_case,
    taian_city_confirmation,
    taian_comparison,
    taian_county_review,
    taian_notice,
    taian_submitted,
    upload_all_documents,
    visit,
    wuhu_approved,
    wuhu_comparison,
    wuhu_county_review,
    wuhu_grassroots_visit,
    wuhu_notice,
    wuhu_submitted,
)
from tests.factories.core import fresh, refusal_text, upload_file

S = Case.Status
CHINESE = re.compile(r"[\u4e00-\u9fff]")
DAY = datetime.timedelta(days=1)


# --- The chain as data ------------------------------------------------------------------


@pytest.mark.parametrize("workflow", sorted(WORKFLOWS))
def test_each_state_has_one_transition_per_action_and_only_known_states(workflow):
    table = WORKFLOWS[workflow]
    keys = [(t.action, t.source) for t in table]
    assert len(keys) == len(set(keys))
    for transition in table:
        assert transition.source in S.values
        assert transition.target in S.values or transition.action == "resubmit"
        assert transition.roles
        # Deciding, returning and refusing need a written opinion; so does a withdrawal.
        if transition.decision or transition.action in {"reject", "return", "withdraw"}:
            assert transition.needs_reason
    # Every review state can be refused and returned at the level that holds it.
    for state in {t.source for t in table if t.decision} - {S.NOTICE}:
        assert {"reject", "return"} <= {t.action for t in table if t.source == state}
    # Nothing leaves a final state.
    assert not [t for t in table if t.source in (S.APPROVED, S.REJECTED, S.WITHDRAWN)]


PROJECT = Path(__file__).resolve().parents[2]
# `x.status = …` or `x.status, y = …` as a statement; `.update(status=…)`.
# A case's status: written as `case.status = ...` (other records have statuses of their own).
STATUS_WRITE = re.compile(
    r"^\s*case\.status\s*(?:,\s*[\w.]+\s*)*=(?!=)|update\([^)]*\bstatus\s*=", re.MULTILINE
)


def test_nothing_but_the_transition_engine_writes_a_case_status():
    """Every `case.status = ...` or `.update(status=...)` of the code base, outside migrations."""
    writers = []
    for package in ("accounts", "archives", "assistance", "config", "core", "funds"):
        for path in (PROJECT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if STATUS_WRITE.search(path.read_text(encoding="utf-8")):
                writers.append(str(path.relative_to(PROJECT)))
    assert writers == ["assistance/services/review.py"]


def test_an_action_not_in_the_table_for_the_state_is_refused(world):
    case = wuhu_county_review(world)
    with pytest.raises(ValidationError) as info, transaction.atomic():
        take_transition(
            actor=world.wuhu.county_reviewer_3, case=case, action="notice_confirm", opinion="x"
        )
    assert "不能执行该操作" in refusal_text(info)
    assert fresh(case).status == S.COUNTY_REVIEW


# --- Both variants end to end -----------------------------------------------------------


def test_wuhu_chain_end_to_end(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    assert case.status == S.SUBMITTED and case.submitted_at is not None
    survey = wuhu_grassroots_visit(world, case)
    case = case_forward(actor=w.grassroots_reviewer, case=case, opinion="初审属实")
    assert case.status == S.COUNTY_REVIEW
    # The county visits its one new file: coverage 100 %, the confirmation asks nothing more.
    visit(w.county_caseworker, case, w.county_reviewer_2)
    case = case_forward(actor=w.county_reviewer, case=case, opinion="审核通过")
    assert case.status == S.COMPARISON
    consistent_comparison(w.county_caseworker, case)
    case = case_forward(actor=w.county_reviewer_2, case=case, opinion="比对符合")
    assert case.status == S.NOTICE
    assert case.notice_start == TODAY
    assert case.notice_end == notice_period(TODAY, 5).value

    world.clock.set(case.notice_end + DAY)
    case = case_forward(actor=w.county_reviewer_3, case=case, opinion="公示无异议，确认建档")

    case = fresh(case)
    assert case.status == S.APPROVED
    assert case.category and case.final_category == case.category
    assert case.decided_at is not None
    assert actions(case) == [
        "submit",
        "grassroots_forward",
        "county_forward",
        "comparison_pass",
        "notice_confirm",
    ]
    steps = list(case.transitions.order_by("created_at", "id"))
    assert [(t.actor, t.organisation, t.level) for t in steps] == [
        (w.caseworker, w.union, Level.GRASSROOTS),
        (w.grassroots_reviewer, w.union, Level.GRASSROOTS),
        (w.county_reviewer, w.county, Level.COUNTY),
        (w.county_reviewer_2, w.county, Level.COUNTY),
        (w.county_reviewer_3, w.county, Level.COUNTY),
    ]
    assert [(t.from_status, t.to_status) for t in steps] == [
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.COUNTY_REVIEW),
        (S.COUNTY_REVIEW, S.COMPARISON),
        (S.COMPARISON, S.NOTICE),
        (S.NOTICE, S.APPROVED),
    ]
    assert [t.opinion for t in steps[1:]] == [
        "初审属实",
        "审核通过",
        "比对符合",
        "公示无异议，确认建档",
    ]
    assert survey.level == Level.GRASSROOTS
    # The case's history names each step by its label.
    reasons = list(case.history.values_list("history_change_reason", flat=True))
    for label in ("初审通过，报县级审核", "审核通过，转信息比对", "公示无异议，确认建档"):
        assert label in reasons


def test_taian_chain_end_to_end(world):
    t = world.taian
    case = taian_submitted(world)
    assert case.policy == t.policy and case.category is not None
    # Tai'an: the grassroots union checks and posts the notice before anything goes up.
    case = case_forward(actor=t.grassroots_reviewer, case=case, opinion="初核属实")
    assert case.status == S.NOTICE and case.notice_start == TODAY
    world.clock.set(case.notice_end + DAY)
    case = case_forward(actor=t.grassroots_reviewer_2, case=case, opinion="公示无异议")
    assert case.status == S.COUNTY_REVIEW
    case = case_forward(actor=t.county_reviewer, case=case, opinion="复审通过")
    assert case.status == S.COMPARISON
    # TA-A §12.3: the household's data is checked first, then two staff visit.
    consistent_comparison(t.county_caseworker, case)
    county_visit = visit(t.county_caseworker, case, t.county_reviewer)
    assert (county_visit.organisation, county_visit.level) == (t.county, Level.COUNTY)
    case = case_forward(actor=t.county_reviewer_2, case=case, opinion="核查符合，走访属实")
    assert case.status == S.CITY_CONFIRMATION
    case = case_forward(actor=t.city_reviewer, case=case, opinion="认定符合")

    case = fresh(case)
    assert case.status == S.APPROVED and case.final_category == case.category
    assert actions(case) == [
        "submit",
        "grassroots_forward",
        "notice_complete",
        "county_forward",
        "comparison_pass",
        "city_confirm",
    ]
    assert list(case.transitions.values_list("level", flat=True)) == [
        Level.GRASSROOTS,
        Level.GRASSROOTS,
        Level.GRASSROOTS,
        Level.COUNTY,
        Level.COUNTY,
        Level.CITY,
    ]
    assert case.transitions.last().organisation == t.city


def test_available_transitions_name_what_stands_in_the_way(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    offered = {t.action: unmet for t, unmet in available_transitions(case, w.grassroots_reviewer)}
    assert set(offered) == {"grassroots_forward", "reject", "return"}
    assert "入户走访" in offered["grassroots_forward"][0]
    assert offered["reject"] == offered["return"] == []
    # Nobody else has anything to do on it now.
    for other in (w.county_reviewer, w.sibling_reviewer, w.city_reviewer, w.caseworker):
        assert available_transitions(case, other) == []
    wuhu_grassroots_visit(world, case)
    offered = {t.action: unmet for t, unmet in available_transitions(case, w.grassroots_reviewer)}
    assert offered["grassroots_forward"] == []


# --- Home visits ------------------------------------------------------------------------


def test_a_visit_needs_two_staff_of_the_visiting_union(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    before = footprint(case)
    for staff in (
        [w.caseworker],
        [w.caseworker, w.caseworker],  # one person named twice is still one
        [w.caseworker, w.caseworker_sibling],  # a sibling union's staff, not invited
    ):
        with pytest.raises(ValidationError) as info:
            visit_record(
                actor=w.caseworker,
                case=case,
                visit_date=TODAY,
                staff=staff,
                findings="走访",
            )
        assert CHINESE.search(refusal_text(info))
    assert footprint(case) == before

    recorded = visit(w.caseworker, case, w.grassroots_reviewer)
    assert {s.user for s in recorded.staff.all()} == {w.caseworker, w.grassroots_reviewer}
    assert (recorded.organisation, recorded.level) == (w.union, Level.GRASSROOTS)
    assert recorded.recorded_by == w.caseworker
    assert recorded.history.get().history_change_reason == "登记入户走访"


def test_a_visit_survey_is_stored_as_a_visit_survey_document(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    recorded = visit(
        w.caseworker, case, w.grassroots_reviewer, survey=upload_file("走访调查表.pdf")
    )
    survey = recorded.survey
    assert survey is not None and survey.case == case
    assert survey.doc_type == CaseDocument.Type.VISIT_SURVEY
    assert survey.original_name == "走访调查表.pdf" and survey.uploaded_by == w.caseworker
    assert case.documents.filter(doc_type=CaseDocument.Type.VISIT_SURVEY).count() == 1


def test_verified_figures_rerun_the_assessment_and_update_the_case(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    before = fresh(case)
    assert before.category is not None
    recorded = visit(
        w.caseworker,
        case,
        w.grassroots_reviewer,
        verified={"income_wages": HIGH_WAGES, "vehicles": 1},
        findings="走访核实：申请人另有经营收入，家中有一辆汽车。",
    )
    after = fresh(case)
    assert after.income_wages == HIGH_WAGES and after.vehicles == 1
    assert after.per_capita_income > before.per_capita_income
    assert after.category is None
    assert recorded.assessment_before == before.assessment
    assert recorded.assessment_after == after.assessment != before.assessment
    assert recorded.verified == {"income_wages": "150000", "vehicles": "1"}
    latest = after.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "入户走访核实数据，重新评估"
    assert latest.history_user == w.caseworker
    # Verifying is not deciding: the case stays where it was.
    assert after.status == S.SUBMITTED


def test_a_home_visit_verifies_employment_costs_and_rent(world):
    """WH-M §5(二): employment costs come off the income; §6(二)(4): the rent of a household
    with a home of its own is no rigid expense."""
    w = world.wuhu
    case = wuhu_submitted(world)
    assert fresh(case).per_capita_income == Decimal("612.50")
    recorded = visit(
        w.caseworker,
        case,
        w.grassroots_reviewer,
        verified={"employment_costs": Decimal("2400"), "expense_housing": Decimal("9600")},
        survey=upload_file("走访调查表.pdf"),
    )
    after = fresh(case)
    assert (after.employment_costs, after.expense_housing) == (Decimal("2400"), Decimal("9600"))
    # (47400 − 18000 − 2400) ÷ 12 ÷ 4; the household owns its home, so the rent is not counted.
    assert after.per_capita_income == Decimal("562.50")
    assert after.assessment["rigid_expenses_total"] == "18000.00"
    assert after.assessment["reasons"][0] == "housing_not_counted"
    assert recorded.assessment_after == after.assessment
    assert recorded.verified == {"employment_costs": "2400", "expense_housing": "9600"}


def test_verified_figures_equal_to_the_case_do_not_reassess(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    history = case.history.count()
    recorded = visit(
        w.caseworker, case, w.grassroots_reviewer, verified={"income_wages": case.income_wages}
    )
    assert recorded.assessment_after == recorded.assessment_before == case.assessment
    assert case.history.count() == history


@pytest.mark.parametrize(
    ("verified", "field"),
    [({"applicant_name": "李四"}, "applicant_name"), ({"status": "approved"}, "status")],
)
def test_only_money_homes_and_vehicles_can_be_verified(world, verified, field):
    w = world.wuhu
    case = wuhu_submitted(world)
    before = footprint(case)
    with pytest.raises(ValidationError) as info:
        visit(w.caseworker, case, w.grassroots_reviewer, verified=verified)
    assert field in refusal_text(info)
    assert footprint(case) == before


def test_a_visit_dated_in_the_future_is_refused(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    before = footprint(case)
    with pytest.raises(ValidationError) as info:
        visit(w.caseworker, case, w.grassroots_reviewer, visit_date=TODAY + DAY)
    assert "走访日期不能晚于今天" in refusal_text(info)
    assert footprint(case) == before
    # Today and earlier are fine.
    visit(w.caseworker, case, w.grassroots_reviewer, visit_date=TODAY - DAY)
    assert case.visits.count() == 1


def test_a_visit_needs_findings_and_a_case_under_review(world):
    w = world.wuhu
    draft = new_case(w.caseworker, w.union, **household(3))
    with pytest.raises(ValidationError) as info:
        visit(w.caseworker, draft, w.grassroots_reviewer)
    assert "不能登记走访" in refusal_text(info)
    case = wuhu_submitted(world)
    with pytest.raises(ValidationError):
        visit(w.caseworker, case, w.grassroots_reviewer, findings="  ")
    assert HomeVisit.objects.count() == 0


# --- Information comparison -------------------------------------------------------------


def test_a_comparison_records_its_result_and_report(world):
    w = world.wuhu
    case = wuhu_comparison(world)
    comparison = consistent_comparison(w.county_caseworker, case)
    assert comparison.result == InformationComparison.Result.CONSISTENT
    assert comparison.report.doc_type == CaseDocument.Type.COMPARISON_REPORT
    assert comparison.report.case == case and comparison.recorded_by == w.county_caseworker
    assert comparison.note == "民政、住建、车管数据比对"


def test_an_inconsistent_comparison_blocks_the_pass_but_not_reject_or_return(world):
    w = world.wuhu
    case = wuhu_comparison(world)
    consistent_comparison(w.county_caseworker, case, result="inconsistent")
    before = footprint(case)
    with pytest.raises(ValidationError) as info:
        case_forward(actor=w.county_reviewer_2, case=case, opinion=OPINION)
    assert "信息比对" in refusal_text(info)
    assert footprint(case) == before

    returned = case_return(actor=w.county_reviewer_2, case=case, opinion="请补充收入证明。")
    assert returned.status == S.RETURNED and returned.returned_to == S.COMPARISON

    other = wuhu_comparison(world, person=1)
    consistent_comparison(w.county_caseworker, other, result="inconsistent")
    rejected = case_reject(
        actor=w.county_reviewer_2,
        case=other,
        opinion="比对发现家庭有未申报的经营收入。",
        reasons=["comparison_inconsistent"],
    )
    assert rejected.status == S.REJECTED


def test_the_latest_comparison_decides(world):
    w = world.wuhu
    case = wuhu_comparison(world)
    consistent_comparison(w.county_caseworker, case)
    consistent_comparison(w.county_caseworker, case, result="inconsistent")
    with pytest.raises(ValidationError):
        case_forward(actor=w.county_reviewer_2, case=case, opinion=OPINION)
    consistent_comparison(w.county_caseworker, case)
    assert case_forward(actor=w.county_reviewer_2, case=case, opinion=OPINION).status == S.NOTICE


def test_a_comparison_needs_a_known_result_and_the_comparison_step(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    with pytest.raises(ValidationError):
        consistent_comparison(w.county_caseworker, case)  # not yet at the comparison
    case = case_forward(actor=w.county_reviewer, case=case, opinion=OPINION)
    with pytest.raises(ValidationError):
        comparison_record(
            actor=w.county_caseworker, case=case, result="maybe", report=upload_file("r.pdf")
        )
    assert case.comparisons.count() == 0


# --- Refusal ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reasons", "opinion", "field"),
    [
        ([], "不符合条件", "reasons"),
        (["no_such_reason"], "不符合条件", "reasons"),
        (["false_material", "made_up"], "不符合条件", "reasons"),
        (["false_material"], "   ", "opinion"),
    ],
)
def test_a_refusal_needs_known_reasons_and_an_opinion(world, reasons, opinion, field):
    w = world.wuhu
    case = wuhu_submitted(world)
    before = footprint(case)
    with pytest.raises(ValidationError) as info:
        case_reject(actor=w.grassroots_reviewer, case=case, opinion=opinion, reasons=reasons)
    assert field in info.value.message_dict
    assert footprint(case) == before


def test_a_refusal_may_give_the_engines_own_reasons(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    visit(w.caseworker, case, w.grassroots_reviewer, verified={"income_wages": HIGH_WAGES})
    engine = fresh(case).assessment["reasons"]
    assert engine
    rejected = case_reject(
        actor=w.grassroots_reviewer, case=fresh(case), opinion="收入超过标准。", reasons=engine[:1]
    )
    assert rejected.rejection_reasons == engine[:1]


def test_a_rejected_case_is_closed_read_only_and_recorded(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    case = case_reject(
        actor=w.county_reviewer,
        case=case,
        opinion="走访核实的收入与申请不符。",
        reasons=["visit_not_confirmed", "false_material", "false_material"],
    )
    case = fresh(case)
    assert case.status == S.REJECTED and case.decided_at is not None
    assert case.rejection_reasons == ["false_material", "visit_not_confirmed"]
    assert case.rejection_opinion == "走访核实的收入与申请不符。"
    assert set(case.rejection_reasons) <= set(REFUSAL_REASONS)
    record = case.transitions.get(action="reject")
    assert record.reasons == case.rejection_reasons
    assert (record.actor, record.organisation, record.level) == (
        w.county_reviewer,
        w.county,
        Level.COUNTY,
    )
    assert case.status not in Case.OPEN_STATUSES

    before = footprint(case)
    with pytest.raises(ValidationError):
        case_update(actor=w.caseworker, case=case, fields=case_fields(case), members=[])
    with pytest.raises(ValidationError):
        document_upload(
            actor=w.caseworker, case=case, doc_type="supplement", upload=upload_file("补.pdf")
        )
    with pytest.raises(ValidationError):
        case_submit(actor=w.caseworker, case=case)
    with pytest.raises(ValidationError):
        case_forward(actor=w.county_reviewer_2, case=case, opinion=OPINION)
    with pytest.raises(ValidationError):
        case_return(actor=w.county_reviewer_2, case=case, opinion=OPINION)
    assert footprint(case) == before


def test_after_a_refusal_the_worker_may_apply_again(world):
    w = world.wuhu
    first = wuhu_submitted(world)
    # While the first is open, a second application for the same person is a duplicate…
    second = new_case(w.caseworker, w.union, **household(0))
    upload_all_documents(w.caseworker, second)
    assert {d.other_case_id for d in case_duplicates(second)} == {first.pk}
    with pytest.raises(ValidationError):
        case_submit(actor=w.caseworker, case=second)
    # … once it is refused, it is no longer an open application.
    case_reject(
        actor=w.grassroots_reviewer, case=first, opinion="材料不实。", reasons=["false_material"]
    )
    assert case_duplicates(second) == []
    assert case_submit(actor=w.caseworker, case=second).status == S.SUBMITTED


# --- Return for more material -----------------------------------------------------------


RETURN_POINTS = {
    "grassroots": ("wuhu", wuhu_submitted, "grassroots_reviewer", S.SUBMITTED),
    "county": ("wuhu", wuhu_county_review, "county_reviewer", S.COUNTY_REVIEW),
    "comparison": ("wuhu", wuhu_comparison, "county_reviewer_2", S.COMPARISON),
    "taian-county": ("taian", taian_county_review, "county_reviewer", S.COUNTY_REVIEW),
    "taian-city": ("taian", taian_city_confirmation, "city_reviewer", S.CITY_CONFIRMATION),
}


@pytest.mark.parametrize("point", sorted(RETURN_POINTS))
def test_a_returned_case_is_corrected_and_goes_back_where_it_was(world, point):
    variant, reach, reviewer_name, state = RETURN_POINTS[point]
    cast = getattr(world, variant)
    reviewer = getattr(cast, reviewer_name)
    case = reach(world)
    assert case.status == state
    transitions = case.transitions.count()

    case = case_return(actor=reviewer, case=case, opinion="请补充近三个月的医疗费票据。")
    assert (case.status, case.returned_to) == (S.RETURNED, state)
    record = case.transitions.latest("id")
    assert (record.action, record.actor, record.opinion) == (
        "return",
        reviewer,
        "请补充近三个月的医疗费票据。",
    )

    # The caseworker corrects the application and adds a document while it is returned.
    document_upload(
        actor=cast.caseworker, case=case, doc_type="supplement", upload=upload_file("票据.pdf")
    )
    case_update(
        actor=cast.caseworker,
        case=case,
        fields=case_fields(case, phone="13800000000"),
        members=member_inputs(case),
    )
    case = case_submit(actor=cast.caseworker, case=case)

    case = fresh(case)
    assert (case.status, case.returned_to, case.phone) == (state, "", "13800000000")
    assert actions(case)[-2:] == ["return", "resubmit"]
    assert case.transitions.count() == transitions + 2
    assert case.documents.filter(doc_type="supplement").count() == 1


def test_a_return_needs_an_opinion(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    before = footprint(case)
    with pytest.raises(ValidationError) as info:
        case_return(actor=w.grassroots_reviewer, case=case, opinion=" ")
    assert "opinion" in info.value.message_dict
    assert footprint(case) == before


def test_a_case_under_review_is_read_only_for_the_caseworker(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    before = footprint(case)
    with pytest.raises(ValidationError):
        document_upload(
            actor=w.caseworker, case=case, doc_type="supplement", upload=upload_file("补.pdf")
        )
    with pytest.raises(ValidationError):
        case_update(actor=w.caseworker, case=case, fields=case_fields(case), members=[])
    assert footprint(case) == before


# --- Public notice ----------------------------------------------------------------------


def test_the_notice_counts_the_posting_day_over_the_national_day_holiday(world):
    """Posted Friday 2025-09-26: Fri 26, Sun 28 (调休), Mon 29, Tue 30, then 1–8 Oct off,
    Thu 9 Oct is the fifth working day."""
    w = world.wuhu
    assert notice_period(datetime.date(2025, 9, 26), 5).value == datetime.date(2025, 10, 9)
    assert notice_period(datetime.date(2025, 9, 26), 5).fallback_years == ()
    # Posted on a holiday, the posting day does not count: 9, 10, 11 (Saturday, 调休),
    # 13 and 14 October.
    assert notice_period(datetime.date(2025, 10, 3), 5).value == datetime.date(2025, 10, 14)

    world.clock.set(datetime.date(2025, 9, 20))
    case = wuhu_comparison(world, application_date=datetime.date(2025, 9, 1))
    consistent_comparison(w.county_caseworker, case)
    world.clock.set(datetime.date(2025, 9, 26))
    case = case_forward(actor=w.county_reviewer_2, case=case, opinion="比对符合")
    assert (case.notice_start, case.notice_end) == (
        datetime.date(2025, 9, 26),
        datetime.date(2025, 10, 9),
    )

    for day in (datetime.date(2025, 9, 30), datetime.date(2025, 10, 9)):
        world.clock.set(day)
        before = footprint(case)
        with pytest.raises(ValidationError) as info:
            case_forward(actor=w.county_reviewer_3, case=case, opinion="公示无异议")
        assert "公示期尚未届满" in refusal_text(info)
        assert footprint(case) == before

    world.clock.set(datetime.date(2025, 10, 10))
    case = case_forward(
        actor=w.county_reviewer_3, case=case, opinion="公示无异议", coverage_confirmed=True
    )
    assert case.status == S.APPROVED and case.final_category == fresh(case).category


def test_a_notice_in_2027_falls_back_to_monday_to_friday(world):
    assert not Holiday.objects.filter(date__year=2027).exists()
    friday = notice_period(datetime.date(2027, 3, 5), 5)
    assert friday.value == datetime.date(2027, 3, 11)
    assert friday.fallback_years == (2027,) and "2027年" in friday.note
    # A Saturday posting counts from Monday.
    assert notice_period(datetime.date(2027, 3, 6), 5).value == datetime.date(2027, 3, 12)

    w = world.wuhu
    world.clock.set(datetime.date(2027, 3, 1))
    case = wuhu_comparison(world, application_date=datetime.date(2027, 2, 20))
    consistent_comparison(w.county_caseworker, case)
    world.clock.set(datetime.date(2027, 3, 5))
    case = case_forward(actor=w.county_reviewer_2, case=case, opinion="比对符合")
    assert (case.notice_start, case.notice_end) == (
        datetime.date(2027, 3, 5),
        datetime.date(2027, 3, 11),
    )
    world.clock.set(datetime.date(2027, 3, 12))
    assert case_forward(
        actor=w.county_reviewer_3, case=case, opinion="无异议", coverage_confirmed=True
    ).status == (S.APPROVED)


def publish_2027(admin, *, workdays=()):
    """The 2027 notice as an administrator enters it: 元旦 1–3 January off."""
    return holiday_year_save(
        actor=admin,
        year=2027,
        holidays=[HolidayRange(datetime.date(2027, 1, 1), datetime.date(2027, 1, 3), "元旦")],
        workdays=list(workdays),
        notice_number="国办发明电〔2026〕7号",
        publish=True,
    )


def test_a_notice_across_new_year_follows_the_calendar_published_during_it(world):
    """Posted Mon 2026-12-28 with 2027 unpublished: 28, 29, 30, 31 Dec and (assumed) Fri
    1 Jan make five. The administrator then publishes 2027 with 1–3 Jan off: the fifth
    working day is Mon 4 Jan, so the notice cannot be confirmed before Tue 5 Jan."""
    w = world.wuhu
    world.clock.set(datetime.date(2026, 12, 20))
    case = wuhu_comparison(world, application_date=datetime.date(2026, 12, 1))
    consistent_comparison(w.county_caseworker, case)
    world.clock.set(datetime.date(2026, 12, 28))
    case = case_forward(actor=w.county_reviewer_2, case=case, opinion="比对符合")
    assert (case.notice_start, case.notice_end) == (
        datetime.date(2026, 12, 28),
        datetime.date(2027, 1, 1),
    )
    assert notice_period(case.notice_start, 5).fallback_years == (2027,)

    world.clock.set(datetime.date(2026, 12, 30))
    saved = publish_2027(w.admin)
    assert saved.newly_published and saved.deadlines["公示截止"] == 1
    case = fresh(case)
    assert case.notice_end == datetime.date(2027, 1, 4)
    change = case.history.order_by("-history_id").first()
    assert change.history_user == w.admin
    assert "2027年节假日安排公布" in change.history_change_reason
    assert "公示截止由2027-01-01改为2027-01-04" in change.history_change_reason

    for day in (datetime.date(2027, 1, 2), datetime.date(2027, 1, 4)):
        world.clock.set(day)
        before = footprint(case)
        with pytest.raises(ValidationError) as info:
            case_forward(actor=w.county_reviewer_3, case=case, opinion="公示无异议")
        assert "公示期尚未届满" in refusal_text(info)
        assert footprint(case) == before
    world.clock.set(datetime.date(2027, 1, 5))
    case = case_forward(actor=w.county_reviewer_3, case=case, opinion="公示无异议")
    assert case.status == S.APPROVED


def test_the_confirmation_counts_under_the_calendar_as_it_stands_not_the_stored_end(world):
    """Even a stored end that did not follow (written before the calendar changed, by a
    path that bypassed the services) does not let a notice be confirmed early."""
    w = world.wuhu
    world.clock.set(datetime.date(2026, 12, 20))
    case = wuhu_comparison(world, application_date=datetime.date(2026, 12, 1))
    consistent_comparison(w.county_caseworker, case)
    world.clock.set(datetime.date(2026, 12, 28))
    case = case_forward(actor=w.county_reviewer_2, case=case, opinion="比对符合")
    publish_2027(w.admin)
    # Put the stale end back, as if the recomputation had never run.
    case = fresh(case)
    case.notice_end = datetime.date(2027, 1, 1)
    save_tracked(case, actor=w.admin, reason="测试：过期的公示截止", update_fields=["notice_end"])
    world.clock.set(datetime.date(2027, 1, 4))
    with pytest.raises(ValidationError) as info:
        case_forward(actor=w.county_reviewer_3, case=case, opinion="公示无异议")
    assert "公示期尚未届满" in refusal_text(info)


def test_a_calendar_change_leaves_confirmed_notices_and_other_years_alone(world):
    """A notice confirmed under the calendar of its day keeps the end it was confirmed
    under (its history says why it could be); a running notice inside 2026 is untouched."""
    w = world.wuhu
    world.clock.set(datetime.date(2026, 12, 14))
    inside = wuhu_notice(world, application_date=datetime.date(2026, 12, 1))
    assert inside.notice_end == datetime.date(2026, 12, 18)
    world.clock.set(datetime.date(2026, 12, 28))
    across = wuhu_notice(world, person=1, application_date=datetime.date(2026, 12, 2))
    assert across.notice_end == datetime.date(2027, 1, 1)
    # 2027 still unpublished on 4 January: the notice counted Monday–Friday has ended.
    world.clock.set(datetime.date(2027, 1, 4))
    across = case_forward(actor=w.county_reviewer_3, case=across, opinion="公示无异议")
    assert across.status == S.APPROVED
    counts = {case.pk: fresh(case).history.count() for case in (inside, across)}

    saved = publish_2027(w.admin)
    assert saved.deadlines["公示截止"] == 0
    assert fresh(across).notice_end == datetime.date(2027, 1, 1)
    assert fresh(inside).notice_end == datetime.date(2026, 12, 18)
    assert {case.pk: fresh(case).history.count() for case in (inside, across)} == counts


def test_an_objection_sends_a_wuhu_case_back_to_county_review(world):
    w = world.wuhu
    case = wuhu_notice(world)
    case = notice_objection(
        actor=w.caseworker, case=case, raised_by="同厂职工王某", content="申请人家中有营运车辆。"
    ).case
    case = fresh(case)
    assert case.status == S.COUNTY_REVIEW
    objection = NoticeObjection.objects.get(case=case)
    assert (objection.raised_by, objection.content, objection.recorded_by) == (
        "同厂职工王某",
        "申请人家中有营运车辆。",
        w.caseworker,
    )
    record = case.transitions.latest("id")
    assert (record.action, record.from_status, record.to_status) == (
        "objection",
        S.NOTICE,
        S.COUNTY_REVIEW,
    )
    assert record.opinion == "同厂职工王某：申请人家中有营运车辆。"
    # The county re-examines: it may now refuse with the objection as the reason.
    rejected = case_reject(
        actor=w.county_reviewer_3,
        case=case,
        opinion="经核实异议成立。",
        reasons=["objection_upheld"],
    )
    assert rejected.status == S.REJECTED


def test_an_objection_in_taian_goes_to_the_county(world):
    t = world.taian
    case = taian_notice(world)
    case = notice_objection(
        actor=t.grassroots_reviewer_2, case=case, raised_by="匿名", content="收入不实。"
    ).case
    assert fresh(case).status == S.COUNTY_REVIEW
    assert case.objections.count() == 1


def test_an_objection_needs_who_and_what(world):
    w = world.wuhu
    case = wuhu_notice(world)
    before = footprint(case)
    for raised_by, content in (("", "收入不实"), ("王某", "  ")):
        with pytest.raises(ValidationError):
            notice_objection(actor=w.caseworker, case=case, raised_by=raised_by, content=content)
    assert footprint(case) == before


def test_no_objection_outside_the_notice(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    with pytest.raises(ValidationError):
        notice_objection(actor=w.caseworker, case=case, raised_by="王某", content="收入不实")
    assert NoticeObjection.objects.count() == 0


def test_the_notice_confirm_gives_the_final_category(world):
    case = wuhu_approved(world)
    assert case.status == S.APPROVED
    assert case.final_category == case.category == fresh(case).final_category


# --- Doubtful cases ---------------------------------------------------------------------


def test_a_doubtful_case_needs_a_county_visit_before_it_passes(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    case = case_flag_doubtful(actor=w.county_reviewer, case=case, reason="收入证明与社保记录不符")
    assert case.doubtful and case.doubtful_reason == "收入证明与社保记录不符"
    before = footprint(case)
    with pytest.raises(ValidationError) as info:
        case_forward(actor=w.county_reviewer, case=case, opinion=OPINION)
    assert "建档存疑" in refusal_text(info)
    assert footprint(case) == before
    county_visit = visit(w.county_caseworker, case, w.county_reviewer_2)
    assert county_visit.level == Level.COUNTY
    assert case_forward(actor=w.county_reviewer, case=case, opinion=OPINION).status == (
        S.COMPARISON
    )


def test_a_case_not_doubtful_passes_the_county_without_a_county_visit(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    assert not case.visits.filter(level=Level.COUNTY).exists()
    assert case_forward(actor=w.county_reviewer, case=case, opinion=OPINION).status == (
        S.COMPARISON
    )


def test_doubt_needs_a_reason_and_the_county_review(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    with pytest.raises(ValidationError):
        case_flag_doubtful(actor=w.county_reviewer, case=case, reason=" ")
    case = case_forward(actor=w.county_reviewer, case=case, opinion=OPINION)
    with pytest.raises(ValidationError):
        case_flag_doubtful(actor=w.county_reviewer_2, case=case, reason="存疑")
    assert not fresh(case).doubtful


# --- History ----------------------------------------------------------------------------


def test_a_transition_records_the_documents_it_relied_on(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    survey = visit(
        w.caseworker, case, w.grassroots_reviewer, survey=upload_file("调查表.pdf")
    ).survey
    other_case = wuhu_submitted(world, person=1)
    foreign = other_case.documents.first()
    case = case_forward(
        actor=w.grassroots_reviewer, case=case, opinion="见走访调查表", documents=[survey, foreign]
    )
    record = case.transitions.get(action="grassroots_forward")
    assert list(record.documents.all()) == [survey]
    assert record.history.get().history_user == w.grassroots_reviewer


def test_the_history_of_a_case_names_the_actor_of_each_transition(world):
    w = world.wuhu
    case = wuhu_comparison(world)
    rows = case.history.filter(
        history_change_reason__in=["初审通过，报县级审核", "审核通过，转信息比对"]
    )
    assert {(r.history_change_reason, r.history_user) for r in rows} == {
        ("初审通过，报县级审核", w.grassroots_reviewer),
        ("审核通过，转信息比对", w.county_reviewer),
    }
    assert {r.status for r in rows} == {S.COUNTY_REVIEW, S.COMPARISON}


def _refused_by_database(sql: str, params: list) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_to_change_a_case_transition(world):
    case = wuhu_submitted(world)
    record = case.transitions.get()
    table = connection.ops.quote_name(CaseTransition._meta.db_table)
    _refused_by_database(f"UPDATE {table} SET opinion = %s WHERE id = %s", ["改过", record.pk])
    _refused_by_database(f"UPDATE {table} SET actor_id = %s WHERE id = %s", [1, record.pk])
    # A save through the ORM meets the same refusal.
    record.opinion = "改过"
    with pytest.raises(DatabaseError), transaction.atomic():
        record.save(update_fields=["opinion"])
    record.refresh_from_db()
    assert record.opinion == "" and record.action == "submit"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite refuses only UPDATE: its test flush deletes rows (core.migration_ops)",
)
def test_the_database_refuses_to_delete_a_case_transition(world):
    case = wuhu_county_review(world)
    table = connection.ops.quote_name(CaseTransition._meta.db_table)
    ids = list(case.transitions.values_list("id", flat=True))
    _refused_by_database(f"DELETE FROM {table} WHERE id = %s", [ids[0]])
    _refused_by_database(f"DELETE FROM {table} WHERE case_id = %s", [case.pk])
    assert list(case.transitions.values_list("id", flat=True)) == ids


# --- Withdrawal and submission go through the same engine -------------------------------


def test_submit_and_withdraw_are_transitions_too(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    record = case.transitions.get()
    assert (record.action, record.actor, record.level) == ("submit", w.caseworker, Level.GRASSROOTS)
    draft = new_case(w.caseworker, w.union, **household(2))
    draft = case_withdraw(actor=w.caseworker, case=draft, reason="申请人放弃申请")
    record = draft.transitions.get()
    assert (record.action, record.to_status, record.opinion) == (
        "withdraw",
        S.WITHDRAWN,
        "申请人放弃申请",
    )
    # Withdrawal is for drafts only: a submitted case is refused or returned by a reviewer.
    with pytest.raises(ValidationError):
        case_withdraw(actor=w.caseworker, case=case, reason="不想申请了")


def test_the_case_lifecycle_asks_for_the_opinion_and_names_only_the_step_in_history(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    wuhu_grassroots_visit(world, case)
    with pytest.raises(ValidationError) as info:
        case_forward(actor=w.grassroots_reviewer, case=case, opinion="  ")
    assert info.value.message_dict == {"opinion": ["请填写意见。"]}
    case = case_forward(actor=w.grassroots_reviewer, case=fresh(case), opinion="初审属实")
    assert (
        case.history.order_by("-history_id").first().history_change_reason == "初审通过，报县级审核"
    )
    assert case.transitions.latest("id").opinion == "初审属实"


def test_find_transition_says_the_case_may_have_been_handled(world):
    with pytest.raises(InvalidTransition) as info:
        find_transition("wuhu", "grassroots_forward", S.COUNTY_REVIEW)
    assert "可能已由他人处理" in str(info.value)


def test_taian_reports_to_the_city_only_after_a_county_visit_following_the_check(world):
    """TA-A §12.3: 对困难职工家庭信息进行核查，核查通过后指派 2 名以上工作人员入户走访调查."""
    t = world.taian
    case = taian_comparison(world)
    with pytest.raises(PermissionDenied):
        case_forward(actor=t.city_reviewer, case=case, opinion=OPINION)
    # A visit before the check does not count.
    visit(t.county_caseworker, case, t.county_reviewer)
    world.clock.set(world.clock.today() + DAY)
    consistent_comparison(t.county_caseworker, case)
    offered = {x.action: unmet for x, unmet in available_transitions(case, t.county_reviewer_2)}
    assert offered["comparison_pass"] == [REQUIREMENT_TEXT["county_visit_after_check"]]
    with pytest.raises(ValidationError) as exc:
        case_forward(actor=t.county_reviewer_2, case=case, opinion=OPINION)
    assert refusal_text(exc) == REQUIREMENT_TEXT["county_visit_after_check"]
    assert fresh(case).status == S.COMPARISON
    visit(t.county_caseworker, case, t.county_reviewer)
    case = case_forward(actor=t.county_reviewer_2, case=case, opinion=OPINION)
    assert case.status == S.CITY_CONFIRMATION
