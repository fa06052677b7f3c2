"""Re-verification screens: the archive page's panel, the record form and its result, the
category change decision, the due lists and the home-visit survey to print (WH-M §17).

The services' rules are tested in test_reverify_services.py; here: who sees what, that a
form goes through its service with a confirmation, that bad input comes back as errors,
that lists keep a fixed number of queries, and that another county gets 404.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from archives.models import Archive, ArchiveVisit, CategoryChange
from archives.rules import DEEP_LEAVES_BY_PHASE_OUT
from archives.selectors.figures import VISIT_FIGURES, current_figures
from archives.services.reverify import (
    category_change_propose,
    reverification_record,
)
from core.dates import add_months
from tests.factories.accounts import make_user
from tests.factories.archives import exiting_archive, form_data, open_archive, phase_out_archive

# The standard household: 1445.83 a head, between 低保 760 and twice it (relative), or 612.50
# at the deep wages; a relative household is due every six months.
RELATIVE_WAGES = Decimal("80000")
DEEP_WAGES = Decimal("40000")


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows(html: str, testid: str) -> int:
    return len(re.findall(f'data-testid="{testid}"', html))


def recorded_visit(world, archive: Archive, *, actor=None, staff=None, **changes) -> ArchiveVisit:
    w = world.wuhu
    actor = actor or w.caseworker
    figures = current_figures(archive)
    figures.update({name: str(value) for name, value in changes.items()})
    return reverification_record(
        actor=actor,
        archive=archive,
        visit_date=world.clock.today(),
        staff=staff or [actor, w.grassroots_reviewer],
        findings="工资单显示收入增加。",
        figures=figures,
        survey_signature="signed",
    )


def on(world, client, user, day: datetime.date) -> None:
    """Today is `day`, and `user` is logged in (a session lasts 8 hours of the clock)."""
    world.clock.set(day)
    client.force_login(user)


def fresh(archive: Archive) -> Archive:
    return Archive.objects.get(pk=archive.pk)


def relative_archive(world, person: int = 1) -> Archive:
    archive = open_archive(world, person=person, income_wages=RELATIVE_WAGES)
    assert archive.category == "relative"
    return archive


def relative_due(world, person: int = 1) -> Archive:
    """A relative household whose six-monthly re-verification is due today."""
    archive = relative_archive(world, person)
    world.clock.set(add_months(archive.verified_on, 6))
    return archive


# --- The panel on the archive page ----------------------------------------------------------------


def test_the_panel_shows_the_cycle_the_due_date_and_the_actions(client, archive, world):
    client.force_login(world.wuhu.caseworker)
    html = page(client.get(reverse("archives:detail", args=[archive.pk])))
    assert 'data-testid="reverify-panel"' in html
    assert "每 12 个月" in html
    assert archive.verification_due.isoformat() in html
    assert reverse("archives:reverify", args=[archive.pk]) in html
    assert reverse("archives:print_visit_blank", args=[archive.pk]) in html
    assert 'data-testid="reverify-overdue"' not in html

    world.clock.set(archive.verification_due + datetime.timedelta(days=5))
    client.force_login(world.wuhu.caseworker)  # a session lasts 8 hours of the frozen clock
    html = page(client.get(reverse("archives:detail", args=[archive.pk])))
    assert 'data-testid="reverify-overdue"' in html and "已逾期 5 天" in html


def test_the_panel_lists_visits_and_offers_the_decision_to_a_reviewer_who_may(client, world):
    w = world.wuhu
    archive = relative_due(world)
    visit = recorded_visit(world, archive, income_wages=DEEP_WAGES)
    change = archive.category_changes.get()
    decide = reverse("archives:category_change_decide", args=[archive.pk, change.pk])

    client.force_login(w.county_reviewer)
    html = page(client.get(reverse("archives:detail", args=[archive.pk])))
    assert rows(html, "visit") == 1
    assert reverse("archives:print_visit_survey", args=[archive.pk, visit.pk]) in html
    assert 'data-testid="pending-change"' in html and "相对困难 → 深度困难" in html
    assert decide in html

    # The caseworker who recorded the visit is told why not, without a button.
    client.force_login(w.caseworker)
    html = page(client.get(reverse("archives:detail", args=[archive.pk])))
    assert decide not in html
    assert "类别变更须由审核人审核" in html
    # A pending change: no second proposal is offered.
    assert reverse("archives:category_change_propose", args=[archive.pk]) not in html


def test_a_household_that_no_longer_qualifies_is_told_on_the_panel(client, archive, world):
    world.clock.set(add_months(archive.verified_on, 12))
    recorded_visit(world, archive, income_wages="150000")
    client.force_login(world.wuhu.caseworker)
    html = page(client.get(reverse("archives:detail", args=[archive.pk])))
    assert 'data-testid="no-longer-qualifies"' in html
    assert "不再符合建档标准，请按退档程序办理" in html


# --- Recording a re-verification ---------------------------------------------------------------


def test_the_form_is_prefilled_with_the_current_figures(client, archive, world):
    client.force_login(world.wuhu.caseworker)
    html = page(client.get(reverse("archives:reverify", args=[archive.pk])))
    assert 'name="figure_income_wages"' in html and 'value="40000.00"' in html
    assert "工资性收入" in html and "共同生活人口" in html and "在校学生" in html
    assert "家庭人均收入连续超过低保标准的月数" in html and "脱困" in html
    # The staff to choose from: the archive's union, county and city, not the other county.
    for user in (world.wuhu.caseworker, world.wuhu.county_reviewer, world.wuhu.city_reviewer):
        assert f'name="staff" value="{user.pk}"' in html
    assert f'name="staff" value="{world.wuhu.caseworker_b.pk}"' not in html


def test_recording_shows_the_result_before_and_after(client, world):
    w = world.wuhu
    archive = relative_due(world)
    client.force_login(w.caseworker)
    response = client.post(
        reverse("archives:reverify", args=[archive.pk]),
        form_data(archive, world, income_wages=DEEP_WAGES),
    )
    visit = archive.visits.get()
    assert response.status_code == 302
    assert response.url == reverse("archives:reverify_result", args=[archive.pk, visit.pk])
    assert set(visit.staff.values_list("user", flat=True)) == {
        w.caseworker.pk,
        w.grassroots_reviewer.pk,
    }

    html = page(client.get(response.url))
    assert "符合深度困难建档标准" in html
    assert re.search(r'data-testid="income-before">\s*1445\.83', html)
    assert re.search(r'data-testid="income-after">\s*612\.50', html)
    assert 'data-testid="result-change"' in html and "相对困难 → 深度困难" in html
    assert "相对困难（类别变更待审核）" in html
    # Not decided: the archive is still relative, on its six-month cycle.
    archive = fresh(archive)
    assert archive.category == "relative"
    assert archive.verification_due == add_months(visit.visit_date, 6)


def test_the_form_asks_for_the_employment_costs_and_deducts_them(client, world):
    w = world.wuhu
    archive = relative_due(world)
    client.force_login(w.caseworker)
    html = page(client.get(reverse("archives:reverify", args=[archive.pk])))
    assert 'name="figure_employment_costs"' in html and "必要就业成本（元）" in html

    response = client.post(
        reverse("archives:reverify", args=[archive.pk]),
        form_data(archive, world, employment_costs="2400"),
    )

    visit = archive.visits.get()
    assert response.status_code == 302
    assert visit.figures["employment_costs"] == "2400.00"
    html = page(client.get(response.url))
    # (80000 + 7400 − 18000 − 2400) ÷ 12 ÷ 4
    assert re.search(r'data-testid="income-after">\s*1395\.83', html)


def test_a_deep_household_at_relative_figures_stays_deep_and_is_told_why(client, archive, world):
    """WH-M §13: no category change from a re-verification out of the deep archive; the
    archive's record says the phase-out procedure applies."""
    world.clock.set(add_months(archive.verified_on, 12))
    client.force_login(world.wuhu.caseworker)
    response = client.post(
        reverse("archives:reverify", args=[archive.pk]),
        form_data(archive, world, income_wages=RELATIVE_WAGES),
    )
    visit = archive.visits.get()
    assert response.url == reverse("archives:reverify_result", args=[archive.pk, visit.pk])
    html = page(client.get(response.url))
    assert "符合相对困难建档标准" in html
    assert re.search(r'data-testid="income-before">\s*612\.50', html)
    assert re.search(r'data-testid="income-after">\s*1445\.83', html)
    assert 'data-testid="result-change"' not in html and "待审核" not in html
    assert 'data-testid="phase-out-rule"' in html and DEEP_LEAVES_BY_PHASE_OUT in html
    assert fresh(archive).category == "deep"
    assert not CategoryChange.objects.filter(archive=archive).exists()

    html = page(client.get(reverse("archives:detail", args=[archive.pk])))
    assert DEEP_LEAVES_BY_PHASE_OUT in html
    assert 'data-testid="pending-change"' not in html
    # No proposal out of the deep archive is offered.
    assert reverse("archives:category_change_propose", args=[archive.pk]) not in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"figure_income_wages": "四万元"}, "请输入金额"),
        ({"figure_household_size": "abc"}, "请输入整数"),
        ({"figure_household_size": "0"}, "共同生活人口至少为1人"),
        ({"figure_students": "9"}, "在校学生人数不能超过共同生活人口"),
        ({"figure_income_wages": "-5"}, "金额不能为负数"),
        ({"figure_employment_costs": "-0.01"}, "金额不能为负数"),
        ({"visit_date": "2026-13-45"}, "请输入日期"),
        ({"months_above_line": "x"}, "请输入整数"),
        ({"findings": ""}, "这个字段是必填项"),
    ],
)
def test_bad_input_comes_back_as_errors(client, archive, world, changes, message):
    world.clock.set(add_months(archive.verified_on, 12))
    client.force_login(world.wuhu.caseworker)
    data = {**form_data(archive, world), **changes}
    html = page(client.post(reverse("archives:reverify", args=[archive.pk]), data))
    assert message in html
    assert "未办理" in html
    assert not archive.visits.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("4万", "金额请直接写数字，不接受“万”：如指 4万元，请输入 40000.00。"),
        ("4e4", "请输入金额数字，例如 1234.56；不接受“2万”“1e5”等写法。"),
        ("40000.001", "金额最多两位小数（不会四舍五入），请核对。"),
    ],
)
def test_a_reverified_income_is_never_reinterpreted(client, archive, world, typed, message):
    world.clock.set(add_months(archive.verified_on, 12))
    client.force_login(world.wuhu.caseworker)
    data = {**form_data(archive, world), "figure_income_wages": typed}

    response = client.post(reverse("archives:reverify", args=[archive.pk]), data)

    assert response.context["form"].errors["figure_income_wages"] == [message]
    html = page(response)
    assert f'name="figure_income_wages" value="{typed}"' in html
    assert not archive.visits.exists()
    assert fresh(archive).case.income_wages == archive.case.income_wages


