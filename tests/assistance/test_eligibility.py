"""Boundary tests of the pure engine against ASSESS.md, under the `wuhu-2020` policy row.

Every expected value is worked out by hand from the contract (L = 760 unless said otherwise):
P = (income + prior aid − rigid expenses − employment costs) ÷ 12 ÷ n, half-up to the fen;
rent is a rigid expense only for a household with no home of its own.
"""

from datetime import date
from decimal import Decimal

import pytest

from assistance.eligibility import Assessment, Household, assess
from assistance.models import Policy

D = Decimal
ALL_STAGE_2_REASONS = [
    "housing_not_counted",
    "expenditure_below_minimum",
    "assets_no_deep",
    "income_above_deep_line",
    "income_above_relative_line",
    "cause_education_no_relative",
    "expenditure_too_low_for_relative",
    "accident_costs_below_threshold",
]
NO_STANDARDS = {"living": None, "education": None, "medical": None, "accident": None}
NOTHING_QUALIFIES = {"deep": False, "relative": False, "accident": False}


@pytest.fixture
def rules(db):
    return Policy.objects.get(code="wuhu-2020").rules()


def household(**overrides) -> Household:
    """One person, L = 760, income 20,000 and medical expenses 20,000: P = 0.00, deep."""
    values = {
        "application_date": date(2026, 3, 15),
        "minimum_living_standard": D("760"),
        "household_size": 1,
        "annual_income": {"wages": D("20000")},
        "rigid_expenses": {"medical": D("20000")},
        "main_cause": "illness",
    }
    values.update(overrides)
    return Household(**values)


def with_net(net: str, **overrides) -> Household:
    """The default household whose income exceeds its 20,000 of rigid expenses by `net`."""
    return household(annual_income={"wages": D("20000") + D(net)}, **overrides)


def standards(result: Assessment) -> dict[str, str | None]:
    return {
        name: None if value is None else str(value)
        for name, value in vars(result.standards).items()
    }


def test_the_default_household_is_deep(rules):
    result = assess(household(), rules)

    assert result.policy == "wuhu-2020"
    assert str(result.per_capita_monthly_income) == "0.00"
    assert str(result.rigid_expenses_total) == "20000.00"
    assert result.qualifies == {"deep": True, "relative": True, "accident": False}
    assert result.category == "deep"
    assert result.reasons == ("accident_costs_below_threshold",)
    assert standards(result) == {
        "living": "9120.00",
        "education": "0.00",
        "medical": "0.00",
        "accident": None,
    }


# --- the income lines -------------------------------------------------------------------


def test_income_exactly_at_the_deep_line_is_deep(rules):
    result = assess(with_net("9120.00"), rules)  # 9120 / 12 = 760.00 = L

    assert str(result.per_capita_monthly_income) == "760.00"
    assert result.qualifies["deep"] is True
    assert result.category == "deep"
    assert "income_above_deep_line" not in result.reasons


def test_income_one_fen_above_the_deep_line_is_not_deep(rules):
    result = assess(with_net("9120.12"), rules)  # 9120.12 / 12 = 760.01

    assert str(result.per_capita_monthly_income) == "760.01"
    assert result.qualifies == {"deep": False, "relative": True, "accident": False}
    assert result.category == "relative"
    assert result.reasons == ("income_above_deep_line", "accident_costs_below_threshold")


def test_income_exactly_at_the_relative_line_is_relative(rules):
    result = assess(with_net("18240.00"), rules)  # 18240 / 12 = 1520.00 = 2L

    assert str(result.per_capita_monthly_income) == "1520.00"
    assert result.qualifies == {"deep": False, "relative": True, "accident": False}
    assert result.reasons == ("income_above_deep_line", "accident_costs_below_threshold")


def test_income_one_fen_above_the_relative_line_is_not_relative(rules):
    result = assess(with_net("18240.12"), rules)  # 1520.01

    assert str(result.per_capita_monthly_income) == "1520.01"
    assert result.qualifies == NOTHING_QUALIFIES
    assert result.category is None
    assert result.reasons == (
        "income_above_deep_line",
        "income_above_relative_line",
        "accident_costs_below_threshold",
    )
    assert standards(result) == NO_STANDARDS


