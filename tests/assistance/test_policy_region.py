"""A region's first policy (DOMAIN.md §9): a city administrator copies an existing policy,
each changed rule names its source document (Tai'an's 泰会办〔2020〕10号 cites the
provincial documents it follows instead of stating numbers), and the approval thresholds
stay positive."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.roles import Role
from assistance.models import APPROVAL_THRESHOLD_FIELDS, Policy
from assistance.selectors import policy_bases_for_user, policy_in_force
from assistance.services import policy_create
from tests.factories.accounts import make_city, make_org, make_user

TODAY = datetime.date(2026, 12, 7)
PROVINCIAL = "鲁财建〔2017〕33号"


@pytest.fixture
def taian(db):
    city = make_city("泰安市总工会", region="taian")
    county = make_org(city, "泰山区总工会")
    return {
        "city": city,
        "admin": make_user(city, Role.ADMIN, username="ta_admin"),
        "reviewer": make_user(county, Role.REVIEWER, username="ta_cr"),
    }


@pytest.fixture
def frozen(monkeypatch):
    from django.utils import timezone

    from tests.factories.core import SHANGHAI

    moment = datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def wuhu() -> Policy:
    return Policy.objects.get(code="wuhu-2020")


def copy_fields(**changes) -> dict:
    base = wuhu()
    fields = {
        name: getattr(base, name)
        for name in [f.name for f in Policy._meta.concrete_fields if f.editable]
        if name not in {"id", "created_at", "updated_at", "effective_to"}
    }
    fields.update(
        code="taian-2027",
        name="泰安市工会困难职工帮扶",
        document="泰会办〔2020〕10号",
        region="taian",
        effective_from=datetime.date(2027, 1, 1),
        workflow=Policy.Workflow.TAIAN,
        items_funded=["living", "medical", "education"],
    )
    fields.update(changes)
    return fields


TAIAN_SOURCES = {
    "workflow": "泰会办〔2020〕10号 附2 第十二条",
    "items_funded": "泰会办〔2020〕10号 附2 第十四条",
}


def test_the_first_policy_copies_another_regions_and_names_its_sources(taian, frozen):
    admin = taian["admin"]
    assert [p.code for p in policy_bases_for_user(admin)] == ["wuhu-2020"]
    policy = policy_create(
        actor=admin,
        base=wuhu(),
        sources={**TAIAN_SOURCES, "relative_living_months": PROVINCIAL},
        **copy_fields(relative_living_months=10),
    )
    assert policy.based_on == wuhu()
    assert policy.source_of("items_funded") == "泰会办〔2020〕10号 附2 第十四条"
    assert policy.source_of("relative_living_months") == PROVINCIAL
    # Unchanged numbers keep the base's document: adopted from Wuhu, and said so.
    assert policy.source_of("deep_living_months") == "芜工办〔2020〕14号"
    assert set(policy.sources) == set(Policy.rule_fields())
    reason = policy.history.latest().history_change_reason
    assert reason.startswith("新建政策版本（复制自 wuhu-2020；修改：")
    assert "资助项目（依据 泰会办〔2020〕10号 附2 第十四条）" in reason
    assert "相对困难生活救助（月低保标准）（依据 鲁财建〔2017〕33号）" in reason
    assert policy.history.latest().history_user == admin
    assert policy_in_force(region="taian", on=datetime.date(2027, 1, 1)) == policy
    # Now the region has its own policy: only its own versions are bases.
    assert [p.code for p in policy_bases_for_user(admin)] == ["taian-2027"]
    assert wuhu().effective_to is None


def test_a_changed_rule_without_its_source_is_refused(taian, frozen):
    with pytest.raises(ValidationError) as exc:
        policy_create(
            actor=taian["admin"],
            base=wuhu(),
            sources={"workflow": TAIAN_SOURCES["workflow"], "items_funded": "  "},
            **copy_fields(),
        )
    assert exc.value.message_dict == {
        "source_items_funded": [
            "已修改“资助项目”，请填写该项数值的依据文件（如 鲁财建〔2017〕33号）。"
        ]
    }
    assert not Policy.objects.filter(region="taian").exists()


def test_items_in_another_order_are_no_change(taian, frozen):
    policy = policy_create(
        actor=taian["admin"],
        base=wuhu(),
        sources={"workflow": TAIAN_SOURCES["workflow"]},
        **copy_fields(items_funded=list(reversed(wuhu().items_funded))),
    )
    assert policy.source_of("items_funded") == "芜工办〔2020〕14号"


def test_another_regions_policy_is_no_base_once_the_region_has_one(tree, taian, frozen):
    """Wuhu has wuhu-2020: its administrator cannot copy Tai'an's policy into Wuhu's."""
    taian_policy = policy_create(
        actor=taian["admin"], base=wuhu(), sources=TAIAN_SOURCES, **copy_fields()
    )
    fields = copy_fields(code="wuhu-2027", region="wuhu")
    with pytest.raises(PermissionDenied, match="只能以本市的政策为基础新建版本"):
        policy_create(actor=tree.admin, base=taian_policy, sources=TAIAN_SOURCES, **fields)
    with pytest.raises(PermissionDenied, match="只能为本市的政策地区新建政策版本"):
        policy_create(actor=taian["admin"], **copy_fields(code="wuhu-2027", region="wuhu"))
    with pytest.raises(PermissionDenied, match="只有系统管理员"):
        policy_create(actor=taian["reviewer"], **copy_fields(code="taian-x"))


