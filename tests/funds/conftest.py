"""The special accounts and the finance staff, opened the way the product opens them."""

import pytest

from funds.models import Grant
from tests.factories.funds import (
    FOUND_ON,
    PAID_ON,
    Accounts,
    Finance,
    TaianFunds,
    approved_grant,
    finance_staff,
    fund,
    open_accounts,
    open_taian_funds,
    pay,
)


@pytest.fixture
def accounts(world) -> Accounts:
    return open_accounts(world)


@pytest.fixture
def world_finance(world) -> Finance:
    return finance_staff(world)


@pytest.fixture
def taian_funds(world) -> TaianFunds:
    return open_taian_funds(world)


@pytest.fixture
def ready(world, archive, accounts, world_finance, gateway) -> Grant:
    """An approved deep living grant of 9,120 and 50,000 of central money on the account."""
    fund(world_finance.county_a, accounts.county_a, "50000")
    grant = approved_grant(world, archive)
    world.clock.set(PAID_ON)
    return grant


@pytest.fixture
def paid_grant(world, archive, accounts, world_finance, gateway) -> Grant:
    """A deep living grant of 9,120 of 2026 central money, paid on 2026-04-13."""
    fund(world_finance.county_a, accounts.county_a, "50000")
    grant = approved_grant(world, archive)
    world.clock.set(PAID_ON)
    (grant,) = pay(world, world_finance.county_a, accounts.county_a, [grant])
    world.clock.set(FOUND_ON)
    return grant
