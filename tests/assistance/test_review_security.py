"""Who may move a case, and what must be true first (DOMAIN.md §4).

Every refusal is checked to leave the case exactly as it was: status, transitions,
history, visits, comparisons, objections, documents and grants (`footprint`).
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.roles import Level, Role
from assistance.access import can_assign_reviewer, can_flag_doubtful, can_record_comparison
from assistance.models import Case, CaseUserObjectPermission
from assistance.selectors import available_transitions, member_inputs
from assistance.services import case_update
from assistance.services.cases import case_submit
from assistance.services.review import (
    case_assign_reviewer,
    case_flag_doubtful,
    case_forward,
    case_reject,
    case_return,
    case_share_for_visit,
    comparison_record,
    notice_objection,
    take_transition,
    visit_record,
)
from core.history import save_tracked
from tests.factories.accounts import make_user
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


def refused(call, expected=PermissionDenied, *, case, contains: str = "") -> str:
    """`call()` raises `expected` with a Chinese message and changes nothing of `case`."""
    before = footprint(case)
    with pytest.raises(expected) as info:
        call()
    message = refusal_text(info)
    assert CHINESE.search(message), message
    assert contains in message
    assert footprint(case) == before
    return message


# --- Reaching each state, with whatever its own step requires already done --------------


def _wuhu_submitted_visited(w):
    case = wuhu_submitted(w)
    wuhu_grassroots_visit(w, case)
    return case


def _wuhu_comparison_consistent(w):
    case = wuhu_comparison(w)
    consistent_comparison(w.wuhu.county_caseworker, case)
    return case


def _wuhu_notice_ended(w):
    case = wuhu_notice(w)
    w.clock.set(case.notice_end + DAY)
    return case


def _taian_county_visited(w):
    case = taian_county_review(w)
    visit(w.taian.county_caseworker, case, w.taian.county_reviewer)
    return case


STATES = {
    "wuhu-submitted": _wuhu_submitted_visited,
    "wuhu-county": wuhu_county_review,
    "wuhu-comparison": _wuhu_comparison_consistent,
    "wuhu-notice": _wuhu_notice_ended,
    "taian-county": _taian_county_visited,
    "taian-city": taian_city_confirmation,
}

# (state, who) → refused whatever the action. "wuhu.x" / "taian.x" name a cast member.
OUTSIDERS = [
    # A sibling union, the other county's union, a caseworker, the county and the city
    # acting at the grassroots level.
    ("wuhu-submitted", "wuhu.sibling_reviewer"),
    ("wuhu-submitted", "wuhu.union_b_reviewer"),
    ("wuhu-submitted", "wuhu.caseworker"),
    ("wuhu-submitted", "wuhu.county_caseworker"),
    ("wuhu-submitted", "wuhu.county_reviewer"),
    ("wuhu-submitted", "wuhu.city_reviewer"),
    ("wuhu-submitted", "wuhu.admin"),
    # The grassroots (a lower level), the other county, the city acting at the county level.
    ("wuhu-county", "wuhu.grassroots_reviewer_2"),
    ("wuhu-county", "wuhu.county_b_reviewer"),
    ("wuhu-county", "wuhu.city_reviewer"),
    ("wuhu-county", "wuhu.county_caseworker"),
    ("wuhu-county", "wuhu.caseworker"),
    ("wuhu-comparison", "wuhu.grassroots_reviewer_2"),
    ("wuhu-comparison", "wuhu.county_b_reviewer"),
    ("wuhu-comparison", "wuhu.city_reviewer"),
    ("wuhu-comparison", "wuhu.county_caseworker"),
    ("wuhu-notice", "wuhu.grassroots_reviewer_2"),
    ("wuhu-notice", "wuhu.county_b_reviewer"),
    ("wuhu-notice", "wuhu.city_reviewer"),
    ("wuhu-notice", "wuhu.caseworker"),
    # Tai'an: the city before the county; another city's county and city.
    ("taian-county", "taian.city_reviewer"),
    ("taian-county", "taian.grassroots_reviewer_2"),
    ("taian-county", "wuhu.county_reviewer_4"),
    ("taian-county", "taian.county_caseworker"),
    ("taian-city", "wuhu.city_reviewer"),
    ("taian-city", "taian.county_reviewer"),
    ("taian-city", "taian.caseworker"),
]


def _cast(world, name):
    variant, member = name.split(".")
    return getattr(getattr(world, variant), member)


@pytest.mark.parametrize(("state", "who"), OUTSIDERS, ids=[f"{s}-{w}" for s, w in OUTSIDERS])
def test_only_the_holding_level_may_forward_reject_or_return(world, state, who):
    case = STATES[state](world)
    actor = _cast(world, who)
    refused(lambda: case_forward(actor=actor, case=case, opinion=OPINION), case=case)
    if case.status != S.NOTICE:  # during the notice only an objection stops the case
        refused(
            lambda: case_reject(
                actor=actor, case=case, opinion=OPINION, reasons=["false_material"]
            ),
            case=case,
        )
        refused(lambda: case_return(actor=actor, case=case, opinion=OPINION), case=case)
    # Nothing to decide, refuse or return (the notice's grassroots may record an objection).
    offered = {t.action for t, _ in available_transitions(case, actor)}
    assert offered <= {"objection"}


@pytest.mark.parametrize(
    ("state", "who", "target"),
    [
        ("wuhu-submitted", "wuhu.grassroots_reviewer", S.COUNTY_REVIEW),
        ("wuhu-county", "wuhu.county_reviewer", S.COMPARISON),
        ("wuhu-comparison", "wuhu.county_reviewer_2", S.NOTICE),
        ("wuhu-notice", "wuhu.county_reviewer_3", S.APPROVED),
        ("taian-county", "taian.county_reviewer", S.COMPARISON),
        ("taian-city", "taian.city_reviewer", S.APPROVED),
    ],
)
def test_the_holding_level_may(world, state, who, target):
    """The counterpart of the refusals above: the same states move for the right reviewer."""
    case = STATES[state](world)
    # Below this year's visit coverage the county confirms knowingly (WH-M §10(三)).
    forwarded = case_forward(
        actor=_cast(world, who), case=case, opinion=OPINION, coverage_confirmed=True
    )
    assert forwarded.status == target


def test_an_inactive_reviewer_is_refused(world):
    w = world.wuhu
    case = _wuhu_submitted_visited(world)
    reviewer = w.grassroots_reviewer
    reviewer.is_active = False
    save_tracked(reviewer, actor=w.admin, reason="停用", update_fields=["is_active"])
    refused(lambda: case_forward(actor=reviewer, case=case, opinion=OPINION), case=case)


# --- No skipping a level, no acting out of turn -----------------------------------------


def test_a_higher_level_cannot_decide_before_the_lower_one(world):
    w = world.wuhu
    case = _wuhu_submitted_visited(world)
    message = refused(
        lambda: case_forward(actor=w.county_reviewer, case=case, opinion=OPINION), case=case
    )
    assert w.union.name in message
    t = world.taian
    case = taian_comparison(world, person=1)
    consistent_comparison(t.county_caseworker, case)
    refused(lambda: case_forward(actor=t.city_reviewer, case=case, opinion=OPINION), case=case)


@pytest.mark.parametrize(
    ("state", "who", "action"),
    [
        ("wuhu-county", "wuhu.county_reviewer_3", "notice_confirm"),
        ("wuhu-county", "wuhu.county_reviewer_3", "comparison_pass"),
        ("wuhu-submitted", "wuhu.county_reviewer", "county_forward"),
        ("taian-county", "taian.city_reviewer", "city_confirm"),
        ("wuhu-notice", "wuhu.county_reviewer_3", "reject"),  # no refusal during the notice
    ],
)
def test_a_step_that_is_not_the_next_one_is_refused(world, state, who, action):
    case = STATES[state](world)

    def skip():
        with transaction.atomic():
            take_transition(actor=_cast(world, who), case=case, action=action, opinion=OPINION)

    refused(skip, ValidationError, case=case, contains="不能执行该操作")


def test_a_final_case_has_nothing_to_decide(world):
    w = world.wuhu
    case = _wuhu_notice_ended(world)
    case = case_forward(
        actor=w.county_reviewer_3, case=case, opinion=OPINION, coverage_confirmed=True
    )
    assert case.status == S.APPROVED
    refused(
        lambda: case_forward(actor=w.county_reviewer_4, case=case, opinion=OPINION),
        ValidationError,
        case=case,
    )
    refused(
        lambda: case_reject(
            actor=w.county_reviewer_4, case=case, opinion=OPINION, reasons=["false_material"]
        ),
        ValidationError,
        case=case,
    )


# --- Deciding twice ---------------------------------------------------------------------


def test_a_second_approval_of_the_same_step_is_refused(world):
    w = world.wuhu
    case = _wuhu_submitted_visited(world)
    seen_by_second = fresh(case)
    case_forward(actor=w.grassroots_reviewer, case=case, opinion=OPINION)
    # The second reviewer presses "approve" on the page they loaded before.
    for stale in (seen_by_second, fresh(seen_by_second)):
        with pytest.raises((ValidationError, PermissionDenied)) as info:
            case_forward(actor=w.grassroots_reviewer_2, case=stale, opinion=OPINION)
        assert CHINESE.search(refusal_text(info))
    # … and the same reviewer pressing twice.
    with pytest.raises((ValidationError, PermissionDenied)):
        case_forward(actor=w.grassroots_reviewer, case=seen_by_second, opinion=OPINION)
    assert actions(case) == ["submit", "grassroots_forward"]
    assert fresh(case).status == S.COUNTY_REVIEW


def test_a_late_approval_does_not_pass_the_next_step(world):
    """Two county reviewers press "approve" on the county review of a case that already has
    a consistent comparison (it came back after an objection). The second one saw the
    county review: it must not pass the comparison in its stead."""
    w = world.wuhu
    case = wuhu_notice(world)
    case = notice_objection(
        actor=w.caseworker, case=case, raised_by="王某", content="收入不实。"
    ).case
    case = fresh(case)
    assert case.status == S.COUNTY_REVIEW
    seen_by_4 = fresh(case)
    case = case_forward(
        actor=w.county_reviewer_3, case=case, opinion="复核后同意", coverage_confirmed=True
    )
    assert case.status == S.COMPARISON

    message = refused(
        lambda: case_forward(actor=w.county_reviewer_4, case=seen_by_4, opinion="同意"),
        ValidationError,
        case=case,
    )
    assert "已由他人处理" in message
    assert actions(case).count("comparison_pass") == 1
    # A refusal or a return from a stale page is refused the same way.
    refused(
        lambda: case_return(actor=w.county_reviewer_4, case=seen_by_4, opinion="请补充"),
        ValidationError,
        case=case,
        contains="已由他人处理",
    )


# --- Segregation of duties --------------------------------------------------------------


def test_nobody_approves_a_case_they_entered(world):
    w = world.wuhu
    both = make_user(w.union, Role.CASEWORKER, Role.REVIEWER, username="cw_and_reviewer")
    case = new_case(both, w.union, **household(4))
    upload_all_documents(both, case)
    case = case_submit(actor=both, case=case)
    wuhu_grassroots_visit(world, case)
    refused(
        lambda: case_forward(actor=both, case=case, opinion=OPINION),
        case=case,
        contains="职责分离",
    )
    assert "grassroots_forward" not in {t.action for t, _ in available_transitions(case, both)}
    assert case_forward(actor=w.grassroots_reviewer, case=case, opinion=OPINION).status == (
        S.COUNTY_REVIEW
    )


def test_the_county_reviewer_who_forwarded_needs_a_colleague_for_each_later_decision(world):
    w = world.wuhu
    case = wuhu_comparison(world)  # county_forward by county_reviewer
    consistent_comparison(w.county_caseworker, case)
    refused(
        lambda: case_forward(actor=w.county_reviewer, case=case, opinion=OPINION),
        case=case,
        contains="职责分离",
    )
    case = case_forward(actor=w.county_reviewer_2, case=case, opinion=OPINION)
    assert case.status == S.NOTICE
    world.clock.set(case.notice_end + DAY)
    for decided in (w.county_reviewer, w.county_reviewer_2):
        refused(
            lambda decided=decided: case_forward(actor=decided, case=case, opinion=OPINION),
            case=case,
            contains="职责分离",
        )
    case = case_forward(
        actor=w.county_reviewer_3, case=case, opinion=OPINION, coverage_confirmed=True
    )
    assert case.status == S.APPROVED
    deciders = list(case.transitions.exclude(action="submit").values_list("actor", flat=True))
    assert len(deciders) == len(set(deciders)) == 4


def test_a_reviewer_who_forwarded_may_still_return_or_refuse(world):
    """Returning and refusing are not approvals: segregation binds only the decisions."""
    w = world.wuhu
    case = wuhu_comparison(world)
    case = case_return(actor=w.county_reviewer, case=case, opinion="请补充比对所需授权书")
    assert case.status == S.RETURNED


def test_taian_grassroots_needs_two_reviewers_around_the_notice(world):
    t = world.taian
    case = taian_notice(world)  # forwarded by grassroots_reviewer
    world.clock.set(case.notice_end + DAY)
    refused(
        lambda: case_forward(actor=t.grassroots_reviewer, case=case, opinion=OPINION),
        case=case,
        contains="职责分离",
    )
    assert case_forward(actor=t.grassroots_reviewer_2, case=case, opinion=OPINION).status == (
        S.COUNTY_REVIEW
    )


# --- Requirements: the step a decision depends on --------------------------------------


def test_grassroots_forward_needs_a_grassroots_visit(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    refused(
        lambda: case_forward(actor=w.grassroots_reviewer, case=case, opinion=OPINION),
        ValidationError,
        case=case,
        contains="入户走访",
    )
    # A county visit is not the grassroots union's own visit.
    visit(w.county_caseworker, case, w.county_reviewer)
    refused(
        lambda: case_forward(actor=w.grassroots_reviewer, case=case, opinion=OPINION),
        ValidationError,
        case=case,
    )


def test_comparison_pass_needs_a_consistent_comparison(world):
    w = world.wuhu
    case = wuhu_comparison(world)
    refused(
        lambda: case_forward(actor=w.county_reviewer_2, case=case, opinion=OPINION),
        ValidationError,
        case=case,
        contains="信息比对",
    )


def test_comparison_pass_needs_a_case_that_still_qualifies(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    visit(w.county_caseworker, case, w.county_reviewer, verified={"income_wages": HIGH_WAGES})
    case = case_forward(actor=w.county_reviewer, case=case, opinion=OPINION)
    consistent_comparison(w.county_caseworker, case)
    assert fresh(case).category is None
    refused(
        lambda: case_forward(actor=w.county_reviewer_2, case=case, opinion=OPINION),
        ValidationError,
        case=case,
        contains="不符合任何建档类别",
    )


def test_notice_confirm_needs_the_notice_to_have_ended(world):
    w = world.wuhu
    case = wuhu_notice(world)
    for day in (case.notice_start, case.notice_end):
        world.clock.set(day)
        refused(
            lambda: case_forward(actor=w.county_reviewer_3, case=case, opinion=OPINION),
            ValidationError,
            case=case,
            contains="公示期尚未届满",
        )


def test_a_doubtful_case_needs_a_county_visit(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    case_flag_doubtful(actor=w.county_reviewer, case=case, reason="申报收入明显偏低")
    refused(
        lambda: case_forward(actor=w.county_reviewer, case=case, opinion=OPINION),
        ValidationError,
        case=case,
        contains="建档存疑",
    )


def test_taian_report_to_the_city_needs_a_county_visit_after_the_check(world):
    """TA-A §12.3: the county visits once the household's data has been checked."""
    t = world.taian
    case = taian_comparison(world)
    consistent_comparison(t.county_caseworker, case)
    refused(
        lambda: case_forward(actor=t.county_reviewer_2, case=case, opinion=OPINION),
        ValidationError,
        case=case,
        contains="家庭信息核查通过后，县级须派两名以上工作人员入户走访",
    )
    # A visit by the city is not the county's.
    visit(t.city_reviewer, case, make_user(t.city, Role.CASEWORKER))
    assert case.visits.get().level == Level.CITY
    refused(
        lambda: case_forward(actor=t.county_reviewer_2, case=case, opinion=OPINION),
        ValidationError,
        case=case,
    )


