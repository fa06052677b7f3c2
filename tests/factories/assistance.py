"""Cases: valid intake input, as a caseworker would type it (ID numbers with correct check
digits), and the review chain's cast and cases, built through the services (DOMAIN.md §4).

Two cities: Wuhu (the `tree` fixture, workflow "wuhu") and Tai'an (workflow "taian", its
own policy copied from wuhu-2020). Each step of a chain is a helper that returns the case
as the service returned it; "today" is frozen (`Clock`) so notice periods are fixed.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import ric

from accounts.models import Organisation, User
from accounts.roles import Role
from assistance.models import Case, CaseTransition, InformationComparison, Policy
from assistance.services.cases import case_submit
from assistance.services.review import case_forward, comparison_record, visit_record
from core.history import save_tracked
from tests.factories.accounts import Tree, make_city, make_org, make_user, system_user
from tests.factories.core import Clock, fresh, upload_file


def id_number(serial: int, birth: str = "19800101", area: str = "340202") -> str:
    """A valid 18-digit national ID number (GB 11643) for tests."""
    body = f"{area}{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def applicant_fields(**overrides) -> dict:
    fields = {
        "channel": "paper",
        "application_date": datetime.date(2026, 3, 15),
        "applicant_name": "张建国",
        "id_number": id_number(11),
        "phone": "13912345678",
        "work_unit": "芜湖造船厂",
        "employment": "in_post",
        "migrant_worker": False,
        "labor_relation_months": 0,
        "fixed_urban_residence": False,
        "retired": False,
        "bank_name": "中国工商银行",
        "bank_card": "6222021234567890123",
        "income_wages": Decimal("40000"),
        "income_business": Decimal("0"),
        "income_property": Decimal("0"),
        "income_transfer": Decimal("7400"),
        "income_other": Decimal("0"),
        "expense_medical": Decimal("15000"),
        "expense_disability": Decimal("0"),
        "expense_education": Decimal("3000"),
        "expense_housing": Decimal("0"),
        "expense_other": Decimal("0"),
        "employment_costs": Decimal("0"),
        "accident_costs": Decimal("0"),
        "medical_out_of_pocket": Decimal("15000"),
        "urban_homes": 1,
        "vehicles": 0,
        "main_cause": "illness",
        "exclusions": [],
    }
    fields.update(overrides)
    return fields


def form_post(fields: dict, members: list[dict], organisation_id: int) -> dict:
    """The POST body of the application form for these fields and members."""
    data = {"organisation": organisation_id}
    for key, value in fields.items():
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list):
            data[key] = value
        else:
            data[key] = str(value)
    data["members-TOTAL_FORMS"] = str(len(members))
    data["members-INITIAL_FORMS"] = "0"
    data["members-MIN_NUM_FORMS"] = "0"
    data["members-MAX_NUM_FORMS"] = "30"
    for index, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{index}-{key}"] = value
    return data


def member(name: str, serial: int, *, relation="spouse", school="", birth="19820202") -> dict:
    return {
        "name": name,
        "id_number": id_number(serial, birth=birth),
        "relation": relation,
        "health": "healthy",
        "disability": "none",
        "school": school,
        "employment": "student" if school else "employed",
    }


# --- Shared by the intake service, view and security tests ---------------------------


def member_input(name: str, serial: int, **kwargs):
    """A household member as the services take it (`member()` fields)."""
    from assistance.services import MemberInput

    return MemberInput(**member(name, serial, **kwargs))


def standard_members() -> list:
    """The smoke test's household: spouse, a pupil and a small child (4 people, 1 student)."""
    return [
        member_input("李秀英", 21),
        member_input("张小明", 31, relation="child", school="junior", birth="20120505"),
        member_input("张小红", 41, relation="child", birth="20150505"),
    ]


def minimum_living_standards(actor, *counties, amount="760", effective_from=None) -> None:
    """低保 `amount` for each county from `effective_from` (2026-01-01)."""
    from assistance.services import minimum_living_standard_create

    for county in counties:
        minimum_living_standard_create(
            actor=actor,
            county=county,
            monthly_amount=Decimal(amount),
            effective_from=effective_from or datetime.date(2026, 1, 1),
        )


def new_case(actor, organisation, *, members=None, **overrides):
    """A draft created through `case_create`, as the form would (standard household)."""
    from assistance.services import case_create

    return case_create(
        actor=actor,
        organisation=organisation,
        fields=applicant_fields(**overrides),
        members=standard_members() if members is None else members,
    ).case


def upload_all_documents(actor, case) -> list:
    """One PDF for every document type the checklist requires."""
    from assistance.models import CaseDocument
    from assistance.services import document_upload

    return [
        document_upload(
            actor=actor,
            case=case,
            doc_type=doc_type,
            upload=upload_file(f"{doc_type}.pdf"),
        )
        for doc_type in CaseDocument.REQUIRED_FOR_SUBMISSION
    ]


def edit_post(case, *, fields=None, members=None) -> dict:
    """The edit form's POST body for a saved case: its members keep their primary keys."""
    from core.crypto import decrypt

    if fields is None:
        fields = case_fields(case)
    if members is None:
        members = [
            {
                "pk": str(m.pk),
                "name": m.name,
                "id_number": decrypt(m.id_cipher),
                "relation": m.relation,
                "health": m.health,
                "disability": m.disability,
                "school": m.school,
                "employment": m.employment,
            }
            for m in case.members.all()
        ]
    data = form_post(fields, members, case.organisation_id)
    data["members-INITIAL_FORMS"] = str(sum(1 for m in members if m.get("pk")))
    data["case_id"] = str(case.pk)
    return data


def case_fields(case, **overrides) -> dict:
    """A saved case's applicant fields, as `case_create`/`case_update` take them."""
    from assistance.models import CASE_INPUT_FIELDS
    from core.crypto import decrypt

    fields = {name: getattr(case, name) for name in CASE_INPUT_FIELDS}
    fields["id_number"] = decrypt(case.applicant_id_cipher)
    fields["bank_card"] = decrypt(case.bank_card_cipher)
    fields.update(overrides)
    return fields


# --- The review chain ------------------------------------------------------------------

# A Wednesday; the standard application is dated 2026-03-15.
TODAY = datetime.date(2026, 4, 1)
OPINION = "经审核，情况属实，同意。"


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


def build_world(tree: Tree, clock: Clock) -> World:
    """Wuhu's chain on the `tree` (the `world` fixture)."""
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
