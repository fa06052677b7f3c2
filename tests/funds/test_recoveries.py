"""Recovering money (追回, WH-M §19; TA-F §14) through the services: recorded by a county
reviewer with its evidence and the paid grants concerned (never more than they paid);
confirmed by another reviewer (职责分离), which closes the archive for cause and tells the
worker; repaid back into the account, year, source and item of the original grants, never
beyond what is owed (service and database); and the city's 减拨 / 停拨 decisions that the
allocation plans respect."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from archives.models import Archive
from assistance.models import CaseDocument
from core.lifecycle import move, moves
from core.models import Notification
from funds.lifecycles import RECOVERIES
from funds.models import (
    AllocationRestriction,
    Entry,
    Recovery,
    RecoveryLine,
    RecoveryRepayment,
)
from funds.selectors.accounts import unspent_report
from funds.selectors.recoveries import (
    ledger_recoveries,
    recoveries_of_account,
    recovery_lines,
    recovery_outstanding,
)
from funds.services.ledger import balance, lock_account, post_entry
from funds.services.receipts import (
    allocation_plan_create,
    allocation_plan_execute,
    receipt_record,
)
from funds.services.recoveries import (
    recovery_cancel,
    recovery_close,
    recovery_confirm,
    recovery_repay,
    restriction_lift,
    restriction_record,
)
from tests.factories.archives import open_archive
from tests.factories.core import fresh
from tests.factories.funds import (
    FOUND_ON,
    PAID_ON,
    REPAID_ON,
    approved_grant,
    confirmed,
    fund,
    pay,
    record,
)

# --- Recording -----------------------------------------------------------------------------


def test_record_keeps_finding_evidence_and_grants(world, archive, paid_grant):
    recovery = record(world, archive, [paid_grant])
    assert (recovery.status, recovery.amount, recovery.account_id) == (
        Recovery.Status.RECORDED,
        Decimal("9120.00"),
        paid_grant.account_id,
    )
    assert recovery.evidence.doc_type == CaseDocument.Type.FALSE_INFORMATION_EVIDENCE
    assert recovery.evidence.case == archive.case
    (line,) = recovery.lines.all()
    assert (line.grant, line.amount) == (paid_grant, Decimal("9120.00"))
    assert recovery.history.first().history_change_reason == "登记追回：查实提供虚假信息"
    assert archive.events.filter(kind="recovery_recorded").count() == 1
    # Recorded is not yet owed, and the archive stays open until confirmed.
    assert recovery_outstanding(recovery) == Decimal("0.00")
    assert fresh(archive).status == Archive.Status.OPEN


def test_amount_exactly_what_was_paid_is_accepted_one_fen_more_refused(world, archive, paid_grant):
    with pytest.raises(ValidationError) as refused:
        record(world, archive, [paid_grant], amount="9120.01")
    assert "超过所选帮扶项目已发放且尚未登记追回的 9120.00 元" in str(refused.value)
    assert "芜湖实施办法第十九条" in str(refused.value)
    assert not Recovery.objects.exists()
    assert record(world, archive, [paid_grant], amount="9120.00").amount == Decimal("9120.00")
    # The grant's money is taken: a second recovery of it finds nothing left.
    with pytest.raises(ValidationError, match="尚未登记追回的 0.00 元"):
        record(world, archive, [paid_grant], amount="0.01")


def test_record_refusals(world, archive, accounts, paid_grant):
    w = world.wuhu
    unpaid = approved_grant(world, open_archive(world, person=1))
    world.clock.set(FOUND_ON)
    for actor in (w.caseworker, w.county_caseworker, w.grassroots_reviewer, w.city_reviewer):
        with pytest.raises(PermissionDenied):
            record(world, archive, [paid_grant], actor=actor)
    with pytest.raises(PermissionDenied, match="档案所属县级工会"):
        record(world, archive, [paid_grant], actor=w.county_b_reviewer)
    with pytest.raises(ValidationError, match="只能追回本档案已发放的帮扶项目"):
        record(world, archive, [unpaid])
    with pytest.raises(ValidationError, match="请上传查实虚假信息的材料"):
        record(world, archive, [paid_grant], evidence=None)
    with pytest.raises(ValidationError, match="请填写查实的虚假信息情况"):
        record(world, archive, [paid_grant], finding="  ")
    with pytest.raises(ValidationError, match="查实日期不能晚于今天"):
        record(world, archive, [paid_grant], found_on=FOUND_ON + datetime.timedelta(days=1))
    assert not Recovery.objects.exists()


# --- Confirming ----------------------------------------------------------------------------


def test_the_recorder_cannot_confirm(world, archive, paid_grant):
    recovery = record(world, archive, [paid_grant])
    with pytest.raises(PermissionDenied, match="职责分离"):
        recovery_confirm(actor=world.wuhu.county_reviewer, recovery=recovery, channel="sms")
    with pytest.raises(PermissionDenied, match="档案所属县级工会"):
        recovery_confirm(actor=world.wuhu.county_b_reviewer, recovery=recovery, channel="sms")
    assert fresh(recovery).status == Recovery.Status.RECORDED
    assert fresh(archive).status == Archive.Status.OPEN


def test_the_table_offers_the_recorder_no_confirmation(world, archive, paid_grant):
    recovery = record(world, archive, [paid_grant])
    recorder = {
        m.transition.action: m for m in moves(RECOVERIES, recovery, world.wuhu.county_reviewer)
    }
    assert recorder["cancel"].allowed and not recorder["confirm"].allowed
    assert recorder["confirm"].why_not.startswith("职责分离")
    assert move(RECOVERIES, recovery, world.wuhu.county_reviewer_2, "confirm").allowed
    assert (
        "档案所属县级工会"
        in move(RECOVERIES, recovery, world.wuhu.county_b_reviewer, "confirm").why_not
    )


def test_confirm_closes_the_archive_for_cause_and_tells_the_worker(
    world, archive, paid_grant, gateway
):
    gateway.sent.clear()
    recovery = confirmed(world, archive, [paid_grant])
    assert recovery.status == Recovery.Status.CONFIRMED
    assert recovery.confirmed_by == world.wuhu.county_reviewer_2
    assert recovery_outstanding(recovery) == Decimal("9120.00")
    archive = fresh(archive)
    assert archive.status == Archive.Status.CLOSED
    assert archive.close_reason == Archive.CloseReason.FALSE_INFORMATION
    assert archive.get_close_reason_display() == "因虚假信息追回撤档"
    assert archive.closed_on == FOUND_ON
    assert archive.retain_until == datetime.date(2056, 5, 6)
    assert not archive.people.filter(active=True).exists()
    kinds = list(archive.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["recovery_recorded", "recovery_confirmed", "closed"]
    ((phone, text),) = gateway.sent
    assert phone == "13912345678"
    assert "须退回帮扶资金 9120.00 元" in text and "第十九条" in text
    assert recovery.notification.status == Notification.Status.SENT
    reasons = [h.history_change_reason for h in recovery.history.order_by("history_id")]
    assert reasons == ["登记追回：查实提供虚假信息", "确认追回"]


def test_confirm_by_letter(world, archive, paid_grant, gateway):
    gateway.sent.clear()
    recovery = confirmed(world, archive, [paid_grant], channel="letter")
    assert recovery.notification.status == Notification.Status.TO_PRINT
    assert gateway.sent == []


def test_cancel_before_confirmation_frees_the_grant(world, archive, paid_grant):
    recovery = record(world, archive, [paid_grant])
    with pytest.raises(ValidationError, match="请填写说明"):
        recovery_cancel(actor=world.wuhu.county_reviewer, recovery=recovery, note="")
    recovery = recovery_cancel(
        actor=world.wuhu.county_reviewer, recovery=recovery, note="复核后认定信息属实"
    )
    assert recovery.status == Recovery.Status.CANCELLED
    with pytest.raises(ValidationError, match="不能办理该操作"):
        recovery_confirm(actor=world.wuhu.county_reviewer_2, recovery=recovery, channel="sms")
    assert fresh(archive).status == Archive.Status.OPEN
    assert record(world, archive, [paid_grant]).amount == Decimal("9120.00")


# --- Repaying ------------------------------------------------------------------------------


def test_repayment_lands_in_the_grants_account_year_source_and_item(
    world, archive, accounts, world_finance, paid_grant
):
    recovery = confirmed(world, archive, [paid_grant])
    world.clock.set(REPAID_ON)
    before = balance(accounts.county_a, year=2026, source="central")
    repayment = recovery_repay(
        actor=world_finance.county_a,
        recovery=recovery,
        received_on=REPAID_ON,
        amount=Decimal("3000.00"),
        reference="退款20260520",
    )
    (entry,) = Entry.objects.filter(kind=Entry.Kind.RECOVERED)
    assert (entry.account, entry.year, entry.source, entry.item, entry.amount) == (
        accounts.county_a,
        2026,
        "central",
        "living",
        Decimal("3000.00"),
    )
    assert (entry.repayment, entry.recovery_line.grant) == (repayment, paid_grant)
    assert (entry.entry_date, entry.counterpart, entry.reference) == (
        REPAID_ON,
        "张建国",
        "退款20260520",
    )
    assert balance(accounts.county_a, year=2026, source="central") == before + Decimal("3000")
    recovery = fresh(recovery)
    assert recovery.status == Recovery.Status.CONFIRMED
    assert recovery_outstanding(recovery) == Decimal("6120.00")
    (row,) = unspent_report(world_finance.county_a, 2026)
    assert row.recovered == Decimal("3000.00")
    assert row.unspent == Decimal("50000.00") - Decimal("9120.00") + Decimal("3000.00")
    (ledger_row,) = ledger_recoveries([accounts.county_a.pk], 2026)
    assert (ledger_row.amount, ledger_row.repaid, ledger_row.outstanding) == (
        Decimal("9120.00"),
        Decimal("3000.00"),
        Decimal("6120.00"),
    )
    (on_account,) = recoveries_of_account(accounts.county_a)
    assert on_account.outstanding == Decimal("6120.00")


def test_repay_exactly_the_outstanding_ok_one_fen_more_refused(
    world, archive, world_finance, paid_grant
):
    recovery = confirmed(world, archive, [paid_grant])
    world.clock.set(REPAID_ON)
    fin = world_finance.county_a

    def repay(amount):
        return recovery_repay(
            actor=fin,
            recovery=fresh(recovery),
            received_on=REPAID_ON,
            amount=Decimal(amount),
            reference="退款",
        )

    repay("9000.00")
    with pytest.raises(ValidationError) as refused:
        repay("120.01")
    assert "收回金额 120.01 元超过尚未追回的 120.00 元" in str(refused.value)
    assert RecoveryRepayment.objects.count() == 1
    repay("120.00")
    recovery = fresh(recovery)
    assert recovery.status == Recovery.Status.REPAID
    assert recovery_outstanding(recovery) == Decimal("0.00")
    with pytest.raises(ValidationError, match="已全部追回"):
        repay("0.01")


def test_only_the_accounts_finance_books_a_repayment(world, archive, world_finance, paid_grant):
    recovery = confirmed(world, archive, [paid_grant])
    for actor in (world.wuhu.county_reviewer_2, world_finance.county_b, world_finance.city):
        with pytest.raises(PermissionDenied):
            recovery_repay(
                actor=actor,
                recovery=recovery,
                received_on=FOUND_ON,
                amount=Decimal("1"),
                reference="x",
            )
    assert not Entry.objects.filter(kind=Entry.Kind.RECOVERED).exists()


def test_the_database_refuses_repaying_beyond_a_line(world, archive, world_finance, paid_grant):
    recovery = confirmed(world, archive, [paid_grant], amount="100.00")
    world.clock.set(REPAID_ON)
    repayment = recovery_repay(
        actor=world_finance.county_a,
        recovery=recovery,
        received_on=REPAID_ON,
        amount=Decimal("100.00"),
        reference="退款",
    )
    line = RecoveryLine.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        post_entry(
            actor=world_finance.county_a,
            account=lock_account(line.grant.account),
            kind=Entry.Kind.RECOVERED,
            entry_date=REPAID_ON,
            year=2026,
            amount=Decimal("0.01"),
            source="central",
            counterpart="张建国",
            reference="绕过服务",
            description="多收",
            recovery_line=line,
            repayment=repayment,
        )
    # A recovered entry must name its line (a check constraint, below the model's checks).
    account = line.grant.account
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry(
            account=account,
            county=account.county,
            city=account.city,
            kind=Entry.Kind.RECOVERED,
            entry_date=REPAID_ON,
            year=2026,
            amount=Decimal("1.00"),
            source="central",
            fund_category="finance",
            counterpart="张建国",
            reference="无明细",
            description="无明细",
            created_by=world_finance.county_a,
        ).save()
    assert Entry.objects.filter(kind=Entry.Kind.RECOVERED).count() == 1


def test_a_repayment_is_split_grant_by_grant_oldest_first(
    world, archive, accounts, world_finance, gateway
):
    fin = world_finance.county_a
    fund(fin, accounts.county_a, "50000")
    fund(fin, accounts.county_a, "20000", source="union")
    world.clock.set(PAID_ON)
    first = approved_grant(world, archive, amount="5000", basis="先发一部分")
    (first,) = pay(world, fin, accounts.county_a, [first])
    world.clock.set(PAID_ON + datetime.timedelta(days=7))
    second = approved_grant(world, archive, source="union")  # what is left: 4,120
    (second,) = pay(world, fin, accounts.county_a, [second])
    world.clock.set(FOUND_ON)
    recovery = confirmed(world, archive, [second, first], amount="6000.00")
    lines = recovery_lines(recovery)
    assert [(line.grant, line.amount) for line in lines] == [
        (first, Decimal("5000.00")),
        (second, Decimal("1000.00")),
    ]
    world.clock.set(REPAID_ON)
    recovery_repay(
        actor=fin,
        recovery=recovery,
        received_on=REPAID_ON,
        amount=Decimal("5500.00"),
        reference="退款",
    )
    entries = Entry.objects.filter(kind=Entry.Kind.RECOVERED).order_by("id")
    assert [(e.source, e.item, e.amount) for e in entries] == [
        ("central", "living", Decimal("5000.00")),
        ("union", "living", Decimal("500.00")),
    ]
    assert recovery_outstanding(fresh(recovery)) == Decimal("500.00")


def test_close_ends_a_recovery_with_money_left_by_another_reviewer(
    world, archive, world_finance, paid_grant
):
    recovery = confirmed(world, archive, [paid_grant])
    with pytest.raises(PermissionDenied, match="职责分离"):
        recovery_close(actor=world.wuhu.county_reviewer, recovery=recovery, note="移送司法机关")
    recovery = recovery_close(
        actor=world.wuhu.county_reviewer_3, recovery=recovery, note="移送司法机关处理"
    )
    assert recovery.status == Recovery.Status.CLOSED
    assert recovery.decision_note == "移送司法机关处理"
    assert recovery_outstanding(recovery) == Decimal("0.00")


def test_the_transition_table_names_each_move_once():
    moves = [(t.action, t.source) for t in RECOVERIES.transitions]
    assert len(moves) == len(set(moves))
    assert {t.action for t in RECOVERIES.transitions if t.decision} == {"confirm", "close"}


# --- 减拨、停拨 ----------------------------------------------------------------------------


@pytest.fixture
def city_money(world, accounts, world_finance):
    world.clock.set(datetime.date(2026, 4, 1))
    return receipt_record(
        actor=world_finance.city,
        account=accounts.city,
        received_on=datetime.date(2026, 4, 1),
        year=2026,
        source="central",
        amount=Decimal("100000"),
        counterpart="安徽省总工会",
        document_number="皖工〔2026〕9号",
        document_title="中央财政帮扶资金",
    )


def plan(world_finance, accounts, receipt, amount):
    return allocation_plan_create(
        actor=world_finance.city,
        account=accounts.city,
        year=2026,
        title="2026年第一批",
        meeting_reference="芜工党组〔2026〕3号",
        meeting_date=datetime.date(2026, 4, 1),
        lines=[(receipt, accounts.county_a, "", Decimal(amount))],
    )


def restrict(world_finance, accounts, kind, ceiling=None):
    return restriction_record(
        actor=world_finance.city,
        account=accounts.city,
        to_account=accounts.county_a,
        year=2026,
        kind=kind,
        ceiling=ceiling,
        reason="该县查实弄虚作假骗取帮扶资金",
        decision_reference="芜工党组〔2026〕5号",
        decided_on=datetime.date(2026, 4, 1),
    )


def test_a_stopped_county_gets_no_allocation_until_lifted(
    world, accounts, world_finance, city_money
):
    draft = plan(world_finance, accounts, city_money, "1000")
    stop = restrict(world_finance, accounts, AllocationRestriction.Kind.STOP)
    with pytest.raises(ValidationError) as refused:
        allocation_plan_execute(
            actor=world_finance.city,
            plan=draft,
            transfer_date=datetime.date(2026, 4, 1),
            reference="X",
        )
    assert "停拨" in str(refused.value) and "泰安资金细则第十四条" in str(refused.value)
    with pytest.raises(ValidationError, match="停拨"):
        plan(world_finance, accounts, city_money, "1000")
    restriction_lift(actor=world_finance.city, restriction=stop, reason="整改到位")
    executed = allocation_plan_execute(
        actor=world_finance.city, plan=draft, transfer_date=datetime.date(2026, 4, 1), reference="X"
    )
    assert executed.status == "executed"
    reasons = [h.history_change_reason for h in stop.history.order_by("history_id")]
    assert reasons[-1] == "解除停拨：整改到位"


def test_a_reduced_county_is_capped_at_the_ceiling(world, accounts, world_finance, city_money):
    restrict(world_finance, accounts, AllocationRestriction.Kind.REDUCE, Decimal("5000.00"))
    first = plan(world_finance, accounts, city_money, "3000")
    allocation_plan_execute(
        actor=world_finance.city, plan=first, transfer_date=datetime.date(2026, 4, 1), reference="X"
    )
    with pytest.raises(ValidationError) as refused:
        plan(world_finance, accounts, city_money, "2000.01")
    assert "已下拨 3000.00 元，本方案再下达 2000.01 元将超过上限" in str(refused.value)
    assert plan(world_finance, accounts, city_money, "2000.00").lines.get().amount == Decimal(
        "2000.00"
    )


def test_restrictions_are_the_citys_finance(world, accounts, world_finance):
    with pytest.raises(PermissionDenied):
        restriction_record(
            actor=world_finance.county_a,
            account=accounts.county_a,
            to_account=accounts.county_a,
            year=2026,
            kind="stop",
            ceiling=None,
            reason="x",
            decision_reference="x",
            decided_on=datetime.date(2026, 4, 1),
        )
    with pytest.raises(ValidationError, match="减拨须填写"):
        restrict(world_finance, accounts, AllocationRestriction.Kind.REDUCE)


def test_a_repayment_after_the_budget_year_is_booked_back_all_the_same(
    world, archive, accounts, world_finance, paid_grant
):
    """Recovered central money comes in, it is not used: the no-carry-over rule (WH-F §13)
    does not stop it, and it goes to the year's unspent money to be returned."""
    recovery = confirmed(world, archive, [paid_grant])
    after_the_year = datetime.date(2027, 1, 6)
    world.clock.set(after_the_year)
    recovery_repay(
        actor=world_finance.county_a,
        recovery=recovery,
        received_on=after_the_year,
        amount=Decimal("9120.00"),
        reference="退款20270106",
    )
    (entry,) = Entry.objects.filter(kind=Entry.Kind.RECOVERED)
    assert (entry.year, entry.source, entry.entry_date, entry.amount) == (
        2026,
        "central",
        after_the_year,
        Decimal("9120.00"),
    )
    assert recovery_outstanding(fresh(recovery)) == Decimal("0.00")
