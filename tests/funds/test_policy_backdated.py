"""A policy version in force before today (DOMAIN.md §9): it asks for confirmation and names
the open grants — proposed or approved, not yet paid — whose standard was worked out on or
after its first day, since the policy in force on that day is what a standard is computed
under (funds.selectors.grants.grant_standard)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assistance.models import Policy
from assistance.selectors import policy_version_impact
from assistance.services.policy import policy_create
from funds.selectors.grants import open_grants_from
from funds.services.grants import grant_cancel, grant_decide
from tests.factories.archives import low_income_archive, relative_archive
from tests.factories.funds import approve, propose

FIRST_DAY = datetime.date(2026, 5, 7)


def version_fields(**changes) -> dict:
    base = Policy.objects.get(code="wuhu-2020")
    fields = {
        name: getattr(base, name)
        for name in [f.name for f in Policy._meta.concrete_fields if f.editable]
        if name not in {"id", "created_at", "updated_at", "effective_to"}
    }
    fields.update(code="wuhu-2026", name="芜湖（2026版）", effective_from=FIRST_DAY, **changes)
    return fields


@pytest.fixture
def grants(world, archive, accounts):
    """The day before the version's first day, its first day, and two grants no longer open."""
    world.clock.set(FIRST_DAY - datetime.timedelta(days=1))
    before = propose(world, archive)
    world.clock.set(FIRST_DAY)
    on_the_day = approve(world, propose(world, low_income_archive(world), "education"))
    rejected = propose(world, relative_archive(world), "medical", inputs={})
    grant_decide(actor=world.wuhu.county_reviewer, grant=rejected, approve=False, opinion="不符。")
    cancelled = propose(world, relative_archive(world, person=4))
    grant_cancel(actor=world.wuhu.caseworker, grant=cancelled, reason="重复提出。")
    world.clock.set(datetime.date(2026, 6, 1))
    return before, on_the_day


def test_open_grants_from_the_first_day_on(world, grants):
    before, on_the_day = grants
    assert list(open_grants_from(region="wuhu", effective_from=FIRST_DAY)) == [on_the_day]
    one_day_earlier = FIRST_DAY - datetime.timedelta(days=1)
    assert list(open_grants_from(region="wuhu", effective_from=one_day_earlier)) == [
        before,
        on_the_day,
    ]
    assert not open_grants_from(region="taian", effective_from=one_day_earlier).exists()
    [impact] = policy_version_impact(region="wuhu", effective_from=FIRST_DAY)
    assert impact.kind == "未发放的帮扶救助项目"
    assert (
        f"档案 {on_the_day.archive.number} 2026年助学救助 7600.00 元（已审批待发放" in impact.text
    )
    assert impact.url == reverse("funds:grant_detail", args=[on_the_day.pk])


def test_a_backdated_version_asks_for_confirmation_and_names_the_grants(world, grants):
    _before, on_the_day = grants
    with pytest.raises(ValidationError) as exc:
        policy_create(actor=world.wuhu.admin, **version_fields())
    assert exc.value.message_dict["confirm_backdated"] == [
        "生效日期 2026-05-07 早于今天，新版本将追溯适用，涉及1项未发放的帮扶救助项目。"
        "请核对后勾选“确认追溯生效”。"
    ]
    assert not Policy.objects.filter(code="wuhu-2026").exists()
    assert Policy.objects.get(code="wuhu-2020").effective_to is None

    policy = policy_create(actor=world.wuhu.admin, confirm_backdated=True, **version_fields())
    reason = policy.history.latest().history_change_reason
    assert "确认追溯自 2026-05-07 生效" in reason
    assert f"档案 {on_the_day.archive.number}" in reason
    assert Policy.objects.get(code="wuhu-2020").effective_to == datetime.date(2026, 5, 6)


def test_a_version_from_today_needs_no_confirmation(world, grants):
    world.clock.set(FIRST_DAY)
    policy = policy_create(actor=world.wuhu.admin, **version_fields())
    assert "追溯" not in policy.history.latest().history_change_reason


def test_the_page_lists_the_grants_and_keeps_what_was_typed(client, world, grants):
    _before, on_the_day = grants
    client.force_login(world.wuhu.admin)
    url = reverse("assistance:policy_create", args=["wuhu-2020"])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(
        code="wuhu-2026",
        name="芜湖（2026版）",
        effective_from="2026-05-07",
        deep_living_months="13",
        source_deep_living_months="芜工办〔2026〕3号",
    )
    data.pop("confirm_backdated")
    data = {k: ("" if v is None else v) for k, v in data.items()}
    page = client.post(url, data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "新版本将追溯适用，涉及1项未发放的帮扶救助项目" in text
    assert reverse("funds:grant_detail", args=[on_the_day.pk]) in text
    assert 'value="芜工办〔2026〕3号"' in text
    assert not Policy.objects.filter(code="wuhu-2026").exists()

    response = client.post(url, {**data, "confirm_backdated": "on"})
    assert response.status_code == 302
    policy = Policy.objects.get(code="wuhu-2026")
    assert policy.deep_living_months == 13
    assert policy.source_of("deep_living_months") == "芜工办〔2026〕3号"
    assert policy.source_of("relative_living_months") == "芜工办〔2020〕14号"
