"""Maintaining the holiday calendar: a day at a time, and the sync from the package."""

from datetime import date

import pytest
from chinese_calendar import constants
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from core.models import Holiday
from core.workdays import add_working_days
from office.services.calendar import (
    holiday_create,
    holiday_delete,
    holiday_sync_from_chinesecalendar,
    holiday_update,
)
from tests.factories.accounts import system_user

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
