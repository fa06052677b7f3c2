"""The one door to the assessment: every household judged in the system comes through here.

`eligibility` is the pure engine (dataclasses in, dataclasses out); this module feeds it. It
offers:

- the input contract: `Household` (the engine's input), `MemberInput` (a member as entered),
  `household_from_values` (a case's values and members → `Household`), `parse_case` /
  `InvalidCase` (the JSON contract of `manage.py assess`) and `assessment_as_json` (the
  stored form of an `Assessment`);
- the policy in force for an organisation and a date: `policy_in_force`,
  `minimum_living_standard_for`, `PolicyNotFound`;
- the entry points: `assess_household` (a household under a policy; the only call of the
  engine), `assess_case_values` (a case's values under the policy and 低保 in force),
  `reassess_under_stored_policy` (a case's figures under what it was first judged by),
  `store_assessment` (put a result on a case), `assess_raw_case` (one JSON case).

The archives' visits and the funds' grant limits call `assess_household`; nothing else
imports `eligibility.assess`.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Organisation
from assistance.assess_input import InvalidCase, assessment_as_json, parse_case
from assistance.eligibility import EXPENSE_KINDS, INCOME_KINDS, Assessment, Household, assess
from assistance.inputs import MEMBER_DETAIL_FIELDS, MemberInput
from assistance.models import CASE_ASSESSED_FIELDS, Case, Policy
from assistance.selectors.policy import (
    PolicyNotFound,
    minimum_living_standard_for,
    policy_in_force,
)

__all__ = [
    "MEMBER_DETAIL_FIELDS",
    "Assessment",
    "CaseAssessment",
    "Household",
    "InvalidCase",
    "MemberInput",
    "PolicyNotFound",
    "assess_case_values",
    "assess_household",
    "assess_raw_case",
    "assessment_as_json",
    "household_from_values",
    "minimum_living_standard_for",
    "parse_case",
    "policy_in_force",
    "reassess_under_stored_policy",
    "store_assessment",
]


def assess_household(household: Household, policy: Policy) -> Assessment:
    """The engine's judgement of `household` under `policy`'s rules."""
    return assess(household, policy.rules())


def assess_under_policy(household: Household, *, region: str) -> Assessment:
    """Under the region's policy in force on the household's application date."""
    policy = policy_in_force(region=region, on=household.application_date)
    return assess_household(household, policy)


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
        assessment=assess_household(household, policy),
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
        assessment=assess_household(household, case.policy),
        policy=case.policy,
        minimum_living_standard=case.minimum_living_standard,
    )
