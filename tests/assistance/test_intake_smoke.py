import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance.models import Case
from assistance.services import minimum_living_standard_create
from tests.factories.assistance import applicant_fields, form_post, member


@pytest.fixture
def mls(tree):
    for county in (tree.county_a, tree.county_b):
        minimum_living_standard_create(
            actor=tree.admin,
            county=county,
            monthly_amount=Decimal("760"),
            effective_from=datetime.date(2026, 1, 1),
        )


def test_create_case_through_the_form(client, tree, mls):
    client.force_login(tree.caseworker_a1)
    members = [
        member("李秀英", 21),
        member("张小明", 31, relation="child", school="junior", birth="20120505"),
        member("张小红", 41, relation="child", birth="20150505"),
    ]
    data = form_post(applicant_fields(), members, tree.union_a1.pk)
    response = client.post(reverse("assistance:case_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.household_size == 4 and case.students == 1
    assert case.category == "deep"
    assert case.assessment["per_capita_monthly_income"] == "612.50"
    page = client.get(reverse("assistance:case_detail", args=[case.pk])).content.decode()
    assert "深度困难" in page
    preview = client.post(reverse("assistance:case_preview"), data).content.decode()
    assert "612.50" in preview