@pytest.mark.parametrize(
    ("net", "size", "expected"),
    [
        ("60.60", 1, "5.05"),  # exact
        ("120.12", 2, "5.01"),  # 120.12 / 24 = 5.005: half-up (half-even would give 5.00)
        ("180.18", 3, "5.01"),  # 180.18 / 36 = 5.005
        ("120.11", 2, "5.00"),  # 5.004583…
        ("20000.00", 3, "555.56"),  # 555.555…
    ],
)
def test_per_capita_income_is_rounded_half_up_to_the_fen(rules, net, size, expected):
    result = assess(with_net(net, household_size=size), rules)

    assert str(result.per_capita_monthly_income) == expected


def test_the_deep_line_compares_the_rounded_income(rules):
    # 9120.01 / 12 = 760.000833…, a hair above L, but 760.00 once rounded.
    hair_above = assess(with_net("9120.01"), rules)
    # 9120.06 / 12 = 760.005 exactly, which rounds half-up to 760.01 > L.
    half_fen_above = assess(with_net("9120.06"), rules)

    assert str(hair_above.per_capita_monthly_income) == "760.00"
    assert hair_above.qualifies["deep"] is True
    assert hair_above.category == "deep"
    assert str(half_fen_above.per_capita_monthly_income) == "760.01"
    assert half_fen_above.qualifies["deep"] is False
    assert "income_above_deep_line" in half_fen_above.reasons


def test_the_relative_line_compares_the_rounded_income(rules):
    hair_above = assess(with_net("18240.05"), rules)  # 1520.004166… → 1520.00
    half_fen_above = assess(with_net("18240.06"), rules)  # 1520.005 → 1520.01

    assert str(hair_above.per_capita_monthly_income) == "1520.00"
    assert hair_above.qualifies["relative"] is True
    assert str(half_fen_above.per_capita_monthly_income) == "1520.01"
    assert half_fen_above.qualifies["relative"] is False
    assert "income_above_relative_line" in half_fen_above.reasons


def test_per_capita_income_may_be_negative(rules):
    result = assess(household(annual_income={}, household_size=2), rules)  # -20000 / 24

    assert str(result.per_capita_monthly_income) == "-833.33"
    assert result.qualifies == {"deep": True, "relative": True, "accident": False}
    assert result.category == "deep"


def test_prior_assistance_this_year_counts_as_income(rules):
    under = assess(household(prior_assistance_this_year=D("9120.00")), rules)
    over = assess(household(prior_assistance_this_year=D("9120.12")), rules)

    assert str(under.per_capita_monthly_income) == "760.00"
    assert under.category == "deep"
    assert str(over.per_capita_monthly_income) == "760.01"
    assert over.qualifies["deep"] is False
    assert over.category == "relative"
    assert over.reasons == ("income_above_deep_line", "accident_costs_below_threshold")


def test_every_income_kind_counts(rules):
    income = {kind: D("1824.00") for kind in ("wages", "business", "property", "transfer", "other")}
    result = assess(household(annual_income=income, rigid_expenses={"medical": D("6000")}), rules)

    assert str(result.per_capita_monthly_income) == "260.00"  # (9120 − 6000) / 12


# --- rigid expenses -----------------------------------------------------------------------


def test_rigid_expenses_of_exactly_5000_allow_a_deep_file(rules):
    expenses = {"medical": D("3000"), "housing": D("2000")}
    result = assess(household(annual_income={"wages": D("5000")}, rigid_expenses=expenses), rules)

    assert str(result.rigid_expenses_total) == "5000.00"
    assert result.qualifies == {"deep": True, "relative": False, "accident": False}
    assert result.category == "deep"
    assert result.reasons == ("expenditure_too_low_for_relative", "accident_costs_below_threshold")


