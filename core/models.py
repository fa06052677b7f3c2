from contextvars import ContextVar

from django.db import models
from simple_history.models import HistoricalRecords

from core.history import current_actor

_bulk_update_in_progress: ContextVar[bool] = ContextVar("bulk_update_in_progress", default=False)


class HistorySkippedError(RuntimeError):
    """Raised by a write that would change tracked rows without leaving history."""


class TrackedQuerySet(models.QuerySet):
    """A queryset whose writes can never skip the audit history.

    `update()` is refused (it would change rows silently); `bulk_create` and
    `bulk_update` write the history rows of what they changed in the same call.
    """

    def update(self, **kwargs):
        if not _bulk_update_in_progress.get():
            raise HistorySkippedError(
                f"{self.model.__name__}: 不允许绕过审计历史的批量更新，请逐条保存或使用 bulk_update。"
            )
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        self.model.history.bulk_history_create(created, default_user=current_actor())
        return created

    def bulk_update(self, objs, fields, batch_size=None):
        token = _bulk_update_in_progress.set(True)
        try:
            changed = super().bulk_update(objs, fields, batch_size=batch_size)
        finally:
            _bulk_update_in_progress.reset(token)
        self.model.history.bulk_history_create(objs, update=True, default_user=current_actor())
        return changed


class TrackedManager(models.Manager.from_queryset(TrackedQuerySet)):
    pass


class TrackedModel(models.Model):
    """Base of every model of the product: history on every row, no silent bulk writes."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = TrackedManager()
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
