"""A year's holiday calendar is published by an explicit step, and entered in one form."""

from datetime import date

import pytest
from chinese_calendar import constants
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import Holiday, HolidayYear
from core.service_forms import NOT_DONE
from core.workdays import (
    AdjustedWorkday,
    HolidayRange,
    add_working_days,
    holiday_published_years,
    holiday_year_entries,
    is_working_day,
    span_note,
)
from office.services.calendar import holiday_sync_from_chinesecalendar, holiday_year_save
from tests.factories.accounts import system_user

NOTICE = "国办发明电〔2026〕7号"
# The 2027 notice as this test enters it: 元旦 1–3 Jan, 春节 8–14 Feb with Sunday 7 Feb worked,
# 国庆节 1–7 Oct with Saturday 9 Oct worked.
HOLIDAYS_2027 = [
    HolidayRange(date(2027, 1, 1), date(2027, 1, 3), "元旦"),
    HolidayRange(date(2027, 2, 8), date(2027, 2, 14), "春节"),
    HolidayRange(date(2027, 10, 1), date(2027, 10, 7), "国庆节"),
]
WORKDAYS_2027 = [
    AdjustedWorkday(date(2027, 2, 7), "春节"),
    AdjustedWorkday(date(2027, 10, 9), "国庆节"),
]


def save_2027(actor, *, publish=True, holidays=HOLIDAYS_2027, workdays=WORKDAYS_2027, **kw):
    return holiday_year_save(
        actor=actor,
        year=2027,
        holidays=holidays,
        workdays=workdays,
        notice_number=kw.pop("notice_number", NOTICE),
        publish=publish,
    )


# --- The migration ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_years_seeded_from_the_package_are_published_with_history():
    first, last = min(constants.holidays).year, max(constants.holidays).year
    assert holiday_published_years() == list(range(first, last + 1))
    row = HolidayYear.objects.get(year=2026)
    assert (row.source, row.published_by) == (HolidayYear.Source.CHINESECALENDAR, system_user())
    history = row.history.get()
    assert (history.history_user, history.history_change_reason) == (
        system_user(),
        "系统初始化：chinesecalendar 数据包已覆盖的年份标记为已公布",
    )
    assert not HolidayYear.objects.filter(year=2027).exists()


# --- Draft and publish ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_is_not_read_and_publishing_makes_it_the_calendar(tree):
    saved = save_2027(tree.admin, publish=False, notice_number="")
    assert not saved.holiday_year.published and saved.deadlines == {}
    assert Holiday.objects.filter(date__year=2027).count() == 3 + 7 + 7 + 2
    # Still Monday–Friday, and said so.
    assert is_working_day(date(2027, 1, 1)).value is True
    assert add_working_days(date(2026, 12, 31), 1).fallback_years == (2027,)
    assert span_note(date(2026, 12, 28), date(2027, 1, 4)) == (
        "2027年的法定节假日安排尚未公布，已按周一至周五计算。"
    )

    saved = save_2027(tree.admin)
    year = saved.holiday_year
    assert saved.newly_published and saved.days_changed == 0
    assert (year.published, year.source, year.notice_number, year.published_by) == (
        True,
        HolidayYear.Source.NOTICE,
        NOTICE,
        tree.admin,
    )
    assert year.published_at is not None
    assert [h.history_change_reason for h in year.history.order_by("history_id")] == [
        "2027年节假日安排保存草稿（未公布）（未填文号）",
        f"2027年节假日安排确认公布（{NOTICE}）",
    ]
    assert is_working_day(date(2027, 1, 1)).value is False
    assert is_working_day(date(2027, 2, 7)).value is True  # Sunday worked (调休)
    assert is_working_day(date(2027, 10, 9)).value is True
    assert add_working_days(date(2026, 12, 31), 1).value == date(2027, 1, 4)
    assert span_note(date(2026, 12, 28), date(2027, 1, 4)) == ""
    day = Holiday.objects.get(date=date(2027, 10, 9))
    assert (day.kind, day.name, day.source) == ("workday", "国庆节", "manual")
    assert day.history.get().history_change_reason == "录入2027年节假日安排（草稿）"