def test_rigid_expenses_below_5000_allow_neither_deep_nor_relative(rules):
    expenses = {"medical": D("3000"), "housing": D("1999.99")}
    result = assess(
        household(annual_income={"wages": D("4999.99")}, rigid_expenses=expenses), rules
    )

    assert str(result.rigid_expenses_total) == "4999.99"
    assert str(result.per_capita_monthly_income) == "0.00"
    assert result.qualifies == NOTHING_QUALIFIES
    assert result.category is None
    assert result.reasons == (
        "expenditure_below_minimum",
        "expenditure_too_low_for_relative",
        "accident_costs_below_threshold",
    )
    assert standards(result) == NO_STANDARDS


def test_rigid_expenses_below_5000_leave_the_accident_category(rules):
    result = assess(
        household(
            annual_income={"wages": D("100")},
            rigid_expenses={"other": D("100")},
            accident_costs=D("30000"),
        ),
        rules,
    )

    assert result.qualifies == {"deep": False, "relative": False, "accident": True}
    assert result.category == "accident"
    assert result.reasons == ("expenditure_below_minimum", "expenditure_too_low_for_relative")


def test_rigid_expenses_of_exactly_15000_allow_no_relative_file(rules):
    result = assess(
        with_net("12000", rigid_expenses={"medical": D("15000")}), rules
    )  # income 32000 − 15000 = 17000 / 12 = 1416.67: above L, within 2L

    assert str(result.per_capita_monthly_income) == "1416.67"
    assert result.qualifies == NOTHING_QUALIFIES
    assert result.reasons == (
        "income_above_deep_line",
        "expenditure_too_low_for_relative",
        "accident_costs_below_threshold",
    )


def test_rigid_expenses_one_fen_above_15000_allow_a_relative_file(rules):
    expenses = {"medical": D("10000"), "disability": D("2000"), "education": D("3000.01")}
    result = assess(with_net("12000", rigid_expenses=expenses), rules)

    assert str(result.rigid_expenses_total) == "15000.01"
    assert str(result.per_capita_monthly_income) == "1416.67"  # 16999.99 / 12 = 1416.6658…
    assert result.qualifies == {"deep": False, "relative": True, "accident": False}
    assert result.category == "relative"
    assert result.reasons == ("income_above_deep_line", "accident_costs_below_threshold")


# --- accident -------------------------------------------------------------------------------


def accident_only(costs: str) -> Household:
    """P = 40000 / 12 = 3333.33, above 2L: only the accident category can apply."""
    return with_net("40000", accident_costs=D(costs))


def test_accident_costs_of_exactly_30000_qualify(rules):
    result = assess(accident_only("30000"), rules)

    assert str(result.per_capita_monthly_income) == "3333.33"
    assert result.qualifies == {"deep": False, "relative": False, "accident": True}
    assert result.category == "accident"
    assert result.reasons == ("income_above_deep_line", "income_above_relative_line")
    assert standards(result) == {
        "living": None,
        "education": None,
        "medical": None,
        "accident": "4500.00",
    }


def test_accident_costs_one_fen_below_30000_do_not_qualify(rules):
    result = assess(accident_only("29999.99"), rules)

    assert result.qualifies == NOTHING_QUALIFIES
    assert result.category is None
    assert result.reasons == (
        "income_above_deep_line",
        "income_above_relative_line",
        "accident_costs_below_threshold",
    )
    assert standards(result) == NO_STANDARDS


@pytest.mark.parametrize(
    ("costs", "standard"),
    [
        ("30000", "4500.00"),
        ("50000", "7500.00"),
        ("66666.60", "9999.99"),  # 15 % = 9999.99, just under the cap
        ("66666.67", "10000.00"),  # 15 % = 10000.0005, capped
        ("70000", "10000.00"),  # 15 % = 10500, capped
        ("1000000", "10000.00"),
        ("30000.30", "4500.05"),  # 15 % = 4500.045, half-up (the project's money rule)
    ],
)
def test_accident_standard_is_15_percent_capped_at_10000(rules, costs, standard):
    result = assess(accident_only(costs), rules)

    assert result.category == "accident"
    assert standards(result)["accident"] == standard


