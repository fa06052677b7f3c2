"""Every write to organisations, users and roles."""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Organisation, RoleGrant, User
from accounts.roles import ROLE_LEVELS, Level, Role
from accounts.selectors import is_system_user, scope_queryset
from core.history import delete_tracked, save_tracked


def _require_admin_over(actor: User, organisation: Organisation | None) -> None:
    """Administrators act on their own organisation and those below; the system account anywhere."""
    if is_system_user(actor):
        return
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("只有系统管理员可以管理组织和用户。")
    if organisation is None:
        if actor.organisation is not None and actor.organisation.level == Level.CITY:
            return
        raise PermissionDenied("只有市总工会的系统管理员可以创建市级组织。")
    if not scope_queryset(Organisation.objects.all(), actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied("该组织不在您的管理范围内。")


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    parent: Organisation | None,
    code: str,
    name: str,
    kind: str,
    policy_region: str = "",
) -> Organisation:
    _require_admin_over(actor, parent)
    level = Organisation.KIND_LEVEL[kind]
    if parent is not None:
        parent = Organisation.objects.select_for_update().get(pk=parent.pk)
        if parent.level != level - 1:
            raise ValidationError({"kind": "该类型的组织不能设在所选上级之下。"})
        if not parent.is_active:
            raise ValidationError({"parent": "上级组织已停用。"})
    elif level != Level.CITY:
        raise ValidationError({"parent": "县级和基层组织必须选择上级组织。"})
    organisation = Organisation(
        code=code,
        name=name,
        kind=kind,
        level=level,
        parent=parent,
        policy_region=policy_region if level == Level.CITY else "",
    )
    organisation.city = parent.city if parent else None
    organisation.county = parent.county if parent and parent.level >= Level.COUNTY else None
    save_tracked(organisation, actor=actor, reason="新建组织")
    # A city's and a county's own path points at itself.
    if level == Level.CITY:
        organisation.city = organisation
        save_tracked(organisation, actor=actor, reason="新建组织：路径", update_fields=["city"])
    elif level == Level.COUNTY:
        organisation.county = organisation
        save_tracked(organisation, actor=actor, reason="新建组织：路径", update_fields=["county"])
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    is_active: bool,
    policy_region: str | None = None,
) -> Organisation:
    _require_admin_over(actor, organisation)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not is_active and organisation.children.filter(is_active=True).exists():
        raise ValidationError({"is_active": "请先停用其下级组织。"})
    if not is_active and organisation.users.filter(is_active=True).exists():
        raise ValidationError({"is_active": "该组织仍有启用的用户，请先停用或调出。"})
    organisation.name = name
    organisation.is_active = is_active
    fields = ["name", "is_active", "updated_at"]
    if policy_region is not None and organisation.level == Level.CITY:
        organisation.policy_region = policy_region
        fields.append("policy_region")
    return save_tracked(organisation, actor=actor, reason="修改组织", update_fields=fields)


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
    _require_admin_over(actor, organisation)
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
    _require_admin_over(actor, user.organisation)
    _require_admin_over(actor, organisation)
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
    _require_admin_over(actor, user.organisation)
    user = User.objects.select_for_update().get(pk=user.pk)
    validate_password(password, user)
    user.set_password(password)
    return save_tracked(user, actor=actor, reason="管理员重置密码", update_fields=["password"])
