from django.db import migrations

from core.migration_utils import SYSTEM_USERNAME, create_with_history


def create_system_user(apps, schema_editor):
    create_with_history(
        apps,
        "accounts",
        "User",
        reason="系统初始化：创建系统账户（用于命令与后台任务的审计记录）",
        username=SYSTEM_USERNAME,
        full_name="系统",
        password="!",
        is_active=False,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_system_user, migrations.RunPython.noop)]
