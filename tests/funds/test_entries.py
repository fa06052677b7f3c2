"""The ledger cannot be edited away: the database refuses to change or delete an entry and
to take a year's source below zero; a mistake is corrected by a reversal (冲销), once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum

from funds.models import Entry, Source
from funds.services.ledger import balance, entry_reverse, post_entry
from funds.services.receipts import funds_return
from tests.factories.funds import TODAY, _insert, _refused_by_database, execute, plan, receive

K = Entry.Kind
TABLE = Entry._meta.db_table


def test_the_database_refuses_to_change_an_entry(accounts, world_finance):
    receipt = receive(world_finance.city, accounts.city, "1000")
    entry = Entry.objects.get(receipt=receipt)
    table = connection.ops.quote_name(TABLE)
    _refused_by_database(f"UPDATE {table} SET amount = %s WHERE id = %s", ["9999.00", entry.pk])
    _refused_by_database(f"UPDATE {table} SET description = %s WHERE id = %s", ["改", entry.pk])
    entry.amount = Decimal("1.00")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save(update_fields=["amount"])
    entry.refresh_from_db()
    assert entry.amount == Decimal("1000.00")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite refuses only UPDATE: its test flush deletes rows (core.migration_ops)",
)
def test_the_database_refuses_to_delete_an_entry(accounts, world_finance):
    receipt = receive(world_finance.city, accounts.city, "1000")
    entry = Entry.objects.get(receipt=receipt)
    table = connection.ops.quote_name(TABLE)
    _refused_by_database(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    _refused_by_database(f"DELETE FROM {table} WHERE account_id = %s", [accounts.city.pk])
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_a_negative_balance_is_refused_by_the_service_and_by_the_database(accounts, world_finance):
    fin = world_finance.city
    receipt = receive(fin, accounts.city, "1000")
    entry = Entry.objects.get(receipt=receipt)
    with pytest.raises(ValidationError, match="不足支出 1000.01 元"):
        funds_return(
            actor=fin,
            account=accounts.city,
            year=2026,
            source=Source.CENTRAL,
            amount=Decimal("1000.01"),
            counterpart="安徽省总工会",
            reference="缴款书",
            entry_date=TODAY,
        )
    # Around the service: a raw INSERT taking the year's central money below zero.
    sql, params = _insert(entry, kind=K.RETURN, amount=Decimal("-1000.01"))
    _refused_by_database(sql, params)
    # ... or spending another year's or another source's money.
    _refused_by_database(*_insert(entry, kind=K.RETURN, amount=Decimal("-1"), year=2025))
    _refused_by_database(*_insert(entry, kind=K.RETURN, amount=Decimal("-1"), source="local"))
    # Down to exactly zero is allowed.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(*_insert(entry, kind=K.RETURN, amount=Decimal("-1000.00")))
    assert balance(accounts.city, year=2026, source=Source.CENTRAL) == 0


def test_no_payment_without_a_grant_payment_line(accounts, world_finance):
    """WH-F §8: there is no free-form expenditure; a PAYMENT entry must be a grant's
    payment line (funds.services.payments), refused by the model and by the database."""
    fin = world_finance.city
    receipt = receive(fin, accounts.city, "1000")
    with pytest.raises(ValidationError), transaction.atomic():
        post_entry(
            actor=fin,
            account=accounts.city,
            kind=K.PAYMENT,
            entry_date=TODAY,
            year=2026,
            amount=Decimal("-100"),
            source=Source.CENTRAL,
            counterpart="办公用品商店",
            reference="发票 001",
            description="办公经费",
        )
    entry = Entry.objects.get(receipt=receipt)
    _refused_by_database(*_insert(entry, kind=K.PAYMENT, amount=Decimal("-100")))
    assert not Entry.objects.filter(kind=K.PAYMENT).exists()
    assert balance(accounts.city) == Decimal("1000.00")


def test_reversing_a_receipt_keeps_both_entries_and_sums_to_zero(accounts, world_finance):
    fin = world_finance.city
    receipt = receive(fin, accounts.city, "1000")
    original = Entry.objects.get(receipt=receipt)
    reversal = entry_reverse(actor=fin, entry=original, reason="拨款文件录错", entry_date=TODAY)
    assert (reversal.kind, reversal.amount, reversal.reverses) == (
        K.REVERSAL,
        Decimal("-1000.00"),
        original,
    )
    assert (reversal.year, reversal.source, reversal.reference) == (
        original.year,
        original.source,
        original.reference,
    )
    assert "拨款文件录错" in reversal.description
    assert Entry.objects.filter(pk__in=[original.pk, reversal.pk]).count() == 2
    assert Entry.objects.aggregate(total=Sum("amount"))["total"] == 0
    original.refresh_from_db()
    assert original.reversed_by == reversal and original.amount == Decimal("1000.00")
    assert reversal.history.get().history_user == fin

    with pytest.raises(ValidationError, match="已冲销"):
        entry_reverse(actor=fin, entry=original, reason="再冲一次", entry_date=TODAY)
    with pytest.raises(ValidationError, match="冲销分录不能再冲销"):
        entry_reverse(actor=fin, entry=reversal, reason="冲销的冲销", entry_date=TODAY)
    assert Entry.objects.count() == 2


def test_a_reversal_is_refused_when_the_money_is_gone_or_passed_down(accounts, world_finance):
    fin = world_finance.city
    spent = receive(fin, accounts.city, "1000", number="A")
    funds_return(
        actor=fin,
        account=accounts.city,
        year=2026,
        source=Source.CENTRAL,
        amount=Decimal("1000"),
        counterpart="安徽省总工会",
        reference="缴款书",
        entry_date=TODAY,
    )
    with pytest.raises(ValidationError, match="不足支出"):
        entry_reverse(
            actor=fin, entry=Entry.objects.get(receipt=spent), reason="录错", entry_date=TODAY
        )
    allocated = receive(fin, accounts.city, "500", number="B")
    execute(fin, plan(fin, accounts.city, [(allocated, accounts.county_a, "", Decimal("100"))]))
    with pytest.raises(ValidationError, match="已有资金按分配使用方案下拨"):
        entry_reverse(
            actor=fin, entry=Entry.objects.get(receipt=allocated), reason="录错", entry_date=TODAY
        )
    transfer_out = Entry.objects.get(kind=K.TRANSFER_OUT)
    with pytest.raises(ValidationError, match="不能单独冲销一方分录"):
        entry_reverse(actor=fin, entry=transfer_out, reason="录错", entry_date=TODAY)
    assert not Entry.objects.filter(kind=K.REVERSAL).exists()


def test_who_may_reverse_and_when(world, accounts, world_finance):
    fin = world_finance.city
    entry = Entry.objects.get(receipt=receive(fin, accounts.city, "1000"))
    for actor in (world_finance.city_auditor, world_finance.county_a, world.wuhu.admin):
        with pytest.raises(PermissionDenied):
            entry_reverse(actor=actor, entry=entry, reason="录错", entry_date=TODAY)
    with pytest.raises(ValidationError):
        entry_reverse(actor=fin, entry=entry, reason="  ", entry_date=TODAY)
    with pytest.raises(ValidationError):
        entry_reverse(actor=fin, entry=entry, reason="录错", entry_date=datetime.date(2026, 3, 31))
    with pytest.raises(ValidationError):
        entry_reverse(actor=fin, entry=entry, reason="录错", entry_date=datetime.date(2026, 4, 2))
    # The ledger's own service refuses the same people.
    with pytest.raises(PermissionDenied):
        entry_reverse(
            actor=world_finance.city_auditor, entry=entry, reason="录错", entry_date=TODAY
        )
    assert not Entry.objects.filter(kind=K.REVERSAL).exists()


def test_a_return_can_be_reversed(accounts, world_finance):
    fin = world_finance.city
    receive(fin, accounts.city, "1000")
    returned = funds_return(
        actor=fin,
        account=accounts.city,
        year=2026,
        source=Source.CENTRAL,
        amount=Decimal("400"),
        counterpart="安徽省总工会",
        reference="缴款书",
        entry_date=TODAY,
    )
    reversal = entry_reverse(actor=fin, entry=returned, reason="未实际上缴", entry_date=TODAY)
    assert reversal.amount == Decimal("400.00")
    assert balance(accounts.city) == Decimal("1000.00")
