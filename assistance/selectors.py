from datetime import date

from django.db.models import Q, QuerySet

from accounts.models import Organisation
from accounts.selectors import scope_queryset
from assistance.models import MinimumLivingStandard, Policy


class PolicyNotFound(LookupError):
    pass


def policy_in_force(*, region: str, on: date) -> Policy:
    policy = (
        Policy.objects.filter(region=region, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
        .first()
    )
    if policy is None:
        raise PolicyNotFound(f"{on:%Y-%m-%d} 在地区 {region} 没有生效的帮扶政策。")
    return policy


def minimum_living_standard_for(*, county: Organisation, on: date) -> MinimumLivingStandard:
    standard = (
        MinimumLivingStandard.objects.filter(county=county, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if standard is None:
        raise PolicyNotFound(f"{county.name} 在 {on:%Y-%m-%d} 没有已录入的城市低保标准。")
    return standard


def policy_list() -> QuerySet[Policy]:
    return Policy.objects.order_by("region", "-effective_from")


def minimum_living_standard_list_for_user(user, *, county_id: int | None = None):
    counties = scope_queryset(Organisation.objects.all(), user)
    qs = MinimumLivingStandard.objects.filter(county__in=counties).select_related("county")
    if county_id:
        qs = qs.filter(county_id=county_id)
    return qs.order_by("county__code", "-effective_from")
