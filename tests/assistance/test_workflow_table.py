"""The workflow tables are consistent, and docs/workflow.md shows them as they are."""

from pathlib import Path

import pytest

from accounts.roles import Role
from assistance.models import Case
from assistance.workflow import REQUIREMENT_TEXT, WORKFLOWS, mermaid

DOCS = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"


@pytest.mark.parametrize("variant", sorted(WORKFLOWS))
def test_the_documented_diagram_is_the_table(variant):
    assert f"```mermaid\n{mermaid(variant)}\n```" in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("variant", sorted(WORKFLOWS))
def test_every_state_but_the_ends_has_a_way_out_and_a_way_in(variant):
    table = WORKFLOWS[variant]
    sources = {t.source for t in table}
    targets = {t.target for t in table} | {Case.Status.DRAFT}
    ends = {Case.Status.APPROVED, Case.Status.REJECTED, Case.Status.WITHDRAWN}
    for state in sources | targets - {""}:
        if state not in ends:
            assert state in sources, f"{variant}: nothing leaves {state}"
        assert state in targets or state == Case.Status.RETURNED, (
            f"{variant}: nothing enters {state}"
        )


@pytest.mark.parametrize("variant", sorted(WORKFLOWS))
def test_one_decision_per_state_and_only_by_reviewers(variant):
    decisions = [t for t in WORKFLOWS[variant] if t.decision]
    assert len({t.source for t in decisions}) == len(decisions)
    assert all(t.roles == (Role.REVIEWER,) for t in decisions)
    assert all(name in REQUIREMENT_TEXT for t in decisions for name in t.requires)


def test_the_variants_differ_where_the_policies_do():
    def path(variant):
        return [(t.source, t.target) for t in WORKFLOWS[variant] if t.decision]

    assert path("wuhu")[0] == (Case.Status.SUBMITTED, Case.Status.COUNTY_REVIEW)
    assert path("taian")[0] == (Case.Status.SUBMITTED, Case.Status.NOTICE)
    assert path("taian")[-1] == (Case.Status.CITY_CONFIRMATION, Case.Status.APPROVED)
    assert path("wuhu")[-1] == (Case.Status.NOTICE, Case.Status.APPROVED)
