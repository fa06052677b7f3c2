"""Working-day counting against the seeded official calendar, and the calendar's services."""

from datetime import date, datetime

import pytest
from chinese_calendar import constants, get_workdays
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from core.models import Holiday
from core.workdays import (
    HolidayRange,
    WorkdayResult,
    add_working_days,
    holiday_create,
    holiday_delete,
    holiday_published_years,
    holiday_sync_from_chinesecalendar,
    holiday_update,
    holiday_year_save,
    is_working_day,
    working_days_between,
    working_days_since,
)
from tests.factories.accounts import system_user

# --- The seeded table ----------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_has_every_package_day_with_a_chinese_name_and_history():
    seeded = Holiday.objects.filter(source=Holiday.Source.CHINESECALENDAR)
    assert seeded.count() == len(constants.holidays) + len(constants.workdays)
    national_day = Holiday.objects.get(date=date(2025, 10, 1))
    assert (national_day.kind, national_day.name) == (Holiday.Kind.HOLIDAY, "国庆节")
    assert Holiday.objects.get(date=date(2025, 10, 6)).name == "中秋节"
    assert Holiday.objects.get(date=date(2025, 10, 11)).kind == Holiday.Kind.WORKDAY
    assert Holiday.objects.get(date=date(2015, 9, 3)).name == "抗战胜利70周年纪念日"
    assert Holiday.objects.get(date=date(2020, 1, 31)).name == "春节（疫情防控延长假期）"
    assert set(seeded.values_list("name", flat=True)) <= {
        "元旦",
        "春节",
        "春节（疫情防控延长假期）",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
        "抗战胜利70周年纪念日",
    }
    history = Holiday.history.filter(history_type="+", history_user__username="system")
    assert history.count() == seeded.count()
    assert set(history.values_list("history_change_reason", flat=True)) == {
        "系统初始化：导入 chinesecalendar 法定节假日安排"
    }


# --- Counting in published years -------------------------------------------------------------


@pytest.mark.django_db
def test_national_day_and_mid_autumn_2025():
    # Tue 30 Sep; 1–8 Oct off; Thu 9, Fri 10, Sat 11 (调休上班), Mon 13, Tue 14.
    result = add_working_days(date(2025, 9, 30), 5)
    assert result == WorkdayResult(value=date(2025, 10, 14), fallback_years=())
    assert result.note == ""


@pytest.mark.django_db
def test_a_working_sunday_counts():
    # Fri 26 Sep 2025 → Sun 28 Sep is worked (调休), so it is the first working day after.
    assert add_working_days(date(2025, 9, 26), 1).value == date(2025, 9, 28)
    # A five-working-day notice posted that Friday: 28, 29, 30 Sep, 9, 10 Oct.
    assert add_working_days(date(2025, 9, 26), 5).value == date(2025, 10, 10)
    assert is_working_day(date(2025, 10, 11)).value is True
    assert is_working_day(date(2025, 10, 8)).value is False
    assert is_working_day(date(2025, 10, 12)).value is False


@pytest.mark.django_db
def test_spring_festival_2026_from_the_seeded_table():
    # Fri 13 Feb; Sat 14 worked; 15–23 Feb off; Tue 24 … Fri 27; Sat 28 worked.
    assert add_working_days(date(2026, 2, 13), 1).value == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 2).value == date(2026, 2, 24)
    assert add_working_days(date(2026, 2, 13), 5).value == date(2026, 2, 27)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)).value == 6


@pytest.mark.django_db
def test_a_whole_year_agrees_with_the_package():
    counted = working_days_between(date(2024, 12, 31), date(2025, 12, 31))
    assert counted.value == len(get_workdays(date(2025, 1, 1), date(2025, 12, 31)))
    assert counted.fallback_years == ()


