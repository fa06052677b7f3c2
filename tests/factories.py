"""Test data built the way the product builds it: through the services."""

import itertools

from accounts.models import Organisation, User
from accounts.roles import Role
from accounts.services import organisation_create, user_create

_codes = itertools.count(1)
PASSWORD = "Test-pass-2026"


def system_user() -> User:
    from accounts import selectors

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
