"""Organisations and their staff, built the way the product builds them: through the services."""

import itertools
from dataclasses import dataclass

from accounts import selectors
from accounts.models import Organisation, User
from accounts.roles import Role
from accounts.services.organisations import organisation_create
from accounts.services.users import user_create

_codes = itertools.count(1)
PASSWORD = "Test-pass-2026"


def system_user() -> User:
    return selectors.system_user()


def make_city(name: str = "芜湖市总工会", *, region: str = "wuhu") -> Organisation:
    return organisation_create(
        actor=system_user(),
        parent=None,
        code=f"C{next(_codes):04d}",
        name=name,
        kind=Organisation.Kind.CITY,
        policy_region=region,
    )


def make_org(parent: Organisation, name: str, kind: str | None = None) -> Organisation:
    if kind is None:
        kind = (
            Organisation.Kind.COUNTY
            if parent.kind == Organisation.Kind.CITY
            else Organisation.Kind.ENTERPRISE
        )
    return organisation_create(
        actor=system_user(), parent=parent, code=f"O{next(_codes):05d}", name=name, kind=kind
    )


def make_user(organisation: Organisation, *roles: str, username: str | None = None) -> User:
    return user_create(
        actor=system_user(),
        username=username or f"u{next(_codes):05d}",
        full_name="测试用户",
        organisation=organisation,
        roles=list(roles) or [Role.CASEWORKER],
        password=PASSWORD,
    )


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


def build_tree() -> Tree:
    """Wuhu's tree (the `tree` fixture)."""
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
