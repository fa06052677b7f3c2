"""The complete Wuhu policy, 芜工办〔2020〕14号 (issued and in force 2020-10-27)."""

import datetime
from decimal import Decimal

from django.db import migrations

from core.migration_utils import create_with_history

WUHU_2020 = {
    "code": "wuhu-2020",
    "name": "芜湖市工会困难职工帮扶实施办法（试行）及帮扶资金使用管理实施细则（试行）",
    "document": "芜工办〔2020〕14号",
    "region": "wuhu",
    "effective_from": datetime.date(2020, 10, 27),
    "effective_to": None,
    "workflow": "wuhu",
    # WH-M §5: P ≤ L deep, P ≤ 2L relative; accident costs 3万元以上.
    "deep_line_multiple": Decimal("1"),
    "relative_line_multiple": Decimal("2"),
    "accident_cost_threshold": Decimal("30000"),
    # WH-M §6(二)(7): 致困支出总额小于5000元不建立困难职工档案.
    "minimum_rigid_expenses": Decimal("5000"),
    # WH-M §7(5): 致困费用在1.5万元以下的不建立相对困难职工档案.
    "relative_rigid_expenses_floor": Decimal("15000"),
    # WH-M §5(四): 一年以上事实劳动关系.
    "migrant_min_labour_months": 12,
    # WH-M §7(5): assets.
    "no_deep_homes": 2,
    "no_deep_vehicles": 1,
    "no_file_homes": 3,
    "no_file_vehicles": 2,
    "no_file_homes_with_vehicle": 2,
    # WH-M §9: standards.
    "deep_living_months": 12,
    "relative_living_months": 9,
    "deep_education_months": 10,
    "relative_education_months": 8,
    "medical_floor": Decimal("5000"),
    "deep_medical_tiers": [
        ["10000", "4000"],
        ["20000", "9000"],
        ["30000", "15000"],
        [None, "20000"],
    ],
    "relative_medical_tiers": [
        ["10000", "3000"],
        ["20000", "7000"],
        ["30000", "12000"],
        [None, "16000"],
    ],
    "accident_rate": Decimal("0.15"),
    "accident_cap": Decimal("10000"),
    "relative_items_per_year": 1,
    "accident_items_per_year": 1,
    "items_funded": ["living", "medical", "education", "training", "legal_aid"],
    # WH-F §9: 超过2万元经省总工会审批，超过5万元报全国总工会同意.
    "provincial_approval_over": Decimal("20000"),
    "national_approval_over": Decimal("50000"),
    # Deadlines: WH-M §10(四), §14, §17; WH-F §9, §12; WH-M §13; §16.
    "notice_working_days": 5,
    "entry_working_days": 30,
    "allocation_working_days": 20,
    "exit_recheck_working_days": 15,
    "exit_objection_months": 1,
    "exit_months_above_line": 6,
    "phase_out_months": 6,
    "reverify_months_deep": 12,
    "reverify_months_relative": 6,
    "reverify_months_accident": 6,
    "retention_years": 30,
    "visit_coverage_percent": 50,
}


def create_policy(apps, schema_editor):
    create_with_history(
        apps, "assistance", "Policy", reason="数据迁移：录入芜工办〔2020〕14号", **WUHU_2020
    )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial"), ("accounts", "0002_system_user")]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
