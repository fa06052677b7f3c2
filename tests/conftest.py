from dataclasses import dataclass

import pytest
from django.db import connections

from accounts.models import Organisation, User
from accounts.roles import Role
from tests.factories import make_city, make_org, make_user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the snapshot of the migrated database for every connection object.

    Browser tests use `serialized_rollback` to get the data migrations' rows back after
    each flush. Django keeps that snapshot on the connection object, but Playwright's sync
    API runs the test in another context, where Django hands out a new connection object:
    the snapshot is therefore pinned on the connection class.
    """
    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents


@dataclass
class Tree:
    """One city, two counties, two grassroots unions under each, and their staff."""

    city: Organisation
    county_a: Organisation
    county_b: Organisation
    union_a1: Organisation
    union_a2: Organisation
    union_b1: Organisation
    admin: User
    city_reviewer: User
    county_a_reviewer: User
    county_b_reviewer: User
    caseworker_a1: User
    caseworker_a2: User
    caseworker_b1: User


@pytest.fixture
def tree(db) -> Tree:
    city = make_city()
    county_a = make_org(city, "镜湖区总工会")
    county_b = make_org(city, "弋江区总工会")
    union_a1 = make_org(county_a, "甲机械厂工会")
    union_a2 = make_org(county_a, "乙纺织厂工会")
    union_b1 = make_org(county_b, "丙化工厂工会")
    return Tree(
        city=city,
        county_a=county_a,
        county_b=county_b,
        union_a1=union_a1,
        union_a2=union_a2,
        union_b1=union_b1,
        admin=make_user(city, Role.ADMIN, username="admin1"),
        city_reviewer=make_user(city, Role.REVIEWER),
        county_a_reviewer=make_user(county_a, Role.REVIEWER),
        county_b_reviewer=make_user(county_b, Role.REVIEWER),
        caseworker_a1=make_user(union_a1, Role.CASEWORKER, username="cw_a1"),
        caseworker_a2=make_user(union_a2, Role.CASEWORKER),
        caseworker_b1=make_user(union_b1, Role.CASEWORKER),
    )


def pytest_collection_modifyitems(items):
    """Browser tests run last: their transactional database is flushed after each one."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