def test_one_staff_member_or_no_confirmation_is_refused(client, archive, world):
    w = world.wuhu
    world.clock.set(add_months(archive.verified_on, 12))
    client.force_login(w.caseworker)
    data = {**form_data(archive, world), "staff": [w.caseworker.pk]}
    html = page(client.post(reverse("archives:reverify", args=[archive.pk]), data))
    assert "入户走访须有两名以上工作人员" in html
    data = form_data(archive, world)
    del data["confirm"]
    html = page(client.post(reverse("archives:reverify", args=[archive.pk]), data))
    assert "请勾选确认" in html
    # A staff member of the other county is not a choice.
    data = {**form_data(archive, world), "staff": [w.caseworker.pk, w.caseworker_b.pk]}
    html = page(client.post(reverse("archives:reverify", args=[archive.pk]), data))
    assert "不在可用的选项中" in html
    assert not archive.visits.exists()


def test_the_service_refusal_is_shown_on_the_form(client, archive, world):
    """An auditor of the county sees the archive but may not record: the form says why."""
    auditor = make_user(world.wuhu.county, Role.AUDITOR)
    world.clock.set(add_months(archive.verified_on, 12))
    client.force_login(auditor)
    html = page(client.get(reverse("archives:reverify", args=[archive.pk])))
    assert 'data-testid="blocked"' in html
    html = page(
        client.post(reverse("archives:reverify", args=[archive.pk]), form_data(archive, world))
    )
    assert "定期核查须由经办人、审核人办理" in html
    assert not archive.visits.exists()


