import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Organisation
from accounts.roles import Role
from accounts.selectors import system_user
from accounts.services.organisations import organisation_create
from accounts.services.users import user_create
from core.history import acting_as


class Command(BaseCommand):
    help = "新部署时创建市总工会及其第一位系统管理员（其余组织与用户在网页中管理）。"

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="市总工会编码，如 WH")
        parser.add_argument("--name", required=True, help="名称，如 芜湖市总工会")
        parser.add_argument("--region", required=True, help="政策地区，如 wuhu")
        parser.add_argument("--admin", required=True, help="管理员登录名")
        parser.add_argument("--admin-name", default="系统管理员", help="管理员姓名")

    def handle(self, *args, code, name, region, admin, admin_name, **options):
        password = getpass.getpass("管理员密码：")
        if password != getpass.getpass("再次输入："):
            raise CommandError("两次输入的密码不一致。")
        system = system_user()
        try:
            with acting_as(system), transaction.atomic():
                city = organisation_create(
                    actor=system,
                    parent=None,
                    code=code,
                    name=name,
                    kind=Organisation.Kind.CITY,
                    policy_region=region,
                )
                user_create(
                    actor=system,
                    username=admin,
                    full_name=admin_name,
                    organisation=city,
                    roles=[Role.ADMIN],
                    password=password,
                )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已创建 {name}（{code}）及管理员 {admin}。")