@pytest.mark.parametrize("name", ["provincial_approval_threshold", "national_approval_threshold"])
def test_approval_thresholds_are_positive(taian, frozen, name):
    label = Policy._meta.get_field(name).verbose_name
    for amount in (Decimal("0.00"), Decimal("-1.00")):
        with pytest.raises(ValidationError) as exc:
            policy_create(actor=taian["admin"], **copy_fields(**{name: amount}))
        assert (
            f"“{label}”须大于0元（芜湖实施办法第九条第一项第5目：2万元以上报送省总工会审批，"
            "5万元以上报送全总审批）。" in exc.value.message_dict[name]
        )
    # The national threshold is never below the provincial one: both at one fen.
    smallest = dict.fromkeys(APPROVAL_THRESHOLD_FIELDS, Decimal("0.01"))
    policy = policy_create(actor=taian["admin"], **copy_fields(**smallest))
    assert getattr(policy, name) == Decimal("0.01")


# --- The pages ----------------------------------------------------------------------------


def start_url(base: str = "wuhu-2020") -> str:
    return reverse("assistance:policy_start") + f"?base={base}"


def form_data(client, url: str, **changes) -> dict:
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.pop("confirm_backdated")
    data.update(changes)
    return {k: ("" if v is None else v) for k, v in data.items()}


def test_the_list_offers_a_copy_and_the_form_keeps_what_was_typed(client, taian, frozen):
    client.force_login(taian["admin"])
    listing = client.get(reverse("assistance:policy_list")).content.decode()
    assert "本市（政策地区 taian）尚无帮扶政策" in listing
    assert "为本市建立第一项政策：复制" in listing

    url = start_url()
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["region"].value() == "taian"
    data = form_data(
        client,
        url,
        code="taian-2027",
        name="泰安市工会困难职工帮扶",
        document="泰会办〔2020〕10号",
        effective_from="2027-01-01",
        workflow="taian",
        items_funded=["living", "medical", "education"],
        region="wuhu",  # not typed: the region is the administrator's own
        relative_living_months="10",
        source_workflow=TAIAN_SOURCES["workflow"],
        source_items_funded=TAIAN_SOURCES["items_funded"],
    )
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "source_relative_living_months": [
            "已修改“相对困难生活救助（月低保标准）”，请填写该项数值的依据文件（如 鲁财建〔2017〕33号）。"
        ]
    }
    text = refused.content.decode()
    assert 'value="泰会办〔2020〕10号 附2 第十四条"' in text
    assert 'name="relative_living_months" value="10"' in text

    done = client.post(url, {**data, "source_relative_living_months": PROVINCIAL})
    assert done.status_code == 302
    policy = Policy.objects.get(code="taian-2027")
    assert (policy.region, policy.based_on.code, policy.items_funded) == (
        "taian",
        "wuhu-2020",
        ["living", "medical", "education"],
    )
    detail = client.get(reverse("assistance:policy_detail", args=["taian-2027"])).content.decode()
    assert "复制自 wuhu-2020" in detail
    assert PROVINCIAL in detail
    # The region has its policy now: the first-policy page sends back to the list.
    assert client.get(url).status_code == 302


def test_a_backdated_first_policy_asks_for_confirmation(client, taian, frozen):
    client.force_login(taian["admin"])
    url = start_url()
    data = form_data(
        client,
        url,
        code="taian-2020",
        name="泰安",
        document="泰会办〔2020〕10号",
        effective_from="2020-03-01",
        workflow="taian",
        source_workflow=TAIAN_SOURCES["workflow"],
    )
    asked = client.post(url, data)
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "生效日期 2020-03-01 早于今天，新版本将追溯适用。" in text
    assert "本地区没有受影响的未发放帮扶救助项目。" in text
    assert not Policy.objects.filter(region="taian").exists()
    assert client.post(url, {**data, "confirm_backdated": "on"}).status_code == 302
    assert Policy.objects.get(code="taian-2020").effective_from == datetime.date(2020, 3, 1)


def test_non_administrators_and_other_cities_are_refused(client, tree, taian, frozen):
    client.force_login(taian["reviewer"])
    assert client.get(start_url()).status_code == 403
    assert client.post(start_url(), {"code": "taian-x"}).status_code == 403

    # A city that has its policy copies no other region's, and sees no other's detail.
    client.force_login(tree.admin)
    assert client.get(start_url()).status_code == 302
    policy_create(actor=taian["admin"], base=wuhu(), sources=TAIAN_SOURCES, **copy_fields())
    assert client.get(reverse("assistance:policy_detail", args=["taian-2027"])).status_code == 404
    url = reverse("assistance:policy_create", args=["taian-2027"])
    assert client.post(url, {"code": "taian-x"}).status_code == 404

    # An unknown base is not found.
    client.force_login(make_user(make_city("济南市总工会", region="jinan"), Role.ADMIN))
    assert client.get(start_url("nope")).status_code == 404
    assert client.get(start_url("taian-2027")).status_code == 200
