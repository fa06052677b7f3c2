"""Adding necessary employment costs to the case (assistance 0011) changes no stored assessment.

A case assessed before the whole clause was read (rent counted for a household with a home,
no employment costs) keeps its assessment as it was made: the migration adds the figure as
0 and recomputes nothing.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from assistance.assessment import reassess_under_stored_policy
from assistance.models import Case
from assistance.selectors import member_inputs
from tests.factories.assistance import new_case

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("assistance", "0010_history_reason_text")]
# What the engine stored before: the rent of 9600 counted although the household has a home.
# Rigid 15000 + 3000 + 9600 = 27600; P = (47400 − 27600) / 12 / 4 = 412.50.
OLD_ASSESSMENT = {
    "policy": "wuhu-2020",
    "per_capita_monthly_income": "412.50",
    "rigid_expenses_total": "27600.00",
    "qualifies": {"deep": True, "relative": True, "accident": False},
    "category": "deep",
    "reasons": ["accident_costs_below_threshold"],
    "standards": {
        "living": "9120.00",
        "education": "7600.00",
        "medical": "9000.00",
        "accident": None,
    },
}


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def latest() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_an_old_case_keeps_its_stored_assessment_after_the_migration(client, tree, mls):
    case = new_case(
        tree.caseworker_a1, tree.union_a1, expense_housing=Decimal("9600"), urban_homes=1
    )
    leaves = latest()
    executor = migrate(BEFORE)
    # The case as the old code stored it, in the schema without employment costs.
    old_case = executor.loader.project_state(BEFORE).apps.get_model("assistance", "Case")
    assert "employment_costs" not in {f.name for f in old_case._meta.get_fields()}
    old_case.objects.filter(pk=case.pk).update(
        assessment=OLD_ASSESSMENT, category="deep", per_capita_income=Decimal("412.50")
    )

    migrate(leaves)

    case = Case.objects.get(pk=case.pk)
    assert case.employment_costs == Decimal("0.00")
    assert case.assessment == OLD_ASSESSMENT
    assert (case.category, case.per_capita_income) == ("deep", Decimal("412.50"))
    assert case.history.first().employment_costs == Decimal("0.00")
    # The same figures judged now would differ: the stored result was not recomputed.
    now = reassess_under_stored_policy(case, member_inputs(case)).assessment
    assert str(now.per_capita_monthly_income) == "612.50"
    assert now.reasons[0] == "housing_not_counted"
    client.force_login(tree.caseworker_a1)
    html = client.get(reverse("assistance:case_detail", args=[case.pk])).content.decode()
    assert "412.50 元" in html and "27600.00 元" in html
