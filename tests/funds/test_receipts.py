"""Receipts, allocation plans and transfers, Tai'an budget requests, returns, and the
year-end rules, through the services (funds.services.receipts, funds.selectors.accounts)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from core.workdays import HolidayRange
from funds.models import (
    AllocationPlan,
    BudgetRequest,
    Entry,
    FundAccount,
    Receipt,
    Source,
    Transfer,
)
from funds.selectors.accounts import (
    LOCAL_APPROVAL,
    NO_CARRY_OVER,
    AllocationStatus,
    allocation_due_note,
    balance_rows,
    budget_request_list_for_user,
    receipt_list_for_account,
    receipt_rows,
    request_timing,
    unspent_report,
    year_end_warnings,
)
from funds.services.accounts import fund_account_create
from funds.services.ledger import balance, entry_reverse
from funds.services.receipts import (
    allocation_plan_execute,
    budget_request_record,
    funds_return,
    receipt_record,
)
from office.services.calendar import holiday_year_save
from tests.factories.funds import TODAY, TaianFunds, execute, plan, receive

K = Entry.Kind


def status_of(receipt: Receipt, today: datetime.date):
    rows = receipt_rows(receipt_list_for_account(receipt.account).filter(pk=receipt.pk), today)
    return rows[0]


# --- Receipts ------------------------------------------------------------------------------


def test_a_receipt_posts_one_receipt_entry_and_its_deadline_counts_holidays(
    accounts, world_finance
):
    receipt = receive(world_finance.city, accounts.city)
    # 20 working days after Wednesday 1 April 2026: Monday 6 April is 清明节, so the
    # deadline is Thursday 30 April (Monday–Friday alone would give 29 April).
    assert receipt.allocation_due == datetime.date(2026, 4, 30)
    assert allocation_due_note(receipt) == ""
    entry = Entry.objects.get(receipt=receipt)
    assert (entry.kind, entry.amount, entry.item, entry.source) == (
        K.RECEIPT,
        Decimal("100000.00"),
        "",
        Source.CENTRAL,
    )
    assert (entry.fund_category, entry.counterpart, entry.reference) == (
        "finance",
        "安徽省总工会",
        "皖工办〔2026〕13号",
    )
    assert (entry.account, entry.city, entry.county) == (accounts.city, accounts.city.city, None)
    assert balance(accounts.city, year=2026, source=Source.CENTRAL) == Decimal("100000.00")
    history = receipt.history.get()
    assert (history.history_user, history.history_change_reason) == (
        world_finance.city,
        "登记资金到账",
    )


def test_a_county_records_its_own_receipts(accounts, world_finance):
    receipt = receive(world_finance.county_a, accounts.county_a, "5000", source=Source.LOCAL)
    assert balance(accounts.county_a) == Decimal("5000.00")
    assert Entry.objects.get(receipt=receipt).county == accounts.county_a.organisation


def test_the_deadline_falls_back_to_monday_to_friday_in_an_unpublished_year(
    world, accounts, world_finance
):
    world.clock.set(datetime.date(2026, 12, 15))
    receipt = receive(world_finance.city, accounts.city, on=datetime.date(2026, 12, 15))
    # 2027 has no official calendar in the table: 12 working days left in 2026 (to the 31st),
    # then 8 Monday–Friday days of January 2027.
    assert receipt.allocation_due == datetime.date(2027, 1, 12)
    note = allocation_due_note(receipt)
    assert "2027年的法定节假日安排尚未公布" in note
    assert status_of(receipt, datetime.date(2026, 12, 15)).due_note == note


def test_the_deadline_follows_the_calendar_published_after_the_receipt(
    world, accounts, world_finance
):
    """Publishing 2027 with 1–3 January off moves the 20th working day from Tue 12 to
    Wed 13 January, with history naming the administrator and the notice; the fallback
    note goes away. A receipt counted inside 2026 is not touched."""
    world.clock.set(datetime.date(2026, 12, 15))
    receipt = receive(world_finance.city, accounts.city, on=datetime.date(2026, 12, 15))
    inside = receive(
        world_finance.city,
        accounts.city,
        on=datetime.date(2026, 11, 2),
        number="皖工办〔2026〕14号",
    )
    assert (receipt.allocation_due, inside.allocation_due) == (
        datetime.date(2027, 1, 12),
        datetime.date(2026, 11, 30),
    )
    saved = holiday_year_save(
        actor=world.wuhu.admin,
        year=2027,
        holidays=[HolidayRange(datetime.date(2027, 1, 1), datetime.date(2027, 1, 3), "元旦")],
        workdays=[],
        notice_number="国办发明电〔2026〕7号",
        publish=True,
    )
    assert saved.deadlines["资金下达截止"] == 1
    receipt.refresh_from_db()
    assert receipt.allocation_due == datetime.date(2027, 1, 13)
    change = receipt.history.order_by("-history_id").first()
    assert change.history_user == world.wuhu.admin
    assert change.history_change_reason == (
        "2027年节假日安排公布（国办发明电〔2026〕7号）：下达截止由2027-01-12改为2027-01-13"
    )
    assert allocation_due_note(receipt) == ""
    assert status_of(receipt, datetime.date(2026, 12, 15)).due_note == ""
    inside.refresh_from_db()
    assert inside.allocation_due == datetime.date(2026, 11, 30)
    assert inside.history.count() == 1


def test_who_may_record_a_receipt(world, accounts, world_finance):
    w = world.wuhu
    refused = [
        (world_finance.county_a, accounts.city, "只能办理本级工会"),
        (world_finance.city, accounts.county_a, "只能办理本级工会"),
        (w.caseworker, accounts.county_a, "须由财务人员办理"),
        (w.county_caseworker, accounts.county_a, "须由财务人员办理"),
        (world_finance.city_auditor, accounts.city, "须由财务人员办理"),
        (w.admin, accounts.city, "须由财务人员办理"),
    ]
    for actor, account, message in refused:
        with pytest.raises(PermissionDenied, match=message):
            receive(actor, account)
    assert not Receipt.objects.exists() and not Entry.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"received_on": datetime.date(2026, 4, 2)}, "received_on"),
        ({"year": 2024}, "year"),
        ({"source": "lottery"}, "source"),
        ({"document_number": "  "}, "document_number"),
        ({"counterpart": ""}, "counterpart"),
    ],
)
def test_a_receipt_is_validated(accounts, world_finance, changes, field):
    arguments = {
        "actor": world_finance.city,
        "account": accounts.city,
        "received_on": TODAY,
        "year": 2026,
        "source": Source.CENTRAL,
        "amount": Decimal("100"),
        "counterpart": "安徽省总工会",
        "document_number": "皖工办〔2026〕13号",
        "document_title": "通知",
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        receipt_record(**arguments)
    assert field in error.value.message_dict
    assert not Receipt.objects.exists() and not Entry.objects.exists()


def test_an_amount_is_taken_exactly_or_refused_never_rounded(accounts, world_finance):
    """A typed amount is never reinterpreted (issue 10 §10): 100.005 is refused, not 100.01."""
    with pytest.raises(ValidationError) as error:
        receive(world_finance.city, accounts.city, "100.005")
    assert error.value.message_dict["amount"] == ["请输入金额（数字，最多两位小数）。"]
    assert not Receipt.objects.exists() and not Entry.objects.exists()
    receipt = receive(world_finance.city, accounts.city, "100.01")
    assert Entry.objects.get(receipt=receipt).amount == Decimal("100.01")


# --- Allocation plans and transfers ---------------------------------------------------------


def test_a_plan_passes_money_down_as_one_transfer_in_both_accounts(accounts, world_finance):
    fin = world_finance.city
    receipt = receive(fin, accounts.city)
    draft = plan(
        fin,
        accounts.city,
        [
            (receipt, accounts.county_a, "living", Decimal("60000")),
            (receipt, accounts.county_b, "", Decimal("40000")),
        ],
    )
    assert draft.status == AllocationPlan.Status.DRAFT
    assert not Transfer.objects.exists()
    assert status_of(receipt, TODAY).status == AllocationStatus.PENDING

    done = execute(fin, draft)
    assert (done.status, done.executed_on, done.executed_by) == (
        AllocationPlan.Status.EXECUTED,
        TODAY,
        fin,
    )
    transfers = list(Transfer.objects.order_by("id"))
    assert len(transfers) == 2
    for transfer in transfers:
        out, into = transfer.entries.order_by("amount")
        assert (out.kind, out.account, out.amount) == (
            K.TRANSFER_OUT,
            accounts.city,
            -transfer.amount,
        )
        assert (into.kind, into.account, into.amount) == (
            K.TRANSFER_IN,
            transfer.to_account,
            transfer.amount,
        )
        for entry in (out, into):
            assert (entry.year, entry.source, entry.item, entry.entry_date) == (
                2026,
                Source.CENTRAL,
                transfer.item,
                TODAY,
            )
        assert out.counterpart == transfer.to_account.organisation.name
        assert into.counterpart == accounts.city.organisation.name
        assert transfer.entries.aggregate(total=Sum("amount"))["total"] == 0
        assert transfer.receipt == receipt and transfer.line.plan == draft
    assert transfers[0].item == "living" and transfers[1].item == ""
    assert balance(accounts.city) == Decimal("0.00")
    assert balance(accounts.county_a, item="living") == Decimal("60000.00")
    assert balance(accounts.county_b) == Decimal("40000.00")
    assert status_of(receipt, TODAY).status == AllocationStatus.ON_TIME

    with pytest.raises(ValidationError, match="不能重复下达"):
        execute(fin, draft)
    assert Transfer.objects.count() == 2


def test_a_plan_needs_the_leadership_meeting_and_enough_unallocated_money(
    world, accounts, world_finance
):
    fin = world_finance.city
    receipt = receive(fin, accounts.city, "1000")
    line = (receipt, accounts.county_a, "", Decimal("600"))
    with pytest.raises(ValidationError) as error:
        plan(fin, accounts.city, [line], reference=" ")
    assert "meeting_reference" in error.value.message_dict
    with pytest.raises(ValidationError, match="不足分配"):
        plan(fin, accounts.city, [line, line])
    with pytest.raises(ValidationError, match="请至少填写一条"):
        plan(fin, accounts.city, [])
    with pytest.raises(ValidationError, match="县级工会"):
        plan(fin, accounts.city, [(receipt, accounts.city, "", Decimal("1"))])
    with pytest.raises(ValidationError, match="年度"):
        plan(fin, accounts.city, [line], year=2025)
    with pytest.raises(ValidationError, match="会议日期"):
        plan(fin, accounts.city, [line], meeting_date=datetime.date(2026, 4, 2))
    other_city = fund_account_create(  # another city's county
        actor=world.taian.admin,
        organisation=world.taian.county,
        name="泰山区总工会专户",
        bank_name="中国建设银行泰安分行",
        bank_account="3705010009000000001",
    )
    with pytest.raises(ValidationError, match="本市县级工会"):
        plan(fin, accounts.city, [(receipt, other_city, "", Decimal("1"))])
    county_receipt = receive(world_finance.county_a, accounts.county_a, "50")
    with pytest.raises(ValidationError, match="不属于"):
        plan(fin, accounts.city, [(county_receipt, accounts.county_b, "", Decimal("1"))])
    assert not AllocationPlan.objects.exists()


def test_only_city_finance_plans_and_executes(world, accounts, world_finance):
    fin = world_finance.city
    receipt = receive(fin, accounts.city, "1000")
    line = (receipt, accounts.county_a, "", Decimal("600"))
    with pytest.raises(PermissionDenied):
        plan(world_finance.county_a, accounts.city, [line])
    county_receipt = receive(world_finance.county_a, accounts.county_a, "50")
    with pytest.raises(PermissionDenied, match="市总工会"):
        plan(
            world_finance.county_a,
            accounts.county_a,
            [(county_receipt, accounts.county_b, "", Decimal("1"))],
        )
    draft = plan(fin, accounts.city, [line])
    for actor in (world_finance.city_auditor, world_finance.county_a, world.wuhu.admin):
        with pytest.raises(PermissionDenied):
            execute(actor, draft)
    draft.refresh_from_db()
    assert draft.status == AllocationPlan.Status.DRAFT and not Transfer.objects.exists()


def test_two_drafts_cannot_both_pass_down_the_same_money(accounts, world_finance):
    fin = world_finance.city
    receipt = receive(fin, accounts.city, "1000")
    first = plan(fin, accounts.city, [(receipt, accounts.county_a, "", Decimal("700"))])
    second = plan(fin, accounts.city, [(receipt, accounts.county_b, "", Decimal("700"))])
    execute(fin, first)
    with pytest.raises(ValidationError, match="尚未下达 300.00 元"):
        execute(fin, second)
    second.refresh_from_db()
    assert second.status == AllocationPlan.Status.DRAFT
    assert balance(accounts.county_b) == 0 and balance(accounts.city) == Decimal("300.00")


def test_a_transfer_date_is_checked(world, accounts, world_finance):
    fin = world_finance.city
    receipt = receive(fin, accounts.city, "1000")
    draft = plan(fin, accounts.city, [(receipt, accounts.county_a, "", Decimal("100"))])
    with pytest.raises(ValidationError):
        execute(fin, draft, on=datetime.date(2026, 3, 31))  # before the meeting
    with pytest.raises(ValidationError):
        execute(fin, draft, on=datetime.date(2026, 4, 2))  # in the future
    with pytest.raises(ValidationError):
        allocation_plan_execute(actor=fin, plan=draft, transfer_date=TODAY, reference="")
    assert not Transfer.objects.exists()


def test_allocation_status_on_time_late_pending_and_overdue(world, accounts, world_finance):
    fin = world_finance.city
    late = receive(fin, accounts.city, "1000", number="A")
    pending = receive(fin, accounts.city, "1000", number="B")
    partly = receive(fin, accounts.city, "1000", number="C")
    assert late.allocation_due == datetime.date(2026, 4, 30)

    row = status_of(pending, TODAY)
    assert (row.status, row.working_days_left, row.remaining) == (
        AllocationStatus.PENDING,
        20,
        Decimal("1000.00"),
    )
    first = plan(fin, accounts.city, [(partly, accounts.county_a, "", Decimal("400"))])
    execute(fin, first)
    assert status_of(partly, TODAY).allocated == Decimal("400.00")

    world.clock.set(datetime.date(2026, 5, 8))
    second = plan(
        fin,
        accounts.city,
        [(late, accounts.county_a, "", Decimal("1000"))],
        meeting_date=datetime.date(2026, 5, 7),
    )
    execute(fin, second, on=datetime.date(2026, 5, 8))
    today = datetime.date(2026, 5, 8)
    assert status_of(late, today).status == AllocationStatus.LATE
    assert status_of(pending, today).status == AllocationStatus.OVERDUE
    row = status_of(partly, today)
    assert (row.status, row.remaining, row.overdue) == (
        AllocationStatus.OVERDUE,
        Decimal("600.00"),
        True,
    )
    # On the deadline itself nothing is overdue yet, and no working day is left.
    row = status_of(pending, datetime.date(2026, 4, 30))
    assert (row.status, row.working_days_left) == (AllocationStatus.PENDING, 0)


# --- Tai'an quarterly budget requests (TA-F §7) ---------------------------------------------------


def request(funds: TaianFunds, *, year, quarter, on, items=None, amount=None, actor=None):
    items = items or {"living": Decimal("30000"), "medical": Decimal("20000")}
    return budget_request_record(
        actor=actor or funds.finance,
        account=funds.account,
        year=year,
        quarter=quarter,
        submitted_on=on,
        amount=amount if amount is not None else sum(items.values()),
        items=items,
        note="根据本季度建档情况",
    )


def test_a_budget_request_is_on_time_in_the_last_month_of_the_quarter_before(world, taian_funds):
    world.clock.set(datetime.date(2026, 12, 20))
    first = request(taian_funds, year=2027, quarter=1, on=datetime.date(2026, 12, 10))
    assert first.on_time and request_timing(first) == "按时报送"
    assert first.items == {"living": "30000.00", "medical": "20000.00"}
    assert first.amount == Decimal("50000.00")
    second = request(taian_funds, year=2026, quarter=2, on=datetime.date(2026, 3, 31))
    assert second.on_time
    late = request(taian_funds, year=2026, quarter=3, on=datetime.date(2026, 7, 2))
    assert not late.on_time and request_timing(late) == "逾期报送"
    early = request(taian_funds, year=2026, quarter=4, on=datetime.date(2026, 8, 31))
    assert not early.on_time and request_timing(early) == "未按时：提前报送"
    assert late.history.get().history_change_reason == "报送季度资金使用预算（未在规定月份报送）"
    listed = list(budget_request_list_for_user(taian_funds.city_finance))
    assert {b.pk for b in listed} == {first.pk, second.pk, late.pk, early.pk}


def test_a_budget_request_is_validated(world, taian_funds):
    on = datetime.date(2026, 3, 20)
    with pytest.raises(ValidationError, match="不资助：职业培训和职业介绍"):
        request(taian_funds, year=2026, quarter=2, on=on, items={"training": Decimal("100")})
    with pytest.raises(ValidationError) as error:
        request(taian_funds, year=2026, quarter=2, on=on, amount=Decimal("1"))
    assert "不一致" in str(error.value)
    with pytest.raises(ValidationError):
        request(taian_funds, year=2026, quarter=5, on=on)
    with pytest.raises(ValidationError):
        request(taian_funds, year=2026, quarter=2, on=datetime.date(2026, 4, 2))
    request(taian_funds, year=2026, quarter=2, on=on)
    with pytest.raises(ValidationError, match="已经报送"):
        request(taian_funds, year=2026, quarter=2, on=on)
    assert BudgetRequest.objects.count() == 1


def test_only_the_county_finance_sends_a_budget_request(world, taian_funds, world_finance):
    on = datetime.date(2026, 3, 20)
    for actor in (taian_funds.city_finance, world_finance.county_a, world.taian.county_caseworker):
        with pytest.raises(PermissionDenied):
            request(taian_funds, year=2026, quarter=2, on=on, actor=actor)
    assert not BudgetRequest.objects.exists()
    # The Wuhu county sees no Tai'an request.
    request(taian_funds, year=2026, quarter=2, on=on)
    assert not budget_request_list_for_user(world_finance.county_a).exists()


# --- Returns, year-end warnings and the unspent report ----------------------------------------------


def test_a_return_pays_money_back_and_never_more_than_the_balance(accounts, world_finance):
    fin = world_finance.city
    receive(fin, accounts.city, "1000")
    entry = funds_return(
        actor=fin,
        account=accounts.city,
        year=2026,
        source=Source.CENTRAL,
        amount=Decimal("300"),
        counterpart="安徽省总工会",
        reference="缴款书 001",
        entry_date=TODAY,
    )
    assert (entry.kind, entry.amount) == (K.RETURN, Decimal("-300.00"))
    assert balance(accounts.city, year=2026, source=Source.CENTRAL) == Decimal("700.00")
    with pytest.raises(ValidationError, match=r"余额 700(\.00)? 元，不足支出 800.00 元"):
        funds_return(
            actor=fin,
            account=accounts.city,
            year=2026,
            source=Source.CENTRAL,
            amount=Decimal("800"),
            counterpart="安徽省总工会",
            reference="缴款书 002",
            entry_date=TODAY,
        )
    # Local money is a balance of its own: the central money cannot pay it.
    with pytest.raises(ValidationError, match="地方财政余额 0(.00)? 元"):
        funds_return(
            actor=fin,
            account=accounts.city,
            year=2026,
            source=Source.LOCAL,
            amount=Decimal("1"),
            counterpart="芜湖市财政局",
            reference="缴款书 003",
            entry_date=TODAY,
        )
    with pytest.raises(PermissionDenied):
        funds_return(
            actor=world_finance.city_auditor,
            account=accounts.city,
            year=2026,
            source=Source.CENTRAL,
            amount=Decimal("1"),
            counterpart="安徽省总工会",
            reference="缴款书 004",
            entry_date=TODAY,
        )
    assert Entry.objects.filter(kind=K.RETURN).count() == 1


def test_year_end_warnings_from_the_first_of_november(world, accounts, world_finance):
    fin = world_finance.city
    receive(fin, accounts.city, "1000")
    receive(fin, accounts.city, "500", source=Source.PROVINCIAL)
    receive(fin, accounts.city, "800", source=Source.LOCAL)
    receive(world_finance.county_a, accounts.county_a, "200")
    assert year_end_warnings(fin, datetime.date(2026, 10, 31)) == []

    warnings = year_end_warnings(fin, datetime.date(2026, 11, 1))
    assert [(w.account_id, w.source, w.amount, w.past) for w in warnings] == [
        (accounts.city.pk, Source.CENTRAL, Decimal("1000.00"), False),
        (accounts.city.pk, Source.PROVINCIAL, Decimal("500.00"), False),
        (accounts.county_a.pk, Source.CENTRAL, Decimal("200.00"), False),
    ]
    assert warnings[0].deadline == datetime.date(2026, 12, 31)
    # A county sees its own account only; a caseworker of a grassroots union nothing.
    own = year_end_warnings(world_finance.county_a, datetime.date(2026, 11, 1))
    assert [w.account_id for w in own] == [accounts.county_a.pk]
    assert year_end_warnings(world.wuhu.caseworker, datetime.date(2026, 11, 1)) == []

    # Passed down in full, the city's central money no longer warns; the county's does.
    receipt = Receipt.objects.get(account=accounts.city, source=Source.CENTRAL)
    execute(fin, plan(fin, accounts.city, [(receipt, accounts.county_b, "", Decimal("1000"))]))
    warnings = year_end_warnings(fin, datetime.date(2026, 11, 1))
    assert {(w.account_id, w.source) for w in warnings} == {
        (accounts.city.pk, Source.PROVINCIAL),
        (accounts.county_a.pk, Source.CENTRAL),
        (accounts.county_b.pk, Source.CENTRAL),
    }


def test_central_money_of_an_earlier_year_warns_all_year(world, accounts, world_finance):
    receive(world_finance.city, accounts.city, "100", year=2025, on=datetime.date(2025, 12, 20))
    warnings = year_end_warnings(world_finance.city, TODAY)
    assert [(w.year, w.amount, w.past) for w in warnings] == [(2025, Decimal("100.00"), True)]


def test_the_unspent_report_adds_up_to_the_balances(world, accounts, world_finance):
    fin = world_finance.city
    central = receive(fin, accounts.city, "100000")
    receive(fin, accounts.city, "5000", source=Source.LOCAL, number="芜财社〔2026〕8号")
    mistaken = receive(fin, accounts.city, "200", source=Source.LOCAL, number="错录")
    entry_reverse(
        actor=fin,
        entry=Entry.objects.get(receipt=mistaken),
        reason="重复登记",
        entry_date=TODAY,
    )
    execute(fin, plan(fin, accounts.city, [(central, accounts.county_a, "", Decimal("60000"))]))
    funds_return(
        actor=fin,
        account=accounts.city,
        year=2026,
        source=Source.LOCAL,
        amount=Decimal("1000"),
        counterpart="芜湖市财政局",
        reference="缴款书 001",
        entry_date=TODAY,
    )
    rows = {(r.account.pk, r.source): r for r in unspent_report(fin, 2026)}
    city_central = rows[(accounts.city.pk, Source.CENTRAL)]
    assert (
        city_central.received,
        city_central.transferred_out,
        city_central.unspent,
        city_central.rule,
    ) == (Decimal("100000.00"), Decimal("60000.00"), Decimal("40000.00"), NO_CARRY_OVER)
    city_local = rows[(accounts.city.pk, Source.LOCAL)]
    assert (city_local.received, city_local.returned, city_local.unspent, city_local.rule) == (
        Decimal("5000.00"),  # the reversed 200 is netted out of what was received
        Decimal("1000.00"),
        Decimal("4000.00"),
        LOCAL_APPROVAL,
    )
    county = rows[(accounts.county_a.pk, Source.CENTRAL)]
    assert (county.transferred_in, county.unspent) == (Decimal("60000.00"), Decimal("60000.00"))
    for (pk, source), row in rows.items():
        assert row.unspent == balance(FundAccount(pk=pk), year=2026, source=source)
    # A county's report is its own account only; another year is empty.
    assert {r.account.pk for r in unspent_report(world_finance.county_a, 2026)} == {
        accounts.county_a.pk
    }
    assert unspent_report(fin, 2025) == []


def test_balance_rows_sum_each_kind_in_one_query(
    accounts, world_finance, django_assert_num_queries
):
    fin = world_finance.city
    central = receive(fin, accounts.city, "1000")
    mistaken = receive(fin, accounts.city, "50", number="错录")
    entry_reverse(
        actor=fin, entry=Entry.objects.get(receipt=mistaken), reason="重复", entry_date=TODAY
    )
    execute(fin, plan(fin, accounts.city, [(central, accounts.county_a, "", Decimal("400"))]))
    with django_assert_num_queries(1):
        rows = balance_rows([accounts.city, accounts.county_a, accounts.county_b], year=2026)
    (city,) = rows[accounts.city.pk]
    assert (
        city.received,
        city.transferred_out,
        city.reversed,
        city.balance,
    ) == (Decimal("1050.00"), Decimal("400.00"), Decimal("-50.00"), Decimal("600.00"))
    (county,) = rows[accounts.county_a.pk]
    assert (county.transferred_in, county.balance) == (Decimal("400.00"), Decimal("400.00"))
    assert accounts.county_b.pk not in rows
