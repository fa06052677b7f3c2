"""`manage.py export_worker`: build the queued ledger exports (a province-size year).

Runs under systemd in production (Restart=always); `--once` builds what is queued and exits
(for cron or a test). On start, jobs left running by a stopped worker are failed, so that
their users can ask again.

A worker may run on every host: each job is claimed by one worker (`export_run`), and the
sweep of interrupted jobs is done by one worker at a time (`core.locks.run_once`).
"""

import datetime
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.locks import run_once
from funds.services.exports import export_fail_stale, export_run_queued

STALE_AFTER = datetime.timedelta(hours=6)


class Command(BaseCommand):
    help = "后台导出：生成排队中的帮扶资金账簿 Excel 文件。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="生成当前排队的任务后退出。")
        parser.add_argument("--interval", type=float, default=5.0, help="轮询间隔（秒）。")

    def handle(self, *args, once: bool, interval: float, **options):
        with run_once("export_worker.stale") as mine:
            if mine:
                for job in export_fail_stale(started_before=timezone.now() - STALE_AFTER):
                    self.stdout.write(
                        self.style.WARNING(f"导出任务 {job.pk} 生成中断，已标记失败。")
                    )
            else:
                self.stdout.write("另一台服务器正在清理中断的导出任务，本机跳过清理。")
        while True:
            for job in export_run_queued():
                line = f"导出任务 {job.pk}：{job.get_status_display()}"
                if job.status == job.Status.DONE:
                    self.stdout.write(self.style.SUCCESS(f"{line}，{job.rows} 行"))
                else:
                    self.stdout.write(self.style.ERROR(f"{line}：{job.error}"))
            if once:
                return
            time.sleep(interval)