@pytest.mark.django_db
def test_zero_and_empty_spans():
    assert add_working_days(date(2025, 10, 1), 0) == WorkdayResult(value=date(2025, 10, 1))
    assert working_days_between(date(2025, 10, 9), date(2025, 10, 9)).value == 0
    assert working_days_between(date(2025, 10, 9), date(2025, 10, 1)).value == 0
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9)).value == 1


@pytest.mark.django_db
def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2025, 10, 1), -1)
    # An aware datetime's calendar day depends on the zone: the caller converts it first.
    with pytest.raises(TypeError):
        working_days_between(timezone.now(), date(2025, 10, 1))
    with pytest.raises(TypeError):
        add_working_days(datetime(2025, 10, 1, tzinfo=timezone.get_current_timezone()), 1)


# --- Unpublished years ------------------------------------------------------------------------


@pytest.mark.django_db
def test_unpublished_year_falls_back_to_monday_to_friday():
    # 2027 is not in the table (chinesecalendar itself raises for it). Fri 1 Jan 2027 would be
    # 元旦, but with nothing published it is counted as an ordinary Friday.
    assert not Holiday.objects.filter(date__year=2027).exists()
    result = add_working_days(date(2027, 1, 1), 5)
    assert result.value == date(2027, 1, 8)
    assert result.fallback_years == (2027,)
    assert result.note == "2027年的法定节假日安排尚未公布，已按周一至周五计算。"
    assert is_working_day(date(2027, 1, 1)) == WorkdayResult(value=True, fallback_years=(2027,))


@pytest.mark.django_db
def test_a_range_crossing_into_an_unpublished_year():
    # 2026: Mon 28 – Thu 31 Dec; 2027 (assumed): Fri 1, Mon 4 – Fri 8 Jan.
    between = working_days_between(date(2026, 12, 25), date(2027, 1, 8))
    assert between == WorkdayResult(value=10, fallback_years=(2027,))
    added = add_working_days(date(2026, 12, 30), 3)
    assert added == WorkdayResult(value=date(2027, 1, 4), fallback_years=(2027,))
    # Staying inside 2026 touches no unpublished year, even though the estimate reaches 2027.
    assert add_working_days(date(2026, 12, 29), 2).fallback_years == ()


@pytest.mark.django_db
def test_several_unpublished_years_are_all_named():
    result = working_days_between(date(2026, 12, 31), date(2029, 1, 2))
    assert result.fallback_years == (2027, 2028, 2029)
    assert result.note == "2027年、2028年、2029年的法定节假日安排尚未公布，已按周一至周五计算。"


@pytest.mark.django_db
def test_one_entered_day_does_not_publish_the_year_the_notice_does(tree):
    holiday_create(actor=tree.admin, date=date(2027, 1, 1), kind=Holiday.Kind.HOLIDAY, name="元旦")
    # A draft: the counting does not read it, and says 2027 is assumed Monday–Friday.
    draft = add_working_days(date(2026, 12, 30), 3)
    assert draft == WorkdayResult(value=date(2027, 1, 4), fallback_years=(2027,))
    assert 2027 not in holiday_published_years()

    holiday_year_save(
        actor=tree.admin,
        year=2027,
        holidays=[HolidayRange(date(2027, 1, 1), date(2027, 1, 1), "元旦")],
        workdays=[],
        notice_number="国办发明电〔2026〕7号",
        publish=True,
    )
    result = add_working_days(date(2026, 12, 30), 3)
    # Thu 31 Dec, (Fri 1 Jan off), Mon 4, Tue 5.
    assert result == WorkdayResult(value=date(2027, 1, 5), fallback_years=())
    assert result.note == ""
    assert working_days_between(date(2026, 12, 25), date(2027, 1, 8)).value == 9


@pytest.mark.django_db
def test_a_span_far_beyond_the_estimate_still_works():
    # 600 working days from 2025 run into 2027 and 2028: loaded as the count gets there.
    result = add_working_days(date(2025, 1, 1), 600)
    assert result.value.year == 2027
    assert result.fallback_years == (2027,)


