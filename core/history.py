"""Audit history: who did what, when and why, on every tracked model.

Services save through `save_tracked`, which records the actor and the reason on the
history row. Management commands and background jobs wrap their work in `acting_as`, so
that anything saved inside records that user too.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Record `user` as the history user of every save inside the block."""
    previous = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del HistoricalRecords.context.request
        else:
            HistoricalRecords.context.request = previous


def current_actor():
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def save_tracked(
    obj: models.Model,
    *,
    actor,
    reason: str,
    update_fields: list[str] | None = None,
    validate: bool = True,
) -> models.Model:
    """Validate and save `obj`, leaving a history row with `actor` and `reason`."""
    if validate:
        exclude = None
        if update_fields is not None:
            exclude = [f.name for f in obj._meta.concrete_fields if f.name not in update_fields]
        obj.full_clean(exclude=exclude)
    with _attributed(obj, actor=actor, reason=reason):
        obj.save(update_fields=update_fields)
    return obj


def delete_tracked(obj: models.Model, *, actor, reason: str) -> None:
    with _attributed(obj, actor=actor, reason=reason):
        obj.delete()


@contextmanager
def _attributed(obj: models.Model, *, actor, reason: str) -> Iterator[None]:
    """Actor and reason hold for this one write, not for later writes of the same instance."""
    obj._history_user = actor
    obj._change_reason = reason
    try:
        yield
    finally:
        del obj._history_user
        del obj._change_reason


def history_value(field: models.Field, value) -> str:
    """A field's value as a history page shows it: choices by label, yes/no, lists joined,
    times in Beijing time, a related row by its number."""
    if value is None or value == "" or value == []:
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if field.is_relation:
        return f"编号 {value}"
    return str(value)


def with_previous(records) -> Iterator[tuple[models.Model, models.Model | None]]:
    """History rows (oldest first), each with the row of the same object before it."""
    last: dict = {}
    for record in records:
        yield record, last.get(record.id)
        last[record.id] = record


def field_changes(record, previous, *, hidden: set[str]) -> list[tuple[str, str, str]]:
    """What an update row changed against the row before it: (label, old, new), leaving out
    `hidden` fields (ciphers, hashes, timestamps); nothing for a creation or a deletion."""
    if previous is None or record.history_type != "~":
        return []
    changes = []
    for change in record.diff_against(previous).changes:
        if change.field in hidden:
            continue
        field = record.instance_type._meta.get_field(change.field)
        changes.append(
            (
                str(field.verbose_name),
                history_value(field, change.old),
                history_value(field, change.new),
            )
        )
    return changes


# What a history row did, as pages show it.
TYPE_LABELS = {"+": "新建", "~": "修改", "-": "删除"}


@dataclass(frozen=True)
class HistoryChange:
    """One history row as a page lists it: when, who, why (the service's reason, or what the
    row did), about what, and the fields it changed (label, old, new)."""

    at: datetime.datetime
    user: object
    reason: str
    subject: str
    kind: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    seq: int = 0  # the history row's id: orders changes made at the same moment

    @classmethod
    def of(cls, record, subject: str, changes: list | None = None) -> "HistoryChange":
        return cls(
            at=record.history_date,
            user=record.history_user,
            reason=record.history_change_reason or TYPE_LABELS.get(record.history_type, ""),
            subject=subject,
            kind=TYPE_LABELS.get(record.history_type, record.history_type),
            changes=changes or [],
            seq=record.history_id,
        )


def history_changes(
    records: Iterable,
    subject: Callable[[models.Model], str],
    *,
    hidden: set[str],
    skip_silent: bool = False,
) -> list[HistoryChange]:
    """History rows (oldest first) as changes, each diffed against the row of the same object
    before it, leaving out `hidden` fields. With `skip_silent`, an update that changed nothing
    shown and gave no reason is left out."""
    changes = []
    for record, previous in with_previous(records):
        fields = field_changes(record, previous, hidden=hidden)
        silent = (
            previous is not None
            and record.history_type == "~"
            and not fields
            and not record.history_change_reason
        )
        if skip_silent and silent:
            continue
        changes.append(HistoryChange.of(record, subject(record), fields))
    return changes
