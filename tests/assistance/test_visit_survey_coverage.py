"""A visit needs its filled survey (WH-M §10(二)); the county confirms a new file knowingly
when this year's county visit coverage of new files is below 50 % (WH-M §10(三))."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assistance.models import Case, CaseTransition, HomeVisit
from assistance.selectors import VisitCoverage
from assistance.services.review import case_forward
from tests.factories.assistance import visit, wuhu_county_review, wuhu_notice, wuhu_submitted
from tests.factories.core import refusal_text, upload_file

# --- The survey -------------------------------------------------------------------------------


def test_a_visit_without_scan_or_entered_survey_is_refused_naming_the_clause(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    with pytest.raises(ValidationError) as info:
        visit(w.caseworker, case, w.grassroots_reviewer, survey_signature="")
    assert "《困难职工家庭走访调查表》" in refusal_text(info)
    assert "芜湖实施办法第十条第二项" in refusal_text(info)
    assert not HomeVisit.objects.filter(case=case).exists()


def test_the_scan_alone_or_the_survey_entered_with_the_signature_suffices(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    scanned = visit(w.caseworker, case, w.grassroots_reviewer, survey=upload_file("调查表.pdf"))
    assert scanned.survey is not None and scanned.survey_signature == ""
    entered = visit(w.caseworker, case, w.grassroots_reviewer, survey_signature="signed")
    assert entered.survey is None and entered.survey_signature == "signed"


def test_an_unsigned_survey_needs_the_visitors_note(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    with pytest.raises(ValidationError) as info:
        visit(w.caseworker, case, w.grassroots_reviewer, survey_signature="refused")
    assert "注明情况" in refusal_text(info)
    recorded = visit(
        w.caseworker,
        case,
        w.grassroots_reviewer,
        survey_signature="unable",
        survey_note="职工住院，无法签字，由走访人员注明。",
    )
    assert recorded.survey_note == "职工住院，无法签字，由走访人员注明。"


def test_the_visit_form_keeps_what_was_typed_and_names_the_clause(client, world):
    w = world.wuhu
    case = wuhu_submitted(world)
    client.force_login(w.caseworker)
    response = client.post(
        reverse("assistance:review_visit", args=[case.pk]),
        {
            "visit_date": world.clock.today().isoformat(),
            "staff": [w.caseworker.pk, w.grassroots_reviewer.pk],
            "findings": "入户核实住房情况。",
            "confirm": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "芜湖实施办法第十条第二项" in errors["survey"][0]
    assert "入户核实住房情况。" in response.content.decode()
    assert not HomeVisit.objects.filter(case=case).exists()


# --- Coverage at the county's confirmation ------------------------------------------------------


def test_coverage_compares_exactly_not_the_rounded_percentage():
    assert not VisitCoverage(2026, 2, 1, 50).below_minimum  # exactly 50 %
    assert VisitCoverage(2026, 2001, 1000, 50).below_minimum  # 49.98 %, shown 50.0 %
    assert not VisitCoverage(2026, 0, 0, 50).below_minimum


def _two_new_files(world) -> tuple[Case, Case]:
    """Case A in notice, ended; case B at county review: two new files this year, unvisited."""
    other = wuhu_county_review(world, person=1)
    case = wuhu_notice(world)
    world.clock.set(case.notice_end + datetime.timedelta(days=1))
    return case, other


def test_at_exactly_50_percent_the_county_confirms_without_the_extra_tick(world):
    w = world.wuhu
    case, other = _two_new_files(world)
    visit(w.county_caseworker, other, w.county_reviewer_2)  # 1 of 2
    confirmed = case_forward(actor=w.county_reviewer_3, case=case, opinion="公示无异议。")
    assert confirmed.status == Case.Status.APPROVED
    assert CaseTransition.objects.get(case=case, action="notice_confirm").opinion == "公示无异议。"


def test_below_50_percent_the_county_must_confirm_knowingly(world):
    w = world.wuhu
    case, _ = _two_new_files(world)  # 0 of 2
    with pytest.raises(ValidationError) as info:
        case_forward(actor=w.county_reviewer_3, case=case, opinion="公示无异议。")
    text = refusal_text(info)
    assert "低于50%" in text and "芜湖实施办法第十条第三项" in text
    assert Case.objects.get(pk=case.pk).status == Case.Status.NOTICE
    confirmed = case_forward(
        actor=w.county_reviewer_3, case=case, opinion="公示无异议。", coverage_confirmed=True
    )
    assert confirmed.status == Case.Status.APPROVED
    opinion = CaseTransition.objects.get(case=case, action="notice_confirm").opinion
    assert opinion.startswith("公示无异议。") and "已确认" in opinion and "0件" in opinion


def test_the_confirmation_page_shows_the_shortfall_and_keeps_the_opinion(client, world):
    w = world.wuhu
    case, _ = _two_new_files(world)
    client.force_login(w.county_reviewer_3)
    url = reverse("assistance:review_forward", args=[case.pk])
    assert "低于50%" in client.get(url).content.decode()
    data = {"opinion": "公示期满无异议。", "confirm": "on", "seen_status": "notice"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "芜湖实施办法第十条第三项" in response.context["form"].errors["coverage_confirmed"][0]
    assert "公示期满无异议。" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Case.Status.NOTICE
    response = client.post(url, {**data, "coverage_confirmed": "on"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Case.Status.APPROVED