# --- medical bands ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out_of_pocket", "deep", "relative"),
    [
        ("0", "0.00", "0.00"),
        ("4999.99", "0.00", "0.00"),
        ("5000", "4000.00", "3000.00"),
        ("10000", "4000.00", "3000.00"),
        ("10000.01", "9000.00", "7000.00"),
        ("20000", "9000.00", "7000.00"),
        ("20000.01", "15000.00", "12000.00"),
        ("30000", "15000.00", "12000.00"),
        ("30000.01", "20000.00", "16000.00"),
        ("250000", "20000.00", "16000.00"),
    ],
)
def test_medical_standard_bands(rules, out_of_pocket, deep, relative):
    as_deep = assess(household(medical_out_of_pocket=D(out_of_pocket)), rules)
    # P = 12000 / 12 = 1000.00: above L, within 2L.
    as_relative = assess(with_net("12000", medical_out_of_pocket=D(out_of_pocket)), rules)

    assert as_deep.category == "deep"
    assert standards(as_deep)["medical"] == deep
    assert as_relative.category == "relative"
    assert standards(as_relative)["medical"] == relative


# --- living and education standards -------------------------------------------------------


def test_deep_living_and_education_standards(rules):
    result = assess(household(minimum_living_standard=D("760.55"), students=3), rules)

    assert result.category == "deep"
    assert standards(result) == {
        "living": "9126.60",  # 12 × 760.55
        "education": "22816.50",  # 10 × 760.55 × 3
        "medical": "0.00",
        "accident": None,
    }


def test_relative_living_and_education_standards(rules):
    result = assess(with_net("12000", minimum_living_standard=D("760.55"), students=3), rules)

    assert result.category == "relative"
    assert standards(result) == {
        "living": "6844.95",  # 9 × 760.55
        "education": "18253.20",  # 8 × 760.55 × 3
        "medical": "0.00",
        "accident": None,
    }


# --- assets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("homes", "vehicles"),
    [(2, 0), (0, 1), (1, 1)],
)
def test_assets_that_rule_out_only_the_deep_file(rules, homes, vehicles):
    result = assess(household(urban_homes=homes, vehicles=vehicles), rules)

    assert result.qualifies == {"deep": False, "relative": True, "accident": False}
    assert result.category == "relative"
    assert result.reasons == ("assets_no_deep", "accident_costs_below_threshold")


def test_one_home_and_no_vehicle_is_no_obstacle(rules):
    result = assess(household(urban_homes=1), rules)

    assert result.category == "deep"
    assert result.reasons == ("accident_costs_below_threshold",)


@pytest.mark.parametrize(
    ("homes", "vehicles"),
    [(2, 1), (3, 0), (0, 2), (3, 2), (1, 2)],
)
def test_assets_that_rule_out_every_file(rules, homes, vehicles):
    result = assess(
        household(urban_homes=homes, vehicles=vehicles, accident_costs=D("50000")), rules
    )

    assert result.qualifies == NOTHING_QUALIFIES
    assert result.category is None
    assert result.reasons == ("assets_no_file",)
    assert standards(result) == NO_STANDARDS


# --- exclusions, retirement, migrant workers (stage 1) ------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "private_school",
        "controlling_shareholder",
        "high_consumption",
        "non_cooperation",
        "refuses_work",
        "other",
    ],
)
def test_each_exclusion_rules_out_every_file(rules, code):
    result = assess(household(exclusions=(code,), accident_costs=D("50000")), rules)

    assert result.qualifies == NOTHING_QUALIFIES
    assert result.category is None
    assert result.reasons == (f"excluded_{code}",)
    assert standards(result) == NO_STANDARDS


