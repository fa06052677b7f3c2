"""A deep household's further item is re-assessed from the archive's current figures with
its necessary employment costs deducted (WH-M §5(二), §9)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories.archives import open_archive
from tests.factories.core import refusal_text
from tests.factories.funds import propose


def test_employment_costs_keep_a_further_item_at_the_deep_line(world, accounts):
    archive = open_archive(world, person=4, employment_costs="2040")
    assert archive.category == "deep"
    propose(world, archive)  # living aid 9120

    second = propose(world, archive, "medical")

    # (47,400 + 9,120 − 18,000 − 2,040) ÷ 12 ÷ 4 = 760.00 = L: still deep.
    assert second.assessment["per_capita_monthly_income"] == "760.00"
    assert second.assessment["rigid_expenses_total"] == "18000.00"
    assert second.assessment["qualifies"]["deep"] is True
    assert second.amount == Decimal("9000.00")


def test_less_employment_costs_lift_the_income_a_fen_above_the_line(world, accounts):
    archive = open_archive(world, person=4, employment_costs="2039.76")
    propose(world, archive)

    with pytest.raises(ValidationError) as exc:
        propose(world, archive, "medical")

    # (47,400 + 9,120 − 18,000 − 2,039.76) ÷ 12 ÷ 4 = 760.005, half-up 760.01 > 760.
    text = refusal_text(exc)
    assert "家庭人均月收入为 760.01 元（城市低保标准 760.00 元）" in text
    assert "不再符合深度困难建档标准" in text
