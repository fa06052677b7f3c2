"""A year's holiday calendar is published by an explicit step (`HolidayYear`).

The years already seeded from the `chinesecalendar` package (0002) are marked published,
by the system user, each with a history row. A year that only has days an administrator
entered by hand stays unpublished: before, one entered day was enough; now the
administrator confirms the year's notice in the year form.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

REASON = "系统初始化：chinesecalendar 数据包已覆盖的年份标记为已公布"


def publish_seeded_years(apps, schema_editor):
    from django.utils import timezone

    from core.migration_utils import system_user_id

    Holiday = apps.get_model("core", "Holiday")
    HistoricalHoliday = apps.get_model("core", "HistoricalHoliday")
    HolidayYear = apps.get_model("core", "HolidayYear")
    Historical = apps.get_model("core", "HistoricalHolidayYear")
    seeded = {
        day.year
        for model in (Holiday, HistoricalHoliday)
        for day in model.objects.filter(source="chinesecalendar").values_list("date", flat=True)
    }
    user_id = system_user_id(apps)
    now = timezone.now()
    for year in sorted(seeded):
        row = HolidayYear.objects.create(
            year=year,
            published=True,
            source="chinesecalendar",
            published_by_id=user_id,
            published_at=now,
            created_at=now,
            updated_at=now,
        )
        Historical.objects.create(
            id=row.id,
            year=year,
            published=True,
            source="chinesecalendar",
            notice_number="",
            published_by_id=user_id,
            published_at=now,
            created_at=now,
            updated_at=now,
            history_date=now,
            history_type="+",
            history_change_reason=REASON,
            history_user_id=user_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_history_reason_text"),
        ("accounts", "0002_system_user"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalHolidayYear",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="创建时间"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, editable=False, verbose_name="更新时间"),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        db_index=True,
                        error_messages={"unique": "该年份已有节假日安排记录。"},
                        verbose_name="年份",
                    ),
                ),
                ("published", models.BooleanField(default=False, verbose_name="已公布")),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("chinesecalendar", "chinesecalendar 数据包"),
                            ("notice", "管理员按国务院办公厅通知录入"),
                        ],
                        max_length=16,
                        verbose_name="依据",
                    ),
                ),
                (
                    "notice_number",
                    models.CharField(
                        blank=True,
                        help_text="如 国办发明电〔2026〕7号。",
                        max_length=100,
                        verbose_name="通知文号",
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="公布确认时间"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical 年度节假日安排",
                "verbose_name_plural": "historical 年度节假日安排",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HolidayYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        error_messages={"unique": "该年份已有节假日安排记录。"},
                        unique=True,
                        verbose_name="年份",
                    ),
                ),
                ("published", models.BooleanField(default=False, verbose_name="已公布")),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("chinesecalendar", "chinesecalendar 数据包"),
                            ("notice", "管理员按国务院办公厅通知录入"),
                        ],
                        max_length=16,
                        verbose_name="依据",
                    ),
                ),
                (
                    "notice_number",
                    models.CharField(
                        blank=True,
                        help_text="如 国办发明电〔2026〕7号。",
                        max_length=100,
                        verbose_name="通知文号",
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="公布确认时间"),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "年度节假日安排",
                "verbose_name_plural": "年度节假日安排",
                "ordering": ["year"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("published", True), _negated=True),
                            models.Q(
                                ("published_at__isnull", False),
                                models.Q(("source", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="holiday_year_published_has_time_and_source",
                    )
                ],
            },
        ),
        migrations.RunPython(publish_seeded_years, migrations.RunPython.noop),
    ]
