from django.core.management.base import BaseCommand

from accounts.selectors import system_user
from core.history import acting_as
from core.locks import another_host, run_once
from office.services.calendar import holiday_sync_from_chinesecalendar


class Command(BaseCommand):
    help = (
        "从已安装的 chinesecalendar 数据包补录缺少的法定节假日安排（不覆盖、不恢复管理员的修改）。"
    )

    def handle(self, *args, **options):
        system = system_user()
        # Adding only what is missing, it may run again; not twice at once (cron on every host).
        with run_once("calendar_sync") as mine:
            if not mine:
                self.stdout.write(self.style.WARNING(another_host("节假日安排同步")))
                return
            with acting_as(system):
                added = holiday_sync_from_chinesecalendar(actor=system)
        self.stdout.write(self.style.SUCCESS(f"已新增 {added} 条节假日安排。"))
