"""The books (WH-F §10, TA-F §6): general ledger by month, detail ledger with its running
balance, auxiliary books by item, fund category and source — selectors and pages.

The helpers at the top build entries the way the product does (post_entry on a locked
account, inside a transaction); the other funds test modules of the books use them too.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funds.models import (
    Entry,
    Source,
)
from funds.selectors.ledgers import (
    NO_ITEM,
    detail_lines,
    detail_rows,
    general_ledger,
    group_book,
    ledger_entries,
    ledger_totals,
)
from tests.factories.funds import RUNNING, Book, build_book, post

K = Entry.Kind
D = Decimal


@pytest.fixture
def book(accounts, world_finance, archive) -> Book:
    return build_book(accounts, world_finance, archive)


def county_a_entries(world_finance, book: Book):
    return ledger_entries(world_finance.county_a, year=2026, account=book.account)


# --- Selectors ---------------------------------------------------------------------------


def test_general_ledger_by_month_opening_income_expenditure_closing(book, world_finance):
    general = general_ledger(county_a_entries(world_finance, book))

    assert [(m.label, m.opening, m.income, m.outgo, m.closing) for m in general.months] == [
        ("2026年01月", D("0"), D("120000.00"), D("0.00"), D("120000.00")),
        # The reversed donation nets to nothing on the income side; the return is paid out.
        ("2026年02月", D("120000.00"), D("0.00"), D("5000.00"), D("115000.00")),
        ("2026年03月", D("115000.00"), D("50000.00"), D("3000.00"), D("162000.00")),
    ]
    assert (general.totals.income, general.totals.outgo, general.totals.balance) == (
        D("170000.00"),
        D("8000.00"),
        D("162000.00"),
    )


def test_auxiliary_books_by_item_category_and_source(book, world_finance):
    entries = county_a_entries(world_finance, book)

    def lines(name):
        group = group_book(entries, name)
        return [(x.label, x.income, x.outgo, x.balance) for x in group.lines], group.totals

    items, totals = lines("item")
    assert items == [
        (NO_ITEM, D("120000.00"), D("5000.00"), D("115000.00")),
        ("生活救助", D("50000.00"), D("3000.00"), D("47000.00")),
    ]
    assert (totals.income, totals.outgo, totals.balance) == (D("170000"), D("8000"), D("162000"))

    categories, _ = lines("category")
    assert categories == [
        ("财政资金", D("150000.00"), D("8000.00"), D("142000.00")),
        ("工会资金", D("20000.00"), D("0.00"), D("20000.00")),
        ("社会资金", D("0.00"), D("0.00"), D("0.00")),
    ]

    sources, totals = lines("source")
    assert sources == [
        ("中央财政", D("100000.00"), D("8000.00"), D("92000.00")),
        ("省级财政", D("50000.00"), D("0.00"), D("50000.00")),
        ("工会经费", D("20000.00"), D("0.00"), D("20000.00")),
        ("社会捐赠", D("0.00"), D("0.00"), D("0.00")),
    ]
    assert totals.balance == D("162000.00")


def test_detail_ledger_running_balance_in_sql_and_in_the_stream_agree(book, world_finance):
    entries = county_a_entries(world_finance, book)

    on_screen = list(detail_lines(entries))
    streamed = list(detail_rows(entries))

    assert [e.running for e in on_screen] == RUNNING
    assert [row[-1] for row in streamed] == RUNNING
    # A page cut from the middle still carries the year's running balance.
    assert [e.running for e in detail_lines(entries)[3:5]] == RUNNING[3:5]
    # Red-ink reversal: in the income column, negative; never an expenditure.
    reversal = streamed[4]
    assert reversal[3] == "冲销" and reversal[8] == D("-1000.00") and reversal[9] is None
    payment = streamed[6]
    assert payment[:8] == (
        datetime.date(2026, 3, 15),
        book.entries["payment"].reference,
        book.entries["payment"].description,
        "帮扶支出",
        "中央财政",
        "财政资金",
        "生活救助",
        book.entries["payment"].counterpart,
    )
    assert payment[8:] == (None, D("3000.00"), D("162000.00"))
    totals = ledger_totals(entries)
    assert sum(r[8] or 0 for r in streamed) == totals.income == D("170000.00")
    assert sum(r[9] or 0 for r in streamed) == totals.outgo == D("8000.00")


def test_a_city_book_covers_every_account_in_its_scope(book, world_finance, accounts):
    """Consolidated: the transfer from the city to county A is internal and left out."""
    city = ledger_entries(world_finance.city, year=2026)
    assert not city.filter(kind__in=[K.TRANSFER_IN, K.TRANSFER_OUT]).exists()
    assert ledger_totals(city).income == D("900000.00") + D("50000.00") + D("120000.00") + D(
        "7777.00"
    )
    county = ledger_entries(world_finance.county_a, year=2026)

    assert ledger_totals(city).balance == D("162000.00") + D("900000.00") + D("7777.00")
    assert ledger_totals(county).balance == D("162000.00")
    names = {accounts.city.pk: "市", accounts.county_a.pk: "甲", accounts.county_b.pk: "乙"}
    assert [row[0] for row in detail_rows(city, account_names=names)][:3] == ["市", "乙", "甲"]


# --- Pages -------------------------------------------------------------------------------


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("funds:ledger"), params)


def test_general_ledger_page_shows_the_months_and_the_years_totals(client, book, world_finance):
    response = page(client, world_finance.county_a, year=2026)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="month-row"' in html and html.count('data-testid="month-row"') == 3
    assert "170000.00" in html and "162000.00" in html
    assert "900000.00" not in html  # the city's money is not county A's


@pytest.mark.parametrize(
    ("book_name", "expected"),
    [
        ("item", ["（未分项目）", "生活救助", "47000.00"]),
        ("category", ["财政资金", "142000.00"]),
        ("source", ["中央财政", "92000.00", "社会捐赠"]),
    ],
)
def test_auxiliary_book_pages(client, book, world_finance, book_name, expected):
    response = page(client, world_finance.county_a, year=2026, book=book_name)

    html = response.content.decode()
    for text in expected:
        assert text in html
    assert "162000.00" in html  # the totals row


def test_detail_page_paginates_with_the_running_balance(client, book, world_finance):
    response = page(client, world_finance.county_a, year=2026, book="detail")

    html = response.content.decode()
    assert html.count('data-testid="detail-row"') == 7
    assert [str(line[0].running) for line in response.context["lines"]] == [str(x) for x in RUNNING]
    assert reverse("funds:audit_entry", args=[book.entries["payment"].pk]) in html


def test_city_finance_chooses_an_account_or_sees_all(client, book, world_finance, accounts):
    response = page(client, world_finance.city, year=2026, book="detail")
    html = response.content.decode()
    assert html.count('data-testid="detail-row"') == 9
    assert "<th>账户</th>" in html

    response = page(
        client, world_finance.city, year=2026, book="general", account=accounts.county_a.pk
    )
    assert response.context["general"].totals.balance == D("162000.00")


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "99999"},
        {"book": "nonsense"},
        {"account": "999999"},
        {"account": "x' OR 1=1"},
        {"book": "detail", "page": "zzz"},
        {"book": "detail", "page": "-5"},
    ],
)
def test_nothing_typed_into_the_address_bar_breaks_the_page(client, book, world_finance, params):
    response = page(client, world_finance.county_a, **params)

    assert response.status_code == 200


def test_wrong_filters_are_reported_and_the_defaults_used(client, book, world_finance, world):
    world.clock.set(datetime.date(2026, 6, 1))
    response = page(client, world_finance.county_a, year="abc", book="nonsense")

    html = response.content.decode()
    assert "预算年度" in html and "已按默认显示" in html
    assert response.context["book"] == "general" and response.context["year"] == 2026


def test_another_countys_account_is_not_shown(client, book, world_finance, accounts):
    response = page(client, world_finance.county_b, year=2026, account=accounts.county_a.pk)

    html = response.content.decode()
    assert "100000.00" not in html and "162000.00" not in html
    assert "7777.00" in html  # its own book, as by default


@pytest.mark.parametrize("who", ["caseworker", "county_reviewer"])
def test_staff_without_funds_roles_are_refused(client, world, book, who):
    response = page(client, getattr(world.wuhu, who), year=2026)

    assert response.status_code == 403


def test_the_ledger_answers_get_only(client, world_finance):
    client.force_login(world_finance.county_a)
    assert client.post(reverse("funds:ledger")).status_code == 405


def test_the_detail_page_reads_a_fixed_number_of_queries(
    client, book, world_finance, django_assert_num_queries
):
    client.force_login(world_finance.county_a)
    url = reverse("funds:ledger")
    params = {"year": 2026, "book": "detail", "account": book.account.pk}
    with CaptureQueriesContext(connection) as small:
        client.get(url, params)
    fin = world_finance.county_a
    for day in range(1, 29):
        post(fin, book.account, K.RECEIPT, datetime.date(2026, 4, day), "10.00", Source.LOCAL)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, params)
    assert response.context["page_obj"].paginator.count == 7 + 28

    for book_name in ("general", "item", "source"):
        with CaptureQueriesContext(connection) as queries:
            client.get(url, {**params, "book": book_name})
        assert len(queries.captured_queries) <= len(small.captured_queries)
