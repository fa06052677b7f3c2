"""The case list and the work queue at scale: 100,000 applications, 3 counties, 300 unions.

Reports the median time and the query count of the case list page for a county reviewer,
a grassroots caseworker and a city reviewer, with and without a search, and of the home page
with its work queue for a county and a grassroots reviewer.
"""

import datetime
import itertools
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from assistance.models import Case, Policy
from assistance.selectors import case_list_for_user, review_queue_for
from bench.common import analyze, build_tree, explain, measure
from core.crypto import encrypt, keyed_hash, mask, mask_card
from core.history import acting_as
from tests.factories.accounts import make_user, system_user

CASES = 100_000
COUNTIES = 3
UNIONS_PER_COUNTY = 100
CATEGORIES = ["deep", "relative", "accident", None]
# Most cases are decided; about a fifth wait somewhere along the chain.
STATUSES = [
    *[Case.Status.APPROVED] * 6,
    Case.Status.REJECTED,
    Case.Status.DRAFT,
    Case.Status.SUBMITTED,
    Case.Status.COUNTY_REVIEW,
    Case.Status.COMPARISON,
    Case.Status.NOTICE,
]


def _cases(unions, entered_by, policy):
    id_cipher = encrypt("340221198001010011")
    card_cipher = encrypt("6222021234567890123")
    start = datetime.date(2026, 1, 5)
    entered = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)
    serial = itertools.count(1)
    for index in range(CASES):
        union = unions[index % len(unions)]
        number = next(serial)
        yield Case(
            number=f"2026{number:07d}",
            status=STATUSES[index % len(STATUSES)],
            state_entered_at=entered + datetime.timedelta(minutes=index),
            organisation=union,
            county=union.county,
            city=union.city,
            channel="paper",
            application_date=start + datetime.timedelta(days=index % 300),
            entered_by=entered_by,
            applicant_name=f"基准申请人{number:06d}",
            applicant_id_cipher=id_cipher,
            applicant_id_hash=keyed_hash(f"B{number:017d}"),
            applicant_id_masked=mask("340221198001010011"),
            birth_date=datetime.date(1980, 1, 1),
            sex="M",
            phone="13900000000",
            work_unit="基准单位",
            employment="in_post",
            bank_name="中国工商银行",
            bank_card_cipher=card_cipher,
            bank_card_masked=mask_card("6222021234567890123"),
            main_cause="illness",
            household_size=1 + index % 4,
            category=CATEGORIES[index % 4],
            per_capita_income=Decimal(500 + index % 1500),
            policy=policy,
            assessment={},
        )


def run() -> None:
    policy = Policy.objects.get(code="wuhu-2020")
    with acting_as(system_user()):
        city, counties, unions = build_tree(
            "基准", counties=COUNTIES, unions_per_county=UNIONS_PER_COUNTY
        )
        caseworker = make_user(unions[0], Role.CASEWORKER)
        grassroots_reviewer = make_user(unions[0], Role.REVIEWER)
        county_reviewer = make_user(counties[0], Role.REVIEWER)
        city_reviewer = make_user(city, Role.REVIEWER)
        Case.objects.bulk_create(_cases(unions, caseworker, policy), batch_size=5000)
    analyze()
    print(f"  data: {Case.objects.count()} cases in {len(unions)} grassroots unions")

    url = reverse("assistance:case_list")
    for label, user in [
        ("county reviewer", county_reviewer),
        ("grassroots caseworker", caseworker),
        ("city reviewer", city_reviewer),
    ]:
        client = Client()
        client.force_login(user)
        measure(f"{label}: case list page 1", lambda c=client: c.get(url), repeat=7)
        measure(
            f"{label}: case list page 100",
            lambda c=client: c.get(url, {"page": 100}),
            repeat=7,
        )
    home = reverse("home")
    for label, user in [
        ("county reviewer", county_reviewer),
        ("grassroots reviewer", grassroots_reviewer),
    ]:
        client = Client()
        client.force_login(user)
        measure(f"{label}: home page with work queue", lambda c=client: c.get(home), repeat=7)
        measure(
            f"{label}: work queue page 20",
            lambda c=client: c.get(home, {"page": 20}),
            repeat=7,
        )
    explain("county reviewer's queue", review_queue_for(county_reviewer)[:25])
    client = Client()
    client.force_login(county_reviewer)
    measure(
        "county reviewer: search by name",
        lambda: client.get(url, {"q": "基准申请人000123"}),
        repeat=7,
    )
    measure(
        "county reviewer: filter deep + submitted",
        lambda: client.get(url, {"category": "deep", "status": "submitted"}),
        repeat=7,
    )
    explain("county reviewer's first page", case_list_for_user(county_reviewer)[:25])
