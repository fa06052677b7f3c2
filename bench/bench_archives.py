"""The archive lists at scale: 60,000 household archives, 3 counties, 300 unions.

Reports the median time and query count of the archive list (plain, filtered, page 100),
the due and overdue list and the archive page for a county and the city, and the time of a
county's Excel export (about 20,000 rows).
"""

import datetime
import time
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from archives.models import Archive, ArchivePerson
from assistance.models import Case, Policy
from bench.common import analyze, build_tree, measure
from core.crypto import encrypt, keyed_hash, mask, mask_card
from core.history import acting_as
from tests.factories.accounts import make_user, system_user

ARCHIVES = 60_000
CATEGORIES = ["deep", "relative", "accident"]
STATUSES = [*[Archive.Status.OPEN] * 8, Archive.Status.PHASE_OUT, Archive.Status.EXITING]


def _cases(unions, entered_by, policy):
    id_cipher = encrypt("340221198001010011")
    card_cipher = encrypt("6222021234567890123")
    for index in range(ARCHIVES):
        union = unions[index % len(unions)]
        yield Case(
            number=f"2025{index:07d}",
            status=Case.Status.APPROVED,
            organisation=union,
            county=union.county,
            city=union.city,
            channel="paper",
            application_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=index % 600),
            entered_by=entered_by,
            applicant_name=f"档案户主{index:06d}",
            applicant_id_cipher=id_cipher,
            applicant_id_hash=keyed_hash(f"A{index:017d}"),
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
            category=CATEGORIES[index % 3],
            final_category=CATEGORIES[index % 3],
            policy=policy,
            assessment={},
        )


def _archives(cases, policy):
    today = datetime.date(2026, 11, 22)
    for index, case in enumerate(cases):
        opened = case.application_date + datetime.timedelta(days=30)
        yield Archive(
            number=f"DA{opened:%Y}{index:06d}",
            case=case,
            status=STATUSES[index % len(STATUSES)],
            category=case.final_category,
            organisation=case.organisation,
            county=case.county,
            city=case.city,
            person_name=case.applicant_name,
            id_hash=case.applicant_id_hash,
            id_masked=case.applicant_id_masked,
            phone=case.phone,
            policy=policy,
            minimum_living_standard=Decimal("760"),
            assessment={},
            per_capita_income=Decimal(500 + index % 900),
            household_size=1 + index % 4,
            opened_on=opened,
            verified_on=opened,
            verification_due=today + datetime.timedelta(days=index % 400 - 200),
        )


def run() -> None:
    policy = Policy.objects.get(code="wuhu-2020")
    with acting_as(system_user()):
        city, counties, unions = build_tree("档案", counties=3, unions_per_county=100)
        caseworker = make_user(unions[0], Role.CASEWORKER)
        county_reviewer = make_user(counties[0], Role.REVIEWER)
        city_reviewer = make_user(city, Role.REVIEWER)
        cases = Case.objects.bulk_create(_cases(unions, caseworker, policy), batch_size=5000)
        archives = Archive.objects.bulk_create(_archives(cases, policy), batch_size=5000)
        ArchivePerson.objects.bulk_create(
            (
                ArchivePerson(
                    archive=a, name=a.person_name, relation="户主", id_hash=a.id_hash,
                    id_masked=a.id_masked,
                )
                for a in archives
            ),
            batch_size=5000,
        )  # fmt: skip
    analyze()
    print(f"  data: {Archive.objects.count()} archives in {len(unions)} grassroots unions")
    listing, due = reverse("archives:list"), reverse("archives:due")
    sample = archives[0]
    for label, user in [("county reviewer", county_reviewer), ("city reviewer", city_reviewer)]:
        client = Client()
        client.force_login(user)
        measure(f"{label}: archive list page 1", lambda c=client: c.get(listing), repeat=7)
        measure(
            f"{label}: archive list page 100",
            lambda c=client: c.get(listing, {"page": 100}),
            repeat=7,
        )
        measure(
            f"{label}: filter deep, stale verification",
            lambda c=client: c.get(listing, {"category": "deep", "stale": "on"}),
            repeat=7,
        )
        measure(f"{label}: overdue re-verifications", lambda c=client: c.get(due), repeat=7)
        measure(
            f"{label}: archive page",
            lambda c=client: c.get(reverse("archives:detail", args=[sample.pk])),
            repeat=7,
        )
    client = Client()
    client.force_login(county_reviewer)
    started = time.perf_counter()
    response = client.get(reverse("archives:export"))
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    rows = Archive.objects.filter(county=counties[0], status__in=Archive.ACTIVE_STATUSES).count()
    print(f"  county export: {rows} rows, {size / 1024:.0f} KiB in {elapsed:.2f} s")
