"""The `Policy` row: its validation, its uniqueness, and which one is in force."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from assistance.assessment import assess_raw_case
from assistance.models import Policy
from assistance.selectors import PolicyNotFound, policy_in_force
from core.history import save_tracked

CHINESE = re.compile(r"[\u4e00-\u9fff]")
NEW_POLICY_REASON = "测试：2026 年起执行新政策"


@pytest.fixture
def wuhu_2020(db) -> Policy:
    return Policy.objects.get(code="wuhu-2020")


@pytest.fixture
def system(db) -> User:
    return User.objects.get(username="system")


def copy_of(policy: Policy, **changes) -> Policy:
    skip = {"id", "created_at", "updated_at"}
    values = {
        field.name: getattr(policy, field.name)
        for field in Policy._meta.concrete_fields
        if field.name not in skip
    }
    values.update(changes)
    return Policy(**values)


@pytest.fixture
def wuhu_2026(wuhu_2020, system) -> Policy:
    new = copy_of(wuhu_2020, code="wuhu-2026", effective_from=date(2026, 1, 1))
    return save_tracked(new, actor=system, reason=NEW_POLICY_REASON)


def test_the_migrated_policy_is_valid_and_has_its_history(wuhu_2020):
    wuhu_2020.full_clean()

    assert wuhu_2020.region == "wuhu"
    assert wuhu_2020.effective_from == date(2020, 10, 27)
    created = wuhu_2020.history.get(history_type="+")
    assert created.history_user.username == "system"
    assert created.history_change_reason == "数据迁移：录入芜工办〔2020〕14号"


@pytest.mark.parametrize(
    "tiers",
    [
        pytest.param([["20000", "9000"], ["10000", "4000"], [None, "20000"]], id="descending"),
        pytest.param([["10000", "4000"], ["10000", "9000"], [None, "20000"]], id="repeated"),
        pytest.param([["10000", "4000"], ["20000", "9000"]], id="last-not-open"),
        pytest.param([[None, "4000"], ["20000", "9000"], [None, "20000"]], id="open-not-last"),
        pytest.param([["10000", "-4000"], [None, "20000"]], id="negative-amount"),
        pytest.param([["10000", "4000"], [None, "abc"]], id="not-a-number"),
        pytest.param([["10000", "4000"], [None, "2万"]], id="wan"),
        pytest.param([["1e4", "4000"], [None, "20000"]], id="exponent"),
        pytest.param([["10000", "4000.005"], [None, "20000"]], id="three-decimals"),
        pytest.param([["10000"], [None, "20000"]], id="short-row"),
        pytest.param([], id="empty"),
        pytest.param({"10000": "4000"}, id="not-a-list"),
    ],
)
@pytest.mark.parametrize("field", ["deep_medical_tiers", "relative_medical_tiers"])
def test_clean_rejects_malformed_medical_tiers(wuhu_2020, field, tiers):
    setattr(wuhu_2020, field, tiers)

    with pytest.raises(ValidationError) as info:
        wuhu_2020.clean()

    messages = info.value.message_dict
    assert set(messages) == {field}
    assert CHINESE.search(messages[field][0])


def test_clean_accepts_well_formed_tiers(wuhu_2020):
    wuhu_2020.deep_medical_tiers = [["8000", "5000"], [None, "25000"]]

    wuhu_2020.clean()

    assert wuhu_2020.rules().deep_medical_tiers[0].up_to == 8000


def test_the_database_refuses_a_second_policy_for_the_same_region_and_date(wuhu_2020, system):
    duplicate = copy_of(wuhu_2020, code="wuhu-2020-bis")

    with pytest.raises(IntegrityError), transaction.atomic():
        save_tracked(duplicate, actor=system, reason="测试", validate=False)

    assert Policy.objects.filter(region="wuhu").count() == 1


def test_validation_also_refuses_the_duplicate(wuhu_2020, system):
    duplicate = copy_of(wuhu_2020, code="wuhu-2020-bis")

    with pytest.raises(ValidationError):
        save_tracked(duplicate, actor=system, reason="测试")

    assert not Policy.objects.filter(code="wuhu-2020-bis").exists()


def test_the_same_date_in_another_region_is_allowed(wuhu_2020, system):
    other = copy_of(wuhu_2020, code="taian-2020", region="taian")

    save_tracked(other, actor=system, reason="测试")

    assert Policy.objects.filter(effective_from=date(2020, 10, 27)).count() == 2


def test_a_newer_policy_is_in_force_from_its_date(wuhu_2020, wuhu_2026):
    assert policy_in_force(region="wuhu", on=date(2020, 10, 27)) == wuhu_2020
    assert policy_in_force(region="wuhu", on=date(2025, 12, 31)) == wuhu_2020
    assert policy_in_force(region="wuhu", on=date(2026, 1, 1)) == wuhu_2026
    assert policy_in_force(region="wuhu", on=date(2030, 6, 1)) == wuhu_2026


def test_no_policy_before_the_first_or_in_an_unknown_region(wuhu_2020):
    with pytest.raises(PolicyNotFound):
        policy_in_force(region="wuhu", on=date(2020, 10, 26))
    with pytest.raises(PolicyNotFound):
        policy_in_force(region="taian", on=date(2026, 1, 1))


def test_saving_the_new_policy_records_who_and_why(wuhu_2026, system):
    row = wuhu_2026.history.get()

    assert row.history_type == "+"
    assert row.history_user == system
    assert row.history_change_reason == NEW_POLICY_REASON
    assert row.code == "wuhu-2026"


def test_the_assessment_names_the_policy_in_force_on_the_application_date(wuhu_2026):
    case = {"minimum_living_standard": 760, "household_size": 1}

    before = assess_raw_case({**case, "application_date": "2025-12-31"}, region="wuhu")
    after = assess_raw_case({**case, "application_date": "2026-01-01"}, region="wuhu")

    assert before["policy"] == "wuhu-2020"
    assert after["policy"] == "wuhu-2026"


@pytest.mark.parametrize(
    "field", ["minimum_rigid_expenses", "accident_cap", "national_approval_threshold"]
)
def test_the_database_refuses_negative_money_in_a_policy(wuhu_2020, field):
    setattr(wuhu_2020, field, Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        wuhu_2020.save(update_fields=[field])


@pytest.mark.parametrize("field", ["provincial_approval_threshold", "national_approval_threshold"])
@pytest.mark.parametrize("value", ["0", "0.00"])
def test_the_database_refuses_an_approval_threshold_that_is_not_positive(wuhu_2020, field, value):
    setattr(wuhu_2020, field, Decimal(value))
    with pytest.raises(ValidationError) as exc:
        wuhu_2020.full_clean()
    assert field in exc.value.error_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        wuhu_2020.save(update_fields=[field])


def test_the_database_refuses_an_unknown_threshold_reading(wuhu_2020):
    wuhu_2020.approval_threshold_reading = "maybe"
    with pytest.raises(IntegrityError), transaction.atomic():
        wuhu_2020.save(update_fields=["approval_threshold_reading"])


def test_wuhu_reads_its_approval_thresholds_inclusively_with_the_reason(wuhu_2020):
    """WH-M §9(一)5 以上 against WH-F §9 超过: the data migration takes the stricter one."""
    assert wuhu_2020.approval_threshold_reading == "inclusive" and wuhu_2020.approval_inclusive
    assert wuhu_2020.provincial_approval_threshold == Decimal("20000.00")
    assert wuhu_2020.national_approval_threshold == Decimal("50000.00")
    changed = wuhu_2020.history.get(history_type="~")
    assert changed.history_user.username == "system"
    assert "“2万元以上…5万元以上”（含本数）" in changed.history_change_reason
    assert changed.approval_threshold_reading == "inclusive"


def test_the_national_threshold_is_not_below_the_provincial_one(wuhu_2020):
    wuhu_2020.national_approval_threshold = Decimal("19999.99")
    with pytest.raises(ValidationError) as exc:
        wuhu_2020.full_clean()
    assert exc.value.message_dict["national_approval_threshold"] == [
        "报全国总工会同意的额度不能低于报省总工会审批的额度。"
    ]
