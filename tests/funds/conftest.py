"""The special accounts and the finance staff, opened the way the product opens them."""

from dataclasses import dataclass

import pytest

from accounts.models import User
from accounts.roles import Role
from funds.models import FundAccount
from funds.services.accounts import fund_account_create
from tests.archives import conftest as archive_fixtures
from tests.factories import make_user

world = archive_fixtures.world
clock = archive_fixtures.clock
archive = archive_fixtures.archive


@dataclass
class Accounts:
    city: FundAccount
    county_a: FundAccount
    county_b: FundAccount


@dataclass
class Finance:
    city: User
    county_a: User
    county_b: User
    city_auditor: User
    county_a_auditor: User


@pytest.fixture
def accounts(world) -> Accounts:
    w = world.wuhu

    def open_account(organisation, number: str) -> FundAccount:
        return fund_account_create(
            actor=w.admin,
            organisation=organisation,
            name=f"{organisation.name}困难职工帮扶资金专户",
            bank_name="中国工商银行芜湖分行",
            bank_account=number,
        )

    return Accounts(
        city=open_account(w.city, "1307010009000000001"),
        county_a=open_account(w.county, "1307010009000000002"),
        county_b=open_account(w.county_b, "1307010009000000003"),
    )


@pytest.fixture
def world_finance(world) -> Finance:
    w = world.wuhu
    return Finance(
        city=make_user(w.city, Role.FINANCE, username="fin_city"),
        county_a=make_user(w.county, Role.FINANCE, username="fin_a"),
        county_b=make_user(w.county_b, Role.FINANCE, username="fin_b"),
        city_auditor=make_user(w.city, Role.AUDITOR, username="aud_city"),
        county_a_auditor=make_user(w.county, Role.AUDITOR, username="aud_a"),
    )