def test_several_exclusions_are_listed_sorted_by_code_and_once_each(rules):
    given = ("refuses_work", "private_school", "controlling_shareholder", "refuses_work", "other")
    result = assess(household(exclusions=given), rules)

    assert result.reasons == (
        "excluded_controlling_shareholder",
        "excluded_other",
        "excluded_private_school",
        "excluded_refuses_work",
    )


def test_retired_rules_out_every_file(rules):
    result = assess(household(retired=True, accident_costs=D("50000")), rules)

    assert result.qualifies == NOTHING_QUALIFIES
    assert result.category is None
    assert result.reasons == ("retired",)
    assert standards(result) == NO_STANDARDS
    assert str(result.per_capita_monthly_income) == "0.00"
    assert str(result.rigid_expenses_total) == "20000.00"


@pytest.mark.parametrize(
    ("months", "residence", "eligible"),
    [
        (11, True, False),
        (12, False, False),
        (0, False, False),
        (12, True, True),
        (36, True, True),
    ],
)
def test_migrant_worker_needs_12_months_and_a_fixed_residence(rules, months, residence, eligible):
    result = assess(
        household(
            migrant_worker=True, labor_relation_months=months, fixed_urban_residence=residence
        ),
        rules,
    )

    if eligible:
        assert result.category == "deep"
        assert result.reasons == ("accident_costs_below_threshold",)
    else:
        assert result.qualifies == NOTHING_QUALIFIES
        assert result.category is None
        assert result.reasons == ("migrant_not_eligible",)


def test_labour_months_and_residence_do_not_matter_for_non_migrants(rules):
    result = assess(household(labor_relation_months=0, fixed_urban_residence=False), rules)

    assert result.category == "deep"
    assert "migrant_not_eligible" not in result.reasons


def test_stage_1_reasons_in_contract_order(rules):
    result = assess(
        household(
            exclusions=("other", "high_consumption"),
            retired=True,
            migrant_worker=True,
            labor_relation_months=3,
            urban_homes=3,
        ),
        rules,
    )

    assert result.reasons == (
        "excluded_high_consumption",
        "excluded_other",
        "retired",
        "migrant_not_eligible",
        "assets_no_file",
    )
    assert result.category is None


def everything_wrong_in_stage_2(**overrides) -> Household:
    """Rigid 100 (< 5,000; the rent of a household with two homes does not count), two homes,
    P = 8325.00 (> 2L), schooling, accident 0."""
    values = {
        "annual_income": {"wages": D("100000")},
        "rigid_expenses": {"education": D("100"), "housing": D("9600")},
        "urban_homes": 2,
        "main_cause": "education",
    }
    values.update(overrides)
    return household(**values)


def test_stage_2_reasons_in_contract_order(rules):
    result = assess(everything_wrong_in_stage_2(), rules)

    assert str(result.per_capita_monthly_income) == "8325.00"
    assert list(result.reasons) == ALL_STAGE_2_REASONS
    assert result.qualifies == NOTHING_QUALIFIES
    assert result.category is None


@pytest.mark.parametrize(
    ("stage_1", "reason"),
    [
        ({"exclusions": ("non_cooperation",)}, "excluded_non_cooperation"),
        ({"retired": True}, "retired"),
        ({"migrant_worker": True, "labor_relation_months": 11}, "migrant_not_eligible"),
        ({"urban_homes": 3}, "assets_no_file"),
        ({"vehicles": 1}, "assets_no_file"),  # with the two homes
    ],
)
def test_a_stage_1_reason_suppresses_every_later_reason(rules, stage_1, reason):
    result = assess(everything_wrong_in_stage_2(**stage_1), rules)

    assert result.reasons == (reason,)
    assert result.qualifies == NOTHING_QUALIFIES


# --- rent (WH-M §6(二)(4)) and necessary employment costs (WH-M §5(二)) ---------------------


def test_rent_of_a_household_without_a_home_is_a_rigid_expense(rules):
    expenses = {"medical": D("3000"), "housing": D("2000")}
    result = assess(
        household(annual_income={"wages": D("5000")}, rigid_expenses=expenses, urban_homes=0),
        rules,
    )

    assert str(result.rigid_expenses_total) == "5000.00"
    assert "housing_not_counted" not in result.reasons
    assert result.category == "deep"


