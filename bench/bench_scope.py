"""Scoping at scale: 100,000 users across 3 counties and 300 grassroots unions.

The organisation selector must stay an indexed equality: a county user's page of rows and
its count should not slow down as other counties grow.
"""

import itertools

from django.test import Client
from django.urls import reverse

from accounts.models import Organisation, RoleGrant, User
from accounts.roles import Role
from accounts.selectors import scope_queryset, user_list_for_user
from bench.common import analyze, build_tree, explain, measure
from core.history import acting_as
from tests.factories.accounts import make_user, system_user

USERS = 100_000
COUNTIES = 3
UNIONS_PER_COUNTY = 100


def run() -> None:
    system = system_user()
    with acting_as(system):
        city, counties, unions = build_tree(
            "基准", counties=COUNTIES, unions_per_county=UNIONS_PER_COUNTY
        )
        serial = itertools.count()
        users = User.objects.bulk_create(
            [
                User(
                    username=f"bench{next(serial):06d}",
                    full_name="基准用户",
                    organisation=unions[index % len(unions)],
                    password="!",
                )
                for index in range(USERS)
            ],
            batch_size=5000,
        )
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=user, role=Role.CASEWORKER) for user in users], batch_size=5000
        )
        county_reviewer = make_user(counties[0], Role.REVIEWER)
        grassroots_user = make_user(unions[0], Role.CASEWORKER)
        admin = make_user(city, Role.ADMIN)
    analyze()
    print(f"  data: {User.objects.count()} users, {Organisation.objects.count()} organisations")

    county_scope = scope_queryset(User.objects.all(), county_reviewer)
    measure("county user: first page of 25 users", lambda: list(county_scope.order_by("id")[:25]))
    measure("county user: count of its users", county_scope.count)
    grassroots_scope = scope_queryset(User.objects.all(), grassroots_user)
    measure("grassroots user: count of its users", grassroots_scope.count)
    orgs = scope_queryset(Organisation.objects.all(), county_reviewer)
    measure("county user: its organisations", lambda: list(orgs.all()))
    explain("county user's users", county_scope.order_by("id")[:25])

    client = Client()
    client.force_login(admin)
    url = reverse("accounts:user_list")
    measure("city admin: user list page (HTTP)", lambda: client.get(url), repeat=7)
    measure(
        "city admin: user list page 2000 (HTTP)", lambda: client.get(url, {"page": 2000}), repeat=7
    )
    explain("city admin's user list", user_list_for_user(admin)[:25])
