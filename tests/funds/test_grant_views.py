"""The grant screens: proposing from the archive with the standard shown as the item is
chosen, bad input kept on the form, the scoped and filtered list with a fixed number of
queries, the decision with its confirmation, cancellation, the printed payment notice; and
users of the other county get 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funds.models import Grant
from funds.services.payments import batch_record_results
from tests.factories.archives import accident_archive, low_income_archive, relative_archive
from tests.factories.funds import PAID_ON, approve, fund, paid, propose, sent_batch


def url(name: str, *args) -> str:
    return reverse(f"funds:{name}", args=args)


def page(client, user, path: str, **data):
    client.force_login(user)
    return client.get(path, data)


# --- Proposing -------------------------------------------------------------------------------


def test_form_shows_the_living_standard_with_the_amount_filled_in(client, world, archive, accounts):
    response = page(client, world.wuhu.caseworker, url("grant_create", archive.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="standard-amount">9120.00<' in html
    assert "12 个月 × 城市低保标准 760.00 元" in html
    assert 'name="amount" value="9120.00"' in html


def test_form_recomputes_the_standard_for_the_item_chosen(client, world, archive, accounts):
    response = page(
        client,
        world.wuhu.caseworker,
        url("grant_create", archive.pk),
        item="medical",
        medical_out_of_pocket="25000",
    )
    html = response.content.decode()
    assert 'data-testid="standard-amount">15000.00<' in html
    assert 'name="amount" value="15000.00"' in html
    assert 'name="medical_out_of_pocket" value="25000"' in html


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"item": "medical", "medical_out_of_pocket": "1000"}, "不满 5000.00 元，不予医疗救助"),
        ({"item": "education", "students": "abc"}, "在校学生（人）：请输入人数。"),
        ({"item": "lottery"}, "救助项目：请选择救助项目。"),
        ({"item": "living", "year": "二〇二六"}, "救助年度：请输入年度"),
        ({"item": "medical", "medical_out_of_pocket": "1e999"}, "医保内个人实际负担医疗费"),
    ],
)
def test_bad_query_never_crashes_the_form(client, world, archive, accounts, query, words):
    response = page(client, world.wuhu.caseworker, url("grant_create", archive.pk), **query)
    assert response.status_code == 200
    assert words in response.content.decode()


def test_accident_household_is_offered_its_one_off_help(client, world, accounts):
    archive = accident_archive(world)
    response = page(client, world.wuhu.caseworker, url("grant_create", archive.pk))
    html = response.content.decode()
    assert 'data-testid="standard-amount">6000.00<' in html
    assert "意外致困一次性救助（记入生活救助：突发事件等）" in html
    assert "意外致困一次性救助（记入医疗救助：患重大疾病、意外伤害）" in html
    assert '<option value="education"' not in html


def test_accident_standard_booked_under_medical_aid(client, world, accounts):
    """WH-M §9(三): the one 15 % standard, booked under medical aid for a major illness."""
    archive = accident_archive(world)
    response = page(client, world.wuhu.caseworker, url("grant_create", archive.pk), item="medical")
    html = response.content.decode()
    assert 'data-testid="standard-amount">6000.00<' in html
    assert "意外致困一次性救助（记入医疗救助）：年度致困费用 40000.00 元 × 15%" in html
    response = client.post(
        url("grant_create", archive.pk),
        {"item": "medical", "year": "2026", "source": "central", "amount": "6000.00"},
    )
    grant = Grant.objects.get()
    assert response.status_code == 302
    assert (grant.item, grant.category, grant.amount) == (
        "medical",
        "accident",
        grant.standard_amount,
    )
    detail = client.get(response["Location"]).content.decode()
    assert "意外致困一次性救助（记入医疗救助）" in detail


def test_a_cap_refusal_names_the_clause_and_keeps_the_amount(client, world, accounts):
    """18,000 relative medical aid with a provincial document number is refused (WH-M
    §9(二)), the typed amount and number stay on the form."""
    archive = relative_archive(world)
    client.force_login(world.wuhu.caseworker)
    response = client.post(
        url("grant_create", archive.pk),
        {
            "item": "medical",
            "year": "2026",
            "source": "central",
            "medical_out_of_pocket": "90000",
            "amount": "18000",
            "basis": "重病",
            "provincial_approval": "皖工〔2026〕8号",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "相对困难职工家庭医疗救助最高不超过1.6万元（芜湖实施办法第九条第二项），"
        "审批文号不能突破此上限：2026年该户医疗救助合计 18000.00 元"
    ) in html
    assert response.context["form"].errors["amount"]
    assert 'name="amount" value="18000"' in html
    assert 'value="皖工〔2026〕8号"' in html
    assert not Grant.objects.exists()


def test_an_accident_cap_refusal_is_shown_on_the_amount(client, world, accounts):
    archive = accident_archive(world)
    client.force_login(world.wuhu.caseworker)
    response = client.post(
        url("grant_create", archive.pk),
        {
            "item": "living",
            "year": "2026",
            "source": "central",
            "accident_costs": "80000",
            "amount": "12000",
            "basis": "家庭突发变故",
            "provincial_approval": "皖工〔2026〕8号",
        },
    )
    html = response.content.decode()
    assert "最高不超过1万元（芜湖实施办法第九条第三项）" in html
    assert response.context["form"].errors["amount"]
    assert 'name="amount" value="12000"' in html
    assert not Grant.objects.exists()


def test_exactly_twenty_thousand_asks_for_the_provincial_document(client, world, accounts):
    archive = low_income_archive(world)
    client.force_login(world.wuhu.caseworker)
    post = {
        "item": "training",
        "year": "2026",
        "source": "central",
        "amount": "20000.00",
        "basis": "电工培训学费",
    }
    response = client.post(url("grant_create", archive.pk), post)
    assert response.status_code == 200
    assert response.context["form"].errors["provincial_approval"] == [
        "2026年该户职业培训和职业介绍合计 20000.00 元，达到2万元（2万元以上，含本数），"
        "须经省总工会审批（芜湖实施办法第九条第一项第5目“以上”含本数，对芜湖细则第九条各项目从严适用）：请填写审批文号。"
    ]
    assert 'name="amount" value="20000.00"' in response.content.decode()
    response = client.post(
        url("grant_create", archive.pk), {**post, "provincial_approval": "皖工〔2026〕9号"}
    )
    assert response.status_code == 302
    assert Grant.objects.get().provincial_approval == "皖工〔2026〕9号"


def test_post_proposes_and_goes_to_the_grant(client, world, archive, accounts):
    client.force_login(world.wuhu.caseworker)
    response = client.post(
        url("grant_create", archive.pk),
        {"item": "living", "year": "2026", "source": "central", "amount": "9120.00"},
    )
    grant = Grant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("grant_detail", grant.pk)
    assert (grant.amount, grant.proposed_by, grant.source) == (
        grant.standard_amount,
        world.wuhu.caseworker,
        "central",
    )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"amount": "8000"}, "与标准 9120.00 元不同，请说明理由"),
        ({"amount": "abc"}, "请输入金额数字，例如 1234.56"),
        ({"amount": "-3"}, "金额须大于零"),
        ({"amount": "12.345"}, "金额最多两位小数（不会四舍五入）"),
        ({"amount": "1e4"}, "不接受“2万”“1e5”等写法"),
        ({"amount": "0.9万"}, "如指 0.9万元，请输入 9000.00"),
        ({"source": ""}, "请选择资金来源"),
        ({"amount": "25000", "basis": "重病"}, "深度困难职工家庭生活救助按标准救助"),
    ],
)
def test_refused_post_keeps_what_was_typed(client, world, archive, accounts, data, words):
    client.force_login(world.wuhu.caseworker)
    post = {"item": "living", "year": "2026", "source": "central", **data}
    response = client.post(url("grant_create", archive.pk), post)
    assert response.status_code == 200
    html = response.content.decode()
    assert words in html
    assert "未办理：请按标红提示修改" in html
    if "amount" in data:
        assert f'name="amount" value="{data["amount"]}"' in html
    assert not Grant.objects.exists()


def test_further_item_refusal_shown_with_the_income(client, world, archive, accounts):
    propose(world, archive)
    client.force_login(world.wuhu.caseworker)
    response = client.post(
        url("grant_create", archive.pk), {"item": "medical", "year": "2026", "source": "central"}
    )
    assert "家庭人均月收入为 802.50 元" in response.content.decode()
    assert Grant.objects.count() == 1


def test_form_warns_before_a_further_item_is_refused(client, world, archive, accounts):
    propose(world, archive)
    response = page(client, world.wuhu.caseworker, url("grant_create", archive.pk), item="medical")
    html = response.content.decode()
    assert 'data-testid="limit-refusal"' in html
    assert "家庭人均月收入为 802.50 元" in html
    assert 'name="amount" value="9000.00"' not in html


def test_form_shows_the_further_item_reassessment(client, world, accounts):
    archive = low_income_archive(world)
    propose(world, archive)
    response = page(client, world.wuhu.caseworker, url("grant_create", archive.pk), item="medical")
    html = response.content.decode()
    assert "家庭人均月收入 385.83 元，不高于城市低保标准 760.00 元" in html
    assert 'name="amount" value="9000.00"' in html


def test_other_county_and_sibling_union_get_404(client, world, archive, accounts):
    w = world.wuhu
    for user in (w.county_b_reviewer, w.caseworker_b, w.caseworker_sibling):
        client.force_login(user)
        assert client.get(url("grant_create", archive.pk)).status_code == 404
        post = {"item": "living", "year": "2026", "source": "central"}
        assert client.post(url("grant_create", archive.pk), post).status_code == 404
    assert not Grant.objects.exists()


def test_finance_and_auditors_cannot_propose(client, world, archive, accounts, world_finance):
    for user in (world_finance.county_a, world_finance.county_a_auditor):
        client.force_login(user)
        post = {"item": "living", "year": "2026", "source": "central"}
        assert client.post(url("grant_create", archive.pk), post).status_code == 403
    assert not Grant.objects.exists()


def test_archive_page_links_to_the_grant_form(client, world, archive, accounts):
    response = page(client, world.wuhu.caseworker, reverse("archives:detail", args=[archive.pk]))
    assert url("grant_create", archive.pk) in response.content.decode()


# --- The list --------------------------------------------------------------------------------


def grants_of(world, archive, n: int) -> list[Grant]:
    return [
        propose(world, archive, "training", amount="100", basis=f"第{i}期技能培训")
        for i in range(n)
    ]


def test_list_is_scoped_and_filtered(client, world, accounts, world_finance):
    archive = low_income_archive(world)
    living = approve(world, propose(world, archive))
    grants_of(world, archive, 2)
    response = page(client, world.wuhu.county_reviewer, url("grant_list"))
    assert response.content.decode().count('data-testid="grant-row"') == 3
    response = page(client, world.wuhu.county_reviewer, url("grant_list"), status="approved")
    rows = list(response.context["page_obj"])
    assert rows == [living]
    response = page(client, world.wuhu.county_reviewer, url("grant_list"), item="training")
    assert len(response.context["page_obj"]) == 2
    for user in (world.wuhu.county_b_reviewer, world_finance.county_b):
        response = page(client, user, url("grant_list"))
        assert len(response.context["page_obj"]) == 0


def test_city_filters_by_county(client, world, accounts):
    archive = low_income_archive(world)
    propose(world, archive)
    city = world.wuhu.city_reviewer
    response = page(client, city, url("grant_list"), county=str(world.wuhu.county_b.pk))
    assert len(response.context["page_obj"]) == 0
    response = page(client, city, url("grant_list"), county=str(world.wuhu.county.pk))
    assert len(response.context["page_obj"]) == 1
    assert "弋江区总工会" in response.content.decode()  # the county filter is offered


@pytest.mark.parametrize(
    "query",
    [{"year": "abc"}, {"status": "lost"}, {"county": "999999"}, {"page": "-1"}, {"archive": "x"}],
)
def test_bad_filters_are_ignored(client, world, archive, accounts, query):
    propose(world, archive)
    response = page(client, world.wuhu.city_reviewer, url("grant_list"), **query)
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 1


def test_list_queries_do_not_grow_with_the_grants(client, world, accounts):
    archive = low_income_archive(world)
    grants_of(world, archive, 1)
    client.force_login(world.wuhu.county_reviewer)
    with CaptureQueriesContext(connection) as small:
        client.get(url("grant_list"))
    grants_of(world, archive, 5)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url("grant_list"))
    assert len(response.context["page_obj"]) == 6
    assert len(large) == len(small)


def test_grassroots_caseworker_sees_its_unions_grants(client, world, archive, accounts):
    propose(world, archive)
    response = page(client, world.wuhu.caseworker, url("grant_list"))
    assert len(response.context["page_obj"]) == 1
    response = page(client, world.wuhu.caseworker_sibling, url("grant_list"))
    assert len(response.context["page_obj"]) == 0


# --- Detail, decision, cancellation ----------------------------------------------------------


def test_reviewer_approves_with_confirmation(client, world, archive, accounts):
    grant = propose(world, archive)
    response = page(client, world.wuhu.county_reviewer, url("grant_detail", grant.pk))
    assert 'data-testid="decision-form"' in response.content.decode()
    response = client.post(url("grant_decide", grant.pk), {"decision": "approve"})
    assert response.status_code == 200
    assert "请勾选确认" in response.content.decode()
    assert Grant.objects.get().status == Grant.Status.PROPOSED
    response = client.post(
        url("grant_decide", grant.pk), {"decision": "approve", "opinion": "", "confirm": "on"}
    )
    assert response.status_code == 302
    assert Grant.objects.get().status == Grant.Status.APPROVED


def test_rejection_without_an_opinion_is_refused_on_the_page(client, world, archive, accounts):
    grant = propose(world, archive)
    client.force_login(world.wuhu.county_reviewer)
    response = client.post(url("grant_decide", grant.pk), {"decision": "reject", "confirm": "on"})
    assert "不予批准须填写审批意见" in response.content.decode()
    assert Grant.objects.get().status == Grant.Status.PROPOSED


def test_proposer_is_offered_no_decision_and_refused(client, world, archive, accounts):
    grant = propose(world, archive, actor=world.wuhu.county_reviewer)
    response = page(client, world.wuhu.county_reviewer, url("grant_detail", grant.pk))
    assert 'data-testid="decision-form"' not in response.content.decode()
    response = client.post(url("grant_decide", grant.pk), {"decision": "approve", "confirm": "on"})
    assert "职责分离" in response.content.decode()
    assert Grant.objects.get().status == Grant.Status.PROPOSED


def test_auditor_reads_but_cannot_post(client, world, archive, accounts, world_finance):
    grant = propose(world, archive)
    auditor = world_finance.county_a_auditor
    response = page(client, auditor, url("grant_detail", grant.pk))
    assert response.status_code == 200
    assert 'data-testid="decision-form"' not in response.content.decode()
    post = {"decision": "approve", "confirm": "on", "reason": "x"}
    for name in ("grant_decide", "grant_cancel"):
        assert client.post(url(name, grant.pk), post).status_code == 403
    assert client.post(url("grant_detail", grant.pk)).status_code == 405
    assert Grant.objects.get().status == Grant.Status.PROPOSED


def test_a_caseworker_cannot_decide_and_finance_cannot_cancel(
    client, world, archive, accounts, world_finance
):
    grant = propose(world, archive)
    client.force_login(world.wuhu.caseworker)
    post = {"decision": "approve", "confirm": "on"}
    assert client.post(url("grant_decide", grant.pk), post).status_code == 403
    client.force_login(world_finance.county_a)
    post = {"reason": "x", "confirm": "on"}
    assert client.post(url("grant_cancel", grant.pk), post).status_code == 403
    assert Grant.objects.get().status == Grant.Status.PROPOSED


def test_cancel_from_the_page(client, world, archive, accounts):
    grant = approve(world, propose(world, archive))
    response = page(client, world.wuhu.caseworker, url("grant_detail", grant.pk))
    assert 'data-testid="cancel-form"' in response.content.decode()
    response = client.post(url("grant_cancel", grant.pk), {"reason": "", "confirm": "on"})
    assert "请填写撤销理由" in response.content.decode()
    response = client.post(url("grant_cancel", grant.pk), {"reason": "职工放弃", "confirm": "on"})
    assert response.status_code == 302
    assert Grant.objects.get().status == Grant.Status.CANCELLED
    response = page(client, world.wuhu.caseworker, url("grant_detail", grant.pk))
    assert "撤销帮扶救助：职工放弃" in response.content.decode()


def test_other_county_gets_404_on_every_grant_url(client, world, archive, accounts):
    grant = propose(world, archive)
    post = {"decision": "approve", "confirm": "on", "reason": "x"}
    for user in (world.wuhu.county_b_reviewer, world.wuhu.caseworker_b):
        client.force_login(user)
        for name in ("grant_detail", "payment_letter"):
            assert client.get(url(name, grant.pk)).status_code == 404
        assert client.post(url("grant_cancel", grant.pk), post).status_code == 404
    client.force_login(world.wuhu.county_b_reviewer)
    assert client.post(url("grant_decide", grant.pk), post).status_code == 404
    assert Grant.objects.get().status == Grant.Status.PROPOSED


# --- The printed notice ------------------------------------------------------------------------


def test_payment_letter_after_payment(client, world, archive, accounts, world_finance):
    grant = approve(world, propose(world, archive))
    response = page(client, world.wuhu.caseworker, url("payment_letter", grant.pk))
    assert response.status_code == 302  # nothing paid yet
    fin = world_finance.county_a
    fund(fin, accounts.county_a, "50000")
    world.clock.set(PAID_ON)
    batch = sent_batch(world, fin, accounts.county_a, [grant])
    batch_record_results(actor=fin, batch=batch, results=paid(batch.lines.get()))
    response = page(client, world.wuhu.caseworker, url("payment_letter", grant.pk))
    html = response.content.decode()
    assert "帮扶资金发放告知书" in html
    assert "张建国同志" in html
    assert "9120.00 元" in html
    assert "2026年4月13日" in html
    assert "2026年度第 1 次帮扶" in html
    assert "尾号 0123" in html
    assert 'href="/static/css/print.css" media="print"' in html


def test_only_the_items_the_regions_policy_funds_are_offered(client, world, archive, accounts):
    """A policy funding living, medical and education only (TA-A §14 for Tai'an): the form
    offers those three; another item typed into the address is refused with the policy."""
    from assistance.models import Policy
    from assistance.services.policy import policy_create

    base = Policy.objects.get(code="wuhu-2020")
    fields = {
        f.name: getattr(base, f.name)
        for f in Policy._meta.concrete_fields
        if f.editable and f.name not in {"id", "created_at", "updated_at", "effective_to"}
    }
    fields.update(
        code="wuhu-2026",
        effective_from=timezone.localdate(),
        items_funded=["living", "medical", "education"],
    )
    policy_create(actor=world.wuhu.admin, **fields)
    html = page(client, world.wuhu.caseworker, url("grant_create", archive.pk)).content.decode()
    assert '<option value="education"' in html
    assert '<option value="training"' not in html
    assert '<option value="legal_aid"' not in html
    refused = page(
        client, world.wuhu.caseworker, url("grant_create", archive.pk), item="training"
    ).content.decode()
    assert "不资助职业培训和职业介绍（资助项目：生活救助、医疗救助、助学救助）" in refused
