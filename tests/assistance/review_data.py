"""The review chain's cast and cases, built through the services (DOMAIN.md §4).

Two cities: Wuhu (the `tree` fixture, workflow "wuhu") and Tai'an (workflow "taian", its
own policy copied from wuhu-2020). Each step of a chain is a helper that returns the case
as the service returned it; "today" is frozen (`Clock`) so notice periods are fixed.

Test modules take the fixtures by assignment (`world = review_data.world`), which pytest
collects like a fixture defined in the module.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Role
from assistance.models import Case, CaseTransition, InformationComparison, Policy
from assistance.services.cases import case_submit
from assistance.services.review import case_forward, comparison_record, visit_record
from core.history import save_tracked
from tests.assistance.intake_data import (
    id_number,
    member_input,
    minimum_living_standards,
    new_case,
    upload_all_documents,
    upload_file,
)
from tests.factories import make_city, make_org, make_user, system_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday; the standard application is dated 2026-03-15.
TODAY = datetime.date(2026, 4, 1)
OPINION = "经审核，情况属实，同意。"


class Clock:
    """`timezone.now` (and so `timezone.localdate`) frozen at 10:00 Beijing time of a day."""

    def __init__(self, monkeypatch, day: datetime.date) -> None:
        self._monkeypatch = monkeypatch
        self.set(day)

    def set(self, day: datetime.date) -> None:
        moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI)
        self._monkeypatch.setattr(timezone, "now", lambda: moment)

    def today(self) -> datetime.date:
        return timezone.localdate()


@dataclass
class Wuhu:
    """The `tree`'s county A chain with the staff the segregation of duties needs."""

    city: Organisation
    county: Organisation
    county_b: Organisation
    union: Organisation  # union_a1: where the applications are entered
    sibling: Organisation  # union_a2
    union_b: Organisation  # union_b1, in the other county
    admin: User
    caseworker: User  # caseworker_a1
    caseworker_sibling: User  # caseworker_a2
    caseworker_b: User  # caseworker_b1
    grassroots_reviewer: User  # of union_a1
    grassroots_reviewer_2: User  # of union_a1
    sibling_reviewer: User  # of union_a2
    union_b_reviewer: User  # of union_b1
    county_caseworker: User
    county_reviewer: User  # county_a_reviewer: forwards the county review
    county_reviewer_2: User  # passes the comparison
    county_reviewer_3: User  # confirms after the notice
    county_reviewer_4: User
    county_b_reviewer: User
    city_reviewer: User


@dataclass
class Taian:
    city: Organisation
    county: Organisation
    union: Organisation
    admin: User
    caseworker: User
    grassroots_reviewer: User  # initial check, posts the notice
    grassroots_reviewer_2: User  # reports the ended notice to the county
    county_caseworker: User
    county_reviewer: User  # county review with its visit
    county_reviewer_2: User  # passes the check of the household's data
    city_reviewer: User
    policy: Policy


@dataclass
class World:
    wuhu: Wuhu
    clock: Clock
    _taian: Taian | None = None

    @property
    def taian(self) -> Taian:
        if self._taian is None:
            self._taian = build_taian()
        return self._taian


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch, TODAY)


