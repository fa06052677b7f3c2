"""Necessary employment costs (必要就业成本, WH-M §5(二)) on the case's figures.

Existing cases get 0 (nothing was entered for them); their stored assessments are kept as
they were made and are not recomputed here.
"""

import django.core.validators
from django.db import migrations, models


def _field():
    return models.DecimalField(
        decimal_places=2,
        default=0,
        max_digits=12,
        validators=[django.core.validators.MinValueValidator(0)],
        verbose_name="必要就业成本",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0010_history_reason_text"),
    ]

    operations = [
        migrations.AddField(model_name="case", name="employment_costs", field=_field()),
        migrations.AddField(model_name="historicalcase", name="employment_costs", field=_field()),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(("employment_costs__gte", 0)),
                name="case_employment_costs_non_negative",
            ),
        ),
    ]