def test_a_visit_date_before_the_last_verification_is_an_error_on_the_date(client, archive, world):
    world.clock.set(add_months(archive.verified_on, 12))
    client.force_login(world.wuhu.caseworker)
    data = {
        **form_data(archive, world),
        "visit_date": (archive.verified_on - datetime.timedelta(days=3)).isoformat(),
    }
    html = page(client.post(reverse("archives:reverify", args=[archive.pk]), data))
    assert "早于最近一次核查" in html
    assert not archive.visits.exists()


@pytest.mark.parametrize("state", ["phase_out", "exiting"])
def test_a_phase_out_or_exiting_archive_comes_back_refused(client, archive, world, state):
    if state == "phase_out":
        phase_out_archive(world, archive)
    else:
        archive, _ = exiting_archive(world)
    client.force_login(world.wuhu.caseworker)
    html = page(
        client.post(reverse("archives:reverify", args=[archive.pk]), form_data(archive, world))
    )
    assert "未办理" in html and "不进行定期核查" in html
    assert not archive.visits.filter(purpose=ArchiveVisit.Purpose.REVERIFY).exists()
    assert fresh(archive).status == state


# --- Category changes ------------------------------------------------------------------------------


def test_a_caseworker_proposes_and_another_reviewer_decides_with_confirmation(client, world):
    w = world.wuhu
    archive = relative_archive(world)
    client.force_login(w.caseworker)
    propose = reverse("archives:category_change_propose", args=[archive.pk])
    html = page(client.get(propose))
    assert 'value="relative"' not in html  # the current category is not a choice
    response = client.post(
        propose,
        {"to_category": "deep", "reason": "配偶住院，自付医疗费用6.2万元", "confirm": "on"},
    )
    assert response.status_code == 302
    change = archive.category_changes.get()
    assert change.status == CategoryChange.Status.PENDING

    decide = reverse("archives:category_change_decide", args=[archive.pk, change.pk])
    client.force_login(w.county_reviewer)
    html = page(client.get(decide))
    assert "相对困难 → 深度困难" in html and "配偶住院" in html
    html = page(client.post(decide, {"decision": "approve", "opinion": "属实"}))
    assert "请勾选确认" in html
    assert fresh(archive).category == "relative"
    html = page(client.post(decide, {"decision": "maybe", "opinion": "属实", "confirm": "on"}))
    assert "未办理" in html
    response = client.post(decide, {"decision": "approve", "opinion": "属实", "confirm": "on"})
    assert response.status_code == 302
    archive = fresh(archive)
    assert archive.category == "deep"
    assert archive.verification_due == add_months(archive.verified_on, 12)


