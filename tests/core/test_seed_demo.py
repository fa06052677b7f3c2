from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Organisation, User
from accounts.roles import Level, Role
from assistance.eligibility import Category
from assistance.models import (
    Case,
    CaseDocument,
    DuplicateClearance,
    HouseholdMember,
    MinimumLivingStandard,
)
from assistance.selectors import case_duplicates
from assistance.services.cases import submission_problems
from core.crypto import keyed_hash
from core.demo import CITY_CODE
from core.demo_cases import demo_case_plan


def test_seed_demo_builds_the_tree_and_prints_logins(db, media):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Organisation.objects.filter(level=Level.COUNTY).count() == 3
    assert Organisation.objects.filter(level=Level.GRASSROOTS).count() == 12
    assert MinimumLivingStandard.objects.count() == 6
    for role in Role.values:
        assert User.objects.filter(role_grants__role=role).exists(), role
    text = out.getvalue()
    assert "city_admin" in text and "Demo-2026!" in text
    admin = User.objects.get(username="city_admin")
    assert admin.history.earliest("history_date").history_user.username == "system"


def test_seed_demo_twice_changes_nothing(db, media):
    call_command("seed_demo", stdout=StringIO())
    count = User.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == count


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _demo_cases():
    return Case.objects.filter(city__code=CITY_CODE)


def test_seed_demo_enters_applications_of_every_kind(db, media):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    cases = _demo_cases()
    assert cases.count() >= 36
    assert cases.values("organisation").distinct().count() == 12
    assessed = cases.exclude(assessment=None)
    assert assessed.count() == cases.count()
    assert set(assessed.values_list("category", flat=True)) == {*(c.value for c in Category), None}
    assert cases.filter(status=Case.Status.DRAFT).exists()
    assert cases.filter(status=Case.Status.SUBMITTED).exists()
    sizes = set(cases.values_list("household_size", flat=True))
    assert {1, 2, 3, 4, 5} <= sizes
    schools = set(HouseholdMember.objects.exclude(school="").values_list("school", flat=True))
    assert len(schools) >= 5
    assert "演示申请：共" in out.getvalue()


def test_seed_demo_cases_come_out_as_planned(db, media):
    call_command("seed_demo", stdout=StringIO())
    plan = demo_case_plan()
    names = [planned.fields["applicant_name"] for planned in plan]
    assert len(set(names)) == len(names)
    reasons = set()
    for planned in plan:
        case = Case.objects.get(applicant_id_hash=keyed_hash(planned.fields["id_number"]))
        assert case.category == planned.spec.expect, case.applicant_name
        assert (case.status == Case.Status.SUBMITTED) == (planned.spec.stage == "submitted")
        assert case.organisation.code == f"{CITY_CODE}-{planned.spec.union}"
        caseworker = f"{planned.spec.union.replace('-', '')}_caseworker".lower()
        assert case.history.earliest("history_date").history_user.username == caseworker
        assert {d.uploaded_by.username for d in case.documents.all()} <= {caseworker}
        if case.category is None:
            reasons.update(case.assessment["reasons"])
    # Each kind of "not eligible": too much income, too little rigid expenses, retired, three
    # homes, a migrant worker without a year's labour relation, an exclusion, schooling.
    assert {
        "income_above_relative_line",
        "expenditure_below_minimum",
        "expenditure_too_low_for_relative",
        "retired",
        "assets_no_file",
        "migrant_not_eligible",
        "excluded_controlling_shareholder",
        "cause_education_no_relative",
    } <= reasons
    assert plan == demo_case_plan()


def test_seed_demo_submitted_cases_have_every_document(db, media):
    call_command("seed_demo", stdout=StringIO())
    required = set(CaseDocument.REQUIRED_FOR_SUBMISSION)
    for case in _demo_cases().filter(status=Case.Status.SUBMITTED):
        present = set(case.documents.filter(removed=False).values_list("doc_type", flat=True))
        assert present == required, case.applicant_name
    drafts = _demo_cases().filter(status=Case.Status.DRAFT)
    assert any(submission_problems(case) for case in drafts)
    for document in CaseDocument.objects.all()[:12]:
        with document.file.open("rb") as file:
            assert file.read(5) in (b"%PDF-", b"\x89PNG\r")


def test_seed_demo_flags_and_clears_duplicates(db, media):
    call_command("seed_demo", stdout=StringIO())
    duplicates = {case: case_duplicates(case) for case in _demo_cases()}
    uncleared = [case for case, found in duplicates.items() if any(not d.cleared for d in found)]
    cleared = [case for case, found in duplicates.items() if any(d.cleared for d in found)]
    assert uncleared and cleared
    flagged_draft = next(c for c in uncleared if c.status == Case.Status.DRAFT)
    assert any("须由审核人登记说明" in p for p in submission_problems(flagged_draft))
    other = next(d.other_case for d in duplicates[flagged_draft])
    assert other.county == flagged_draft.county and other.organisation != flagged_draft.organisation
    clearance = DuplicateClearance.objects.select_related("cleared_by", "case").first()
    assert clearance.cleared_by.username == "jh_reviewer" and clearance.reason
    assert clearance.case.status == Case.Status.SUBMITTED


def test_seed_demo_twice_keeps_the_applications(db, media):
    call_command("seed_demo", stdout=StringIO())
    counts = [
        model.objects.count()
        for model in (Case, HouseholdMember, CaseDocument, DuplicateClearance, Case.history.model)
    ]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert counts == [
        model.objects.count()
        for model in (Case, HouseholdMember, CaseDocument, DuplicateClearance, Case.history.model)
    ]
    assert f"共 {counts[0]} 份" in out.getvalue()
