"""The payment and export lifecycles are tables, and docs/funds.md shows them as they are."""

from pathlib import Path

import pytest

from core.lifecycle import mermaid
from funds.lifecycles import EXPORT_JOBS, PAYMENT_LIFECYCLES
from funds.models import ExportJob, PaymentBatch, PaymentLine

DOCS = Path(__file__).resolve().parents[2] / "docs" / "funds.md"
ENDS = {
    "payment_batch": {PaymentBatch.Status.SETTLED},
    "payment_line": {PaymentLine.Status.PAID, PaymentLine.Status.FAILED},
    "export_job": {ExportJob.Status.DONE, ExportJob.Status.FAILED},
}


@pytest.mark.parametrize("name", sorted(PAYMENT_LIFECYCLES))
def test_the_documented_diagram_is_the_table(name):
    diagram = mermaid(PAYMENT_LIFECYCLES[name])
    assert f"```mermaid\n{diagram}\n```" in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(PAYMENT_LIFECYCLES))
def test_only_the_ends_have_no_way_out(name):
    lifecycle = PAYMENT_LIFECYCLES[name]
    stuck = {state for state in lifecycle.states() if not lifecycle.from_state(state)}
    assert stuck == ENDS[name]


def test_a_job_is_waiting_while_its_state_still_moves():
    assert EXPORT_JOBS.open_states() == (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
