"""Segregation of duties holds within a round; a case sent back starts a new round."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from assistance.models import Case
from assistance.selectors import review_queue_for
from assistance.services import case_forward, notice_objection
from tests.factories.assistance import consistent_comparison, wuhu_notice
from tests.factories.core import fresh

S = Case.Status


def test_after_an_objection_the_county_can_approve_with_its_own_reviewers(world):
    w = world.wuhu
    case = wuhu_notice(world)
    notice_objection(
        actor=w.caseworker, case=case, raised_by="邻居王某", content="家中新购轿车一辆"
    )
    case = fresh(case)
    assert case.status == S.COUNTY_REVIEW
    # Round two: the reviewers of round one may decide again, each once.
    case = case_forward(actor=w.county_reviewer, case=case, opinion="核实无车，异议不成立。")
    with pytest.raises(PermissionDenied):
        case_forward(actor=w.county_reviewer, case=case, opinion="再次审批")
    consistent_comparison(w.county_caseworker, case)
    case = case_forward(actor=w.county_reviewer_2, case=case, opinion="比对符合，重新公示。")
    assert case.status == S.NOTICE
    world.clock.set(case.notice_end + datetime.timedelta(days=1))
    case = case_forward(
        actor=w.county_reviewer_3, case=case, opinion="公示无异议。", coverage_confirmed=True
    )
    assert case.status == S.APPROVED
    assert [t.action for t in case.transitions.order_by("id")][-4:] == [
        "objection",
        "county_forward",
        "comparison_pass",
        "notice_confirm",
    ]


def test_the_queue_offers_a_reopened_case_to_the_reviewers_of_the_last_round(world):
    w = world.wuhu
    case = wuhu_notice(world)
    assert case not in review_queue_for(w.county_reviewer)
    notice_objection(actor=w.caseworker, case=case, raised_by="邻居王某", content="家中新购轿车")
    assert fresh(case) in review_queue_for(w.county_reviewer)
