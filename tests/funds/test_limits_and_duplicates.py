"""Rules found in review: a relative household's one item may come in instalments; central and
provincial money pays only its own budget year; a receipt is recorded once per document; the
roster's total is what the bank pays; archives merge within one county only."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from archives.models import Archive
from archives.services.lifecycle import archive_merge
from funds.models import Receipt
from funds.selectors.payments import roster_sheet
from funds.services.payments import batch_record_results
from funds.services.receipts import receipt_record
from tests.factories.archives import open_archive, relative_archive
from tests.factories.assistance import id_number, new_case
from tests.factories.core import refusal_text
from tests.factories.funds import PAID_ON, approved_grant, failed, fund, paid, propose, sent_batch


def test_a_relative_household_may_get_its_one_item_in_instalments(world, accounts):
    archive = relative_archive(world)
    first = propose(world, archive, amount="3000", basis="先发一半")
    assert first.amount == Decimal("3000.00")
    second = propose(world, archive)  # the same item: what is left of the standard
    assert second.amount == Decimal("3840.00")
    with pytest.raises(ValidationError) as info:
        propose(world, archive, "medical")
    assert "只予单一项目救助" in refusal_text(info)


def test_central_money_pays_no_grant_of_an_earlier_year(world, archive, accounts):
    world.clock.set(datetime.date(2027, 1, 6))
    with pytest.raises(ValidationError) as info:
        propose(world, archive, year=2026, source="central")
    assert "不得结转" in refusal_text(info)
    # Union funds follow their own approval: an earlier year's item may still be paid.
    assert propose(world, archive, year=2026, source="union").year == 2026


def _receipt(world_finance, accounts, number: str = "皖工财〔2026〕12号"):
    return receipt_record(
        actor=world_finance.city,
        account=accounts.city,
        received_on=datetime.date(2026, 3, 2),
        year=2026,
        source="central",
        amount=Decimal("600000"),
        counterpart="安徽省总工会",
        document_number=number,
        document_title="关于下达2026年中央财政困难职工帮扶资金的通知",
    )


def test_a_document_is_received_once(world, accounts, world_finance):
    world.clock.set(datetime.date(2026, 3, 3))
    _receipt(world_finance, accounts)
    with pytest.raises(ValidationError) as info:
        _receipt(world_finance, accounts)
    assert "不能重复登记" in refusal_text(info)
    with pytest.raises(IntegrityError), transaction.atomic():
        first = Receipt.objects.get()
        first.pk = None
        first.save()
    assert Receipt.objects.count() == 1
    assert _receipt(world_finance, accounts, "皖工财〔2026〕13号").pk


def test_the_roster_total_is_what_the_bank_pays(world, archive, accounts, world_finance, gateway):
    finance = world_finance.county_a
    fund(finance, accounts.county_a, "50000")
    grants = [approved_grant(world, archive), approved_grant(world, open_archive(world, person=1))]
    world.clock.set(PAID_ON)
    batch = sent_batch(world, finance, accounts.county_a, grants)
    first, second = batch.lines.order_by("id")
    batch = batch_record_results(
        actor=finance, batch=batch, results={**paid(first), **failed(second)}
    )
    footer = roster_sheet(batch).footer[0]
    assert footer[1] == "合计 1 人" and footer[6] == first.amount


def _county_b_archive(world, like: Archive) -> Archive:
    """An open archive of county B, inserted as such (its chain is not the point here)."""
    draft = new_case(
        world.wuhu.caseworker_b, world.wuhu.union_b, id_number=id_number(160), members=[]
    )
    values = {
        field.attname: getattr(like, field.attname)
        for field in Archive._meta.concrete_fields
        if field.name not in {"id", "number", "case", "created_at", "updated_at"}
    }
    values.update(
        case_id=draft.pk,
        number="DA2026999999",
        organisation_id=world.wuhu.union_b.pk,
        county_id=world.wuhu.county_b.pk,
    )
    return Archive.objects.create(**values)


def test_archives_of_two_counties_are_not_merged(world, archive):
    other = _county_b_archive(world, archive)
    with pytest.raises(ValidationError) as info:
        archive_merge(actor=world.wuhu.admin, keep=archive, duplicate=other, reason="重复")
    assert "不属于同一县" in refusal_text(info)
    assert Archive.objects.get(pk=other.pk).status == Archive.Status.OPEN
