"""Audit (经审, WH-F §15–§16, TA-F §11–§13): auditors read every account, entry, grant and
payment batch with its history — and change nothing: every funds URL that takes a POST
refuses them (403), those that do not answer 405. The URLs are read from funds.urls when
the test runs, so views added later are covered too."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, reverse
from django.urls.converters import IntConverter

from accounts.roles import Role
from core.history import save_tracked
from funds import urls as funds_urls
from funds.models import (
    AllocationLine,
    AllocationPlan,
    BudgetRequest,
    Entry,
    ExportJob,
    FundAccount,
    Grant,
    Item,
    Receipt,
    Source,
    Transfer,
)
from tests.factories.accounts import make_org, make_user
from tests.factories.funds import build_book, paid_line, post

K = Entry.Kind
D = Decimal
PK = 424242  # every funds record the POST test needs carries this key


@pytest.fixture
def book(accounts, world_finance, archive):
    return build_book(accounts, world_finance, archive)


# --- Auditors change nothing ---------------------------------------------------------------


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern


def funds_urls_with_keys() -> list[tuple[str, str]]:
    """Every named funds URL, with PK for each number in it and "x" for any other part."""
    found = []
    for pattern in _routes(funds_urls.urlpatterns):
        converters = getattr(pattern.pattern, "converters", {})
        kwargs = {
            name: PK if isinstance(converter, IntConverter) else "x"
            for name, converter in converters.items()
        }
        found.append((pattern.name, reverse(f"funds:{pattern.name}", kwargs=kwargs)))
    return found


@pytest.fixture
def one_of_each(world, accounts, world_finance, archive):
    """One record of every funds model, each with the key PK, under a county of the city."""
    w = world.wuhu
    fin = make_user(make_org(w.city, "审计测试区总工会"), Role.FINANCE, username="fin_t")
    org = fin.organisation

    def tracked(obj):
        return save_tracked(obj, actor=fin, reason="测试：审计用记录")

    account = tracked(
        FundAccount(
            pk=PK, organisation=org, county=org, city=w.city, name="审计测试专户",
            bank_name="中国银行", bank_account="1",
        )
    )  # fmt: skip
    day = datetime.date(2026, 3, 2)
    receipt = tracked(
        Receipt(
            pk=PK, account=account, received_on=day, year=2026, source=Source.CENTRAL,
            amount=D("1000"), counterpart="市总工会", document_number="1", document_title="通知",
            allocation_due=datetime.date(2026, 3, 30), recorded_by=fin,
        )
    )  # fmt: skip
    # The primary key passed through post_entry's links: the only way to choose it.
    post(fin, account, K.RECEIPT, day, "1000.00", Source.CENTRAL, receipt=receipt, id=PK)
    plan = tracked(
        AllocationPlan(
            pk=PK, account=account, year=2026, title="方案", meeting_reference="纪要1",
            meeting_date=day, recorded_by=fin,
        )
    )  # fmt: skip
    tracked(AllocationLine(pk=PK, plan=plan, receipt=receipt, to_account=account, amount=D("1")))
    tracked(
        Transfer(
            pk=PK, from_account=accounts.city, to_account=account, transfer_date=day, year=2026,
            source=Source.CENTRAL, amount=D("1"), reference="拨1", recorded_by=fin,
        )
    )  # fmt: skip
    tracked(
        BudgetRequest(
            pk=PK, account=account, year=2026, quarter=2, submitted_on=day, amount=D("1"),
            items={"living": "1.00"}, on_time=True, recorded_by=fin,
        )
    )  # fmt: skip
    paid_line(
        archive, account, fin, amount="10.00", item=Item.LIVING, source="central", pk=PK,
        recorded_at=datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC),
        entry_due=datetime.date(2026, 4, 14),
    )  # fmt: skip
    tracked(
        ExportJob(
            pk=PK, requested_by=fin, organisation=org, kind="ledger",
            params={"year": 2026, "account": PK},
        )
    )  # fmt: skip
    return account


def history_rows() -> int:
    return sum(
        model.history.count()
        for model in apps.get_app_config("funds").get_models()
        if hasattr(model, "history")
    )


def test_every_funds_url_refuses_an_auditors_post(client, one_of_each, world_finance):
    routes = funds_urls_with_keys()
    assert {"ledger", "export_request", "audit", "performance"} <= {name for name, _ in routes}
    before = history_rows()
    client.force_login(world_finance.city_auditor)

    answers = {name: client.post(url, {}).status_code for name, url in routes}

    wrong = {name: status for name, status in answers.items() if status not in (403, 405)}
    assert wrong == {}, (
        "These funds URLs answered an auditor's POST without refusing it. A page that only "
        "reads must answer GET only (require_GET: 405); a view that acts must refuse an "
        f"auditor (403) before it reads the form: {wrong}"
    )
    assert answers["export_request"] == 403 and answers["ledger"] == 405
    assert history_rows() == before


def test_the_records_of_the_post_test_are_in_the_auditors_scope(client, one_of_each, world_finance):
    """The 403s above are refusals, not records the auditor could not find."""
    client.force_login(world_finance.city_auditor)

    for name in ("audit_entry", "audit_grant", "audit_batch", "audit_account", "export_job"):
        assert client.get(reverse(f"funds:{name}", args=[PK])).status_code == 200


# --- What auditors read ---------------------------------------------------------------------


def test_the_audit_home_lists_the_accounts_in_scope_with_their_year(client, book, world_finance):
    client.force_login(world_finance.county_a_auditor)

    response = client.get(reverse("funds:audit"), {"year": 2026})

    assert response.status_code == 200
    assert [a.pk for a, _ in response.context["accounts"]] == [book.account.pk]
    ((_, balances),) = response.context["accounts"]
    assert balances == {"income": D("170000"), "outgo": D("8000"), "balance": D("162000")}
    html = response.content.decode()
    assert "记账：资金到账" in html  # recent changes, with their reasons
    for name in ("audit_grants", "audit_batches", "performance", "ledger"):
        assert reverse(f"funds:{name}") in html

    client.force_login(world_finance.city_auditor)
    response = client.get(reverse("funds:audit"), {"year": 2026})
    assert len(response.context["accounts"]) == 3


def test_an_entry_with_its_history_and_its_reversal(client, book, world_finance):
    client.force_login(world_finance.county_a_auditor)
    donation, reversal = book.entries["donation"], book.entries["reversal"]

    response = client.get(reverse("funds:audit_entry", args=[donation.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "已被冲销" in html and reverse("funds:audit_entry", args=[reversal.pk]) in html
    (change,) = response.context["history"]
    assert change.reason == "记账：资金到账" and change.user == world_finance.county_a
    assert change.kind == "新建"
    response = client.get(reverse("funds:audit_entry", args=[reversal.pk]))
    assert "冲销的分录" in response.content.decode()


def test_a_payment_entry_leads_to_its_grant_and_batch(client, book, world_finance):
    client.force_login(world_finance.county_a_auditor)
    payment = book.entries["payment"]

    html = client.get(reverse("funds:audit_entry", args=[payment.pk])).content.decode()

    line = payment.payment_line
    assert reverse("funds:audit_grant", args=[line.grant_id]) in html
    assert reverse("funds:audit_batch", args=[line.batch_id]) in html
    assert line.card_masked in html


def test_a_grants_history_names_who_changed_what_when_and_why(client, book, world_finance):
    grant = book.entries["payment"].payment_line.grant
    grant.status = Grant.Status.CANCELLED
    save_tracked(grant, actor=world_finance.county_a, reason="测试：撤销", update_fields=["status"])
    client.force_login(world_finance.city_auditor)

    response = client.get(reverse("funds:audit_grant", args=[grant.pk]))

    assert response.status_code == 200
    latest = response.context["history"][0]
    assert latest.reason == "测试：撤销" and latest.user == world_finance.county_a
    assert latest.changes == [("状态", "已发放", "已撤销")]
    html = response.content.decode()
    assert "状态：已发放 → 已撤销" in html and "深度困难" in html


def test_a_batch_with_its_lines_and_their_history(client, book, world_finance):
    line = book.entries["payment"].payment_line
    line.bank_reference = "ICBC-0001"
    save_tracked(
        line,
        actor=world_finance.county_a,
        reason="测试：登记银行流水",
        update_fields=["bank_reference"],
    )
    client.force_login(world_finance.county_a_auditor)

    response = client.get(reverse("funds:audit_batch", args=[line.batch_id]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "ICBC-0001" in html and line.card_masked in html and line.card_cipher not in html
    assert "银行流水号：— → ICBC-0001" in html
    reasons = [c.reason for c in response.context["history"]]
    assert "测试：登记银行流水" in reasons and "测试：发放批次" in reasons


def test_an_accounts_page_with_its_sources_and_history(client, book, world_finance):
    client.force_login(world_finance.county_a_auditor)

    response = client.get(reverse("funds:audit_account", args=[book.account.pk]), {"year": 2026})

    assert response.status_code == 200
    assert response.context["sources"].totals.balance == D("162000")
    assert [c.reason for c in response.context["history"]] == ["开设帮扶资金专户"]


def test_grant_and_batch_lists(client, book, world_finance):
    client.force_login(world_finance.city_auditor)

    grants = client.get(reverse("funds:audit_grants"), {"year": 2026, "status": "paid"})
    batches = client.get(reverse("funds:audit_batches"))

    assert grants.content.decode().count('data-testid="grant-row"') == 1
    assert batches.content.decode().count('data-testid="batch-row"') == 1
    none = client.get(reverse("funds:audit_grants"), {"year": 2025})
    assert 'data-testid="grant-row"' not in none.content.decode()


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("audit", {"year": "zz"}),
        ("audit_grants", {"year": "zz", "status": "nope", "page": "x"}),
        ("audit_grants", {"account": "999999"}),
        ("audit_batches", {"status": "nope", "page": "-1", "account": "a"}),
    ],
)
def test_bad_filters_do_not_break_the_audit_pages(client, book, world_finance, name, params):
    client.force_login(world_finance.city_auditor)

    assert client.get(reverse(f"funds:{name}"), params).status_code == 200


# --- Scope --------------------------------------------------------------------------------


def county_a_urls(book) -> list[str]:
    line = book.entries["payment"].payment_line
    return [
        reverse("funds:audit_entry", args=[book.entries["central"].pk]),
        reverse("funds:audit_grant", args=[line.grant_id]),
        reverse("funds:audit_batch", args=[line.batch_id]),
        reverse("funds:audit_account", args=[book.account.pk]),
    ]


def test_the_other_countys_staff_get_404(client, book, world_finance, world):
    county_b_auditor = make_user(world.wuhu.county_b, Role.AUDITOR, username="aud_b")
    for user in (county_b_auditor, world_finance.county_b):
        client.force_login(user)
        assert [client.get(url).status_code for url in county_a_urls(book)] == [404] * 4


def test_staff_without_a_funds_role_are_refused(client, book, world):
    for user in (world.wuhu.caseworker, world.wuhu.county_reviewer, world.wuhu.caseworker_b):
        client.force_login(user)
        assert client.get(reverse("funds:audit")).status_code == 403
        assert [client.get(url).status_code for url in county_a_urls(book)] == [403] * 4


# --- Queries do not grow with the data ------------------------------------------------------


def test_the_audit_lists_read_a_fixed_number_of_queries(
    client, book, world_finance, archive, django_assert_num_queries
):
    client.force_login(world_finance.city_auditor)
    urls = [reverse("funds:audit_grants"), reverse("funds:audit_batches"), reverse("funds:audit")]
    small = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        small.append(len(queries.captured_queries))
    fin = world_finance.county_a
    for n in range(12):
        line = paid_line(
            archive, book.account, fin, amount="1.00", item=Item.LIVING, source="union"
        )
        post(fin, book.account, K.PAYMENT, datetime.date(2026, 4, 1 + n), "-1.00", "union",
             payment_line=line)  # fmt: skip

    for url, count in zip(urls, small, strict=True):
        with django_assert_num_queries(count):
            client.get(url)
