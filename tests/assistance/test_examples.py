"""The worked cases of ASSESS.md (copied from the spec into `examples/`), run through the command."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

EXAMPLES = Path(__file__).parent / "examples"
CASES = sorted(EXAMPLES.glob("*.in.json"))


def expected_for(case: Path) -> object:
    return json.loads(case.with_name(case.name.replace(".in.json", ".out.json")).read_text("utf-8"))


def run_assess(*args: str) -> object:
    out = io.StringIO()
    call_command("assess", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_examples_are_all_there():
    names = {case.name.removesuffix(".in.json") for case in CASES}
    assert {
        "example-1",
        "accident",
        "relative-only",
        "retired",
        "three-homes",
        "employment-costs",
        "rent-with-home",
    } <= names
    for case in CASES:
        assert case.with_name(case.name.replace(".in.json", ".out.json")).is_file()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name.removesuffix(".in.json"))
def test_example(db, case):
    assert run_assess(str(case)) == expected_for(case)


def test_all_examples_as_one_array_from_stdin(db, monkeypatch):
    cases = [json.loads(case.read_text("utf-8")) for case in CASES]
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(cases, ensure_ascii=False)))

    assert run_assess("-") == [expected_for(case) for case in CASES]


def test_one_example_object_from_stdin(db, monkeypatch):
    case = EXAMPLES / "example-1.in.json"
    monkeypatch.setattr("sys.stdin", io.StringIO(case.read_text("utf-8")))

    assert run_assess("-") == expected_for(case)
