"""What the second review of the chain found: each a way round a rule, now closed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.roles import Role
from assistance.access import access_case
from assistance.models import Case, CaseUserObjectPermission
from assistance.services import (
    case_forward,
    case_reject,
    case_return,
    case_share_for_visit,
    minimum_living_standard_create,
)
from assistance.services.cases import case_submit
from tests.factories.accounts import make_user
from tests.factories.assistance import (
    HIGH_WAGES,
    OPINION,
    consistent_comparison,
    visit,
    wuhu_comparison,
    wuhu_county_review,
    wuhu_submitted,
)
from tests.factories.core import fresh

S = Case.Status


def test_a_joint_visitor_cannot_change_the_figures(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    case_share_for_visit(actor=w.caseworker, case=case, user=w.caseworker_sibling)
    case_share_for_visit(actor=w.caseworker, case=case, user=w.sibling_reviewer)
    before = (fresh(case).income_wages, fresh(case).category)
    with pytest.raises(ValidationError) as error:
        visit(
            w.caseworker_sibling,
            case,
            w.sibling_reviewer,
            verified={"income_wages": HIGH_WAGES},
        )
    assert "verified" in error.value.error_dict
    assert (fresh(case).income_wages, fresh(case).category) == before


def test_figures_are_not_verified_after_the_county_review(world):
    w = world.wuhu
    case = wuhu_comparison(world)
    with pytest.raises(ValidationError):
        visit(w.county_caseworker, case, w.county_reviewer, verified={"income_wages": HIGH_WAGES})
    assert fresh(case).income_wages != HIGH_WAGES


def test_a_return_does_not_start_a_new_round(world):
    w = world.wuhu
    case = wuhu_comparison(world)  # county_reviewer forwarded it
    case = case_return(actor=w.county_reviewer, case=case, opinion="请补充收入证明")
    case = case_submit(actor=w.caseworker, case=case)
    assert case.status == S.COMPARISON
    consistent_comparison(w.county_caseworker, case)
    with pytest.raises(PermissionDenied):
        case_forward(actor=w.county_reviewer, case=case, opinion=OPINION)
    assert fresh(case).status == S.COMPARISON


def test_joint_visit_invitations_are_checked_and_end_with_the_visits(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    finance = make_user(w.county_b, Role.FINANCE)
    with pytest.raises(ValidationError):
        case_share_for_visit(actor=w.caseworker, case=case, user=finance)
    with pytest.raises(ValidationError):
        case_share_for_visit(actor=w.caseworker, case=case, user=w.grassroots_reviewer)
    case_share_for_visit(actor=w.caseworker, case=case, user=w.caseworker_b)
    assert access_case(w.caseworker_b, case.pk) == case

    case = case_reject(actor=w.grassroots_reviewer, case=case, opinion=OPINION, reasons=["other"])
    assert not CaseUserObjectPermission.objects.filter(content_object=case).exists()
    with pytest.raises(Http404):
        access_case(w.caseworker_b, case.pk)
    with pytest.raises(ValidationError):
        case_share_for_visit(actor=w.caseworker, case=case, user=w.caseworker_b)


def test_a_visit_reassesses_under_the_stored_policy_and_standard(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    stored_standard = case.minimum_living_standard
    # A backdated 低保 entered later must not change the re-run of this case.
    minimum_living_standard_create(
        actor=w.admin,
        county=w.county,
        monthly_amount=Decimal("2000"),
        effective_from=case.application_date - datetime.timedelta(days=1),
    )
    visit(w.county_caseworker, case, w.county_reviewer, verified={"income_wages": Decimal("50000")})
    case = fresh(case)
    assert case.minimum_living_standard == stored_standard
    assert case.assessment["per_capita_monthly_income"] == str(case.per_capita_income)
    lines = Decimal(case.assessment["per_capita_monthly_income"]) <= stored_standard
    assert case.assessment["qualifies"]["deep"] == lines
