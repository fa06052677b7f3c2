"""The home page shows the archive work waiting and, for finance, the year-end warning."""

import datetime
from decimal import Decimal

from django.db import transaction

from archives.models import Archive
from funds.models import Entry, Source
from funds.services.accounts import fund_account_create
from funds.services.ledger import lock_account, post_entry
from tests.factories.accounts import make_user


def test_the_home_page_counts_overdue_re_verifications(client, world, archive):
    world.clock.set(archive.verification_due + datetime.timedelta(days=3))
    client.force_login(world.wuhu.county_reviewer)
    page = client.get("/")
    assert page.context["archive_work"].overdue == 1
    assert 'data-testid="archive-work"' in page.content.decode()


def test_the_home_page_counts_scope_only(client, world, archive):
    world.clock.set(archive.verification_due + datetime.timedelta(days=3))
    client.force_login(world.wuhu.county_b_reviewer)
    assert client.get("/").context["archive_work"].overdue == 0
    assert Archive.objects.filter(verification_due__lt=world.clock.today()).count() == 1


def test_finance_sees_unspent_central_money_from_november(client, world):
    w = world.wuhu
    account = fund_account_create(
        actor=w.admin, organisation=w.city, name="市专户", bank_name="工行", bank_account="1"
    )
    finance = make_user(w.city, "finance", username="fin_home")
    world.clock.set(datetime.date(2026, 3, 2))
    with transaction.atomic():
        post_entry(
            actor=finance,
            account=lock_account(account),
            kind=Entry.Kind.RECEIPT,
            entry_date=world.clock.today(),
            year=2026,
            amount=Decimal("500000"),
            source=Source.CENTRAL,
            counterpart="省总工会",
            reference="皖工财〔2026〕1号",
            description="中央财政帮扶资金",
        )
    world.clock.set(datetime.date(2026, 10, 30))
    client.force_login(finance)
    assert client.get("/").context["warnings"] == []
    world.clock.set(datetime.date(2026, 11, 2))
    client.force_login(finance)  # a session lasts a working day
    page = client.get("/")
    assert [w.amount for w in page.context["warnings"]] == [Decimal("500000.00")]
    assert "不得结转下年" in page.content.decode()
