"""Every status field's moves as a table, and the one engine that takes them.

A lifecycle is a table of `Transition`s (from which state, by which action, to which state,
by whom, at which level, on what requirements, whether it is a decision in the sense of
segregation of duties) and the few questions the engine asks of the entity it belongs to
(who holds it, what of its requirements is unmet, where its events are written). Each app
declares its lifecycles beside its models (`assistance/workflow.py`, `archives/lifecycles.py`,
`funds/lifecycles.py`); `take` is the only code that assigns a status.

    take(lifecycle, obj=…, actor=…, action=…, reason=…, effect=…)
        lock the row → refuse if it moved since the actor saw it → look the move up →
        check the actor → check the requirements → run the step's own effect →
        save with history and reason → append an event row

Panels ask `moves(lifecycle, obj, actor)` what the user may do now and why not, instead of
restating the table as booleans. `mermaid(lifecycle)` prints the state diagram that the docs
show, so the pictures are the table.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from core.history import save_tracked
from core.models import StatusEvent

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    source: str
    # "" = the step decides where it goes (the effect sets the status; see `take`).
    target: str
    roles: tuple[str, ...]
    level: int | None = None  # the level of the union tree that takes it (None: any)
    decision: bool = False  # segregation of duties: never by whoever entered or decided before
    requires: tuple[str, ...] = ()
    needs_reason: bool = False


@dataclass(frozen=True)
class Move:
    """A move the table holds from the entity's state, as one actor sees it."""

    transition: Transition
    refused: str  # why this actor may not take it ("" = may)
    unmet: tuple[str, ...]  # requirements still open, in the user's words

    @property
    def allowed(self) -> bool:
        return not self.refused and not self.unmet

    @property
    def why_not(self) -> str:
        return self.refused or "；".join(self.unmet)


class Lifecycle:
    """One status field: its table and the questions the engine asks about its entity.

    Subclasses name the model and the table and answer `refusal` (may this actor take this
    move on this object: "" or the reason), `requirements` (name → predicate) and, where the
    entity keeps its own timeline, `record`. The defaults suit a lifecycle without levels,
    requirements or a timeline of its own.
    """

    model: type[models.Model]
    transitions: tuple[Transition, ...]
    noun: str  # "档案", "发放批次": what the messages call the entity
    field: str = "status"
    reason_field: str = "reason"  # the form field a missing reason is reported on
    missing_reason_text: str = "请填写理由。"
    requirement_text: dict[str, str] = {}
    # Fields locked along with the row (select_related), as the refusals need them.
    related: tuple[str, ...] = ()

    # --- the table ---

    def find(self, action: str, source: str) -> Transition:
        for transition in self.transitions:
            if transition.action == action and transition.source == source:
                return transition
        raise ValidationError(
            f"{self.noun}当前状态为“{self.label(source)}”，不能办理该操作，可能已由他人处理。"
        )

    def history_reason(self, obj: Any, transition: Transition, reason: str) -> str:
        """The reason written on the history row of a move."""
        return transition.label + (f"：{reason}" if reason else "")

    def from_state(self, source: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == source]

    def label(self, status: str) -> str:
        return str(dict(self.model._meta.get_field(self.field).flatchoices).get(status, status))

    def states(self) -> list[str]:
        return [value for value, _ in self.model._meta.get_field(self.field).flatchoices]

    # --- the questions; override ---

    def refusal(self, obj: Any, actor: Any, transition: Transition) -> str:
        """Why `actor` may not take `transition` on `obj` ("" = may). The default checks the
        role only."""
        if not actor.has_role(*transition.roles):
            return f"“{transition.label}”须由{self.role_names(transition)}办理。"
        return ""

    def requirements(self, obj: Any) -> dict[str, Callable[[], bool]]:
        """Each requirement name of the table with the predicate that says it is met."""
        return {}

    def record(self, obj: Any, transition: Transition, *, actor: Any, source: str, reason: str):
        """Append the entity's event row for a move just taken. The default writes a
        `StatusEvent`; an entity with a timeline of its own (a case, an archive) overrides."""
        event = StatusEvent(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            field=self.field,
            action=transition.action,
            from_status=source,
            to_status=getattr(obj, self.field),
            actor=actor,
            reason=reason,
        )
        save_tracked(event, actor=actor, reason=transition.label)

    def stale(self, obj: Any, action: str, seen: str) -> str:
        """Why a move is refused when `obj` (locked, fresh) has left the state `seen` the
        actor saw. An entity whose own wording says more (a final state) overrides."""
        return (
            f"该{self.noun}已由他人处理，当前状态为“{self.label(getattr(obj, self.field))}”，"
            "请刷新页面后再操作。"
        )

    def reason_missing(self, transition: Transition) -> dict[str, str]:
        """The refusal of a move taken without the reason its row needs, as {field: message}."""
        return {self.reason_field: self.missing_reason_text}

    def role_names(self, transition: Transition) -> str:
        """The roles by their labels (tables name them by their TextChoices members)."""
        return "、".join(str(getattr(role, "label", role)) for role in transition.roles)

    def unavailable(self, obj: Any, action: str) -> str:
        """Why the table has no move `action` from `obj`'s state, in the user's words."""
        return f"{self.noun}当前状态为“{self.label(getattr(obj, self.field))}”，不能办理该操作。"

    # --- derived ---

    def why_not(self, obj: Any, actor: Any, action: str) -> str:
        """Why `actor` may not take `action` on `obj` now ("" = may), for the pages."""
        found = move(self, obj, actor, action)
        return found.why_not if found is not None else self.unavailable(obj, action)

    def unmet(self, obj: Any, transition: Transition) -> list[str]:
        checks = self.requirements(obj)
        return [self.requirement_text[name] for name in transition.requires if not checks[name]()]

    def lock(self, obj: M) -> M:
        return locked(type(obj), obj.pk, related=self.related)