@pytest.mark.parametrize("to_category", ["relative", "accident"])
def test_a_proposal_out_of_the_deep_archive_comes_back_refused(client, archive, world, to_category):
    client.force_login(world.wuhu.caseworker)
    propose = reverse("archives:category_change_propose", args=[archive.pk])
    data = {"to_category": to_category, "reason": "工资上涨", "confirm": "on"}
    html = page(client.post(propose, data))
    assert "未办理" in html and "须经脱困程序" in html
    assert not archive.category_changes.exists()
    assert fresh(archive).category == "deep"


def test_a_reviewer_who_was_on_the_visit_is_refused_on_the_decision_page(client, world):
    w = world.wuhu
    archive = relative_due(world)
    recorded_visit(world, archive, staff=[w.caseworker, w.county_reviewer], income_wages=DEEP_WAGES)
    change = archive.category_changes.get()
    decide = reverse("archives:category_change_decide", args=[archive.pk, change.pk])
    client.force_login(w.county_reviewer)
    html = page(client.get(decide))
    assert 'data-testid="blocked"' in html and "您参加或登记了该类别变更所依据的走访核查" in html
    html = page(client.post(decide, {"decision": "approve", "opinion": "同意", "confirm": "on"}))
    assert "职责分离" in html
    assert CategoryChange.objects.get(pk=change.pk).status == CategoryChange.Status.PENDING
    assert fresh(archive).category == "relative"


