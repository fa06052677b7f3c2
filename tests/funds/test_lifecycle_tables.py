"""The funds' lifecycle tables are consistent, and docs/funds.md shows them as they are."""

from pathlib import Path

import pytest

from core.lifecycle import Lifecycle, mermaid
from funds.lifecycles import EXPORT_JOBS, LIFECYCLES
from funds.models import ExportJob, PaymentBatch, PaymentLine

DOCS = Path(__file__).resolve().parents[2] / "docs" / "funds.md"
NAMES = sorted(LIFECYCLES)


@pytest.mark.parametrize("name", NAMES)
def test_the_documented_diagram_is_the_table(name):
    assert f"```mermaid\n{mermaid(LIFECYCLES[name])}\n```" in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_each_move_is_named_once_between_states_the_field_knows(name):
    lifecycle: Lifecycle = LIFECYCLES[name]
    moves = [(t.action, t.source) for t in lifecycle.transitions]
    assert len(moves) == len(set(moves))
    states = set(lifecycle.states())
    for t in lifecycle.transitions:
        assert t.source in states and (t.target in states or t.target == "")
        # A move nobody holds a role for is taken by the system, whose refusal says so.
        assert t.roles or type(lifecycle).refusal is not Lifecycle.refusal, (
            f"{name}: nobody may {t.action}"
        )
        assert all(req in lifecycle.requirement_text for req in t.requires)


@pytest.mark.parametrize("name", NAMES)
def test_every_state_can_be_reached(name):
    lifecycle = LIFECYCLES[name]
    default = lifecycle.model._meta.get_field(lifecycle.field).default
    reached = {default} | {t.target for t in lifecycle.transitions}
    decided = any(not t.target for t in lifecycle.transitions)
    for state in lifecycle.states():
        assert state in reached or decided, f"{name}: nothing enters {state}"


ENDS = {
    "payment_batches": {PaymentBatch.Status.SETTLED},
    "payment_lines": {PaymentLine.Status.PAID, PaymentLine.Status.FAILED},
    "export_jobs": {ExportJob.Status.DONE, ExportJob.Status.FAILED},
}


@pytest.mark.parametrize("name", sorted(ENDS))
def test_only_the_ends_have_no_way_out(name):
    lifecycle = LIFECYCLES[name]
    stuck = {state for state in lifecycle.states() if not lifecycle.from_state(state)}
    assert stuck == ENDS[name]


def test_a_job_is_waiting_while_its_state_still_moves():
    assert EXPORT_JOBS.open_states() == (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
