"""The engine fed with the policy in force: what the command and the forms call."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Organisation
from assistance.assess_input import InvalidCase, assessment_as_json, parse_case
from assistance.eligibility import EXPENSE_KINDS, INCOME_KINDS, Assessment, Household, assess
from assistance.inputs import MemberInput
from assistance.models import CASE_ASSESSED_FIELDS, Case, Policy
from assistance.selectors import PolicyNotFound, minimum_living_standard_for, policy_in_force


def assess_under_policy(household: Household, *, region: str) -> Assessment:
    policy = policy_in_force(region=region, on=household.application_date)
    return assess(household, policy.rules())


def assess_raw_case(data: Any, *, region: str) -> dict:
    """One case of the JSON contract in, its JSON assessment (or its error) out."""
    case_id = data.get("id") if isinstance(data, dict) else None
    try:
        household = parse_case(data)
        assessment = assess_under_policy(household, region=region)
    except InvalidCase as exc:
        return {"id": case_id, "error": {"field": exc.field, "message": exc.message}}
    except PolicyNotFound as exc:
        return {"id": case_id, "error": {"field": "application_date", "message": str(exc)}}
    return assessment_as_json(assessment, case_id)


def household_from_values(values: dict, members: list[MemberInput], *, mls: Decimal) -> Household:
    """The engine's input from a case's values (saved or still in the form) and its members.

    Household size and students are counted from the members, never typed twice: the
    applicant plus each member living together; a member with a school is a student.
    """
    return Household(
        application_date=values["application_date"],
        minimum_living_standard=mls,
        household_size=1 + len(members),
        annual_income={kind: values[f"income_{kind}"] for kind in INCOME_KINDS},
        rigid_expenses={kind: values[f"expense_{kind}"] for kind in EXPENSE_KINDS},
        employment_costs=values["employment_costs"],
        accident_costs=values["accident_costs"],
        medical_out_of_pocket=values["medical_out_of_pocket"],
        students=sum(1 for member in members if member.school),
        urban_homes=values["urban_homes"],
        vehicles=values["vehicles"],
        main_cause=values["main_cause"],
        retired=values["retired"],
        migrant_worker=values["migrant_worker"],
        labor_relation_months=values["labor_relation_months"],
        fixed_urban_residence=values["fixed_urban_residence"],
        exclusions=tuple(values["exclusions"]),
    )


@dataclass(frozen=True)
class CaseAssessment:
    """An assessment with what it was made under, ready to show or to store."""

    assessment: Assessment
    policy: Policy
    minimum_living_standard: Decimal


def assess_case_values(
    values: dict, members: list[MemberInput], *, organisation: Organisation
) -> CaseAssessment:
    """Assess under the policy and the county's 低保 in force on the application date.

    Raises `PolicyNotFound` with a Chinese message when either is missing.
    """
    on = values["application_date"]
    policy = policy_in_force(region=organisation.region, on=on)
    standard = minimum_living_standard_for(county=organisation.county, on=on)
    household = household_from_values(values, members, mls=standard.monthly_amount)
    return CaseAssessment(
        assessment=assess(household, policy.rules()),
        policy=policy,
        minimum_living_standard=standard.monthly_amount,
    )


ASSESSMENT_FIELDS = (
    "policy",
    "minimum_living_standard",
    "assessment",
    "category",
    "per_capita_income",
    "assessed_at",
)


def store_assessment(case: Case, result: CaseAssessment | None) -> tuple[str, ...]:
    """Put an assessment, with the policy and 低保 it was made under, on the case (unsaved).

    `None` clears it (no policy or 低保 on file). Returns the fields to save.
    """
    assessment = result.assessment if result else None
    case.policy = result.policy if result else None
    case.minimum_living_standard = result.minimum_living_standard if result else None
    case.assessment = assessment_as_json(assessment) if assessment else None
    case.category = assessment.category if assessment else None
    case.per_capita_income = assessment.per_capita_monthly_income if assessment else None
    case.assessed_at = timezone.now() if assessment else None
    return ASSESSMENT_FIELDS


def reassess_under_stored_policy(case: Case, members: list[MemberInput]) -> CaseAssessment:
    """Assess the case's current figures under the policy and 低保 it was first assessed
    under: verified figures change the judgement, a later policy never does (§9)."""
    values = {name: getattr(case, name) for name in CASE_ASSESSED_FIELDS}
    household = household_from_values(values, members, mls=case.minimum_living_standard)
    return CaseAssessment(
        assessment=assess(household, case.policy.rules()),
        policy=case.policy,
        minimum_living_standard=case.minimum_living_standard,
    )
