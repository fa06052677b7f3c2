"""脱困 (WH-M §13): the months above 低保 come from the archive's recorded visits; months the
records do not cover are typed only with a reason. Archive visits need their survey (§17)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archives.models import Archive
from archives.services.reverify import reverification_record
from core.dates import add_months
from tests.factories.archives import DEEP_WAGES, RELATIVE_WAGES, figures, finding, form_data
from tests.factories.core import refusal_text


def reverify(world, archive: Archive, on, wages: str, **kwargs):
    world.clock.set(on)
    w = world.wuhu
    kwargs.setdefault("survey_signature", "signed")
    return reverification_record(
        actor=w.caseworker,
        archive=archive,
        visit_date=on,
        staff=[w.caseworker, w.grassroots_reviewer],
        findings="入户核查工资单。",
        figures=figures(archive, wages),
        **kwargs,
    )


def test_an_archive_visit_without_its_survey_is_refused_naming_the_clause(world, archive):
    with pytest.raises(ValidationError) as info:
        reverify(
            world, archive, add_months(archive.verified_on, 1), DEEP_WAGES, survey_signature=""
        )
    assert "芜湖实施办法第十七条" in refusal_text(info)
    assert not archive.visits.exists()


def test_six_months_between_visits_above_the_line_is_tuokun_one_day_less_is_not(world, archive):
    first = add_months(archive.verified_on, 2)
    reverify(world, archive, first, RELATIVE_WAGES)
    world.clock.set(add_months(first, 6) - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as info:
        finding(world, archive, wages=RELATIVE_WAGES, months_above_line=None)
    assert "连续超过低保标准5个月" in refusal_text(info)
    world.clock.set(add_months(first, 6))
    exit = finding(world, archive, wages=RELATIVE_WAGES, months_above_line=None)
    assert (exit.visit.months_above_line, exit.visit.months_from_records) == (6, 6)
    assert exit.visit.months_reason == ""
    assert Archive.objects.get(pk=archive.pk).status == Archive.Status.PHASE_OUT


def test_months_beyond_the_records_need_a_reason_and_fewer_are_refused(world, archive):
    first = add_months(archive.verified_on, 2)
    reverify(world, archive, first, RELATIVE_WAGES)
    world.clock.set(add_months(first, 3))
    with pytest.raises(ValidationError) as info:
        finding(world, archive, wages=RELATIVE_WAGES, months_above_line=6, months_reason=" ")
    assert "芜湖实施办法第十三条" in refusal_text(info) and "记录显示3个月" in refusal_text(info)
    with pytest.raises(ValidationError) as info:
        finding(world, archive, wages=RELATIVE_WAGES, months_above_line=2)
    assert "已连续3个月" in refusal_text(info)
    exit = finding(
        world, archive, wages=RELATIVE_WAGES, months_above_line=6, months_reason="工资单"
    )
    assert (exit.visit.months_above_line, exit.visit.months_from_records) == (6, 3)
    assert exit.visit.months_reason == "工资单"


def test_a_visit_below_the_line_bounds_the_typed_months(world, archive):
    below = add_months(archive.verified_on, 1)
    reverify(world, archive, below, DEEP_WAGES)
    world.clock.set(add_months(below, 5))
    with pytest.raises(ValidationError) as info:
        finding(world, archive, wages=RELATIVE_WAGES, months_above_line=6, months_reason="证明")
    assert "最多5个月" in refusal_text(info) and "芜湖实施办法第十三条" in refusal_text(info)
    with pytest.raises(ValidationError) as info:
        reverify(world, archive, add_months(below, 5), DEEP_WAGES, months_above_line=2)
    assert "连续超过低保标准的月数为0" in refusal_text(info)


def test_the_reverify_form_names_the_clauses_and_keeps_what_was_typed(client, world, archive):
    world.clock.set(add_months(archive.verified_on, 3))
    client.force_login(world.wuhu.caseworker)
    url = reverse("archives:reverify", args=[archive.pk])
    data = {
        **form_data(archive, world, income_wages=RELATIVE_WAGES),
        "survey_signature": "",
        "findings": "入户查看：配偶已就业。",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "芜湖实施办法第十七条" in response.context["form"].errors["survey"][0]
    assert "入户查看：配偶已就业。" in response.content.decode()
    response = client.post(url, {**data, "survey_signature": "signed", "months_above_line": "4"})
    assert response.status_code == 200
    assert "芜湖实施办法第十三条" in response.context["form"].errors["months_reason"][0]
    assert 'value="4"' in response.content.decode()
    assert not archive.visits.exists()
    response = client.post(
        url,
        {**data, "survey_signature": "signed", "months_above_line": "4", "months_reason": "工资单"},
    )
    assert response.status_code == 302
    visit = archive.visits.get()
    assert (visit.months_above_line, visit.months_from_records, visit.months_reason) == (
        4,
        0,
        "工资单",
    )