def test_rent_of_a_household_with_one_home_is_not_counted(rules):
    # The same household owning one home: rigid 3000 < 5000, P = (5000 − 3000) / 12 = 166.67.
    expenses = {"medical": D("3000"), "housing": D("2000")}
    result = assess(
        household(annual_income={"wages": D("5000")}, rigid_expenses=expenses, urban_homes=1),
        rules,
    )

    assert str(result.rigid_expenses_total) == "3000.00"
    assert str(result.per_capita_monthly_income) == "166.67"
    assert result.qualifies == NOTHING_QUALIFIES
    assert result.reasons == (
        "housing_not_counted",
        "expenditure_below_minimum",
        "expenditure_too_low_for_relative",
        "accident_costs_below_threshold",
    )


def test_one_fen_of_rent_with_a_home_is_named(rules):
    result = assess(
        household(rigid_expenses={"medical": D("20000"), "housing": D("0.01")}, urban_homes=1),
        rules,
    )

    assert str(result.rigid_expenses_total) == "20000.00"
    assert result.reasons == ("housing_not_counted", "accident_costs_below_threshold")
    assert result.category == "deep"


def test_a_home_without_rent_gives_no_rent_reason(rules):
    result = assess(household(urban_homes=1), rules)

    assert result.reasons == ("accident_costs_below_threshold",)


def test_rent_decides_the_15000_test_only_without_a_home(rules):
    expenses = {"medical": D("15000"), "housing": D("0.01")}
    # P = (22000 − 15000.01) / 12 = 583.33 (no home) and 583.33 (with one: 7000 / 12).
    no_home = assess(household(annual_income={"wages": D("22000")}, rigid_expenses=expenses), rules)
    one_home = assess(
        household(annual_income={"wages": D("22000")}, rigid_expenses=expenses, urban_homes=1),
        rules,
    )

    assert str(no_home.rigid_expenses_total) == "15000.01"
    assert no_home.qualifies == {"deep": True, "relative": True, "accident": False}
    assert str(one_home.rigid_expenses_total) == "15000.00"
    assert one_home.qualifies == {"deep": True, "relative": False, "accident": False}
    assert one_home.reasons == (
        "housing_not_counted",
        "expenditure_too_low_for_relative",
        "accident_costs_below_threshold",
    )


def test_rent_with_a_home_is_not_named_when_the_household_has_no_file(rules):
    result = assess(household(rigid_expenses={"housing": D("9600")}, urban_homes=3), rules)

    assert result.reasons == ("assets_no_file",)
    assert str(result.rigid_expenses_total) == "0.00"


def test_employment_costs_bring_income_down_to_the_deep_line(rules):
    # Net 9120.12 a year: P = 760.01 > L. Employment costs of 0.12 make it 760.00 = L.
    above = assess(with_net("9120.12"), rules)
    at_the_line = assess(with_net("9120.12", employment_costs=D("0.12")), rules)

    assert str(above.per_capita_monthly_income) == "760.01"
    assert above.qualifies["deep"] is False
    assert str(at_the_line.per_capita_monthly_income) == "760.00"
    assert at_the_line.qualifies["deep"] is True
    assert at_the_line.category == "deep"


def test_employment_costs_are_deducted_before_rounding(rules):
    # (9120.12 − 0.06) / 12 = 760.005, half-up 760.01: still above the line.
    result = assess(with_net("9120.12", employment_costs=D("0.06")), rules)

    assert str(result.per_capita_monthly_income) == "760.01"
    assert result.qualifies["deep"] is False