@pytest.mark.django_db
def test_the_year_becomes_exactly_what_is_entered(tree):
    save_2027(tree.admin)
    # The correction: 国庆节 1–8 Oct, 9 Oct no longer worked, 元旦 renamed.
    holidays = [
        HolidayRange(date(2027, 1, 1), date(2027, 1, 3), "元旦假期"),
        HOLIDAYS_2027[1],
        HolidayRange(date(2027, 10, 1), date(2027, 10, 8), "国庆节"),
    ]
    saved = save_2027(tree.admin, holidays=holidays, workdays=WORKDAYS_2027[:1])
    assert not saved.newly_published
    assert saved.days_changed == 3 + 1 + 1  # three renamed, 8 Oct added, 9 Oct removed
    assert Holiday.objects.get(date=date(2027, 1, 2)).name == "元旦假期"
    assert not Holiday.objects.filter(date=date(2027, 10, 9)).exists()
    removed = Holiday.history.get(date=date(2027, 10, 9), history_type="-")
    assert (removed.history_user, removed.history_change_reason) == (
        tree.admin,
        f"录入2027年节假日安排（{NOTICE}）",
    )
    assert is_working_day(date(2027, 10, 8)).value is False
    ranges, workdays = holiday_year_entries(2027)
    assert ranges == holidays and workdays == WORKDAYS_2027[:1]