# --- Queries --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_counting_reads_the_calendar_in_one_query(django_assert_max_num_queries):
    # A 60-day span over the 2025 National Day holiday, and a longer one, both cost two
    # queries: which years are published, and the days of those years.
    with django_assert_max_num_queries(2):
        assert add_working_days(date(2025, 9, 1), 40).value > date(2025, 10, 30)
    with django_assert_max_num_queries(2):
        working_days_between(date(2025, 9, 1), date(2025, 10, 31))
    with django_assert_max_num_queries(2):
        add_working_days(date(2025, 3, 1), 200)
    with django_assert_max_num_queries(2):
        working_days_between(date(2024, 12, 1), date(2026, 12, 31))
    # Nothing published in the span: one query.
    with django_assert_max_num_queries(1):
        working_days_between(date(2027, 1, 1), date(2027, 12, 31))


@pytest.mark.django_db
def test_many_starts_to_one_end_agree_with_one_by_one_in_two_queries(
    django_assert_num_queries,
):
    # A work queue: cases waiting since around the 2025 National Day, across New Year into
    # the unpublished 2027, and one entered "today" or later.
    end = date(2027, 1, 8)
    starts = [
        date(2025, 9, 26),
        date(2025, 9, 30),
        date(2025, 10, 5),
        date(2026, 2, 13),
        date(2026, 12, 25),
        date(2027, 1, 4),
        end,
        date(2027, 2, 1),
    ]
    with django_assert_num_queries(2):
        batch = working_days_since(starts, end)
    assert batch == {start: working_days_between(start, end) for start in starts}
    assert batch[date(2026, 12, 25)] == WorkdayResult(value=10, fallback_years=(2027,))
    assert batch[date(2027, 2, 1)] == WorkdayResult(value=0)
    # Inside published years there is no fallback note: Sun 28 (调休), Mon 29, Tue 30 Sep,
    # (1–8 Oct off), Thu 9, Fri 10, Sat 11 (调休), Mon 13, Tue 14.
    inside = working_days_since([date(2025, 9, 26)], date(2025, 10, 14))
    assert inside[date(2025, 9, 26)] == WorkdayResult(value=8, fallback_years=())
    assert working_days_since([], end) == {}


# --- Services -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_update_delete_leave_history_with_actor_and_reason(tree):
    holiday = holiday_create(
        actor=tree.admin, date=date(2027, 2, 8), kind=Holiday.Kind.HOLIDAY, name=" 春节 "
    )
    assert (holiday.source, holiday.name) == (Holiday.Source.MANUAL, "春节")
    created = holiday.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        tree.admin,
        "新增节假日安排",
    )

    holiday_update(actor=tree.admin, holiday=holiday, kind=Holiday.Kind.HOLIDAY, name="春节假期")
    holiday.refresh_from_db()
    assert holiday.name == "春节假期"
    changed = holiday.history.filter(history_type="~").get()
    assert (changed.history_user, changed.history_change_reason) == (tree.admin, "修改节假日安排")

    holiday_delete(actor=tree.admin, holiday=holiday, reason="录入错误")
    assert not Holiday.objects.filter(date=date(2027, 2, 8)).exists()
    deleted = Holiday.history.filter(date=date(2027, 2, 8), history_type="-").get()
    assert (deleted.history_user, deleted.history_change_reason) == (
        tree.admin,
        "删除节假日安排：录入错误",
    )


@pytest.mark.django_db
def test_editing_a_package_row_makes_it_manual(tree):
    holiday = Holiday.objects.get(date=date(2025, 10, 6))
    holiday_update(
        actor=tree.admin, holiday=holiday, kind=Holiday.Kind.HOLIDAY, name="中秋节、国庆节"
    )
    holiday.refresh_from_db()
    assert holiday.source == Holiday.Source.MANUAL


