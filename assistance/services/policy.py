"""Every write of the assistance app."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Organisation, User
from accounts.roles import Level, Role
from accounts.selectors import scope_queryset
from assistance.models import MinimumLivingStandard, Policy
from core.history import save_tracked


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("只有系统管理员可以维护政策和低保标准。")


@transaction.atomic
def policy_create(*, actor: User, **fields) -> Policy:
    """A new policy version for a region, in force from its date on.

    A new version never changes what an older one judged: it may only start after the
    latest existing version of its region, which is closed the day before.
    """
    _require_admin(actor)
    policy = Policy(**fields)
    if policy.region != actor.organisation.region:
        raise PermissionDenied("只能为本市的政策地区新建政策版本。")
    previous = (
        Policy.objects.select_for_update()
        .filter(region=policy.region)
        .order_by("-effective_from")
        .first()
    )
    if previous is not None and policy.effective_from <= previous.effective_from:
        raise ValidationError(
            {"effective_from": f"新政策须在现行政策（{previous.code}）生效日期之后生效。"}
        )
    if previous is not None and policy.effective_from <= (
        previous.effective_to or datetime.date.max
    ):
        previous.effective_to = policy.effective_from - datetime.timedelta(days=1)
        save_tracked(
            previous,
            actor=actor,
            reason=f"新政策 {policy.code} 生效，本政策截止",
            update_fields=["effective_to", "updated_at"],
        )
    return save_tracked(policy, actor=actor, reason="新建政策版本")


@transaction.atomic
def minimum_living_standard_create(
    *,
    actor: User,
    county: Organisation,
    monthly_amount: Decimal,
    effective_from: datetime.date,
    document: str = "",
) -> MinimumLivingStandard:
    _require_admin(actor)
    county = scope_queryset(Organisation.objects.select_for_update(), actor).filter(pk=county.pk)
    county = county.first()
    if county is None or county.level != Level.COUNTY:
        raise ValidationError({"county": "请选择您管理范围内的县（市、区）级组织。"})
    if MinimumLivingStandard.objects.filter(county=county, effective_from=effective_from).exists():
        raise ValidationError({"effective_from": "该县（市、区）在这一天已有低保标准。"})
    standard = MinimumLivingStandard(
        county=county,
        monthly_amount=monthly_amount,
        effective_from=effective_from,
        document=document,
    )
    return save_tracked(standard, actor=actor, reason="录入城市低保标准")
