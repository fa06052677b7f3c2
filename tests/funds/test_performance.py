"""The yearly performance evaluation (绩效评价, WH-F §13–§15, TA-F §13) on a small year with
exact numbers: what came in, what the city passed down and how quickly, what was spent by
source and item, execution rates, households helped and assistance entered on time."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funds.models import Entry, Grant, Item, Source
from funds.selectors.performance import percent, performance_report
from tests.factories.archives import open_archive
from tests.factories.funds import paid_line, post, receipt, transfer

K = Entry.Kind
D = Decimal
BEIJING = ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BEIJING)


@pytest.fixture
def year(world, accounts, world_finance, archive):
    """2026 of the city and its two counties (and a 2025 receipt the report leaves out)."""
    city, a, b = accounts.city, accounts.county_a, accounts.county_b
    fin_city, fin_a = world_finance.city, world_finance.county_a
    d = datetime.date
    r1 = receipt(fin_city, city, d(2026, 1, 5), "100000.00", Source.CENTRAL, due=d(2026, 2, 2))
    post(fin_city, city, K.RECEIPT, d(2026, 1, 5), "100000.00", Source.CENTRAL, receipt=r1)
    r2 = receipt(fin_city, city, d(2026, 2, 1), "40000.00", Source.PROVINCIAL, due=d(2026, 3, 1))
    post(fin_city, city, K.RECEIPT, d(2026, 2, 1), "40000.00", Source.PROVINCIAL, receipt=r2)
    post(fin_city, city, K.RECEIPT, d(2025, 12, 1), "1000.00", Source.LOCAL)
    transfer(fin_city, city, a, d(2026, 1, 20), "60000.00", Source.CENTRAL, receipt=r1)  # in time
    transfer(fin_city, city, b, d(2026, 2, 10), "20000.00", Source.CENTRAL, receipt=r1)  # late
    transfer(fin_city, city, a, d(2026, 2, 20), "10000.00", Source.PROVINCIAL, receipt=r2)
    transfer(fin_city, city, b, d(2026, 2, 25), "5000.00", Source.PROVINCIAL)  # no receipt

    post(fin_a, a, K.RECEIPT, d(2026, 3, 1), "10000.00", Source.LOCAL)
    gift = post(fin_a, a, K.RECEIPT, d(2026, 3, 2), "500.00", Source.DONATION)
    post(fin_a, a, K.REVERSAL, d(2026, 3, 3), "-500.00", Source.DONATION, reverses=gift)

    second = open_archive(world, person=1)
    due = d(2026, 5, 20)
    payments = [
        # (archive, item, source, amount, grant category, result recorded at)
        (archive, Item.LIVING, Source.CENTRAL, "3000.00", None, at(d(2026, 5, 10), 10)),
        # 01:00 on the 21st in Beijing is still the 20th in UTC: late all the same.
        (archive, Item.MEDICAL, Source.CENTRAL, "4000.00", None, at(d(2026, 5, 21), 1)),
        (second, Item.EDUCATION, Source.PROVINCIAL, "2500.00", "relative", at(due, 23, 30)),
    ]
    for household, item, source, amount, category, recorded in payments:
        line = paid_line(
            household, a, fin_a, amount=amount, item=item, source=source, category=category,
            recorded_at=recorded, entry_due=due,
        )  # fmt: skip
        post(
            fin_a, a, K.PAYMENT, recorded.date(), f"-{amount}", source, item=item,
            payment_line=line, counterpart=household.person_name,
        )  # fmt: skip
    # Approved, not paid: neither spent nor a household helped.
    paid_line(second, a, fin_a, amount="900.00", item=Item.LIVING, source=Source.CENTRAL,
              status=Grant.Status.APPROVED, category="accident")  # fmt: skip
    return accounts


def source_table(report):
    return [(s.label, s.received, s.allocated, s.spent, s.balance) for s in report.sources]


def test_percent_is_one_decimal_half_up():
    assert percent(D("9500"), D("80000")) == D("11.9")  # 11.875
    assert percent(1, 8) == D("12.5")
    assert percent(2, 3) == D("66.7")
    assert percent(1, 0) is None


def test_the_citys_year(year, world_finance):
    report = performance_report(world_finance.city, year=2026)

    assert source_table(report) == [
        ("中央财政", D("100000"), D("80000"), D("7000"), D("93000")),
        ("省级财政", D("40000"), D("15000"), D("2500"), D("37500")),
        ("地方财政", D("10000"), D("0"), D("0"), D("10000")),
        ("社会捐赠", D("0"), D("0"), D("0"), D("0")),  # received, reversed: nothing
    ]
    assert (report.received, report.allocated, report.spent, report.balance) == (
        D("150000"),
        D("95000"),
        D("9500"),
        D("140500"),
    )
    assert [(i.label, i.spent) for i in report.items] == [
        ("生活救助", D("3000")),
        ("医疗救助", D("4000")),
        ("助学救助", D("2500")),
    ]
    assert [(e.received, e.transferred_in, e.spent, e.rate) for e in report.execution] == [
        (D("140000"), D("0"), D("0"), D("0.0")),  # the city
        (D("10000"), D("70000"), D("9500"), D("11.9")),  # county A
        (D("0"), D("25000"), D("0"), D("0.0")),  # county B
    ]
    # The city's transfers are its own receipts: not counted twice in the total.
    total = report.total
    assert (total.received, total.transferred_in, total.spent, total.rate) == (
        D("150000"),
        D("0"),
        D("9500"),
        D("6.3"),
    )
    assert (report.allocation.count, report.allocation.total, report.allocation.rate) == (
        2,
        3,
        D("66.7"),
    )
    assert report.transfers_unlinked == 1
    assert [(c.label, c.households) for c in report.categories] == [
        ("深度困难", 1),
        ("相对困难", 1),
    ]
    assert report.households == 2
    assert (report.entered.count, report.entered.total, report.entered.rate) == (2, 3, D("66.7"))


def test_a_countys_year(year, world_finance):
    report = performance_report(world_finance.county_a, year=2026)

    assert source_table(report) == [
        ("中央财政", D("0"), D("60000"), D("7000"), D("53000")),
        ("省级财政", D("0"), D("10000"), D("2500"), D("7500")),
        ("地方财政", D("10000"), D("0"), D("0"), D("10000")),
        ("社会捐赠", D("0"), D("0"), D("0"), D("0")),
    ]
    # Money from the city is counted: the county's total is its own account's.
    assert (report.total.transferred_in, report.total.rate) == (D("70000"), D("11.9"))
    assert (report.allocation.count, report.allocation.total) == (2, 2)
    assert report.allocation.rate == D("100.0") and report.transfers_unlinked == 0
    assert report.households == 2


def test_the_city_looks_at_one_county(year, world_finance, accounts):
    report = performance_report(world_finance.city, year=2026, account=accounts.county_b)

    assert [e.name for e in report.execution] == [accounts.county_b.name]
    assert (report.allocation.count, report.allocation.total, report.transfers_unlinked) == (
        0,
        1,
        1,
    )
    assert report.allocation.rate == D("0.0")
    assert report.households == 0 and report.entered.rate is None


def test_another_year_is_empty(year, world_finance):
    report = performance_report(world_finance.city, year=2024)

    assert report.sources == [] and report.total.rate is None and report.households == 0


def test_a_county_cannot_ask_for_anothers_account(year, world_finance, accounts):
    with pytest.raises(PermissionDenied):
        performance_report(world_finance.county_b, year=2026, account=accounts.county_a)


def test_the_performance_page(client, year, world_finance):
    client.force_login(world_finance.city_auditor)

    response = client.get(reverse("funds:performance"), {"year": 2026})

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("150000.00", "95000.00", "9500.00", "140500.00", "11.9%", "6.3%", "66.7%"):
        assert text in html
    assert "另有 1 笔下拨未关联资金到账记录" in html


def test_the_performance_workbook_matches_the_page(client, year, world_finance):
    client.force_login(world_finance.city)

    response = client.get(reverse("funds:performance_export"), {"year": 2026})

    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["资金来源", "帮扶支出（按项目）", "预算执行率", "及时性", "帮扶户数"]
    sources = list(wb["资金来源"].iter_rows(values_only=True))
    assert sources[-1][:5] == ("合计", 150000, 95000, 9500, 140500)
    execution = list(wb["预算执行率"].iter_rows(values_only=True))
    assert execution[2][4] == "11.9%" and execution[-1][4] == "6.3%"
    timeliness = list(wb["及时性"].iter_rows(values_only=True))
    assert timeliness[1][1:] == (2, 3, "66.7%") and timeliness[2][1:] == (2, 3, "66.7%")
    assert list(wb["帮扶户数"].iter_rows(values_only=True))[-1] == ("合计（不重复计户）", 2)


@pytest.mark.parametrize("params", [{"year": "x"}, {"account": "-1"}, {"year": "1"}])
def test_bad_filters_do_not_break_the_report(client, year, world_finance, params):
    client.force_login(world_finance.county_a)

    assert client.get(reverse("funds:performance"), params).status_code == 200
    assert client.get(reverse("funds:performance_export"), params).status_code == 200


def test_another_county_sees_only_its_own(client, year, world_finance, accounts):
    client.force_login(world_finance.county_b)

    response = client.get(
        reverse("funds:performance"), {"year": 2026, "account": accounts.county_a.pk}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert accounts.county_a.name not in html and "9500.00" not in html


def test_grassroots_staff_have_no_performance_page(client, year, world):
    client.force_login(world.wuhu.caseworker)

    assert client.get(reverse("funds:performance")).status_code == 403


def test_the_report_reads_a_fixed_number_of_queries(
    client, year, world_finance, accounts, django_assert_num_queries
):
    client.force_login(world_finance.city)
    url = reverse("funds:performance")
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"year": 2026})
    for n in range(10):
        day = datetime.date(2026, 6, 1 + n)
        post(world_finance.county_b, accounts.county_b, K.RECEIPT, day, "100.00", Source.UNION)
        transfer(world_finance.city, accounts.city, accounts.county_b, day, "1.00", Source.CENTRAL)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, {"year": 2026})
    assert response.context["report"].received == D("151000")
