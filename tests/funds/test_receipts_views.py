"""The account, receipt, allocation, budget-request, return, 冲销 and year-end pages: who
sees what, what a click does, bad input, and a fixed number of queries as data grows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funds.models import AllocationPlan, BudgetRequest, Entry, FundAccount, Receipt, Source
from funds.services.accounts import fund_account_create
from funds.services.ledger import balance, entry_reverse
from tests.factories.accounts import make_org
from tests.factories.funds import TODAY, execute, plan, receive

K = Entry.Kind


def url(name: str, *args) -> str:
    return reverse(f"funds:{name}", args=args)


def get(client, user, path: str, **params):
    client.force_login(user)
    return client.get(path, params)


def post(client, user, path: str, data: dict):
    client.force_login(user)
    return client.post(path, data)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


RECEIPT_FORM = {
    "received_on": "2026-04-01",
    "year": "2026",
    "source": "central",
    "amount": "88000.00",
    "counterpart": "安徽省总工会",
    "document_number": "皖工办〔2026〕13号",
    "document_title": "关于下达2026年中央财政专项帮扶资金的通知",
}


# --- Who sees the pages -----------------------------------------------------------------------


def test_the_accounts_page_shows_each_scope_its_accounts(client, world, accounts, world_finance):
    receive(world_finance.city, accounts.city, "1000")
    receive(world_finance.county_a, accounts.county_a, "300", source=Source.LOCAL)
    page = get(client, world_finance.city, url("accounts"))
    assert page.status_code == 200
    names = [b.account.pk for b in page.context["balances"]]
    assert names == [accounts.city.pk, accounts.county_a.pk, accounts.county_b.pk]
    text = page.content.decode()
    assert "1000.00" in text and "300.00" in text
    # WH-F §8 is on the page.
    assert "帮扶中心工作人员工资或办公经费" in text and "购买车辆、手机" in text
    for user in (world_finance.city_auditor, world.wuhu.admin):
        assert len(get(client, user, url("accounts")).context["balances"]) == 3
    for year in ("abc", "all", "2025", "-1"):
        assert get(client, world_finance.city, url("accounts"), year=year).status_code == 200
    own = get(client, world_finance.county_a, url("accounts"))
    assert [b.account.pk for b in own.context["balances"]] == [accounts.county_a.pk]
    assert "1000.00" not in own.content.decode()
    # No funds pages for a grassroots caseworker or a county reviewer.
    assert get(client, world.wuhu.caseworker, url("accounts")).status_code == 403
    assert get(client, world.wuhu.county_reviewer, url("accounts")).status_code == 403
    client.logout()
    assert client.get(url("accounts")).status_code == 302


def test_the_nav_links_to_the_funds_pages_for_finance_only(client, world, world_finance):
    assert url("accounts") in get(client, world_finance.county_a, reverse("home")).content.decode()
    assert (
        url("accounts") not in get(client, world.wuhu.caseworker, reverse("home")).content.decode()
    )


def test_another_county_gets_404_on_county_a(client, world, accounts, world_finance):
    fin = world_finance.county_a
    entry = Entry.objects.get(receipt=receive(fin, accounts.county_a, "500"))
    paths = [
        url("account", accounts.county_a.pk),
        url("receipts", accounts.county_a.pk),
        url("plans", accounts.county_a.pk),
    ]
    for path in paths:
        assert get(client, world_finance.county_b, path).status_code == 404
        assert get(client, world_finance.city, path).status_code == 200
    actions = [
        url("receipt_create", accounts.county_a.pk),
        url("return_create", accounts.county_a.pk),
        url("budget_request_create", accounts.county_a.pk),
        url("entry_reverse", entry.pk),
    ]
    for path in actions:
        assert get(client, world_finance.county_b, path).status_code == 404
        assert post(client, world_finance.county_b, path, {}).status_code == 404
    # County A's finance does not reach the city's account either.
    assert get(client, fin, url("account", accounts.city.pk)).status_code == 404
    assert (
        post(client, fin, url("receipt_create", accounts.city.pk), RECEIPT_FORM).status_code == 404
    )
    assert Receipt.objects.count() == 1


def test_an_auditor_reads_but_every_post_is_refused(client, world, accounts, world_finance):
    fin = world_finance.city
    receipt = receive(fin, accounts.city, "1000")
    draft = plan(fin, accounts.city, [(receipt, accounts.county_a, "", Decimal("100"))])
    entry = Entry.objects.get(receipt=receipt)
    auditor = world_finance.city_auditor
    for path in (
        url("account", accounts.city.pk),
        url("receipts", accounts.city.pk),
        url("plans", accounts.city.pk),
        url("plan", draft.pk),
        url("budget_requests"),
        url("unspent"),
    ):
        assert get(client, auditor, path).status_code == 200
    for path, data in (
        (url("receipt_create", accounts.city.pk), RECEIPT_FORM),
        (url("plan_create", accounts.city.pk), {}),
        (
            url("plan_execute", draft.pk),
            {"transfer_date": "2026-04-01", "reference": "x", "confirm": "on"},
        ),
        (url("return_create", accounts.city.pk), {}),
        (
            url("entry_reverse", entry.pk),
            {"entry_date": "2026-04-01", "reason": "x", "confirm": "on"},
        ),
        (url("account_create"), {}),
    ):
        response = post(client, auditor, path, data)
        assert response.status_code == 403, path
    assert Receipt.objects.count() == 1 and not Entry.objects.filter(kind=K.REVERSAL).exists()
    draft.refresh_from_db()
    assert draft.status == AllocationPlan.Status.DRAFT
    # The county auditor sees its county, not the city.
    assert (
        get(client, world_finance.county_a_auditor, url("account", accounts.city.pk)).status_code
        == 404
    )


def test_a_forbidden_role_is_refused(client, world, accounts, world_finance):
    # A city finance officer may read a county account, but not book on it.
    response = post(
        client, world_finance.city, url("receipt_create", accounts.county_a.pk), RECEIPT_FORM
    )
    assert response.status_code == 403
    assert "只能办理本级工会" in response.content.decode()
    # A caseworker or reviewer has no funds pages at all.
    assert (
        post(
            client,
            world.wuhu.county_caseworker,
            url("receipt_create", accounts.county_a.pk),
            RECEIPT_FORM,
        ).status_code
        == 403
    )
    assert (
        get(client, world.wuhu.county_reviewer, url("account", accounts.county_a.pk)).status_code
        == 403
    )
    assert not Receipt.objects.exists()


# --- Accounts ---------------------------------------------------------------------------------


def test_the_accounts_page_queries_do_not_grow_with_the_data(
    client, world, accounts, world_finance, django_assert_num_queries
):
    fin = world_finance.city
    receive(fin, accounts.city, "1000")
    client.force_login(fin)
    with CaptureQueriesContext(connection) as first:
        assert client.get(url("accounts"), {"year": "all"}).status_code == 200
    for number in range(5):
        receipt = receive(
            fin, accounts.city, "1000", source=Source.values[number], number=f"N{number}"
        )
        execute(fin, plan(fin, accounts.city, [(receipt, accounts.county_b, "", Decimal("10"))]))
    receive(
        world_finance.county_a, accounts.county_a, "50", year=2025, on=datetime.date(2025, 12, 30)
    )
    fund_account_create(
        actor=world.wuhu.admin,
        organisation=make_org(world.wuhu.city, "鸠江区总工会"),
        name="鸠江区总工会困难职工帮扶资金专户",
        bank_name="中国农业银行芜湖分行",
        bank_account="1307010009000000009",
    )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url("accounts"), {"year": "all"})
    assert len(response.context["balances"]) == 4
    assert len(response.context["balances"][0].rows) == 5


def test_the_year_end_banner_from_the_first_of_november(client, world, accounts, world_finance):
    receive(world_finance.city, accounts.city, "1000")
    page = get(client, world_finance.city, url("accounts")).content.decode()
    assert "year-end-warnings" not in page
    world.clock.set(datetime.date(2026, 11, 1))
    page = get(client, world_finance.city, url("accounts")).content.decode()
    assert (
        "year-end-warnings" in page and "不得结转下年" in page and "须于 2026-12-31 前使用" in page
    )


def test_the_account_page_lists_and_filters_entries(client, world, accounts, world_finance):
    fin = world_finance.city
    first = receive(fin, accounts.city, "1000", number="皖工办〔2026〕13号")
    receive(fin, accounts.city, "2000", source=Source.LOCAL, number="芜财社〔2026〕8号")
    reversal = entry_reverse(
        actor=fin, entry=Entry.objects.get(receipt=first), reason="录错", entry_date=TODAY
    )
    page = get(client, fin, url("account", accounts.city.pk))
    assert page.status_code == 200
    assert len(page.context["page_obj"]) == 3
    text = page.content.decode()
    assert f"已冲销</span>（分录 #{reversal.pk}" in text
    assert f"冲销分录 #{reversal.reverses_id}" in text
    # Only the entry not yet reversed offers 冲销.
    assert text.count("/reverse/") == 1

    def listed(**params) -> set[int]:
        response = get(client, fin, url("account", accounts.city.pk), **params)
        assert response.status_code == 200
        return {e.pk for e in response.context["page_obj"]}

    local = Entry.objects.get(source=Source.LOCAL).pk
    assert listed(source="local") == {local}
    assert listed(kind="reversal") == {reversal.pk}
    assert listed(q="芜财社") == {local}
    assert listed(item="-") == listed() and listed(item="living") == set()
    assert listed(year="2025") == set()
    assert listed(date_from="2026-04-02") == set() and len(listed(date_to="2026-04-01")) == 3
    # Nothing typed into the filter breaks the page: a bad value is ignored.
    for params in (
        {"year": "abc"},
        {"year": "99999"},
        {"date_from": "2026-13-45"},
        {"kind": "bribe"},
        {"source": "<script>"},
        {"page": "-1"},
        {"q": "x" * 500},
    ):
        assert len(listed(**params)) in (0, 3), params


def test_the_account_page_queries_do_not_grow_with_the_entries(
    client, world, accounts, world_finance, django_assert_num_queries
):
    fin = world_finance.city
    first = receive(fin, accounts.city, "1000")
    client.force_login(fin)
    with CaptureQueriesContext(connection) as captured:
        client.get(url("account", accounts.city.pk))
    entry_reverse(
        actor=fin, entry=Entry.objects.get(receipt=first), reason="录错", entry_date=TODAY
    )
    for number in range(8):
        receive(fin, accounts.city, "10", number=f"N{number}", source=Source.values[number % 7])
    with django_assert_num_queries(len(captured.captured_queries)):
        response = client.get(url("account", accounts.city.pk))
    assert len(response.context["page_obj"]) == 10


def test_an_administrator_opens_an_account(client, world, accounts, world_finance):
    county = make_org(world.wuhu.city, "鸠江区总工会")
    admin = world.wuhu.admin
    page = get(client, admin, url("account_create"))
    choices = list(page.context["form"].fields["organisation"].queryset)
    assert choices == [county]  # the city and counties A and B have their accounts
    response = post(
        client,
        admin,
        url("account_create"),
        {
            "organisation": county.pk,
            "name": "鸠江区总工会困难职工帮扶资金专户",
            "bank_name": "中国农业银行芜湖分行",
            "bank_account": "1307010009000000009",
        },
    )
    account = FundAccount.objects.get(organisation=county)
    assert response.status_code == 302 and response.url == url("account", account.pk)
    # Bad input stays on the form.
    response = post(client, admin, url("account_create"), {"organisation": "abc", "name": ""})
    assert response.status_code == 200 and response.context["form"].errors
    assert FundAccount.objects.count() == 4
    assert get(client, world_finance.city, url("account_create")).status_code == 403


# --- Receipts ----------------------------------------------------------------------------------


def test_recording_a_receipt(client, world, accounts, world_finance):
    fin = world_finance.city
    assert get(client, fin, url("receipt_create", accounts.city.pk)).status_code == 200
    response = post(client, fin, url("receipt_create", accounts.city.pk), RECEIPT_FORM)
    assert response.status_code == 302 and response.url == url("receipts", accounts.city.pk)
    receipt = Receipt.objects.get()
    assert (receipt.amount, receipt.recorded_by, receipt.allocation_due) == (
        Decimal("88000.00"),
        fin,
        datetime.date(2026, 4, 30),
    )
    assert balance(accounts.city) == Decimal("88000.00")
    page = client.get(response.url)
    assert any("2026-04-30" in m for m in messages_of(page))
    row = page.context["rows"][0]
    assert row.status == "未下达" and row.working_days_left == 20
    assert "剩余 20 个工作日" in page.content.decode()


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "abc"},
        {"amount": "-5"},
        {"amount": "1.234"},
        {"amount": "1" * 20},
        {"received_on": "2026-13-45"},
        {"received_on": "2026-04-02"},
        {"year": "20x6"},
        {"year": "2024"},
        {"source": "lottery"},
        {"document_number": ""},
        {"counterpart": "单" * 101},
    ],
)
def test_bad_receipt_input_stays_on_the_form(client, accounts, world_finance, changes):
    response = post(
        client,
        world_finance.city,
        url("receipt_create", accounts.city.pk),
        {**RECEIPT_FORM, **changes},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert any("未办理" in m for m in messages_of(response))
    assert not Receipt.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2万", "金额请直接写数字，不接受“万”：如指 2万元，请输入 20000.00。"),
        ("1e5", "请输入金额数字，例如 1234.56；不接受“2万”“1e5”等写法。"),
        ("８８０００", "请用半角数字和小数点输入金额（切换到英文输入法），例如 1234.56。"),
        ("88000.005", "金额最多两位小数（不会四舍五入），请核对。"),
        ("0", "金额须大于零。"),
    ],
)
def test_a_receipt_amount_is_never_reinterpreted(client, accounts, world_finance, typed, message):
    response = post(
        client,
        world_finance.city,
        url("receipt_create", accounts.city.pk),
        {**RECEIPT_FORM, "amount": typed},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [message]
    html = response.content.decode()
    # A text input: a number input would have sent "2" for "2万".
    assert f'<input type="text" name="amount" value="{typed}" inputmode="decimal"' in html
    assert not Receipt.objects.exists() and not Entry.objects.exists()


def test_a_receipt_amount_with_thousands_commas_is_recorded_exactly(
    client, accounts, world_finance
):
    post(
        client,
        world_finance.city,
        url("receipt_create", accounts.city.pk),
        {**RECEIPT_FORM, "amount": " 88,000.50 "},
    )

    assert Receipt.objects.get().amount == Decimal("88000.50")


def test_the_receipts_list_shows_the_allocation_status(
    client, world, accounts, world_finance, django_assert_num_queries
):
    fin = world_finance.city
    may = datetime.date(2026, 5, 8)
    receive(fin, accounts.city, "1000", number="A")
    world.clock.set(may)
    receive(fin, accounts.city, "100", number="B", on=may)
    client.force_login(fin)
    with CaptureQueriesContext(connection) as first:
        page = client.get(url("receipts", accounts.city.pk))
    text = page.content.decode()
    assert 'class="flag">逾期未下达' in text
    assert "按时下达" in text  # the explanation of the statuses
    for number in range(6):
        receipt = receive(
            fin, accounts.city, "100", number=f"N{number}", on=datetime.date(2026, 5, 8)
        )
        if number % 2:
            execute(
                fin,
                plan(
                    fin,
                    accounts.city,
                    [(receipt, accounts.county_a, "", Decimal("100"))],
                    meeting_date=datetime.date(2026, 5, 8),
                ),
                on=datetime.date(2026, 5, 8),
            )
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(url("receipts", accounts.city.pk))
    statuses = [row.status for row in page.context["rows"]]
    assert statuses.count("按时下达") == 3 and statuses.count("未下达") == 4
    assert statuses.count("逾期未下达") == 1
    # A county's receipts have no allocation deadline to show.
    county = get(client, world_finance.county_a, url("receipts", accounts.county_a.pk))
    assert "下达截止" not in county.content.decode()
    assert get(client, fin, url("receipts", accounts.city.pk), year="abc").status_code == 200


# --- Allocation plans ---------------------------------------------------------------------------


def _plan_form(lines: list[tuple], **fields) -> dict:
    data = {
        "year": "2026",
        "title": "2026年第一批帮扶资金分配使用方案",
        "meeting_reference": "市总党组会纪要〔2026〕5号",
        "meeting_date": "2026-04-01",
        "lines-TOTAL_FORMS": "6",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        **fields,
    }
    for index, (receipt, account, item, amount) in enumerate(lines):
        data[f"lines-{index}-receipt"] = receipt
        data[f"lines-{index}-to_account"] = account
        data[f"lines-{index}-item"] = item
        data[f"lines-{index}-amount"] = amount
    return data


def test_planning_and_executing_an_allocation(client, world, accounts, world_finance):
    fin = world_finance.city
    receipt = receive(fin, accounts.city, "100000")
    form_page = get(client, fin, url("plan_create", accounts.city.pk))
    assert "未下达 100000.00 元" in form_page.content.decode()
    response = post(
        client,
        fin,
        url("plan_create", accounts.city.pk),
        _plan_form(
            [
                (receipt.pk, accounts.county_a.pk, "living", "60000"),
                (receipt.pk, accounts.county_b.pk, "", "40000"),
            ]
        ),
    )
    draft = AllocationPlan.objects.get()
    assert response.status_code == 302 and response.url == url("plan", draft.pk)
    assert draft.lines.count() == 2 and draft.status == AllocationPlan.Status.DRAFT
    detail = get(client, fin, url("plan", draft.pk)).content.decode()
    assert url("plan_execute", draft.pk) in detail and "100000.00" in detail

    # The confirmation page: without the box ticked nothing happens.
    execute_url = url("plan_execute", draft.pk)
    assert get(client, fin, execute_url).status_code == 200
    response = post(
        client, fin, execute_url, {"transfer_date": "2026-04-01", "reference": "凭证 18"}
    )
    assert response.status_code == 200 and "confirm" in response.context["form"].errors
    assert not Entry.objects.filter(kind=K.TRANSFER_OUT).exists()
    response = post(
        client,
        fin,
        execute_url,
        {"transfer_date": "2026-04-01", "reference": "凭证 18", "confirm": "on"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == AllocationPlan.Status.EXECUTED
    assert balance(accounts.county_a) == Decimal("60000.00")
    assert balance(accounts.county_b) == Decimal("40000.00")
    assert balance(accounts.city) == 0
    # Executed once: the page says so and a second POST changes nothing.
    again = post(
        client,
        fin,
        execute_url,
        {"transfer_date": "2026-04-01", "reference": "凭证 19", "confirm": "on"},
    )
    assert again.status_code == 200 and "不能重复下达" in again.content.decode()
    assert Entry.objects.filter(kind=K.TRANSFER_IN).count() == 2
    county_page = get(client, world_finance.county_a, url("account", accounts.county_a.pk))
    assert "上级下拨" in county_page.content.decode()


def test_bad_plan_input_stays_on_the_form(client, world, accounts, world_finance):
    fin = world_finance.city
    receipt = receive(fin, accounts.city, "1000")
    path = url("plan_create", accounts.city.pk)
    cases = [
        _plan_form([(receipt.pk, accounts.county_a.pk, "", "5000")]),  # more than received
        _plan_form([(receipt.pk, "", "", "100")]),  # incomplete line
        _plan_form([(receipt.pk, accounts.city.pk, "", "100")]),  # not a county
        _plan_form([("999999", accounts.county_a.pk, "", "100")]),  # unknown receipt
        _plan_form([(receipt.pk, accounts.county_a.pk, "bonus", "100")]),
        _plan_form([(receipt.pk, accounts.county_a.pk, "", "abc")]),
        _plan_form([]),  # no line
        _plan_form([(receipt.pk, accounts.county_a.pk, "", "100")], meeting_reference=""),
        _plan_form([(receipt.pk, accounts.county_a.pk, "", "100")], meeting_date="tomorrow"),
        {"lines-TOTAL_FORMS": "x"},  # a broken management form
    ]
    for data in cases:
        response = post(client, fin, path, data)
        assert response.status_code == 200, data
        assert any("未办理" in m for m in messages_of(response))
    assert not AllocationPlan.objects.exists()
    # A county cannot plan at all.
    assert (
        get(client, world_finance.county_a, url("plan_create", accounts.county_a.pk)).status_code
        == 403
    )


# --- Budget requests ----------------------------------------------------------------------------------


def test_a_taian_county_sends_its_quarterly_budget(client, world, taian_funds):
    world.clock.set(datetime.date(2026, 7, 2))
    path = url("budget_request_create", taian_funds.account.pk)
    form = get(client, taian_funds.finance, path)
    fields = form.context["form"].fields
    assert {"item_living", "item_medical", "item_education"} <= set(fields)
    assert "item_training" not in fields  # TA-A §14
    data = {
        "year": "2026",
        "quarter": "3",
        "submitted_on": "2026-07-02",
        "item_living": "30000",
        "item_medical": "20000",
        "amount": "50000",
        "note": "",
    }
    response = post(client, taian_funds.finance, path, data)
    assert response.status_code == 302
    budget = BudgetRequest.objects.get()
    assert not budget.on_time and budget.items == {"living": "30000.00", "medical": "20000.00"}
    listing = get(client, taian_funds.city_finance, url("budget_requests"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert (
        "泰山区总工会" in text and 'class="flag">逾期报送' in text and "生活救助：30000.00" in text
    )
    # Bad input stays on the form.
    for changes in ({"quarter": "7"}, {"amount": "1"}, {"item_living": "x"}, {"submitted_on": ""}):
        response = post(client, taian_funds.finance, path, {**data, "quarter": "4", **changes})
        assert response.status_code == 200, changes
    assert BudgetRequest.objects.count() == 1
    assert post(client, taian_funds.city_finance, path, data).status_code == 403


# --- Returns, 冲销, the year-end report ------------------------------------------------------------


def test_a_return_from_the_form(client, world, accounts, world_finance):
    fin = world_finance.city
    receive(fin, accounts.city, "1000")
    path = url("return_create", accounts.city.pk)
    data = {
        "entry_date": "2026-04-01",
        "year": "2026",
        "source": "central",
        "amount": "1500",
        "counterpart": "安徽省总工会",
        "reference": "缴款书 001",
        "confirm": "on",
    }
    response = post(client, fin, path, data)
    assert response.status_code == 200 and "不足支出 1500.00 元" in response.content.decode()
    response = post(client, fin, path, {**data, "amount": "600"})
    assert response.status_code == 302
    assert balance(accounts.city) == Decimal("400.00")
    assert post(client, fin, path, {**data, "amount": "1", "confirm": ""}).status_code == 200
    assert Entry.objects.filter(kind=K.RETURN).count() == 1


def test_reversing_an_entry_from_its_confirmation_page(client, world, accounts, world_finance):
    fin = world_finance.city
    entry = Entry.objects.get(receipt=receive(fin, accounts.city, "1000"))
    path = url("entry_reverse", entry.pk)
    page = get(client, fin, path)
    assert page.status_code == 200 and "1000.00" in page.content.decode()
    response = post(client, fin, path, {"entry_date": "2026-04-01", "reason": "重复登记"})
    assert response.status_code == 200 and "confirm" in response.context["form"].errors
    for bad in ({"entry_date": "abc"}, {"reason": ""}, {"entry_date": "2026-03-01"}):
        data = {"entry_date": "2026-04-01", "reason": "重复登记", "confirm": "on", **bad}
        assert post(client, fin, path, data).status_code == 200
    assert not Entry.objects.filter(kind=K.REVERSAL).exists()
    response = post(
        client, fin, path, {"entry_date": "2026-04-01", "reason": "重复登记", "confirm": "on"}
    )
    assert response.status_code == 302 and response.url == url("account", accounts.city.pk)
    assert Entry.objects.filter(kind=K.REVERSAL, reverses=entry).count() == 1
    # Twice: the page says it cannot, and the service refuses.
    page = get(client, fin, path)
    assert 'data-testid="blocked"' in page.content.decode()
    again = post(client, fin, path, {"entry_date": "2026-04-01", "reason": "再次", "confirm": "on"})
    assert again.status_code == 200 and "已冲销" in again.content.decode()
    assert Entry.objects.filter(kind=K.REVERSAL).count() == 1


def test_the_unspent_report_page(client, world, accounts, world_finance):
    fin = world_finance.city
    receive(fin, accounts.city, "1000")
    receive(fin, accounts.city, "300", source=Source.LOCAL)
    page = get(client, fin, url("unspent"), year="2026")
    text = page.content.decode()
    assert page.status_code == 200
    assert "须在预算年度内使用，不得结转" in text and "按地方财政批复执行" in text
    assert page.context["total"] == Decimal("1300.00")
    for year in ("abc", "1", ""):
        assert get(client, fin, url("unspent"), year=year).status_code == 200
    assert get(client, fin, url("unspent"), year="2025").context["rows"] == []
    county = get(client, world_finance.county_b, url("unspent"), year="2026")
    assert county.context["rows"] == []
