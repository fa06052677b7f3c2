"""`manage.py assess`: input validation, exit status and output shape (ASSESS.md)."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

EXAMPLES = Path(__file__).parent / "examples"


def example(name: str) -> tuple[dict, dict]:
    """An example case and its expected assessment."""
    given = json.loads((EXAMPLES / f"{name}.in.json").read_text("utf-8"))
    expected = json.loads((EXAMPLES / f"{name}.out.json").read_text("utf-8"))
    return given, expected


def valid_case(**overrides) -> dict:
    case, _ = example("example-1")
    case.update(overrides)
    return case


def without(key: str) -> dict:
    case = valid_case()
    del case[key]
    return case


class Run:
    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()

    def file(self, data=None, *, raw: str | bytes | None = None) -> str:
        path = self.tmp_path / "cases.json"
        if raw is None:
            raw = json.dumps(data, ensure_ascii=False)
        if isinstance(raw, bytes):
            path.write_bytes(raw)
        else:
            path.write_text(raw, "utf-8")
        return str(path)

    def command(self, file: str) -> None:
        call_command("assess", file, stdout=self.stdout, stderr=self.stderr)

    @property
    def output(self):
        return json.loads(self.stdout.getvalue())


@pytest.fixture
def run(db, tmp_path) -> Run:
    return Run(tmp_path)


def assess_ok(run: Run, data):
    run.command(run.file(data))
    return run.output


def assess_failing(run: Run, data=None, *, raw=None) -> CommandError:
    with pytest.raises(CommandError) as info:
        run.command(run.file(data, raw=raw))
    assert info.value.returncode == 2
    return info.value


INVALID = [
    pytest.param(without("application_date"), "application_date", id="missing-date"),
    pytest.param(without("household_size"), "household_size", id="missing-size"),
    pytest.param(without("minimum_living_standard"), "minimum_living_standard", id="missing-mls"),
    pytest.param(valid_case(household_size=0), "household_size", id="size-0"),
    pytest.param(valid_case(household_size=-1), "household_size", id="size-negative"),
    pytest.param(valid_case(household_size=2.5), "household_size", id="size-fraction"),
    pytest.param(valid_case(minimum_living_standard=0), "minimum_living_standard", id="mls-0"),
    pytest.param(
        valid_case(annual_income={"wages": -1}), "annual_income.wages", id="negative-income"
    ),
    pytest.param(
        valid_case(rigid_expenses={"medical": "-0.01"}),
        "rigid_expenses.medical",
        id="negative-expense-string",
    ),
    pytest.param(valid_case(accident_costs=-5), "accident_costs", id="negative-accident"),
    pytest.param(
        valid_case(employment_costs=-0.01), "employment_costs", id="negative-employment-costs"
    ),
    pytest.param(valid_case(employment_costs="1e3"), "employment_costs", id="exponent-string"),
    pytest.param(valid_case(employment_costs="3千"), "employment_costs", id="employment-chinese"),
    pytest.param(
        valid_case(prior_assistance_this_year=-0.01),
        "prior_assistance_this_year",
        id="negative-prior-aid",
    ),
    pytest.param(
        valid_case(rigid_expenses={"medical": 100.005}),
        "rigid_expenses.medical",
        id="three-decimals",
    ),
    pytest.param(
        valid_case(medical_out_of_pocket="15000.001"),
        "medical_out_of_pocket",
        id="three-decimals-string",
    ),
    pytest.param(
        valid_case(minimum_living_standard="七百六十"), "minimum_living_standard", id="non-number"
    ),
    pytest.param(valid_case(annual_income={"wages": ""}), "annual_income.wages", id="empty"),
    pytest.param(valid_case(accident_costs="NaN"), "accident_costs", id="nan"),
    pytest.param(valid_case(accident_costs="Infinity"), "accident_costs", id="infinity"),
    pytest.param(valid_case(accident_costs=None), "accident_costs", id="null-amount"),
    pytest.param(
        valid_case(prior_assistance_this_year=True), "prior_assistance_this_year", id="bool-amount"
    ),
    pytest.param(valid_case(household_size=True), "household_size", id="bool-size"),
    pytest.param(valid_case(students=False), "students", id="bool-count"),
    pytest.param(valid_case(vehicles=-1), "vehicles", id="negative-count"),
    pytest.param(valid_case(labor_relation_months=1.5), "labor_relation_months", id="months"),
    pytest.param(valid_case(retired="yes"), "retired", id="non-bool-flag"),
    pytest.param(valid_case(main_cause="gambling"), "main_cause", id="unknown-cause"),
    pytest.param(valid_case(main_cause=["illness"]), "main_cause", id="cause-not-a-code"),
    pytest.param(valid_case(exclusions=["divorce"]), "exclusions", id="unknown-exclusion"),
    pytest.param(valid_case(exclusions="other"), "exclusions", id="exclusions-not-a-list"),
    pytest.param(valid_case(exclusions=[["other"]]), "exclusions", id="exclusion-not-a-code"),
    pytest.param(valid_case(application_date="2026-02-30"), "application_date", id="feb-30"),
    pytest.param(valid_case(application_date="2026/03/15"), "application_date", id="slashes"),
    pytest.param(valid_case(application_date="20260315"), "application_date", id="basic-date"),
    pytest.param(valid_case(application_date="2026-W11-1"), "application_date", id="week-date"),
    pytest.param(valid_case(application_date=20260315), "application_date", id="date-number"),
    pytest.param(valid_case(income=1000), "income", id="unknown-key"),
    pytest.param(
        valid_case(annual_income={"salary": 1000}), "annual_income.salary", id="unknown-income"
    ),
    pytest.param(valid_case(annual_income=[1000]), "annual_income", id="income-not-object"),
    pytest.param(valid_case(rigid_expenses={"food": 1}), "rigid_expenses.food", id="unknown-exp"),
    pytest.param(
        valid_case(minimum_living_standard=1e30), "minimum_living_standard", id="absurd-amount"
    ),
]


@pytest.mark.parametrize(("case", "field"), INVALID)
def test_an_invalid_case_exits_2_naming_the_id_and_the_field(run, case, field):
    case = {**case, "id": "坏案例-7"}

    assess_failing(run, case)

    assert run.output == {
        "id": "坏案例-7",
        "error": {"field": field, "message": run.output["error"]["message"]},
    }
    assert run.output["error"]["message"].strip()
    assert "坏案例-7" in run.stderr.getvalue()
    assert field in run.stderr.getvalue()


def test_an_array_keeps_its_order_and_prints_the_invalid_case_as_an_error(run):
    first, first_expected = example("example-1")
    third, third_expected = example("relative-only")
    second = valid_case(id="b", household_size=0)

    error = assess_failing(run, [first, second, third])

    assert run.output[0] == first_expected
    assert run.output[1] == {
        "id": "b",
        "error": {"field": "household_size", "message": run.output[1]["error"]["message"]},
    }
    assert run.output[2] == third_expected
    assert len(run.output) == 3
    assert "1" in str(error)
    assert "'b'" in run.stderr.getvalue()


def test_an_array_of_valid_cases_exits_normally(run):
    cases = [example(name)[0] for name in ("retired", "accident")]

    assert assess_ok(run, cases) == [example(name)[1] for name in ("retired", "accident")]


def test_an_invalid_case_without_id_is_reported_with_a_null_id(run):
    case = without("id")
    case["main_cause"] = "unknown"

    assess_failing(run, [case])

    assert run.output == [
        {"id": None, "error": {"field": "main_cause", "message": run.output[0]["error"]["message"]}}
    ]


def test_a_case_that_is_not_an_object_is_invalid(run):
    assess_failing(run, [42])

    assert run.output[0]["id"] is None
    assert "error" in run.output[0]


def test_numeric_strings_are_accepted(run):
    case, expected = example("example-1")
    case.update(
        minimum_living_standard="760.00",
        annual_income={"wages": "40000.00", "transfer": "7400"},
        rigid_expenses={"medical": "15000.00", "education": "3000.0"},
        medical_out_of_pocket="15000",
    )

    assert assess_ok(run, case) == expected


def test_employment_costs_as_a_string_and_rent_with_a_home(run):
    case, expected = example("employment-costs")
    case["employment_costs"] = "3600.00"
    rent, rent_expected = example("rent-with-home")

    assert assess_ok(run, [case, rent]) == [expected, rent_expected]
    assert expected["rigid_expenses_total"] == "8000.00"
    assert rent_expected["reasons"][0] == "housing_not_counted"


def test_omitted_employment_costs_count_as_nothing(run):
    case, _ = example("employment-costs")
    del case["employment_costs"]

    # (30000 − 8000) / 12 / 2 = 916.67 without the 3600 of employment costs.
    assert assess_ok(run, case)["per_capita_monthly_income"] == "916.67"


def test_omitted_optional_fields_take_their_defaults(run):
    case = {"application_date": "2026-03-15", "minimum_living_standard": 760, "household_size": 1}

    assert assess_ok(run, case) == {
        "policy": "wuhu-2020",
        "per_capita_monthly_income": "0.00",
        "rigid_expenses_total": "0.00",
        "qualifies": {"deep": False, "relative": False, "accident": False},
        "category": None,
        "reasons": [
            "expenditure_below_minimum",
            "expenditure_too_low_for_relative",
            "accident_costs_below_threshold",
        ],
        "standards": {"living": None, "education": None, "medical": None, "accident": None},
    }


def test_a_date_before_any_policy_is_an_error_on_the_application_date(run):
    assess_failing(run, valid_case(application_date="2020-10-26"))

    assert run.output["id"] == "example-1"
    assert run.output["error"]["field"] == "application_date"


def test_the_policy_is_in_force_from_its_first_day(run):
    _, expected = example("example-1")

    assert assess_ok(run, valid_case(application_date="2020-10-27")) == expected


def test_input_that_is_not_json_exits_2(run):
    error = assess_failing(run, raw='{"application_date": "2026-03-15",')

    assert "JSON" in str(error)
    assert run.stdout.getvalue() == ""


def test_input_that_is_not_utf8_exits_2(run):
    assess_failing(run, raw='{"id": "王"}'.encode("gbk"))

    assert run.stdout.getvalue() == ""


def test_a_missing_file_exits_2(run, tmp_path):
    missing = tmp_path / "no-such-file.json"

    with pytest.raises(CommandError) as info:
        run.command(str(missing))

    assert info.value.returncode == 2
    assert "no-such-file.json" in str(info.value)
    assert run.stdout.getvalue() == ""


def test_standard_input(run, monkeypatch):
    case, expected = example("accident")
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(case)))

    run.command("-")

    assert run.output == expected


def test_an_invalid_case_on_standard_input_exits_2(run, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(valid_case(household_size=0))))

    with pytest.raises(CommandError) as info:
        run.command("-")

    assert info.value.returncode == 2
    assert run.output["error"]["field"] == "household_size"


def test_output_is_json_with_chinese_unescaped(run):
    output = assess_ok(run, valid_case(id="王家-1"))

    assert output["id"] == "王家-1"
    assert '"王家-1"' in run.stdout.getvalue()
    assert "\\u" not in run.stdout.getvalue()


def test_error_messages_are_chinese_and_unescaped(run):
    assess_failing(run, valid_case(id="李家", household_size=0))

    text = run.stdout.getvalue()
    assert '"李家"' in text
    assert "\\u" not in text
    assert any("\u4e00" <= char <= "\u9fff" for char in run.output["error"]["message"])


@pytest.mark.parametrize(
    "overrides",
    [
        {"minimum_living_standard": "9999999999999999999999999.99"},
        {"students": 10**26},
    ],
    ids=["huge-mls", "huge-students"],
)
def test_huge_well_formed_numbers_are_reported_not_crashed(run, overrides):
    with pytest.raises(CommandError) as error:
        run.command(run.file(valid_case(**overrides)))
    assert error.value.returncode == 2
    assert run.output["error"]["field"] in overrides
    assert "不能大于" in run.output["error"]["message"] or "超出" in run.output["error"]["message"]