@pytest.fixture
def world(tree, clock, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "private"
    # 低保 from 2020 on, so that an application of any year since can be assessed.
    minimum_living_standards(
        tree.admin, tree.county_a, tree.county_b, effective_from=datetime.date(2020, 1, 1)
    )
    wuhu = Wuhu(
        city=tree.city,
        county=tree.county_a,
        county_b=tree.county_b,
        union=tree.union_a1,
        sibling=tree.union_a2,
        union_b=tree.union_b1,
        admin=tree.admin,
        caseworker=tree.caseworker_a1,
        caseworker_sibling=tree.caseworker_a2,
        caseworker_b=tree.caseworker_b1,
        grassroots_reviewer=make_user(tree.union_a1, Role.REVIEWER, username="gr_a1"),
        grassroots_reviewer_2=make_user(tree.union_a1, Role.REVIEWER, username="gr_a1_2"),
        sibling_reviewer=make_user(tree.union_a2, Role.REVIEWER, username="gr_a2"),
        union_b_reviewer=make_user(tree.union_b1, Role.REVIEWER, username="gr_b1"),
        county_caseworker=make_user(tree.county_a, Role.CASEWORKER, username="cw_county_a"),
        county_reviewer=tree.county_a_reviewer,
        county_reviewer_2=make_user(tree.county_a, Role.REVIEWER, username="cr_a_2"),
        county_reviewer_3=make_user(tree.county_a, Role.REVIEWER, username="cr_a_3"),
        county_reviewer_4=make_user(tree.county_a, Role.REVIEWER, username="cr_a_4"),
        county_b_reviewer=tree.county_b_reviewer,
        city_reviewer=tree.city_reviewer,
    )
    return World(wuhu=wuhu, clock=clock)


def build_taian() -> Taian:
    """泰安: its own city, county and union, the policy `taian-2020` and 低保 for its county."""
    city = make_city("泰安市总工会", region="taian")
    county = make_org(city, "泰山区总工会")
    union = make_org(county, "泰山钢铁厂工会")
    base = Policy.objects.get(code="wuhu-2020")
    values = {
        field.name: getattr(base, field.name)
        for field in Policy._meta.concrete_fields
        if field.name not in {"id", "created_at", "updated_at"}
    }
    values.update(
        code="taian-2020",
        name="泰安市工会困难职工帮扶（测试）",
        document="泰会办〔2020〕10号",
        region="taian",
        workflow=Policy.Workflow.TAIAN,
        effective_from=datetime.date(2020, 3, 1),
        effective_to=None,
        # TA-A §14: Tai'an's funds pay living, medical and education assistance only.
        items_funded=["living", "medical", "education"],
    )
    policy = save_tracked(Policy(**values), actor=system_user(), reason="测试：泰安政策")
    admin = make_user(city, Role.ADMIN, username="ta_admin")
    minimum_living_standards(admin, county, effective_from=datetime.date(2020, 1, 1))
    return Taian(
        city=city,
        county=county,
        union=union,
        admin=admin,
        caseworker=make_user(union, Role.CASEWORKER, username="ta_cw"),
        grassroots_reviewer=make_user(union, Role.REVIEWER, username="ta_gr"),
        grassroots_reviewer_2=make_user(union, Role.REVIEWER, username="ta_gr_2"),
        county_caseworker=make_user(county, Role.CASEWORKER, username="ta_cw_county"),
        county_reviewer=make_user(county, Role.REVIEWER, username="ta_cr"),
        county_reviewer_2=make_user(county, Role.REVIEWER, username="ta_cr_2"),
        city_reviewer=make_user(city, Role.REVIEWER, username="ta_city_r"),
        policy=policy,
    )


# --- Households -------------------------------------------------------------------------


def household(person: int) -> dict:
    """The standard household (4 people, one pupil) with ID numbers of its own per `person`,
    so that two applications in one test are not each other's duplicates."""
    base = 100 + 10 * person
    return {
        "id_number": id_number(base),
        "members": [
            member_input("李秀英", base + 1),
            member_input("张小明", base + 2, relation="child", school="junior", birth="20120505"),
            member_input("张小红", base + 3, relation="child", birth="20150505"),
        ],
    }


def submitted(caseworker: User, union: Organisation, *, person: int = 0, **fields) -> Case:
    """A complete application entered and submitted by `caseworker`."""
    case = new_case(caseworker, union, **{**household(person), **fields})
    upload_all_documents(caseworker, case)
    return case_submit(actor=caseworker, case=case)


def visit(recorder: User, case: Case, *staff: User, **kwargs) -> object:
    """A home visit today by `recorder` and `staff` (two people in all unless told)."""
    people = [recorder, *staff]
    kwargs.setdefault("visit_date", timezone.localdate())
    kwargs.setdefault("findings", "入户查看住房和就医票据，情况与申请一致。")
    # The survey entered in the system, signed by the worker (WH-M §10(二)), unless told.
    kwargs.setdefault("survey_signature", "" if kwargs.get("survey") else "signed")
    return visit_record(actor=recorder, case=case, staff=people, **kwargs)


def consistent_comparison(recorder: User, case: Case, result: str = "consistent"):
    return comparison_record(
        actor=recorder,
        case=case,
        result=InformationComparison.Result(result),
        report=upload_file("比对报告.pdf"),
        note="民政、住建、车管数据比对",
    )


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- Wuhu: each state of the chain, reached the way the product reaches it ---------------


def wuhu_submitted(w: World, **kwargs) -> Case:
    return submitted(w.wuhu.caseworker, w.wuhu.union, **kwargs)


def wuhu_grassroots_visit(w: World, case: Case):
    return visit(w.wuhu.caseworker, case, w.wuhu.grassroots_reviewer)


def wuhu_county_review(w: World, **kwargs) -> Case:
    case = wuhu_submitted(w, **kwargs)
    wuhu_grassroots_visit(w, case)
    return case_forward(actor=w.wuhu.grassroots_reviewer, case=case, opinion="初审属实，报县级。")


def wuhu_comparison(w: World, **kwargs) -> Case:
    case = wuhu_county_review(w, **kwargs)
    return case_forward(actor=w.wuhu.county_reviewer, case=case, opinion="审核通过，转比对。")


def wuhu_notice(w: World, **kwargs) -> Case:
    case = wuhu_comparison(w, **kwargs)
    consistent_comparison(w.wuhu.county_caseworker, case)
    return case_forward(actor=w.wuhu.county_reviewer_2, case=case, opinion="比对符合，公示。")


def wuhu_approved(w: World, **kwargs) -> Case:
    case = wuhu_notice(w, **kwargs)
    w.clock.set(case.notice_end + datetime.timedelta(days=1))
    # Few of a test's new files have a county visit: the reviewer confirms the shortfall
    # knowingly (WH-M §10(三)), as the confirmation asks.
    return case_forward(
        actor=w.wuhu.county_reviewer_3, case=case, opinion="公示无异议。", coverage_confirmed=True
    )


# --- Tai'an -----------------------------------------------------------------------------


def taian_submitted(w: World, **kwargs) -> Case:
    return submitted(w.taian.caseworker, w.taian.union, **kwargs)


def taian_notice(w: World, **kwargs) -> Case:
    case = taian_submitted(w, **kwargs)
    return case_forward(actor=w.taian.grassroots_reviewer, case=case, opinion="初核属实，公示。")


def taian_county_review(w: World, **kwargs) -> Case:
    case = taian_notice(w, **kwargs)
    w.clock.set(case.notice_end + datetime.timedelta(days=1))
    return case_forward(actor=w.taian.grassroots_reviewer_2, case=case, opinion="公示无异议。")


def taian_comparison(w: World, **kwargs) -> Case:
    case = taian_county_review(w, **kwargs)
    return case_forward(actor=w.taian.county_reviewer, case=case, opinion="复审通过。")


def taian_city_confirmation(w: World, **kwargs) -> Case:
    """TA-A §12.3: the household's data checked, then the county's visit."""
    case = taian_comparison(w, **kwargs)
    consistent_comparison(w.taian.county_caseworker, case)
    visit(w.taian.county_caseworker, case, w.taian.county_reviewer)
    return case_forward(actor=w.taian.county_reviewer_2, case=case, opinion="核查、走访属实。")


# --- What a refused action must leave untouched ------------------------------------------


def footprint(case: Case) -> dict:
    """Everything a refused action could have written for this case."""
    row = fresh(case)
    return {
        "status": row.status,
        "returned_to": row.returned_to,
        "category": row.category,
        "transitions": CaseTransition.objects.filter(case_id=case.pk).count(),
        "history": Case.history.filter(id=case.pk).count(),
        "visits": row.visits.count(),
        "comparisons": row.comparisons.count(),
        "objections": row.objections.count(),
        "documents": row.documents.count(),
        "grants": row.user_grants.count(),
    }


def actions(case: Case) -> list[str]:
    return list(
        CaseTransition.objects.filter(case_id=case.pk)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )


HIGH_WAGES = Decimal("150000")  # a verified wage far above the relative line


def refusal_text(exc_info) -> str:
    """The words of a refusal (ValidationError or PermissionDenied) caught by pytest.raises."""
    exc = exc_info.value
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
