"""The working-day calendar pages: administrators only, form → service → message → redirect."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Holiday
from core.service_forms import NOT_DONE

LIST = reverse("office:holiday_list")
CREATE = reverse("office:holiday_create")


def edit_url(holiday: Holiday) -> str:
    return reverse("office:holiday_edit", args=[holiday.pk])


def delete_url(holiday: Holiday) -> str:
    return reverse("office:holiday_delete", args=[holiday.pk])


@pytest.fixture
def admin_client(client, tree):
    client.force_login(tree.admin)
    return client


@pytest.fixture
def national_day() -> Holiday:
    return Holiday.objects.get(date=date(2025, 10, 1))


@pytest.mark.django_db
def test_list_shows_a_published_year(admin_client):
    response = admin_client.get(LIST, {"year": 2025})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2025年的法定节假日安排<strong>已公布</strong>" in page
    assert "国庆节" in page
    assert "调休上班日" in page
    assert (
        response.context["page_obj"].paginator.count
        == Holiday.objects.filter(date__year=2025).count()
    )


@pytest.mark.django_db
def test_list_shows_an_unpublished_year_and_defaults_to_this_year(admin_client):
    page = admin_client.get(LIST, {"year": 2027}).content.decode()
    assert "2027年的法定节假日安排<strong>尚未公布</strong>" in page
    assert "2027年没有节假日安排记录" in page
    response = admin_client.get(LIST)
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


@pytest.mark.django_db
def test_a_bad_year_shows_an_error_and_the_current_year(admin_client):
    response = admin_client.get(LIST, {"year": "明年"})
    assert response.status_code == 200
    assert "请输入四位数的年份。" in response.content.decode()


@pytest.mark.django_db
def test_calculator_shows_the_date_and_the_fallback_note(admin_client):
    page = admin_client.get(LIST, {"start": "2025-09-30", "days": 5}).content.decode()
    assert "2025年10月14日" in page
    assert "尚未公布，已按周一至周五计算" not in page

    page = admin_client.get(LIST, {"start": "2027-01-01", "days": 5}).content.decode()
    assert "2027年1月8日" in page
    assert "2027年的法定节假日安排尚未公布，已按周一至周五计算。" in page

    response = admin_client.get(LIST, {"start": "2025-02-30", "days": 5})
    page = response.content.decode()
    assert response.context["result"] is None
    assert "请输入有效的日期，例如 2026-10-01。" in page
    assert 'value="2025-02-30"' in page


@pytest.mark.django_db
def test_create_adds_a_manual_row_but_does_not_publish_the_year(admin_client, tree):
    response = admin_client.post(
        CREATE, {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, follow=True
    )
    assert response.redirect_chain == [(f"{LIST}?year=2027", 302)]
    page = response.content.decode()
    assert "已新增节假日安排：2027-01-01 元旦（法定节假日）。" in page
    # One entered day is a draft: the year is published only by confirming its notice.
    assert "2027年的法定节假日安排<strong>尚未公布</strong>" in page
    assert "下表是尚未公布的草稿，不参与计算。" in page
    holiday = Holiday.objects.get(date=date(2027, 1, 1))
    assert holiday.source == Holiday.Source.MANUAL
    assert holiday.history.get().history_user == tree.admin


@pytest.mark.django_db
def test_create_form_keeps_an_invalid_date(admin_client):
    response = admin_client.post(CREATE, {"date": "2027-13-45", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "请输入有效的日期，例如 2026-10-01。" in page
    assert 'value="2027-13-45"' in page
    assert 'value="元旦"' in page
    assert response.context["form"].errors["date"]
    assert not Holiday.objects.filter(date__year=2027).exists()


@pytest.mark.django_db
def test_create_form_shows_a_duplicate_date_next_to_the_field(admin_client):
    response = admin_client.post(CREATE, {"date": "2025-10-01", "kind": "holiday", "name": "国庆"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "已有安排" in errors["date"][0]
    page = response.content.decode()
    assert "2025年10月1日已有安排：国庆节（法定节假日）" in page
    assert 'value="2025-10-01"' in page
    assert 'value="国庆"' in page
    assert Holiday.objects.get(date=date(2025, 10, 1)).name == "国庆节"


@pytest.mark.django_db
def test_create_form_refuses_a_weekday_as_adjusted_workday(admin_client):
    response = admin_client.post(CREATE, {"date": "2027-01-04", "kind": "workday", "name": "元旦"})
    assert response.status_code == 200
    assert "周六或周日" in response.context["form"].errors["kind"][0]


@pytest.mark.django_db
def test_edit_changes_the_row(admin_client, tree, national_day):
    page = admin_client.get(edit_url(national_day)).content.decode()
    assert "修改节假日安排：2025年10月1日" in page
    assert 'value="国庆节"' in page
    response = admin_client.post(
        edit_url(national_day), {"kind": "holiday", "name": "国庆节、中秋节"}, follow=True
    )
    assert response.redirect_chain == [(f"{LIST}?year=2025", 302)]
    assert "已修改节假日安排" in response.content.decode()
    national_day.refresh_from_db()
    assert (national_day.name, national_day.source) == ("国庆节、中秋节", Holiday.Source.MANUAL)
    assert national_day.history.latest().history_user == tree.admin


@pytest.mark.django_db
def test_edit_form_keeps_input_on_error(admin_client, national_day):
    response = admin_client.post(edit_url(national_day), {"kind": "bogus", "name": "国庆"})
    assert response.status_code == 200
    assert "请选择有效的类型。" in response.content.decode()
    assert 'value="国庆"' in response.content.decode()


@pytest.mark.django_db
def test_delete_asks_for_a_reason_then_deletes(admin_client, tree, national_day):
    page = admin_client.get(delete_url(national_day)).content.decode()
    assert "确认删除" in page
    assert "国庆节" in page

    response = admin_client.post(delete_url(national_day), {"reason": ""})
    assert response.status_code == 200
    assert "请填写删除原因。" in response.content.decode()
    assert Holiday.objects.filter(pk=national_day.pk).exists()

    response = admin_client.post(delete_url(national_day), {"reason": "本市另有安排"}, follow=True)
    assert response.redirect_chain == [(f"{LIST}?year=2025", 302)]
    assert "已删除节假日安排：2025-10-01 国庆节（法定节假日）。" in response.content.decode()
    assert not Holiday.objects.filter(pk=national_day.pk).exists()
    deleted = Holiday.history.get(id=national_day.pk, history_type="-")
    assert (deleted.history_user, deleted.history_change_reason) == (
        tree.admin,
        "删除节假日安排：本市另有安排",
    )


@pytest.mark.django_db
def test_a_refusal_says_not_done_once_beside_the_reason(admin_client, national_day):
    refused = admin_client.post(CREATE, {"date": "2025-10-01", "kind": "holiday", "name": "国庆"})
    invalid = admin_client.post(delete_url(national_day), {"reason": ""})
    for response in (refused, invalid):
        assert response.status_code == 200
        assert response.content.decode().count(NOT_DONE) == 1


@pytest.mark.django_db
def test_a_missing_row_is_not_found(admin_client):
    assert admin_client.get(reverse("office:holiday_edit", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_non_administrators_get_403(client, tree, national_day):
    client.force_login(tree.caseworker_a1)
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert (
        client.post(CREATE, {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}).status_code
        == 403
    )
    assert client.get(edit_url(national_day)).status_code == 403
    assert client.post(edit_url(national_day), {"kind": "holiday", "name": "改"}).status_code == 403
    assert client.post(delete_url(national_day), {"reason": "测试"}).status_code == 403
    national_day.refresh_from_db()
    assert national_day.name == "国庆节"
    assert not Holiday.objects.filter(date__year=2027).exists()


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url