def test_the_proposer_is_refused_on_the_decision_page(client, world):
    w = world.wuhu
    archive = relative_archive(world)
    change = category_change_propose(
        actor=w.county_reviewer, archive=archive, to_category="deep", reason="新发生大额住院费用"
    )
    decide = reverse("archives:category_change_decide", args=[archive.pk, change.pk])
    client.force_login(w.county_reviewer)
    html = page(client.get(decide))
    assert 'data-testid="blocked"' in html and "您提出了该类别变更" in html
    html = page(client.post(decide, {"decision": "approve", "opinion": "同意", "confirm": "on"}))
    assert "职责分离" in html
    assert CategoryChange.objects.get(pk=change.pk).status == CategoryChange.Status.PENDING
    assert fresh(archive).category == "relative"


def test_pending_changes_list_for_reviewers_in_scope_with_fixed_queries(
    client, world, django_assert_num_queries
):
    w = world.wuhu
    archive = relative_archive(world)
    category_change_propose(actor=w.caseworker, archive=archive, to_category="deep", reason="a")
    url = reverse("archives:category_changes")
    client.force_login(w.county_reviewer)
    with CaptureQueriesContext(connection) as first:
        html = page(client.get(url))
    assert rows(html, "change-row") == 1

    for person in (2, 3):
        other = relative_archive(world, person)
        category_change_propose(
            actor=w.caseworker, archive=other, to_category="accident", reason="b"
        )
    client.force_login(w.county_reviewer)
    with django_assert_num_queries(len(first.captured_queries)):
        html = page(client.get(url))
    assert rows(html, "change-row") == 3

    client.force_login(w.county_b_reviewer)
    assert rows(page(client.get(url)), "change-row") == 0
    client.force_login(w.caseworker)
    assert client.get(url).status_code == 403


# --- Due and overdue ---------------------------------------------------------------------------------


def test_due_and_overdue_lists_at_frozen_dates(client, archive, world):
    w = world.wuhu
    relative = open_archive(world, person=1, income_wages=RELATIVE_WAGES)
    assert relative.category == "relative"
    url = reverse("archives:due")

    # The relative household is a day overdue; the deep one is due in more than 30 days.
    on(world, client, w.county_reviewer, relative.verification_due + datetime.timedelta(days=1))
    html = page(client.get(url))
    assert rows(html, "due-row") == 1 and relative.number in html and archive.number not in html
    assert re.search(r'<span class="flag">1</span>', html)
    html = page(client.get(url, {"tab": "soon"}))
    assert rows(html, "due-row") == 0

    # 20 days before the deep household's due date: due soon; the relative one still overdue.
    on(world, client, w.county_reviewer, archive.verification_due - datetime.timedelta(days=20))
    html = page(client.get(url, {"tab": "soon"}))
    assert rows(html, "due-row") == 1 and archive.number in html
    assert relative.number not in html
    html = page(client.get(url))
    assert rows(html, "due-row") == 1 and relative.number in html

    # On the due date itself it is not overdue yet; the next day it is.
    on(world, client, w.county_reviewer, archive.verification_due)
    assert archive.number in page(client.get(url, {"tab": "soon"}))
    assert archive.number not in page(client.get(url))
    on(world, client, w.county_reviewer, archive.verification_due + datetime.timedelta(days=1))
    assert archive.number in page(client.get(url))

    # The other county's staff see none of them.
    client.force_login(w.county_b_reviewer)
    assert rows(page(client.get(url)), "due-row") == 0
    client.force_login(w.caseworker_b)
    assert rows(page(client.get(url)), "due-row") == 0


def test_a_re_verified_archive_leaves_the_overdue_list(client, archive, world):
    on(world, client, world.wuhu.caseworker, archive.verification_due + datetime.timedelta(days=3))
    url = reverse("archives:due")
    assert archive.number in page(client.get(url))
    recorded_visit(world, archive)
    assert archive.number not in page(client.get(url))


def test_the_city_filters_by_county_and_bad_input_does_not_crash(client, archive, world):
    w = world.wuhu
    on(world, client, w.city_reviewer, archive.verification_due + datetime.timedelta(days=1))
    url = reverse("archives:due")
    html = page(client.get(url))
    assert archive.number in html and 'name="county"' in html
    assert archive.number in page(client.get(url, {"county": w.county.pk}))
    assert archive.number not in page(client.get(url, {"county": w.county_b.pk}))
    for bad in ({"county": "abc"}, {"tab": "<script>"}, {"page": "999"}, {"county": "99999"}):
        assert page(client.get(url, bad))
    # A county user has no county filter to choose.
    client.force_login(w.county_reviewer)
    assert 'name="county"' not in page(client.get(url))


