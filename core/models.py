from contextvars import ContextVar

from django.conf import settings
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
    day worked in exchange (调休上班). The rows of a year count only once the year is
    published (`HolidayYear`); until then they are a draft.
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


class HolidayYear(TrackedModel):
    """Whether a year's holiday calendar is published, by whom, when and on which notice.

    A year is *published* only by this explicit step: the `chinesecalendar` sync for the
    years the package covers, or an administrator entering the State Council's notice
    (国务院办公厅关于××年部分节假日安排的通知) and confirming it. Entering one day of a year
    does not publish it; working days in an unpublished year are counted Monday–Friday and
    every deadline that reaches into it says so.
    """

    class Source(models.TextChoices):
        CHINESECALENDAR = "chinesecalendar", "chinesecalendar 数据包"
        NOTICE = "notice", "管理员按国务院办公厅通知录入"

    year = models.PositiveSmallIntegerField(
        "年份", unique=True, error_messages={"unique": "该年份已有节假日安排记录。"}
    )
    published = models.BooleanField("已公布", default=False)
    source = models.CharField("依据", max_length=16, choices=Source.choices, blank=True)
    notice_number = models.CharField(
        "通知文号", max_length=100, blank=True, help_text="如 国办发明电〔2026〕7号。"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField("公布确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度节假日安排"
        verbose_name_plural = "年度节假日安排"
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(published=True)
                | (models.Q(published_at__isnull=False) & ~models.Q(source="")),
                name="holiday_year_published_has_time_and_source",
            ),
        ]

    def __str__(self) -> str:
        state = "已公布" if self.published else "未公布"
        return f"{self.year}年节假日安排（{state}）"


class Notification(TrackedModel):
    """A message to a worker: a text message through the SMS backend, or a printed letter.

    Kept for the record (who was told what, when, how); the phone number is stored masked.
    """

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        LETTER = "letter", "书面告知"

    class Status(models.TextChoices):
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        TO_PRINT = "to_print", "书面告知（打印送达）"

    channel = models.CharField("告知方式", max_length=8, choices=Channel.choices)
    status = models.CharField("状态", max_length=12, choices=Status.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", models.PROTECT, related_name="+", verbose_name="发出单位"
    )
    recipient_name = models.CharField("收件人", max_length=50)
    phone_masked = models.CharField("手机号", max_length=20, blank=True)
    text = models.TextField("内容")
    error = models.CharField("失败原因", max_length=200, blank=True)
    reference = models.CharField("关联事项", max_length=100)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "告知记录"
        verbose_name_plural = "告知记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.recipient_name}：{self.reference}"


class StatusEvent(TrackedModel):
    """One move of a lifecycle that keeps no timeline of its own (a grant, a payment batch,
    an export job…): which entity, which action, from which state to which, who and why.

    Written by `core.lifecycle.take` after the move's history row; never changed.
    """

    content_type = models.ForeignKey("contenttypes.ContentType", models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    field = models.CharField("状态字段", max_length=32, default="status")
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=32)
    to_status = models.CharField("新状态", max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reason = models.TextField("理由", blank=True)

    class Meta:
        verbose_name = "状态变更记录"
        verbose_name_plural = "状态变更记录"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"


class DailyRun(TrackedModel):
    """A daily job that ran to its end on a day (`core.locks.once_a_day`): the same day is
    not run again, whichever host's cron starts it next."""

    job = models.CharField("任务", max_length=64)
    day = models.DateField("日期")
    host = models.CharField("服务器", max_length=255)
    started_at = models.DateTimeField("开始时间")

    class Meta:
        verbose_name = "每日任务运行记录"
        verbose_name_plural = "每日任务运行记录"
        ordering = ["-day", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "day"], name="core_dailyrun_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.day:%Y-%m-%d}"