def locked(model: type[M], pk: int, *, related: Iterable[str] = ()) -> M:
    """The row `pk` of `model`, locked for this transaction (only that row: PostgreSQL refuses
    FOR UPDATE on the nullable side of an outer join)."""
    queryset = model._default_manager.select_for_update(of=("self",))
    if related:
        queryset = queryset.select_related(*related)
    return queryset.get(pk=pk)


def moves(lifecycle: Lifecycle, obj: Any, actor: Any) -> list[Move]:
    """Every move the table holds from `obj`'s state, with why this actor may not take it."""
    status = getattr(obj, lifecycle.field)
    return [
        Move(t, lifecycle.refusal(obj, actor, t), tuple(lifecycle.unmet(obj, t)))
        for t in lifecycle.from_state(status)
    ]


def move(lifecycle: Lifecycle, obj: Any, actor: Any, action: str) -> Move | None:
    """The move `action` from `obj`'s state as `actor` sees it; None if the table has none."""
    for candidate in moves(lifecycle, obj, actor):
        if candidate.transition.action == action:
            return candidate
    return None


@transaction.atomic
def take(
    lifecycle: Lifecycle,
    *,
    obj: M,
    actor: Any,
    action: str,
    reason: str = "",
    effect: Callable[[M, Transition], Iterable[str]] | None = None,
) -> M:
    """Move `obj` along one transition of `lifecycle`, or refuse with the reason.

    `obj` is the entity as the actor saw it: when its state has changed since (someone
    else acted first) the move is refused rather than applied to a state the actor never
    saw. `effect` is the step's own work on the locked row; it returns the fields it
    changed and, when the transition's target is "", sets the status itself.
    A refusal by role or union is a PermissionDenied, an unmet requirement or a missing
    reason a ValidationError; either leaves nothing changed.
    """
    seen = getattr(obj, lifecycle.field)
    obj = lifecycle.lock(obj)
    source = getattr(obj, lifecycle.field)
    if source != seen:
        raise ValidationError(lifecycle.stale(obj, action, seen))
    transition = lifecycle.find(action, source)
    refused = lifecycle.refusal(obj, actor, transition)
    if refused:
        raise PermissionDenied(refused)
    unmet = lifecycle.unmet(obj, transition)
    if unmet:
        raise ValidationError(unmet)
    reason = reason.strip()
    if transition.needs_reason and not reason:
        raise ValidationError(lifecycle.reason_missing(transition))
    fields = [lifecycle.field]
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        fields.append("updated_at")
    if transition.target:
        setattr(obj, lifecycle.field, transition.target)
    if effect is not None:
        fields += [f for f in effect(obj, transition) if f not in fields]
    save_tracked(
        obj,
        actor=actor,
        reason=lifecycle.history_reason(obj, transition, reason),
        update_fields=fields,
    )
    lifecycle.record(obj, transition, actor=actor, source=source, reason=reason)
    return obj


def mermaid(lifecycle: Lifecycle) -> str:
    """The lifecycle's state diagram in Mermaid, drawn from its table."""
    lines = ["stateDiagram-v2"]
    used: set[str] = set()
    for t in lifecycle.transitions:
        target = t.target or "decided"
        who = lifecycle.role_names(t)
        # A blank source (a field not yet set, e.g. a result) is the diagram's start.
        lines.append(f"    {t.source or '[*]'} --> {target}: {t.label}（{who}）")
        used |= {t.source, t.target} - {""}
    for status in lifecycle.states():
        if status in used:
            lines.append(f"    {status}: {lifecycle.label(status)}")
    if any(not t.target for t in lifecycle.transitions):
        lines.append("    decided: 视办理结果而定")
    return "\n".join(lines)
