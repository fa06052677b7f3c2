"""Every write to organisations, users and roles."""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.access import require_admin_over
from accounts.models import Organisation, RoleGrant, User
from accounts.roles import ROLE_LEVELS, Level, Role
from core.history import delete_tracked, save_tracked


def _validate_roles(roles: Iterable[str], organisation: Organisation) -> list[str]:
    roles = sorted(set(roles))
    if not roles:
        raise ValidationError({"roles": "至少选择一个角色。"})
    for role in roles:
        if organisation.level not in ROLE_LEVELS[role]:
            raise ValidationError(
                {
                    "roles": f"“{Role(role).label}”角色不能设在{Level(organisation.level).label}组织。"
                }
            )
    return roles


def _set_roles(*, actor: User, user: User, roles: list[str]) -> None:
    current = {grant.role: grant for grant in user.role_grants.select_for_update()}
    for role in set(current) - set(roles):
        delete_tracked(current[role], actor=actor, reason="撤销角色")
    for role in set(roles) - set(current):
        save_tracked(RoleGrant(user=user, role=role), actor=actor, reason="授予角色")
    user.__dict__.pop("roles", None)


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    organisation: Organisation,
    roles: Iterable[str],
    password: str,
    phone: str = "",
) -> User:
    require_admin_over(actor, organisation)
    if not organisation.is_active:
        raise ValidationError({"organisation": "该组织已停用。"})
    roles = _validate_roles(roles, organisation)
    user = User(username=username, full_name=full_name, phone=phone, organisation=organisation)
    validate_password(password, user)
    user.set_password(password)
    save_tracked(user, actor=actor, reason="新建用户")
    _set_roles(actor=actor, user=user, roles=roles)
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    phone: str,
    organisation: Organisation,
    roles: Iterable[str],
    is_active: bool,
) -> User:
    require_admin_over(actor, user.organisation)
    require_admin_over(actor, organisation)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk and (not is_active or Role.ADMIN not in roles):
        raise ValidationError("不能停用自己或撤销自己的管理员角色。")
    roles = _validate_roles(roles, organisation)
    user.full_name = full_name
    user.phone = phone
    user.organisation = organisation
    user.is_active = is_active
    save_tracked(
        user,
        actor=actor,
        reason="修改用户",
        update_fields=["full_name", "phone", "organisation", "is_active"],
    )
    _set_roles(actor=actor, user=user, roles=roles)
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """An administrator resets a user's password (the user changes it through Django's view)."""
    require_admin_over(actor, user.organisation)
    user = User.objects.select_for_update().get(pk=user.pk)
    validate_password(password, user)
    user.set_password(password)
    return save_tracked(user, actor=actor, reason="管理员重置密码", update_fields=["password"])
