"""Working-day counting against the seeded official calendar."""

from datetime import date, datetime

import pytest
from chinese_calendar import constants, get_workdays
from django.utils import timezone

from core.models import Holiday
from core.workdays import (
    HolidayRange,
    WorkdayResult,
    add_working_days,
    holiday_published_years,
    is_working_day,
    working_days_between,
    working_days_since,
)
from office.services.calendar import holiday_create, holiday_year_save

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
