from django.core.management.base import BaseCommand

from accounts.models import User
from core.history import acting_as
from core.migration_utils import SYSTEM_USERNAME
from core.workdays import holiday_sync_from_chinesecalendar


class Command(BaseCommand):
    help = (
        "从已安装的 chinesecalendar 数据包补录缺少的法定节假日安排（不覆盖、不恢复管理员的修改）。"
    )

    def handle(self, *args, **options):
        system = User.objects.get(username=SYSTEM_USERNAME)
        with acting_as(system):
            added = holiday_sync_from_chinesecalendar(actor=system)
        self.stdout.write(self.style.SUCCESS(f"已新增 {added} 条节假日安排。"))
