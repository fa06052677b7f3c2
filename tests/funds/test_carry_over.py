"""No carry-over at any step (WH-F §13, TA-F §10): central and provincial money of budget
year Y is received, allocated, passed down and paid on or before 31 December of Y, never
after; local finance money after Y only with its finance's approval recorded on the receipt
(本级财政批准跨年使用), and only as much as that approval covers. Unspent money is returned.

One rule (`funds.services.ledger.carry_over_refusal`) answers for every step; the database
refuses central and provincial entries dated after their year (`funds.migration_ops`)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from core.history import save_tracked
from funds.models import AllocationPlan, Entry, Grant, PaymentLine, Receipt, Source
from funds.services.ledger import balance, carry_over_refusal, local_carry_over_left
from funds.services.payments import batch_create, batch_record_results
from funds.services.receipts import (
    allocation_plan_create,
    allocation_plan_execute,
    funds_return,
    receipt_carry_over_approve,
    receipt_record,
)
from tests.factories.core import fresh, refusal_text
from tests.factories.funds import _insert, _refused_by_database, approved_grant, sent_batch

K = Entry.Kind
LAST_DAY = datetime.date(2026, 12, 31)
NEW_YEAR = datetime.date(2027, 1, 1)
ISSUE_DAY = datetime.date(2027, 1, 6)
DECEMBER = datetime.date(2026, 12, 1)
NO_CARRY_OVER = (
    "中央和省级专项资金须在预算年度内使用完毕，不得结转下年（芜湖资金使用管理细则第十三条）"
)
LOCAL_RULE = "地方财政配套资金跨年度使用须经本级财政批准（芜湖资金使用管理细则第十三条）"


def receive(finance, account, amount="100000", *, on=DECEMBER, year=2026, **extra) -> Receipt:
    return receipt_record(
        actor=finance,
        account=account,
        received_on=on,
        year=year,
        source=extra.pop("source", Source.CENTRAL),
        amount=Decimal(amount),
        counterpart="安徽省总工会",
        document_number=extra.pop("number", "皖工办〔2026〕30号"),
        document_title="关于下达2026年帮扶资金的通知",
        **extra,
    )


def approved_local(finance, account, amount: str, number: str = "芜财社〔2026〕40号"):
    return receive(
        finance,
        account,
        amount,
        source=Source.LOCAL,
        number=number,
        carry_over_approved=True,
        carry_over_document="芜财社〔2026〕41号",
    )


def draft(finance, account, receipt: Receipt, to_account, *, meeting=DECEMBER, amount="1000"):
    return allocation_plan_create(
        actor=finance,
        account=account,
        year=receipt.year,
        title="2026年第四批帮扶资金分配使用方案",
        meeting_reference="市总党组会纪要〔2026〕20号",
        meeting_date=meeting,
        lines=[(receipt, to_account, "", Decimal(amount))],
    )


def execute(finance, plan: AllocationPlan, on: datetime.date):
    return allocation_plan_execute(
        actor=finance, plan=plan, transfer_date=on, reference="记账凭证 2026-12-031"
    )


@pytest.fixture
def december(world):
    world.clock.set(datetime.date(2026, 12, 28))


# --- Receipts --------------------------------------------------------------------------------


def test_a_receipt_of_a_budget_year_is_recorded_on_its_last_day_not_after(
    world, accounts, world_finance
):
    fin = world_finance.city
    world.clock.set(ISSUE_DAY)
    receipt = receive(fin, accounts.city, on=LAST_DAY)
    assert Entry.objects.get(receipt=receipt).entry_date == LAST_DAY
    for source in (Source.CENTRAL, Source.PROVINCIAL):
        with pytest.raises(ValidationError) as info:
            receive(fin, accounts.city, on=NEW_YEAR, source=source, number="皖工办〔2026〕31号")
        assert "received_on" in info.value.message_dict
        assert NO_CARRY_OVER in refusal_text(info)
        assert "2027-01-01不能登记到账2026年度" in refusal_text(info)
    assert Receipt.objects.count() == Entry.objects.count() == 1
    # Money of the new year received in it, and money received ahead of its year, are fine.
    receive(fin, accounts.city, on=NEW_YEAR, year=2027, number="皖工办〔2027〕1号")
    receive(fin, accounts.city, on=LAST_DAY, year=2027, number="皖工办〔2027〕2号")
    # Union funds follow their own rules.
    receive(fin, accounts.city, on=ISSUE_DAY, source=Source.UNION, number="芜工〔2027〕1号")


def test_local_money_received_after_its_year_needs_its_finance_approval(
    world, accounts, world_finance
):
    fin = world_finance.county_a
    world.clock.set(ISSUE_DAY)
    with pytest.raises(ValidationError) as info:
        receive(fin, accounts.county_a, "5000", on=NEW_YEAR, source=Source.LOCAL, number="L1")
    assert LOCAL_RULE in refusal_text(info) and "没有登记本级财政批准跨年使用的批复" in (
        refusal_text(info)
    )
    with pytest.raises(ValidationError) as info:
        receive(
            fin,
            accounts.county_a,
            "5000",
            on=NEW_YEAR,
            source=Source.LOCAL,
            number="L1",
            carry_over_approved=True,
            carry_over_document="  ",
        )
    assert "carry_over_document" in info.value.message_dict
    receipt = receive(
        fin,
        accounts.county_a,
        "5000",
        on=NEW_YEAR,
        source=Source.LOCAL,
        number="L1",
        carry_over_approved=True,
        carry_over_document=" 镜财〔2026〕9号 ",
    )
    assert (receipt.carry_over_approved, receipt.carry_over_document) == (True, "镜财〔2026〕9号")
    assert receipt.history.get().history_user == fin
    assert balance(accounts.county_a, year=2026, source=Source.LOCAL) == Decimal("5000.00")


def test_only_local_money_carries_an_approval_in_the_service_and_the_database(
    world, accounts, world_finance, december
):
    with pytest.raises(ValidationError) as info:
        receive(
            world_finance.city,
            accounts.city,
            carry_over_approved=True,
            carry_over_document="芜财〔2026〕1号",
        )
    assert "carry_over_approved" in info.value.message_dict
    assert "不得结转下年" in refusal_text(info)
    receipt = receive(world_finance.city, accounts.city)
    receipt.carry_over_approved, receipt.carry_over_document = True, "芜财〔2026〕1号"
    with pytest.raises(IntegrityError), transaction.atomic():
        save_tracked(receipt, actor=world_finance.city, reason="绕过服务", validate=False)
    local = receive(world_finance.city, accounts.city, source=Source.LOCAL, number="L2")
    local.carry_over_approved = True  # without its document
    with pytest.raises(IntegrityError), transaction.atomic():
        save_tracked(local, actor=world_finance.city, reason="绕过服务", validate=False)


def test_an_approval_that_comes_later_is_recorded_on_its_receipt_once(
    world, accounts, world_finance, december
):
    fin = world_finance.county_a
    local = receive(fin, accounts.county_a, "5000", source=Source.LOCAL, number="镜财〔2026〕5号")
    central = receive(fin, accounts.county_a, "5000", number="皖工办〔2026〕34号")
    world.clock.set(ISSUE_DAY)
    assert local_carry_over_left(accounts.county_a, 2026) == 0
    for actor in (world_finance.county_a_auditor, world_finance.county_b, world_finance.city):
        with pytest.raises(PermissionDenied):
            receipt_carry_over_approve(actor=actor, receipt=local, document="镜财〔2027〕1号")
    with pytest.raises(ValidationError) as info:
        receipt_carry_over_approve(actor=fin, receipt=central, document="镜财〔2027〕1号")
    assert "不得结转下年（芜湖资金使用管理细则第十三条）" in refusal_text(info)
    with pytest.raises(ValidationError) as info:
        receipt_carry_over_approve(actor=fin, receipt=local, document=" ")
    assert "carry_over_document" in info.value.message_dict
    approved = receipt_carry_over_approve(actor=fin, receipt=local, document="镜财〔2027〕1号")
    assert (approved.carry_over_approved, approved.carry_over_document) == (True, "镜财〔2027〕1号")
    latest = approved.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        fin,
        "本级财政批准跨年使用：镜财〔2027〕1号",
    )
    assert local_carry_over_left(accounts.county_a, 2026) == Decimal("5000.00")
    with pytest.raises(ValidationError, match="已登记本级财政批准跨年使用"):
        receipt_carry_over_approve(actor=fin, receipt=local, document="镜财〔2027〕2号")


def test_the_clause_is_the_regions(world, taian_funds):
    world.clock.set(ISSUE_DAY)
    with pytest.raises(ValidationError) as info:
        receive(taian_funds.finance, taian_funds.account, on=NEW_YEAR, number="鲁工〔2026〕3号")
    assert "不得结转下年（泰安资金使用管理细则第十条）" in refusal_text(info)


# --- Allocation plans and transfers ---------------------------------------------------------------


def test_a_plan_of_central_money_is_executed_on_the_last_day_not_after(
    world, accounts, world_finance, december
):
    fin = world_finance.city
    receipt = receive(fin, accounts.city)
    early = draft(fin, accounts.city, receipt, accounts.county_a)
    late = draft(fin, accounts.city, receipt, accounts.county_b)
    world.clock.set(ISSUE_DAY)
    for day in (NEW_YEAR, ISSUE_DAY):
        with pytest.raises(ValidationError) as info:
            execute(fin, late, day)
        assert "第1条明细" in refusal_text(info) and NO_CARRY_OVER in refusal_text(info)
        assert f"{day:%Y-%m-%d}不能下拨2026年度中央财政资金" in refusal_text(info)
    assert fresh(late).status == AllocationPlan.Status.DRAFT
    assert not Entry.objects.filter(kind__in=(K.TRANSFER_OUT, K.TRANSFER_IN)).exists()
    execute(fin, early, LAST_DAY)
    assert balance(accounts.county_a, year=2026, source=Source.CENTRAL) == Decimal("1000.00")
    # The leadership cannot allocate last year's central money in the new year either.
    with pytest.raises(ValidationError) as info:
        draft(fin, accounts.city, receipt, accounts.county_b, meeting=NEW_YEAR)
    assert "2027-01-01不能分配2026年度中央财政资金" in refusal_text(info)
    assert AllocationPlan.objects.count() == 2
    # What is left goes back: a return after the year is how it leaves.
    funds_return(
        actor=fin,
        account=accounts.city,
        year=2026,
        source=Source.CENTRAL,
        amount=Decimal("99000"),
        counterpart="安徽省总工会",
        reference="缴款书 2027-001",
        entry_date=ISSUE_DAY,
    )
    assert balance(accounts.city, year=2026, source=Source.CENTRAL) == 0


def test_local_money_is_allocated_and_passed_down_after_its_year_only_with_approval(
    world, accounts, world_finance, december
):
    fin = world_finance.city
    approved = approved_local(fin, accounts.city, "3000")
    plain = receive(fin, accounts.city, "3000", source=Source.LOCAL, number="芜财社〔2026〕42号")
    world.clock.set(ISSUE_DAY)
    with pytest.raises(ValidationError) as info:
        draft(fin, accounts.city, plain, accounts.county_a, meeting=NEW_YEAR)
    assert LOCAL_RULE in refusal_text(info)
    before_new_year = draft(fin, accounts.city, plain, accounts.county_a, meeting=LAST_DAY)
    with pytest.raises(ValidationError) as info:
        execute(fin, before_new_year, NEW_YEAR)
    assert "没有登记本级财政批准跨年使用的批复" in refusal_text(info)
    plan = draft(fin, accounts.city, approved, accounts.county_a, meeting=NEW_YEAR)
    execute(fin, plan, ISSUE_DAY)
    transfer_in = Entry.objects.get(kind=K.TRANSFER_IN)
    assert (transfer_in.entry_date, transfer_in.year, transfer_in.source) == (
        ISSUE_DAY,
        2026,
        Source.LOCAL,
    )
    # The approval follows its money down: the county may use what it received.
    assert local_carry_over_left(accounts.county_a, 2026) == Decimal("1000.00")
    assert local_carry_over_left(accounts.city, 2026) == Decimal("2000.00")


def test_the_database_refuses_central_and_provincial_entries_after_their_year(
    world, accounts, world_finance, december
):
    receipt = receive(world_finance.city, accounts.city)
    entry = Entry.objects.get(receipt=receipt)
    for kind, amount in ((K.TRANSFER_OUT, "-1"), (K.TRANSFER_IN, "1"), (K.RECEIPT, "1")):
        _refused_by_database(
            *_insert(entry, kind=kind, amount=Decimal(amount), entry_date=NEW_YEAR)
        )
    _refused_by_database(
        *_insert(entry, kind=K.RECEIPT, source=Source.PROVINCIAL, entry_date=NEW_YEAR)
    )
    assert Entry.objects.count() == 1
    # On the last day, a return after it, and local money (its approval is the service's)
    # pass.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            *_insert(entry, kind=K.TRANSFER_OUT, amount=Decimal("-1"), entry_date=LAST_DAY)
        )
        cursor.execute(*_insert(entry, kind=K.RETURN, amount=Decimal("-1"), entry_date=NEW_YEAR))
        cursor.execute(*_insert(entry, kind=K.RECEIPT, source=Source.LOCAL, entry_date=NEW_YEAR))
    assert Entry.objects.count() == 4


# --- Grants and payments -----------------------------------------------------------------------


def _paid(line: PaymentLine, on: datetime.date) -> dict:
    return {line.pk: ("paid", on, f"ICBC{on:%Y%m%d}", "")}


def test_a_payment_result_of_a_central_grant_posts_on_the_last_day_not_after(
    world, archive, accounts, world_finance, gateway, december
):
    fin = world_finance.county_a
    receive(fin, accounts.county_a, "50000")
    grant = approved_grant(world, archive)
    batch = sent_batch(world, fin, accounts.county_a, [grant])
    line = batch.lines.get()
    world.clock.set(ISSUE_DAY)
    for day in (NEW_YEAR, ISSUE_DAY):
        with pytest.raises(ValidationError) as info:
            batch_record_results(actor=fin, batch=batch, results=_paid(line, day))
        text = refusal_text(info)
        assert NO_CARRY_OVER in text and f"{day:%Y-%m-%d}不能发放2026年度中央财政资金" in text
        assert "未登记任何结果" in text
    assert fresh(line).status == PaymentLine.Status.PENDING
    assert fresh(grant).status == Grant.Status.APPROVED
    assert not Entry.objects.filter(kind=K.PAYMENT).exists()
    assert gateway.sent == []
    batch_record_results(actor=fin, batch=batch, results=_paid(line, LAST_DAY))
    assert Entry.objects.get(kind=K.PAYMENT).entry_date == LAST_DAY
    assert fresh(grant).status == Grant.Status.PAID


def test_last_years_central_grant_is_neither_proposed_nor_batched_in_the_new_year(
    world, archive, accounts, world_finance, december
):
    fin = world_finance.county_a
    receive(fin, accounts.county_a, "50000")
    grant = approved_grant(world, archive)
    world.clock.set(NEW_YEAR)
    with pytest.raises(ValidationError) as info:
        batch_create(actor=fin, account=accounts.county_a, grants=[grant])
    assert "2027-01-01不能发放2026年度中央财政资金" in refusal_text(info)
    with pytest.raises(ValidationError) as info:
        approved_grant(world, archive, item="education")
    assert "source" in info.value.message_dict
    assert "2027-01-01不能列支2026年度中央财政资金" in refusal_text(info)


@pytest.mark.parametrize(
    ("approved_amount", "pays"), [("9120.00", True), ("9119.99", False), (None, False)]
)
def test_local_money_pays_last_years_grant_up_to_what_its_finance_approved(
    world, archive, accounts, world_finance, gateway, december, approved_amount, pays
):
    """The deep living standard is 9,120.00: an approval covering it pays it in January,
    one fen less does not, and without any approval local money behaves like central."""
    fin = world_finance.county_a
    receive(fin, accounts.county_a, "50000", source=Source.LOCAL, number="镜财〔2026〕1号")
    if approved_amount:
        approved_local(fin, accounts.county_a, approved_amount)
    grant = approved_grant(world, archive, source=Source.LOCAL)
    batch = sent_batch(world, fin, accounts.county_a, [grant])
    line = batch.lines.get()
    world.clock.set(ISSUE_DAY)
    if pays:
        batch_record_results(actor=fin, batch=batch, results=_paid(line, ISSUE_DAY))
        assert Entry.objects.get(kind=K.PAYMENT).amount == Decimal("-9120.00")
        assert local_carry_over_left(accounts.county_a, 2026) == 0
        return
    with pytest.raises(ValidationError) as info:
        batch_record_results(actor=fin, batch=batch, results=_paid(line, ISSUE_DAY))
    text = refusal_text(info)
    left = approved_amount or "0.00"
    assert LOCAL_RULE in text and f"尚余 {left} 元，不足发放 9120.00 元" in text
    assert not Entry.objects.filter(kind=K.PAYMENT).exists()


def test_approved_local_money_is_spent_once_after_the_year(
    world, archive, accounts, world_finance, december
):
    fin = world_finance.county_a
    approved_local(fin, accounts.county_a, "10000")
    receive(fin, accounts.county_a, "50000", source=Source.LOCAL, number="镜财〔2026〕1号")
    world.clock.set(ISSUE_DAY)
    # A grant of last year from approved local money may still be proposed in January.
    grant = approved_grant(world, archive, source=Source.LOCAL, year=2026)
    assert grant.year == 2026 and grant.source == Source.LOCAL
    assert (
        carry_over_refusal(
            account=accounts.county_a,
            source=Source.LOCAL,
            year=2026,
            on=ISSUE_DAY,
            what="发放",
            amount=Decimal("10000.00"),
        )
        == ""
    )
    # 9,120 paid after the year leaves 880 of the approval, whatever the balance.
    entry_line = sent_batch(world, fin, accounts.county_a, [grant]).lines.get()
    batch_record_results(actor=fin, batch=entry_line.batch, results=_paid(entry_line, ISSUE_DAY))
    assert balance(accounts.county_a, year=2026, source=Source.LOCAL) == Decimal("50880.00")
    assert local_carry_over_left(accounts.county_a, 2026) == Decimal("880.00")
    assert "尚余 880.00 元，不足发放 880.01 元" in carry_over_refusal(
        account=accounts.county_a,
        source=Source.LOCAL,
        year=2026,
        on=ISSUE_DAY,
        what="发放",
        amount=Decimal("880.01"),
    )


# --- Views ------------------------------------------------------------------------------------


def url(name: str, *args) -> str:
    return reverse(f"funds:{name}", args=args)


RECEIPT_FORM = {
    "received_on": "2027-01-04",
    "year": "2026",
    "source": "central",
    "amount": "88000.00",
    "counterpart": "安徽省总工会",
    "document_number": "皖工办〔2026〕33号",
    "document_title": "关于下达2026年中央财政专项帮扶资金的通知",
}


def test_the_receipt_form_shows_the_refusal_and_keeps_what_was_typed(
    client, world, accounts, world_finance
):
    world.clock.set(ISSUE_DAY)
    client.force_login(world_finance.city)
    response = client.post(url("receipt_create", accounts.city.pk), RECEIPT_FORM)
    assert response.status_code == 200
    html = response.content.decode()
    assert NO_CARRY_OVER in html
    assert "2027-01-04不能登记到账2026年度中央财政资金" in html
    assert response.context["form"].errors["received_on"]
    for typed in ("2027-01-04", "88000.00", "皖工办〔2026〕33号"):
        assert typed in html
    assert not Receipt.objects.exists()


def test_local_money_with_its_approval_from_the_form(client, world, accounts, world_finance):
    world.clock.set(ISSUE_DAY)
    client.force_login(world_finance.county_a)
    form = {**RECEIPT_FORM, "source": "local", "document_number": "镜财〔2026〕12号"}
    page = client.get(url("receipt_create", accounts.county_a.pk)).content.decode()
    assert "本级财政批准跨年使用" in page
    response = client.post(url("receipt_create", accounts.county_a.pk), form)
    assert response.status_code == 200 and LOCAL_RULE in response.content.decode()
    response = client.post(
        url("receipt_create", accounts.county_a.pk),
        {**form, "carry_over_approved": "on", "carry_over_document": ""},
    )
    assert "请填写本级财政批准跨年使用的批复文号" in response.content.decode()
    assert not Receipt.objects.exists()
    response = client.post(
        url("receipt_create", accounts.county_a.pk),
        {**form, "carry_over_approved": "on", "carry_over_document": "镜财〔2026〕13号"},
    )
    assert response.status_code == 302
    listing = client.get(response.url).content.decode()
    assert "本级财政批准跨年使用：镜财〔2026〕13号" in listing


def test_the_plan_execution_page_shows_the_refusal(client, world, accounts, world_finance):
    fin = world_finance.city
    world.clock.set(datetime.date(2026, 12, 28))
    plan = draft(fin, accounts.city, receive(fin, accounts.city), accounts.county_a)
    world.clock.set(ISSUE_DAY)
    client.force_login(fin)
    response = client.post(
        url("plan_execute", plan.pk),
        {"transfer_date": "2027-01-06", "reference": "凭证 2027-3", "confirm": "on"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert NO_CARRY_OVER in html and "2027-01-06" in html and "凭证 2027-3" in html
    assert fresh(plan).status == AllocationPlan.Status.DRAFT


def test_the_results_page_shows_the_refusal(
    client, world, archive, accounts, world_finance, gateway, december
):
    fin = world_finance.county_a
    receive(fin, accounts.county_a, "50000")
    batch = sent_batch(world, fin, accounts.county_a, [approved_grant(world, archive)])
    line = batch.lines.get()
    world.clock.set(ISSUE_DAY)
    client.force_login(fin)
    response = client.post(
        url("batch_results", batch.pk),
        {
            f"result_{line.pk}": "paid",
            f"paid_on_{line.pk}": "2027-01-06",
            f"reference_{line.pk}": "ICBC20270106",
            "confirm": "on",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert NO_CARRY_OVER in html and "2027-01-06不能发放2026年度中央财政资金" in html
    assert "ICBC20270106" in html
    assert fresh(line).status == PaymentLine.Status.PENDING


def test_recording_a_later_approval_from_the_receipts_page(client, world, accounts, world_finance):
    fin = world_finance.county_a
    world.clock.set(datetime.date(2026, 12, 28))
    local = receive(fin, accounts.county_a, "5000", source=Source.LOCAL, number="镜财〔2026〕5号")
    client.force_login(fin)
    listing = client.get(url("receipts", accounts.county_a.pk)).content.decode()
    assert url("receipt_carry_over", local.pk) in listing
    response = client.post(
        url("receipt_carry_over", local.pk), {"carry_over_document": "镜财〔2026〕50号"}
    )
    assert response.status_code == 200 and "confirm" in response.context["form"].errors
    assert "镜财〔2026〕50号" in response.content.decode()
    response = client.post(
        url("receipt_carry_over", local.pk),
        {"carry_over_document": "镜财〔2026〕50号", "confirm": "on"},
    )
    assert response.status_code == 302
    assert fresh(local).carry_over_document == "镜财〔2026〕50号"
    listing = client.get(response.url).content.decode()
    assert "本级财政批准跨年使用：镜财〔2026〕50号" in listing
    # Another county's finance does not find it; an auditor reads but does not book.
    client.force_login(world_finance.county_b)
    assert client.get(url("receipt_carry_over", local.pk)).status_code == 404
    client.force_login(world_finance.county_a_auditor)
    assert client.get(url("receipt_carry_over", local.pk)).status_code == 403
