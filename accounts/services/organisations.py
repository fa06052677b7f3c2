"""Every write to organisations, users and roles."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.access import require_admin_over
from accounts.models import Organisation, User
from accounts.roles import Level
from core.history import save_tracked


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
    require_admin_over(actor, parent)
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
    require_admin_over(actor, organisation)
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
