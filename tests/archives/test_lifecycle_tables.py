"""The archives' lifecycle tables are consistent, docs/archives.md shows them as they are,
and the panels ask them (not a restatement) what a user may do."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from accounts.roles import Role
from archives.lifecycles import ARCHIVE, CATEGORY_CHANGE, LIFECYCLES, OBJECTION
from archives.models import Archive, ArchiveEvent
from archives.services.lifecycle import close_archive, lock_archive
from core.lifecycle import mermaid, moves, take

DOCS = Path(__file__).resolve().parents[2] / "docs" / "archives.md"

# The states nothing leaves: a closed or merged archive, a decided change, a revoked exit,
# a decided re-check.
FINAL = {
    "archive": set(Archive.FINAL_STATUSES),
    "category_change": {"approved", "rejected"},
    "exit": {"revoked"},
    "objection": {"upheld", "revoked"},
}


@pytest.mark.parametrize("name", sorted(LIFECYCLES))
def test_the_documented_diagram_is_the_table(name):
    assert f"```mermaid\n{mermaid(LIFECYCLES[name])}\n```" in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(LIFECYCLES))
def test_every_state_but_the_ends_has_a_way_out(name):
    lifecycle = LIFECYCLES[name]
    sources = {t.source for t in lifecycle.transitions}
    targets = {t.target for t in lifecycle.transitions}
    for state in (sources | targets | set(lifecycle.states())) - {""}:
        if state not in FINAL[name]:
            assert state in sources, f"{name}: nothing leaves {state}"
    assert FINAL[name] <= targets, f"{name}: an end nothing reaches"
    assert not FINAL[name] & sources, f"{name}: an end with a way out"


@pytest.mark.parametrize("name", sorted(LIFECYCLES))
def test_one_row_per_action_and_state_and_every_requirement_named(name):
    lifecycle = LIFECYCLES[name]
    rows = [(t.action, t.source) for t in lifecycle.transitions]
    assert len(rows) == len(set(rows))
    for t in lifecycle.transitions:
        assert set(t.requires) <= set(lifecycle.requirement_text), t


def test_decisions_are_by_reviewers():
    for lifecycle in (CATEGORY_CHANGE, OBJECTION):
        decisions = [t for t in lifecycle.transitions if t.decision]
        assert decisions and all(t.roles == (Role.REVIEWER,) for t in decisions)


def test_the_command_prints_the_documented_diagrams():
    out = StringIO()
    call_command("archives_diagrams", stdout=out)
    for lifecycle in LIFECYCLES.values():
        assert f"```mermaid\n{mermaid(lifecycle)}\n```" in out.getvalue()


# --- The panels ask the table ---------------------------------------------------------------


def test_the_table_says_who_may_close_an_open_archive(world, archive):
    w = world.wuhu
    allowed = {m.transition.action for m in moves(ARCHIVE, archive, w.caseworker) if m.allowed}
    assert {"request_exit", "find_phase_out"} <= allowed
    assert "merge" not in allowed and "finalise" not in allowed
    assert ARCHIVE.why_not(archive, w.caseworker, "merge") == "合并档案须由系统管理员办理。"
    assert ARCHIVE.why_not(archive, w.admin, "merge") == ""
    assert ARCHIVE.why_not(archive, w.caseworker_b, "request_exit") == "该档案不在您的管理范围内。"
    # A step the table has not from this state: the state says why.
    assert ARCHIVE.why_not(archive, w.caseworker, "finalise") == (
        "档案在档，不在退档告知期，不能办结退档。"
    )


def test_the_exit_panel_shows_what_the_table_allows(client, world, archive):
    w = world.wuhu
    client.force_login(w.caseworker)
    panel = client.get(reverse("archives:detail", args=[archive.pk])).context["exit_panel"]
    assert panel.can_request and panel.can_find and not panel.can_finalise
    assert panel.finalise_blocked == ARCHIVE.why_not(archive, w.caseworker, "finalise")
    client.force_login(w.admin)
    panel = client.get(reverse("archives:detail", args=[archive.pk])).context["exit_panel"]
    assert not panel.can_request and "须由经办人、审核人办理" in panel.request_blocked


def test_the_engine_refuses_a_move_the_table_does_not_hold(world, archive):
    """Whatever the caller: a closed archive takes no exit step, and the actor is checked."""
    w = world.wuhu
    with pytest.raises(PermissionDenied) as info:
        take(ARCHIVE, obj=archive, actor=w.admin, action="request_exit", reason="x")
    assert str(info.value) == "登记退档申请须由经办人、审核人办理。"
    with transaction.atomic():
        close_archive(
            actor=w.caseworker,
            archive=lock_archive(archive),
            reason=Archive.CloseReason.REQUEST,
            note="本人申请退档",
            on=world.clock.today(),
        )
    closed = Archive.objects.get(pk=archive.pk)
    assert closed.events.last().kind == ArchiveEvent.Kind.CLOSED
    with pytest.raises(ValidationError):
        take(ARCHIVE, obj=closed, actor=w.caseworker, action="request_exit", reason="x")
    assert ARCHIVE.why_not(closed, w.caseworker, "request_exit") == "档案已退档，不能办理退档。"
    assert moves(ARCHIVE, closed, w.caseworker) == []
