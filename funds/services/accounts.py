"""Opening a union level's special assistance account (帮扶资金专户, WH-F §10)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Organisation, User
from accounts.roles import Level, Role
from core.history import save_tracked
from funds.models import FundAccount


@transaction.atomic
def fund_account_create(
    *, actor: User, organisation: Organisation, name: str, bank_name: str, bank_account: str
) -> FundAccount:
    """One account per city or county union, opened by an administrator of the city."""
    if not actor.has_role(Role.ADMIN) or actor.organisation is None:
        raise PermissionDenied("帮扶资金专户由系统管理员开设。")
    if organisation.city_id != actor.organisation.city_id:
        raise PermissionDenied("只能为本市工会开设专户。")
    if organisation.level not in (Level.CITY, Level.COUNTY):
        raise ValidationError("帮扶资金专户按市、县两级工会设立。")
    if FundAccount.objects.filter(organisation=organisation).exists():
        raise ValidationError(f"{organisation.name}已有帮扶资金专户。")
    if not (name.strip() and bank_name.strip() and bank_account.strip()):
        raise ValidationError("请填写账户名称、开户银行和银行账号。")
    account = FundAccount(
        organisation=organisation,
        county=organisation if organisation.level == Level.COUNTY else None,
        city=organisation.city,
        name=name.strip(),
        bank_name=bank_name.strip(),
        bank_account=bank_account.strip(),
    )
    return save_tracked(account, actor=actor, reason="开设帮扶资金专户")
