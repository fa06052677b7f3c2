"""The engine fed with the policy in force: what the command and the forms call."""

from typing import Any

from assistance.assess_input import InvalidCase, assessment_as_json, parse_case
from assistance.eligibility import Assessment, Household, assess
from assistance.selectors import PolicyNotFound, policy_in_force


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