def test_employment_costs_bring_income_down_to_the_relative_line(rules):
    # Net 18240.12 (P = 1520.01 > 2L); with employment costs of 0.12, P = 1520.00 = 2L.
    above = assess(with_net("18240.12"), rules)
    at_the_line = assess(with_net("18240.12", employment_costs=D("0.12")), rules)

    assert above.qualifies["relative"] is False
    assert str(at_the_line.per_capita_monthly_income) == "1520.00"
    assert at_the_line.qualifies["relative"] is True
    assert at_the_line.category == "relative"


def test_employment_costs_are_no_rigid_expense_for_the_5000_test(rules):
    result = assess(
        household(
            annual_income={"wages": D("20000")},
            rigid_expenses={"medical": D("4999.99")},
            employment_costs=D("10000"),
        ),
        rules,
    )

    assert str(result.rigid_expenses_total) == "4999.99"
    # (20000 − 4999.99 − 10000) / 12 = 416.67: below the line, yet no file for lack of expenses.
    assert str(result.per_capita_monthly_income) == "416.67"
    assert result.qualifies == NOTHING_QUALIFIES
    assert "expenditure_below_minimum" in result.reasons


def test_employment_costs_are_no_rigid_expense_for_the_15000_test(rules):
    result = assess(
        household(
            annual_income={"wages": D("30000")},
            rigid_expenses={"medical": D("15000")},
            employment_costs=D("5000"),
        ),
        rules,
    )

    assert str(result.rigid_expenses_total) == "15000.00"
    assert str(result.per_capita_monthly_income) == "833.33"  # (30000 − 15000 − 5000) / 12
    assert result.qualifies == NOTHING_QUALIFIES
    assert result.reasons == (
        "income_above_deep_line",
        "expenditure_too_low_for_relative",
        "accident_costs_below_threshold",
    )


def test_employment_costs_may_make_income_negative(rules):
    result = assess(with_net("0", employment_costs=D("1200")), rules)

    assert str(result.per_capita_monthly_income) == "-100.00"
    assert result.category == "deep"


# --- main cause ----------------------------------------------------------------------------------


def test_schooling_as_main_cause_rules_out_only_the_relative_file(rules):
    result = assess(household(main_cause="education", students=2), rules)

    assert result.qualifies == {"deep": True, "relative": False, "accident": False}
    assert result.category == "deep"
    assert result.reasons == ("cause_education_no_relative", "accident_costs_below_threshold")
    assert standards(result)["education"] == "15200.00"  # 10 × 760 × 2


def test_schooling_as_main_cause_leaves_the_accident_category(rules):
    # P = 1000.00: not deep; relative only but for the main cause.
    result = assess(with_net("12000", main_cause="education", accident_costs=D("40000")), rules)

    assert result.qualifies == {"deep": False, "relative": False, "accident": True}
    assert result.category == "accident"
    assert result.reasons == ("income_above_deep_line", "cause_education_no_relative")
    assert standards(result)["accident"] == "6000.00"


@pytest.mark.parametrize("cause", ["illness", "disability", "accident", "unemployment", "other"])
def test_other_main_causes_leave_the_relative_file(rules, cause):
    result = assess(with_net("12000", main_cause=cause), rules)

    assert result.category == "relative"
    assert "cause_education_no_relative" not in result.reasons


# --- category priority ---------------------------------------------------------------------------


def test_deep_wins_over_relative_and_accident(rules):
    result = assess(household(accident_costs=D("40000"), medical_out_of_pocket=D("12000")), rules)

    assert result.qualifies == {"deep": True, "relative": True, "accident": True}
    assert result.category == "deep"
    assert result.reasons == ()
    assert standards(result) == {
        "living": "9120.00",
        "education": "0.00",
        "medical": "9000.00",
        "accident": None,
    }


def test_relative_wins_over_accident(rules):
    result = assess(with_net("12000", accident_costs=D("40000")), rules)

    assert result.qualifies == {"deep": False, "relative": True, "accident": True}
    assert result.category == "relative"
    assert result.reasons == ("income_above_deep_line",)
    assert standards(result) == {
        "living": "6840.00",
        "education": "0.00",
        "medical": "0.00",
        "accident": None,
    }