def test_the_due_list_keeps_a_fixed_number_of_queries(
    client, archive, world, django_assert_num_queries
):
    opened = world.clock.today()
    late = datetime.date(2028, 1, 1)
    on(world, client, world.wuhu.county_reviewer, late)
    url = reverse("archives:due")
    with CaptureQueriesContext(connection) as first:
        html = page(client.get(url))
    assert rows(html, "due-row") == 1

    world.clock.set(opened)
    for person in (1, 2, 3):
        open_archive(world, person=person)
    on(world, client, world.wuhu.county_reviewer, late)
    with django_assert_num_queries(len(first.captured_queries)):
        html = page(client.get(url))
    assert rows(html, "due-row") == 4


def test_the_nav_links_to_the_due_list(client, archive, world):
    client.force_login(world.wuhu.caseworker)
    assert reverse("archives:due") in page(client.get(reverse("home")))


# --- The survey to print --------------------------------------------------------------------------------


def test_the_survey_of_a_visit_is_filled_from_the_record(client, archive, world):
    world.clock.set(add_months(archive.verified_on, 12))
    visit = recorded_visit(world, archive, income_wages="36000")
    client.force_login(world.wuhu.county_reviewer)
    html = page(client.get(reverse("archives:print_visit_survey", args=[archive.pk, visit.pk])))
    assert "困难职工家庭走访调查表" in html and "@media print" in html and "A4" in html
    assert archive.number in html and archive.person_name in html and archive.id_masked in html
    assert "李秀英" in html  # a member of the household
    assert "36000.00" in html and "529.17" in html
    assert "工资单显示收入增加。" in html
    assert str(world.wuhu.caseworker) in html and str(world.wuhu.grassroots_reviewer) in html
    assert "被走访职工（签字）" in html and rows(html, "figure") == len(VISIT_FIGURES)


def test_the_blank_survey_carries_the_identity_and_the_current_figures(client, archive, world):
    client.force_login(world.wuhu.caseworker)
    html = page(client.get(reverse("archives:print_visit_blank", args=[archive.pk])))
    assert archive.person_name in html and archive.id_masked in html
    assert "现有数据（参考）" in html and "40000.00" in html
    assert "走访人员：" in html and "被走访职工（签字）" in html


# --- Another county ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["county_b_reviewer", "caseworker_b"])
def test_the_other_county_gets_404_everywhere(client, world, who):
    w = world.wuhu
    archive = relative_due(world)
    visit = recorded_visit(world, archive, income_wages=DEEP_WAGES)
    change = archive.category_changes.get()
    urls = [
        reverse("archives:reverify", args=[archive.pk]),
        reverse("archives:reverify_result", args=[archive.pk, visit.pk]),
        reverse("archives:category_change_propose", args=[archive.pk]),
        reverse("archives:category_change_decide", args=[archive.pk, change.pk]),
        reverse("archives:print_visit_survey", args=[archive.pk, visit.pk]),
        reverse("archives:print_visit_blank", args=[archive.pk]),
    ]
    client.force_login(getattr(w, who))
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[0], form_data(archive, world)).status_code == 404
    data = {"decision": "approve", "opinion": "同意", "confirm": "on"}
    assert client.post(urls[3], data).status_code == 404
    assert archive.visits.count() == 1
    assert CategoryChange.objects.get(pk=change.pk).status == CategoryChange.Status.PENDING
    assert fresh(archive).category == "relative"


def test_a_visit_or_change_of_another_archive_is_not_found_under_this_one(client, archive, world):
    other = relative_due(world)
    visit = recorded_visit(world, other, income_wages=DEEP_WAGES)
    change = other.category_changes.get()
    client.force_login(world.wuhu.county_reviewer)
    assert (
        client.get(reverse("archives:reverify_result", args=[archive.pk, visit.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("archives:category_change_decide", args=[archive.pk, change.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("archives:print_visit_survey", args=[archive.pk, visit.pk])).status_code
        == 404
    )
