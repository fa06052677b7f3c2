"""Two reviewers pressing "approve" at the same moment: one wins, the other is told.

Each race runs two threads, each with its own database connection, released together by
a barrier. Only PostgreSQL has row locks (`SELECT ... FOR UPDATE`) and real concurrent
connections; on SQLite the races are skipped (the same refusals are tested one after the
other in test_review_security).
"""

import re
import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from assistance.models import Case, CaseTransition
from assistance.services.review import case_forward, case_reject, notice_objection
from assistance.workflow import CaseLifecycle
from tests.factories.assistance import (
    OPINION,
    actions,
    wuhu_county_review,
    wuhu_grassroots_visit,
    wuhu_notice,
    wuhu_submitted,
)
from tests.factories.core import fresh

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent row locks need PostgreSQL (CI: DATABASE_URL=postgres://…)",
    ),
    # Threads see only committed rows; the flush at the end is followed by the data
    # migrations' rows coming back for the next transactional test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

S = Case.Status
CHINESE = re.compile(r"[\u4e00-\u9fff]")
REFUSALS = (ValidationError, PermissionDenied)


def race(*calls):
    """Run each call in its own thread and connection, all released at once.

    Returns one (value, exception) pair per call, in the order given.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = (call(), None)
        except Exception as exc:  # the test inspects what was raised
            outcomes[index] = (None, exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer is still waiting"
    return outcomes


def one_wins(outcomes) -> tuple[Case, Exception]:
    """Exactly one call succeeded; the other was refused with a Chinese message."""
    wins = [value for value, exc in outcomes if exc is None]
    losses = [exc for _, exc in outcomes if exc is not None]
    assert len(wins) == 1 and len(losses) == 1, outcomes
    loss = losses[0]
    assert isinstance(loss, REFUSALS), repr(loss)
    message = " ".join(loss.messages) if isinstance(loss, ValidationError) else str(loss)
    assert CHINESE.search(message), message
    return wins[0], loss


def test_two_grassroots_reviewers_forward_at_once(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    wuhu_grassroots_visit(world, case)
    # Each reviewer has the case page open: each holds its own copy.
    mine, theirs = fresh(case), fresh(case)

    winner, loss = one_wins(
        race(
            lambda: case_forward(actor=w.grassroots_reviewer, case=mine, opinion=OPINION),
            lambda: case_forward(actor=w.grassroots_reviewer_2, case=theirs, opinion=OPINION),
        )
    )

    assert winner.status == S.COUNTY_REVIEW
    assert fresh(case).status == S.COUNTY_REVIEW
    steps = CaseTransition.objects.filter(case_id=case.pk, action="grassroots_forward")
    assert steps.count() == 1
    assert "已由他人处理" in " ".join(loss.messages)
    assert actions(case) == ["submit", "grassroots_forward"]


def test_two_county_reviewers_forward_a_case_that_has_a_comparison_already(world):
    """After an objection the case is back at the county with a consistent comparison on
    file: the loser's "approve" must not pass the comparison in the winner's wake."""
    w = world.wuhu
    case = wuhu_notice(world)
    notice_objection(actor=w.caseworker, case=case, raised_by="王某", content="收入不实")
    mine, theirs = fresh(case), fresh(case)
    assert mine.status == S.COUNTY_REVIEW

    winner, _ = one_wins(
        race(
            lambda: case_forward(actor=w.county_reviewer_3, case=mine, opinion=OPINION),
            lambda: case_forward(actor=w.county_reviewer_4, case=theirs, opinion=OPINION),
        )
    )

    assert winner.status == fresh(case).status == S.COMPARISON
    assert actions(case).count("county_forward") == 2  # before the notice, and now
    assert actions(case).count("comparison_pass") == 1  # before the notice only


def test_approve_and_reject_at_once(world):
    w = world.wuhu
    case = wuhu_county_review(world)
    mine, theirs = fresh(case), fresh(case)

    winner, _ = one_wins(
        race(
            lambda: case_forward(actor=w.county_reviewer, case=mine, opinion=OPINION),
            lambda: case_reject(
                actor=w.county_reviewer_2,
                case=theirs,
                opinion="材料不实",
                reasons=["false_material"],
            ),
        )
    )

    final = fresh(case)
    assert final.status == winner.status
    assert final.status in (S.COMPARISON, S.REJECTED)
    decided = CaseTransition.objects.filter(case_id=case.pk, from_status=S.COUNTY_REVIEW)
    assert decided.count() == 1
    assert (final.status == S.REJECTED) == bool(final.rejection_reasons)


def test_the_same_reviewer_double_clicking(world):
    w = world.wuhu
    case = wuhu_submitted(world)
    wuhu_grassroots_visit(world, case)
    first, second = fresh(case), fresh(case)

    one_wins(
        race(
            lambda: case_forward(actor=w.grassroots_reviewer, case=first, opinion=OPINION),
            lambda: case_forward(actor=w.grassroots_reviewer, case=second, opinion=OPINION),
        )
    )

    assert CaseTransition.objects.filter(case_id=case.pk).count() == 2  # submit + forward


def test_the_second_reviewer_waits_for_the_first_ones_row_lock(world, monkeypatch):
    """The first reviewer holds the case row while deciding; the second one's decision
    waits for it, then sees the new state and is refused (not a lost update)."""
    w = world.wuhu
    case = wuhu_submitted(world)
    wuhu_grassroots_visit(world, case)
    mine, theirs = fresh(case), fresh(case)
    deciding = threading.Event()
    checked = CaseLifecycle.refusal

    def slow_first_check(lifecycle, case, actor, transition):
        refused = checked(lifecycle, case, actor, transition)
        if actor == w.grassroots_reviewer:
            deciding.set()  # the row is locked: the actor is checked after the lock
            time.sleep(0.5)
        return refused

    monkeypatch.setattr(CaseLifecycle, "refusal", slow_first_check)
    waited = []

    def second():
        assert deciding.wait(timeout=10)
        started = time.monotonic()
        try:
            return case_forward(actor=w.grassroots_reviewer_2, case=theirs, opinion=OPINION)
        finally:
            waited.append(time.monotonic() - started)

    outcomes = race(
        lambda: case_forward(actor=w.grassroots_reviewer, case=mine, opinion=OPINION),
        second,
    )

    winner, loss = one_wins(outcomes)
    assert outcomes[0][1] is None and outcomes[1][1] is loss
    assert waited[0] >= 0.3
    assert "已由他人处理" in " ".join(loss.messages)
    assert CaseTransition.objects.filter(case_id=case.pk, action="grassroots_forward").count() == 1
