"""Approval thresholds as policy data with their reading (以上 or 超过).

WH-M §9(一)5: 医疗救助2万元以上报送省总工会审批，5万元以上报送全总审批 (以上 includes the number);
WH-F §9: 超过2万元应经过省总工会审批，超过5万元报全国总工会同意 (超过 does not). The fields are
renamed from `*_approval_over` (which named the 超过 reading) to `*_approval_threshold`, the
reading becomes a field, the thresholds must be positive, and `wuhu-2020` takes the stricter
reading: a yearly total of exactly 20,000.00 for one item already needs the provincial
approval, exactly 50,000.00 the national one.
"""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models
from django.utils import timezone

from core.migration_utils import system_user_id

READING_CHOICES = [
    ("inclusive", "以上：达到额度即须审批（含本数，芜湖实施办法第九条第一项第5目）"),
    ("exclusive", "超过：超过额度才须审批（不含本数，芜湖细则第九条）"),
]
REASON = (
    "数据迁移：审批额度按芜湖实施办法第九条第一项第5目“2万元以上…5万元以上”（含本数）执行，"
    "取芜湖细则第九条“超过”与之中较严格的理解"
)


def _threshold(label: str) -> models.DecimalField:
    return models.DecimalField(
        decimal_places=2,
        max_digits=12,
        validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
        verbose_name=label,
    )


def _reading() -> models.CharField:
    return models.CharField(
        choices=READING_CHOICES,
        default="inclusive",
        max_length=16,
        verbose_name="审批额度是否含本数",
    )


def wuhu_takes_the_inclusive_reading(apps, schema_editor):
    Policy = apps.get_model("assistance", "Policy")
    Historical = apps.get_model("assistance", "HistoricalPolicy")
    policy = Policy.objects.filter(code="wuhu-2020").first()
    if policy is None:
        return
    policy.approval_threshold_reading = "inclusive"
    policy.save(update_fields=["approval_threshold_reading"])
    columns = {f.attname for f in Historical._meta.concrete_fields}
    values = {
        f.attname: getattr(policy, f.attname)
        for f in Policy._meta.concrete_fields
        if f.attname in columns
    }
    Historical.objects.create(
        **values,
        history_date=timezone.now(),
        history_type="~",
        history_change_reason=REASON,
        history_user_id=system_user_id(apps),
    )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0011_employment_costs")]

    operations = [
        migrations.RemoveConstraint(
            model_name="policy", name="policy_provincial_approval_over_non_negative"
        ),
        migrations.RemoveConstraint(
            model_name="policy", name="policy_national_approval_over_non_negative"
        ),
        migrations.RenameField(
            model_name="policy",
            old_name="provincial_approval_over",
            new_name="provincial_approval_threshold",
        ),
        migrations.RenameField(
            model_name="policy",
            old_name="national_approval_over",
            new_name="national_approval_threshold",
        ),
        migrations.RenameField(
            model_name="historicalpolicy",
            old_name="provincial_approval_over",
            new_name="provincial_approval_threshold",
        ),
        migrations.RenameField(
            model_name="historicalpolicy",
            old_name="national_approval_over",
            new_name="national_approval_threshold",
        ),
        *[
            migrations.AlterField(
                model_name=model,
                name=name,
                field=_threshold(label),
            )
            for model in ("policy", "historicalpolicy")
            for name, label in (
                ("provincial_approval_threshold", "单项年度合计达到此额报省总工会审批（元）"),
                ("national_approval_threshold", "单项年度合计达到此额报全国总工会同意（元）"),
            )
        ],
        migrations.AddField(
            model_name="policy", name="approval_threshold_reading", field=_reading()
        ),
        migrations.AddField(
            model_name="historicalpolicy", name="approval_threshold_reading", field=_reading()
        ),
        migrations.AddConstraint(
            model_name="policy",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("national_approval_threshold__gt", 0), ("provincial_approval_threshold__gt", 0)
                ),
                name="policy_approval_thresholds_positive",
                violation_error_message="报省总工会审批和报全国总工会同意的金额须大于0元。",
            ),
        ),
        migrations.AddConstraint(
            model_name="policy",
            constraint=models.CheckConstraint(
                condition=models.Q(("approval_threshold_reading__in", ["inclusive", "exclusive"])),
                name="policy_approval_threshold_reading_valid",
            ),
        ),
        migrations.RunPython(wuhu_takes_the_inclusive_reading, migrations.RunPython.noop),
    ]