@pytest.mark.django_db
def test_unchanged_package_rows_keep_their_source(tree):
    ranges, workdays = holiday_year_entries(2026)
    saved = holiday_year_save(
        actor=tree.admin,
        year=2026,
        holidays=ranges,
        workdays=workdays,
        notice_number="国办发明电〔2025〕7号",
        publish=True,
    )
    assert saved.days_changed == 0
    assert not Holiday.objects.filter(date__year=2026, source="manual").exists()
    assert saved.holiday_year.notice_number == "国办发明电〔2025〕7号"


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        (
            [
                HolidayRange(date(2027, 10, 1), date(2027, 10, 7), "国庆节"),
                HolidayRange(date(2027, 10, 6), date(2027, 10, 8), "中秋节"),
            ],
            [],
            "“中秋节”2027年10月6日至2027年10月8日与“国庆节”的假期重叠（2027年10月6日）。",
        ),
        (
            HOLIDAYS_2027,
            [AdjustedWorkday(date(2027, 10, 8), "国庆节")],
            "调休上班日2027年10月8日是星期五：调休上班日只能是周六或周日（周一至周五本来就是工作日）。",
        ),
        (
            [HolidayRange(date(2026, 12, 31), date(2027, 1, 2), "元旦")],
            [],
            "“元旦”2026年12月31日至2027年1月2日不在2027年内：每年只录入该年的日期，跨年的日子请在其所属年份录入。",
        ),
        (
            HOLIDAYS_2027,
            [AdjustedWorkday(date(2028, 1, 2), "元旦")],
            "调休上班日2028年1月2日不在2027年内：每年只录入该年的日期，跨年的日子请在其所属年份录入。",
        ),
        (
            [HolidayRange(date(2027, 10, 7), date(2027, 10, 1), "国庆节")],
            [],
            "“国庆节”2027年10月7日至2027年10月1日：结束日期早于开始日期。",
        ),
        (
            HOLIDAYS_2027,
            [AdjustedWorkday(date(2027, 1, 2), "元旦")],
            "2027年1月2日已在“元旦”的假期内，不能同时是调休上班日。",
        ),
        (
            [HolidayRange(date(2027, 5, 1), date(2027, 5, 5), " ")],
            [],
            "2027年5月1日起的假期请填写名称（如 春节）。",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_entries_are_refused_in_chinese_and_nothing_is_written(
    tree, holidays, workdays, message
):
    with pytest.raises(ValidationError) as refused:
        save_2027(tree.admin, holidays=holidays, workdays=workdays)
    assert message in refused.value.messages
    assert not Holiday.objects.filter(date__year=2027).exists()
    assert not HolidayYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_publishing_needs_the_notice_number_and_its_holidays(tree):
    with pytest.raises(ValidationError) as no_number:
        save_2027(tree.admin, notice_number="  ")
    assert no_number.value.message_dict == {
        "notice_number": [
            "公布2027年安排须填写国务院办公厅通知的文号（如 国办发明电〔2026〕7号）。"
        ]
    }
    with pytest.raises(ValidationError) as no_days:
        save_2027(tree.admin, holidays=[], workdays=[])
    assert no_days.value.message_dict == {"publish": ["请先录入2027年的法定节假日，再确认公布。"]}
    assert not HolidayYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_a_published_year_does_not_go_back_to_draft(tree):
    save_2027(tree.admin)
    with pytest.raises(ValidationError) as refused:
        save_2027(tree.admin, publish=False, holidays=HOLIDAYS_2027[:1])
    assert "2027年安排已公布，修改保存后立即生效" in refused.value.message_dict["publish"][0]
    assert HolidayYear.objects.get(year=2027).published
    assert Holiday.objects.filter(date__year=2027).count() == 3 + 7 + 7 + 2


@pytest.mark.django_db
def test_only_administrators_enter_a_years_notice(tree):
    for user in (tree.caseworker_a1, tree.city_reviewer):
        with pytest.raises(PermissionDenied):
            save_2027(user)
    assert not HolidayYear.objects.filter(year=2027).exists()


# --- The package sync publishes the years it covers -----------------------------------------


@pytest.mark.django_db
def test_the_sync_publishes_the_years_the_package_covers(tree, monkeypatch):
    # A newer package knows 2027; an administrator had drafted one day of it.
    save_2027(tree.admin, publish=False, holidays=HOLIDAYS_2027[:1], workdays=[])
    monkeypatch.setitem(constants.holidays, date(2027, 1, 1), "New Year's Day")
    monkeypatch.setitem(constants.holidays, date(2027, 10, 1), "National Day")
    assert holiday_sync_from_chinesecalendar(actor=tree.admin) == 1
    year = HolidayYear.objects.get(year=2027)
    assert (year.published, year.source, year.published_by) == (
        True,
        HolidayYear.Source.CHINESECALENDAR,
        tree.admin,
    )
    assert year.history.order_by("-history_id").first().history_change_reason == (
        "从 chinesecalendar 同步：2027年安排已由数据包覆盖，标记为已公布"
    )
    assert is_working_day(date(2027, 10, 1)).value is False
    # Nothing more to do the second time.
    assert holiday_sync_from_chinesecalendar(actor=tree.admin) == 0
    assert year.history.count() == 2


# --- The year form ----------------------------------------------------------------------------


def year_url(year: int = 2027) -> str:
    return reverse("office:holiday_year", args=[year])


def form_data(holidays=(), workdays=(), *, notice_number=NOTICE, publish=True) -> dict:
    data = {
        "holidays-TOTAL_FORMS": str(len(holidays) + 1),
        "holidays-INITIAL_FORMS": "0",
        "workdays-TOTAL_FORMS": str(len(workdays) + 1),
        "workdays-INITIAL_FORMS": "0",
        "notice_number": notice_number,
    }
    if publish:
        data["publish"] = "on"
    for i, (name, start, end) in enumerate(holidays):
        data.update({f"holidays-{i}-name": name, f"holidays-{i}-start": start})
        data[f"holidays-{i}-end"] = end
    for i, (day, name) in enumerate(workdays):
        data.update({f"workdays-{i}-date": day, f"workdays-{i}-name": name})
    return data


@pytest.fixture
def admin_client(client, tree):
    client.force_login(tree.admin)
    return client


@pytest.mark.django_db
def test_the_form_publishes_a_year_in_one_step(admin_client, tree):
    page = admin_client.get(reverse("office:holiday_list"), {"year": 2027}).content.decode()
    assert f'href="{year_url()}"' in page and "录入2027年通知" in page

    response = admin_client.post(
        year_url(),
        form_data(
            [("元旦", "2027-01-01", "2027-01-03"), ("国庆节", "2027-10-01", "2027-10-07")],
            [("2027-10-09", "国庆节")],
        ),
        follow=True,
    )
    assert response.redirect_chain == [(f"{reverse('office:holiday_list')}?year=2027", 302)]
    page = response.content.decode()
    assert f"已公布2027年节假日安排（{NOTICE}），变更 11 天。" in page
    assert "2027年的法定节假日安排<strong>已公布</strong>" in page
    year = HolidayYear.objects.get(year=2027)
    assert (year.published, year.published_by, year.notice_number) == (True, tree.admin, NOTICE)
    assert Holiday.objects.get(date=date(2027, 10, 9)).kind == "workday"

    # Opened again, the form shows the year as entered, a range per holiday.
    response = admin_client.get(year_url())
    ranges = response.context["ranges"]
    assert [f.initial for f in ranges.initial_forms] == [
        {"name": "元旦", "start": date(2027, 1, 1), "end": date(2027, 1, 3)},
        {"name": "国庆节", "start": date(2027, 10, 1), "end": date(2027, 10, 7)},
    ]
    assert "已公布" in response.content.decode()


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        (
            [("国庆节", "2027-10-01", "2027-10-07"), ("中秋节", "2027-10-06", "2027-10-08")],
            [],
            "“中秋节”2027年10月6日至2027年10月8日与“国庆节”的假期重叠（2027年10月6日）。",
        ),
        (
            [("国庆节", "2027-10-01", "2027-10-07")],
            [("2027-10-08", "国庆节")],
            "调休上班日2027年10月8日是星期五：调休上班日只能是周六或周日（周一至周五本来就是工作日）。",
        ),
        (
            [("元旦", "2026-12-31", "2027-01-02")],
            [],
            "“元旦”2026年12月31日至2027年1月2日不在2027年内",
        ),
    ],
)
@pytest.mark.django_db
def test_the_form_refuses_bad_entries_and_keeps_what_was_typed(
    admin_client, holidays, workdays, message
):
    response = admin_client.post(year_url(), form_data(holidays, workdays))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    for name, start, end in holidays:
        assert f'value="{name}"' in page
        assert f'value="{start}"' in page and f'value="{end}"' in page
    for day, _ in workdays:
        assert f'value="{day}"' in page
    assert page.count(NOT_DONE) == 1
    assert f'value="{NOTICE}"' in page
    assert not Holiday.objects.filter(date__year=2027).exists()
    assert not HolidayYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_the_form_refuses_half_filled_rows_and_bad_dates(admin_client):
    data = form_data([("春节", "2027-02-30", "2027-02-14"), ("", "2027-05-01", "")])
    data["holidays-TOTAL_FORMS"] = "3"
    response = admin_client.post(year_url(), data)
    page = response.content.decode()
    assert "请输入有效的日期，例如 2026-10-01。" in page
    assert 'value="2027-02-30"' in page
    assert "请填写放假截止日（只放一天的，起止填同一天）。" in page
    assert "请填写节日名称（如 春节）。" in page
    assert page.count(NOT_DONE) == 1
    assert not HolidayYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_the_form_without_the_notice_number_says_so(admin_client):
    response = admin_client.post(
        year_url(), form_data([("元旦", "2027-01-01", "2027-01-03")], notice_number="")
    )
    page = response.content.decode()
    assert "公布2027年安排须填写国务院办公厅通知的文号" in page
    assert 'value="元旦"' in page
    # Without the confirmation it is a draft.
    response = admin_client.post(
        year_url(),
        form_data([("元旦", "2027-01-01", "2027-01-03")], notice_number="", publish=False),
        follow=True,
    )
    assert "已保存2027年节假日安排草稿（未公布，计算工作日仍按周一至周五）。" in (
        response.content.decode()
    )
    assert not HolidayYear.objects.get(year=2027).published


@pytest.mark.django_db
def test_only_administrators_open_the_year_form(client, tree):
    client.force_login(tree.caseworker_a1)
    assert client.get(year_url()).status_code == 403
    assert (
        client.post(year_url(), form_data([("元旦", "2027-01-01", "2027-01-03")])).status_code
        == 403
    )
    assert not HolidayYear.objects.filter(year=2027).exists()
    client.force_login(tree.admin)
    assert client.get(year_url(3000)).status_code == 404
