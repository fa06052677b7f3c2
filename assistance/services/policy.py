"""Every write of the assistance app."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Level, Role
from accounts.selectors import scope_queryset
from assistance.models import MinimumLivingStandard, Policy
from assistance.selectors import policy_bases_for_user, policy_version_impact
from core.history import save_tracked


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("只有系统管理员可以维护政策和低保标准。")


def _same(value, base_value) -> bool:
    """Whether a rule kept its base's value (the items funded in any order)."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return isinstance(base_value, list) and sorted(value) == sorted(base_value)
    return value == base_value


def _label(name: str) -> str:
    return str(Policy._meta.get_field(name).verbose_name)


@transaction.atomic
def policy_create(
    *,
    actor: User,
    base: Policy | None = None,
    sources: dict[str, str] | None = None,
    confirm_backdated: bool = False,
    **fields,
) -> Policy:
    """A new policy version for a region, in force from its date on.

    A new version never changes what an older one judged: it may only start after the
    latest existing version of its region, which is closed the day before.

    `base` is the version it was copied from (a region's first policy may copy another
    region's): each rule changed from the base names its source document in `sources`, an
    unchanged rule keeps the base's source. A version in force before today changes the
    open work `policy_version_impact` lists (unpaid grants): it is created only with
    `confirm_backdated`, and its history names that work.
    """
    _require_admin(actor)
    policy = Policy(**fields)
    if policy.region != actor.organisation.region:
        raise PermissionDenied("只能为本市的政策地区新建政策版本。")
    if base is not None and not policy_bases_for_user(actor).filter(pk=base.pk).exists():
        raise PermissionDenied(
            "只能以本市的政策为基础新建版本；本市尚无政策时可复制其他地区的政策。"
        )
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
    changes = _record_sources(policy, base, sources or {})
    impact = policy_version_impact(region=policy.region, effective_from=policy.effective_from)
    today = timezone.localdate()
    if policy.effective_from < today and not confirm_backdated:
        listed = f"，涉及{len(impact)}项未发放的帮扶救助项目" if impact else ""
        raise ValidationError(
            {
                "confirm_backdated": f"生效日期 {policy.effective_from:%Y-%m-%d} 早于今天，"
                f"新版本将追溯适用{listed}。请核对后勾选“确认追溯生效”。"
            }
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
    reason = "新建政策版本"
    if base is not None:
        reason += f"（复制自 {base.code}；修改：{'；'.join(changes) or '无'}）"
    if policy.effective_from < today:
        reason += f"；确认追溯自 {policy.effective_from:%Y-%m-%d} 生效"
        if impact:
            reason += f"，涉及：{'；'.join(item.text for item in impact)}"
    return save_tracked(policy, actor=actor, reason=reason)


def _record_sources(policy: Policy, base: Policy | None, sources: dict[str, str]) -> list[str]:
    """Fill `policy.sources` (every rule's document) and return the changes, as text.

    A rule changed from `base` must name its document; one kept keeps the base's."""
    rule_fields = Policy.rule_fields()
    sources = {name: (text or "").strip() for name, text in sources.items()}
    unknown = set(sources) - set(rule_fields)
    if unknown:
        raise ValidationError(f"不是政策的数值项：{'、'.join(sorted(unknown))}")
    policy.based_on = base
    if base is None:
        policy.sources = {name: text for name, text in sources.items() if text}
        return []
    recorded, changes, missing = {}, [], {}
    for name in rule_fields:
        if _same(getattr(policy, name), getattr(base, name)):
            recorded[name] = sources.get(name) or base.source_of(name)
            continue
        if not sources.get(name):
            missing[f"source_{name}"] = (
                f"已修改“{_label(name)}”，请填写该项数值的依据文件（如 鲁财建〔2017〕33号）。"
            )
            continue
        recorded[name] = sources[name]
        changes.append(f"{_label(name)}（依据 {sources[name]}）")
    if missing:
        raise ValidationError(missing)
    policy.sources = recorded
    return changes


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
