import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance.services import case_create, minimum_living_standard_create
from tests.factories.assistance import applicant_fields


def test_home_counts_only_the_users_own_cases(client, tree):
    minimum_living_standard_create(
        actor=tree.admin,
        county=tree.county_a,
        monthly_amount=Decimal("760"),
        effective_from=datetime.date(2026, 1, 1),
    )
    case_create(
        actor=tree.caseworker_a1,
        organisation=tree.union_a1,
        fields=applicant_fields(),
        members=[],
    )
    client.force_login(tree.caseworker_a1)
    cells = client.get(reverse("home")).context["case_counts"]
    assert cells["草稿"] == 1
    client.force_login(tree.caseworker_a2)
    assert client.get(reverse("home")).context["case_counts"]["草稿"] == 0


def test_admin_home_links_to_administration(client, tree):
    client.force_login(tree.admin)
    page = client.get(reverse("home")).content.decode()
    assert "工作日历" in page and "帮扶政策与城市低保标准" in page


@pytest.mark.parametrize("county", ["²", "x", "-1", " 1 "])
def test_a_county_filter_that_is_not_a_number_is_ignored(client, tree, county):
    client.force_login(tree.county_a_reviewer)
    assert client.get("/", {"county": county}).status_code == 200
