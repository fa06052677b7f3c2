"""Seed the working-day calendar from the `chinesecalendar` package (2004 to its last year).

The rows and their history rows are bulk-created together: every seeded day has a "+"
history row naming the system user and the reason below. Days already in the table are
left alone, so the migration can be re-run safely. The name table is frozen here on
purpose (a migration must not change when application code does).
"""

import datetime

from django.db import migrations
from django.utils import timezone

from core.migration_utils import system_user_id

REASON = "系统初始化：导入 chinesecalendar 法定节假日安排"

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
# 国办发明电〔2020〕1号: the 2020 Spring Festival holiday extended to 2 February (新冠疫情防控).
EPIDEMIC_EXTENSION = {
    datetime.date(2020, 1, 31),
    datetime.date(2020, 2, 1),
    datetime.date(2020, 2, 2),
}


def chinese_name(day: datetime.date, english: str) -> str:
    if day in EPIDEMIC_EXTENSION:
        return "春节（疫情防控延长假期）"
    return NAMES.get(english, english)


def seed_holidays(apps, schema_editor):
    from chinese_calendar import constants

    Holiday = apps.get_model("core", "Holiday")
    Historical = apps.get_model("core", "HistoricalHoliday")
    existing = set(Holiday.objects.values_list("date", flat=True))
    rows = [
        Holiday(date=day, kind=kind, name=chinese_name(day, english), source="chinesecalendar")
        for kind, days in (("holiday", constants.holidays), ("workday", constants.workdays))
        for day, english in sorted(days.items())
        if day not in existing
    ]
    Holiday.objects.bulk_create(rows, batch_size=500)

    user_id = system_user_id(apps)
    now = timezone.now()
    tracked = {f.attname for f in Historical._meta.concrete_fields}
    fields = [f.attname for f in Holiday._meta.concrete_fields if f.attname in tracked]
    new_dates = {row.date for row in rows}
    created = (v for v in Holiday.objects.values(*fields).iterator() if v["date"] in new_dates)
    Historical.objects.bulk_create(
        [
            Historical(
                **values,
                history_date=now,
                history_type="+",
                history_change_reason=REASON,
                history_user_id=user_id,
            )
            for values in created
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("accounts", "0002_system_user"),
    ]

    operations = [migrations.RunPython(seed_holidays, migrations.RunPython.noop)]