def test_taian_notice_complete_needs_the_notice_to_have_ended(world):
    t = world.taian
    case = taian_notice(world)
    world.clock.set(case.notice_end)
    refused(
        lambda: case_forward(actor=t.grassroots_reviewer_2, case=case, opinion=OPINION),
        ValidationError,
        case=case,
        contains="公示期尚未届满",
    )


def test_taian_grassroots_forward_needs_a_case_that_qualifies(world):
    t = world.taian
    case = taian_submitted(world, income_wages=HIGH_WAGES)
    assert case.category is None
    refused(
        lambda: case_forward(actor=t.grassroots_reviewer, case=case, opinion=OPINION),
        ValidationError,
        case=case,
        contains="不符合任何建档类别",
    )


def test_an_opinion_is_required_to_decide(world):
    w = world.wuhu
    case = _wuhu_submitted_visited(world)
    refused(
        lambda: case_forward(actor=w.grassroots_reviewer, case=case, opinion="  "),
        ValidationError,
        case=case,
    )


# --- Named-reviewer assignment ----------------------------------------------------------


def test_an_assigned_case_is_decided_only_by_its_reviewer(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    case = case_assign_reviewer(actor=w.county_reviewer, case=case, reviewer=w.county_reviewer_2)
    grant = CaseUserObjectPermission.objects.get(content_object=case)
    assert (grant.user, grant.permission.codename) == (w.county_reviewer_2, "review_case")
    assert (
        case.history.order_by("-history_id").first().history_change_reason.startswith("指派审核人")
    )

    for other in (w.county_reviewer, w.county_reviewer_3):
        refused(
            lambda other=other: case_forward(actor=other, case=case, opinion=OPINION),
            case=case,
            contains="已指派给",
        )
        refused(
            lambda other=other: case_reject(
                actor=other, case=case, opinion=OPINION, reasons=["false_material"]
            ),
            case=case,
            contains="已指派给",
        )
        refused(
            lambda other=other: case_return(actor=other, case=case, opinion=OPINION),
            case=case,
            contains="已指派给",
        )
        assert available_transitions(case, other) == []

    case = case_forward(actor=w.county_reviewer_2, case=case, opinion=OPINION)
    # The assignment ends when the case moves: any county reviewer may act now.
    assert not CaseUserObjectPermission.objects.filter(content_object=case).exists()
    assert case_return(actor=w.county_reviewer_3, case=case, opinion="补充").status == S.RETURNED


def test_a_new_assignment_replaces_the_previous_one(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    case_assign_reviewer(actor=w.county_reviewer, case=case, reviewer=w.county_reviewer_2)
    case_assign_reviewer(actor=w.county_reviewer, case=case, reviewer=w.county_reviewer_3)
    grants = CaseUserObjectPermission.objects.filter(content_object=case)
    assert [g.user for g in grants] == [w.county_reviewer_3]
    refused(
        lambda: case_forward(actor=w.county_reviewer_2, case=case, opinion=OPINION),
        case=case,
        contains="已指派给",
    )


def test_only_the_holding_level_assigns_one_of_its_reviewers(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    for actor in (w.grassroots_reviewer, w.county_b_reviewer, w.city_reviewer, w.county_caseworker):
        refused(
            lambda actor=actor: case_assign_reviewer(
                actor=actor, case=case, reviewer=w.county_reviewer_2
            ),
            case=case,
        )
    for reviewer in (w.county_caseworker, w.county_b_reviewer, w.grassroots_reviewer):
        refused(
            lambda reviewer=reviewer: case_assign_reviewer(
                actor=w.county_reviewer, case=case, reviewer=reviewer
            ),
            ValidationError,
            case=case,
        )


def test_an_assignment_at_the_county_does_not_stop_the_grassroots_recording_an_objection(world):
    """During the Wuhu notice the county holds the confirmation; the objection is the
    grassroots union's to record, whichever county reviewer is assigned."""
    w = world.wuhu
    case = wuhu_notice(world)
    case_assign_reviewer(actor=w.county_reviewer_3, case=case, reviewer=w.county_reviewer_4)
    objection = notice_objection(
        actor=w.grassroots_reviewer_2, case=case, raised_by="王某", content="家有营运车辆。"
    )
    assert fresh(objection.case).status == S.COUNTY_REVIEW


# --- Joint visits -----------------------------------------------------------------------


def test_an_invited_user_of_another_union_may_join_a_visit(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    refused(
        lambda: visit(w.caseworker, case, w.caseworker_sibling),
        ValidationError,
        case=case,
        contains="未受邀参加联合走访",
    )
    refused(lambda: visit(w.caseworker_sibling, case, w.caseworker), case=case)

    case_share_for_visit(actor=w.caseworker, case=case, user=w.caseworker_sibling)
    grant = CaseUserObjectPermission.objects.get(content_object=case)
    assert (grant.user, grant.permission.codename) == (w.caseworker_sibling, "visit_case")

    joint = visit(w.caseworker, case, w.caseworker_sibling)
    assert {s.user for s in joint.staff.all()} == {w.caseworker, w.caseworker_sibling}
    assert joint.organisation == w.union
    # The grant is for the visit only: no decision, no other case.
    refused(lambda: case_forward(actor=w.caseworker_sibling, case=case, opinion=OPINION), case=case)
    other = wuhu_submitted(world, person=1)
    refused(
        lambda: visit(w.caseworker, other, w.caseworker_sibling),
        ValidationError,
        case=other,
    )


def test_a_visit_grant_is_individual(world):
    """guardian grants a superuser every permission: that is no invitation to a visit."""
    w = world.wuhu
    case = wuhu_submitted(world)
    superuser = make_user(w.union_b, Role.CASEWORKER, username="su_b1")
    superuser.is_superuser = True
    save_tracked(superuser, actor=w.admin, reason="测试", update_fields=["is_superuser"])
    refused(
        lambda: visit(w.caseworker, case, superuser),
        ValidationError,
        case=case,
        contains="未受邀参加联合走访",
    )
    refused(lambda: visit(superuser, case, w.caseworker_b), case=case)


def test_only_the_case_holders_invite_and_only_their_citys_staff(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    refused(
        lambda: case_share_for_visit(actor=w.caseworker_b, case=case, user=w.caseworker_sibling),
        case=case,
    )
    refused(
        lambda: case_share_for_visit(actor=w.caseworker, case=case, user=world.taian.caseworker),
        ValidationError,
        case=case,
    )


# --- Records of the review: who may write them ------------------------------------------


def test_visits_are_recorded_only_by_staff_who_may_see_the_case(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    auditor = make_user(w.county, Role.AUDITOR)
    helper = make_user(w.union_b, Role.CASEWORKER)
    for actor, staff in (
        (w.caseworker_b, helper),
        (w.union_b_reviewer, helper),
        (auditor, w.county_caseworker),
    ):
        refused(
            lambda actor=actor, staff=staff: visit_record(
                actor=actor,
                case=case,
                visit_date=TODAY,
                staff=[actor, staff],
                findings="走访",
            ),
            case=case,
        )


def test_the_comparison_is_recorded_by_the_county(world):
    w = world.wuhu
    case = wuhu_comparison(world)
    for actor in (w.caseworker, w.grassroots_reviewer, w.county_b_reviewer, w.city_reviewer):
        refused(
            lambda actor=actor: comparison_record(
                actor=actor, case=case, result="consistent", report=upload_file("r.pdf")
            ),
            case=case,
        )


def test_doubt_is_flagged_only_by_the_county_reviewer(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    for actor in (w.grassroots_reviewer, w.county_caseworker, w.county_b_reviewer, w.city_reviewer):
        refused(
            lambda actor=actor: case_flag_doubtful(actor=actor, case=case, reason="存疑"),
            case=case,
        )


def test_the_panel_and_the_service_give_the_same_reason(world):
    """`can_*` answers the panel with the reason the service refuses with."""
    w = world.wuhu
    case = wuhu_county_review(world)
    assert can_flag_doubtful(w.county_reviewer, case) == ""
    reason = can_flag_doubtful(w.grassroots_reviewer, case)
    assert reason == "只有县级审核人可以标记建档存疑。"
    with pytest.raises(PermissionDenied, match=reason):
        case_flag_doubtful(actor=w.grassroots_reviewer, case=case, reason="存疑")
    assert can_assign_reviewer(w.county_reviewer, case) == ""
    assert can_assign_reviewer(w.grassroots_reviewer, case) == "只有当前办理层级的审核人可以指派。"
    assert can_record_comparison(w.county_reviewer, case) == ""


def test_an_objection_is_recorded_by_the_union_that_posts_the_notice(world):
    w = world.wuhu
    case = wuhu_notice(world)
    for actor in (w.caseworker_b, w.sibling_reviewer, w.county_reviewer_4, w.city_reviewer):
        refused(
            lambda actor=actor: notice_objection(
                actor=actor, case=case, raised_by="王某", content="收入不实"
            ),
            case=case,
        )


def test_resubmission_is_the_caseworkers(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    case = case_return(actor=w.county_reviewer, case=case, opinion="请补充")
    for actor in (w.grassroots_reviewer, w.caseworker_b, w.county_reviewer):
        refused(
            lambda actor=actor: case_submit(actor=actor, case=case),
            case=case,
        )
    assert case_submit(actor=w.caseworker, case=case).status == S.COUNTY_REVIEW


def test_taian_cases_follow_taian_rules_only(world):
    """A Wuhu reviewer of the same level is an outsider to a Tai'an case, and vice versa."""
    t = world.taian
    case = taian_submitted(world)
    for actor in (world.wuhu.grassroots_reviewer, t.county_reviewer):
        refused(
            lambda actor=actor: case_forward(actor=actor, case=case, opinion=OPINION), case=case
        )
    w_case = wuhu_county_review(world, person=5)
    refused(
        lambda: case_forward(actor=t.county_reviewer, case=w_case, opinion=OPINION), case=w_case
    )


def test_a_comparison_made_before_the_figures_changed_does_not_vouch_for_them(world):
    w = world.wuhu
    case = wuhu_comparison(world)
    consistent_comparison(w.county_caseworker, case)
    case = case_return(actor=w.county_reviewer_2, case=case, opinion="请核对收入")
    case_update(
        actor=w.caseworker,
        case=case,
        fields=case_fields(case, income_business=Decimal("3000")),
        members=member_inputs(case),
    )
    case = case_submit(actor=w.caseworker, case=case)
    assert case.status == S.COMPARISON
    refused(
        lambda: case_forward(actor=w.county_reviewer_2, case=case, opinion=OPINION),
        ValidationError,
        case=case,
        contains="信息比对",
    )
