from django.core.management.base import BaseCommand

from accounts.selectors import system_user
from core.history import acting_as
from demo.archives import demo_archives_summary
from demo.cases import demo_cases_summary
from demo.funds import demo_funds_summary
from demo.review import demo_review_summary
from demo.seed import CITY_CODE, DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = (
        "创建演示数据（一个市、三个区、十二个基层工会、各角色用户及几十份帮扶申请，"
        "已提交的申请走到审核流程的各个环节），并打印登录账号。"
    )

    def handle(self, *args, **options):
        system = system_user()
        with acting_as(system):
            logins = demo_seed(actor=system)
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        by_organisation: dict[str, list[str]] = {}
        for login in logins:
            by_organisation.setdefault(login.organisation, []).append(
                f"{login.username}（{login.role}）"
            )
        for organisation, accounts in by_organisation.items():
            self.stdout.write(f"  {organisation}：{'  '.join(accounts)}")
        self.stdout.write(demo_cases_summary(city_code=CITY_CODE))
        self.stdout.write(demo_review_summary(city_code=CITY_CODE))
        self.stdout.write(demo_archives_summary(city_code=CITY_CODE))
        self.stdout.write(demo_funds_summary(city_code=CITY_CODE))