@pytest.mark.django_db
def test_invalid_writes_are_refused_in_chinese(tree):
    with pytest.raises(ValidationError) as duplicate:
        holiday_create(actor=tree.admin, date=date(2025, 10, 1), kind="holiday", name="国庆节")
    assert "已有安排" in duplicate.value.message_dict["date"][0]
    with pytest.raises(ValidationError) as weekday:
        holiday_create(actor=tree.admin, date=date(2027, 1, 4), kind="workday", name="元旦")
    assert "周六或周日" in weekday.value.message_dict["kind"][0]
    holiday = Holiday.objects.get(date=date(2025, 10, 1))
    with pytest.raises(ValidationError) as no_reason:
        holiday_delete(actor=tree.admin, holiday=holiday, reason="  ")
    assert no_reason.value.message_dict == {"reason": ["请填写删除原因。"]}
    assert Holiday.objects.filter(date=date(2027, 1, 4)).count() == 0
    assert Holiday.objects.filter(pk=holiday.pk).exists()


@pytest.mark.django_db
def test_only_administrators_maintain_the_calendar(tree):
    holiday = Holiday.objects.get(date=date(2025, 10, 1))
    worker = tree.caseworker_a1
    with pytest.raises(PermissionDenied):
        holiday_create(actor=worker, date=date(2027, 1, 1), kind="holiday", name="元旦")
    with pytest.raises(PermissionDenied):
        holiday_update(actor=worker, holiday=holiday, kind="holiday", name="改名")
    with pytest.raises(PermissionDenied):
        holiday_delete(actor=worker, holiday=holiday, reason="测试")
    with pytest.raises(PermissionDenied):
        holiday_sync_from_chinesecalendar(actor=worker)
    with pytest.raises(PermissionDenied):
        holiday_create(actor=tree.city_reviewer, date=date(2027, 1, 1), kind="holiday", name="元旦")
    holiday.refresh_from_db()
    assert holiday.name == "国庆节"
    assert not Holiday.objects.filter(date__year=2027).exists()


# --- Sync from the package ------------------------------------------------------------------


@pytest.mark.django_db
def test_sync_adds_only_missing_days_and_keeps_manual_edits(tree, monkeypatch):
    assert holiday_sync_from_chinesecalendar(actor=tree.admin) == 0
    # A newer package would know 2027; simulate it, with a day an administrator already set.
    monkeypatch.setitem(constants.holidays, date(2027, 1, 1), "New Year's Day")
    monkeypatch.setitem(constants.holidays, date(2027, 2, 6), "Spring Festival")
    monkeypatch.setitem(constants.workdays, date(2027, 2, 20), "Spring Festival")
    holiday_create(actor=tree.admin, date=date(2027, 2, 6), kind="holiday", name="春节（本市）")
    # A day the administrator deleted is not brought back either.
    holiday_delete(
        actor=tree.admin, holiday=Holiday.objects.get(date=date(2025, 10, 8)), reason="测试"
    )

    assert holiday_sync_from_chinesecalendar(actor=tree.admin) == 2
    assert Holiday.objects.get(date=date(2027, 2, 6)).name == "春节（本市）"
    added = Holiday.objects.get(date=date(2027, 2, 20))
    assert (added.kind, added.name, added.source) == ("workday", "春节", "chinesecalendar")
    history = added.history.get()
    assert (history.history_user, history.history_change_reason) == (
        tree.admin,
        "从 chinesecalendar 同步节假日安排",
    )
    assert not Holiday.objects.filter(date=date(2025, 10, 8)).exists()
    assert holiday_sync_from_chinesecalendar(actor=tree.admin) == 0


@pytest.mark.django_db
def test_calendar_sync_command_acts_as_the_system_user(monkeypatch, capsys):
    monkeypatch.setitem(constants.holidays, date(2027, 1, 1), "New Year's Day")
    call_command("calendar_sync")
    assert "已新增 1 条节假日安排" in capsys.readouterr().out
    history = Holiday.objects.get(date=date(2027, 1, 1)).history.get()
    assert history.history_user == system_user()
    assert add_working_days(date(2026, 12, 31), 1).value == date(2027, 1, 4)
