"""A lived-in demo: one city, three counties, a dozen grassroots unions, staff for every role.

Each union has the staff its part of the review chain needs. A home visit takes two staff
of the visiting union, so every grassroots union has two caseworkers (the reviewer stays
free to decide) and every county two caseworkers for its own visits. Segregation of
duties lets nobody take a second decision on a case, and a Wuhu case takes three at the
county (审核通过、比对符合、确认建档), so every county has three reviewers.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from accounts.models import Organisation, User
from accounts.roles import Role
from accounts.services.organisations import organisation_create
from accounts.services.users import user_create
from assistance.services import minimum_living_standard_create
from demo.archives import demo_archives_seed
from demo.cases import demo_cases_seed
from demo.funds import demo_funds_seed
from demo.review import demo_review_seed

DEMO_PASSWORD = "Demo-2026!"
CITY_CODE = "WH"

COUNTIES = [
    (
        "JH",
        "镜湖区总工会",
        ["芜湖造船厂工会", "镜湖区赭山街道总工会", "芜湖纺织集团工会", "镜湖区范罗山社区工会"],
    ),
    (
        "YJ",
        "弋江区总工会",
        ["芜湖电缆厂工会", "弋江区马塘街道总工会", "芜湖食品公司工会", "弋江区中南社区工会"],
    ),
    (
        "JJ",
        "鸠江区总工会",
        ["芜湖汽车零部件厂工会", "鸠江区湾里街道总工会", "芜湖建材公司工会", "鸠江区官陡社区工会"],
    ),
]
# 城市低保标准 per month: an older standard and the one in force now.
MINIMUM_LIVING_STANDARDS = [
    (datetime.date(2025, 1, 1), Decimal("720.00"), "芜湖市民政局2025年低保标准"),
    (datetime.date(2026, 1, 1), Decimal("760.00"), "芜湖市民政局2026年低保标准"),
]
# Each organisation's staff: (role, how many); the second and third of a role get the
# usernames `jh_reviewer2`, `jh_reviewer3`.
CITY_STAFF = [
    (Role.ADMIN, 1),
    (Role.CASEWORKER, 1),
    (Role.REVIEWER, 1),
    (Role.FINANCE, 1),
    (Role.AUDITOR, 1),
]
COUNTY_STAFF = [(Role.CASEWORKER, 2), (Role.REVIEWER, 3), (Role.FINANCE, 1), (Role.AUDITOR, 1)]
GRASSROOTS_STAFF = [(Role.CASEWORKER, 2), (Role.REVIEWER, 1)]
# One surname per demo user, none twice, so every name in a history is somebody else.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "魏苏吕丁沈任姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦"
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    organisation: str
    role: str


def _staff(actor: User, organisation: Organisation, prefix: str, staff, names: list) -> None:
    for role, count in staff:
        for number in range(1, count + 1):
            username = f"{prefix}_{role}{number if number > 1 else ''}".lower()
            user_create(
                actor=actor,
                username=username,
                full_name=f"{SURNAMES[len(names)]}{Role(role).label}",
                organisation=organisation,
                roles=[role],
                password=DEMO_PASSWORD,
            )
            names.append(username)


@transaction.atomic
def demo_seed(*, actor: User) -> list[DemoLogin]:
    """Create the demo tree, staff, applications and their review once; a second run
    changes nothing. Either run answers with the same list of logins."""
    if Organisation.objects.filter(code=CITY_CODE).exists():
        return demo_logins()
    staff: list[str] = []
    city = organisation_create(
        actor=actor,
        parent=None,
        code=CITY_CODE,
        name="芜湖市总工会",
        kind=Organisation.Kind.CITY,
        policy_region="wuhu",
    )
    _staff(actor, city, "city", CITY_STAFF, staff)
    for county_code, county_name, unions in COUNTIES:
        county = organisation_create(
            actor=actor,
            parent=city,
            code=f"{CITY_CODE}-{county_code}",
            name=county_name,
            kind=Organisation.Kind.COUNTY,
        )
        _staff(actor, county, county_code, COUNTY_STAFF, staff)
        for effective_from, amount, document in MINIMUM_LIVING_STANDARDS:
            minimum_living_standard_create(
                actor=User.objects.get(username=f"city_{Role.ADMIN}"),
                county=county,
                monthly_amount=amount,
                effective_from=effective_from,
                document=document,
            )
        for index, union_name in enumerate(unions, start=1):
            kind = (
                Organisation.Kind.COMMUNITY
                if "街道" in union_name or "社区" in union_name
                else Organisation.Kind.ENTERPRISE
            )
            union = organisation_create(
                actor=actor,
                parent=county,
                code=f"{CITY_CODE}-{county_code}-{index:02d}",
                name=union_name,
                kind=kind,
            )
            _staff(actor, union, f"{county_code}{index:02d}", GRASSROOTS_STAFF, staff)
    demo_cases_seed(city=city)
    demo_review_seed(city=city)
    demo_archives_seed(city=city)
    demo_funds_seed(city=city)
    return demo_logins()


def demo_logins() -> list[DemoLogin]:
    users = (
        User.objects.filter(organisation__city__code=CITY_CODE)
        .select_related("organisation")
        .prefetch_related("role_grants")
        .order_by("organisation_id", "id")  # tree order, staff as created
    )
    return [
        DemoLogin(
            user.username, user.organisation.name, "、".join(Role(r).label for r in user.roles)
        )
        for user in users
    ]
