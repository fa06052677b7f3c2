from contextvars import ContextVar

from django.core.exceptions import ValidationError
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


class Holiday(TrackedModel):
    """One day of the official holiday calendar (国务院办公厅部分节假日安排).

    Only days that differ from the ordinary week are stored: a `holiday` row is a day off
    (it matters for counting when it falls Monday–Friday), a `workday` row is a weekend
    day worked in exchange (调休上班). A year with at least one row counts as published.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日"
        WORKDAY = "workday", "调休上班日"

    class Source(models.TextChoices):
        CHINESECALENDAR = "chinesecalendar", "chinesecalendar 数据包"
        MANUAL = "manual", "手工录入"

    date = models.DateField(
        "日期", unique=True, error_messages={"unique": "该日期已有节假日安排。"}
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=50, help_text="如 春节、国庆节。")
    source = models.CharField(
        "来源", max_length=16, choices=Source.choices, default=Source.MANUAL, editable=False
    )

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError(
                {"kind": "调休上班日只能是周六或周日（周一至周五本来就是工作日）。"}
            )
