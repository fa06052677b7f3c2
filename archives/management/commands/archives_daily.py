"""The archives' daily job (for cron): close the archives whose exit window has passed, and
list what needs a person — phase-outs that have ended (they need a visit) and re-checks
past their 15-working-day deadline.

Cron starts it on every host: it runs once a day all the same (`core.locks.once_a_day`).
Its changes are idempotent (a closed archive is not due again); the day is recorded so that
the lists, mailed to the county offices, are not sent once per host.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.selectors import system_user
from archives.selectors.exits import objections_overdue, phase_out_ended
from archives.services.exits import exits_finalise_due
from core.history import acting_as
from core.locks import once_a_day
from core.workdays import span_note

JOB = "archives_daily"
LABEL = "档案每日任务"


class Command(BaseCommand):
    help = (
        "档案每日任务：办结异议期已满的退档；列出渐退期已满待核查的档案和逾期未复核的退档复核申请。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--again",
            action="store_true",
            help="今天已运行过也再运行一次（仍不与其他服务器同时运行）。",
        )

    def handle(self, *args, again: bool = False, **options):
        system = system_user()
        today = timezone.localdate()
        with once_a_day(JOB, LABEL, today, actor=system, again=again) as turn:
            if not turn.go:
                self.stdout.write(self.style.WARNING(turn.why))
                return
            self.run(system, today)

    def run(self, system, today):
        with acting_as(system):
            closed, left = exits_finalise_due(actor=system)
        self.stdout.write(self.style.SUCCESS(f"已办结退档 {len(closed)} 份。"))
        for archive in closed:
            self.stdout.write(f"  已退档 {archive.number} {archive.person_name}")
        for archive, why in left:
            self.stdout.write(self.style.WARNING(f"  未办结 {archive.number}：{why}"))
        ended = list(phase_out_ended(today))
        self.stdout.write(f"渐退期已满、待走访核查的档案 {len(ended)} 份：")
        for archive in ended:
            self.stdout.write(
                f"  {archive.number} {archive.person_name}（{archive.county.name}，"
                f"渐退期至 {archive.phase_out_until:%Y-%m-%d}）"
            )
        overdue = list(objections_overdue(today))
        self.stdout.write(f"逾期未作出结论的退档复核 {len(overdue)} 件：")
        for objection in overdue:
            self.stdout.write(
                self.style.WARNING(
                    f"  {objection.archive.number} {objection.archive.person_name}"
                    f"（{objection.archive.county.name}，复核期限 {objection.decide_by:%Y-%m-%d}）"
                    f"{span_note(objection.received_on, objection.decide_by)}"
                )
            )
