"""Reads of the policy: the version in force for a region and date, the county's 低保,
the lists an administrator sees, and what a new version would change."""

from collections.abc import Callable
from dataclasses import dataclass
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


def policy_list_for_user(user) -> QuerySet[Policy]:
    """The policies of the user's city (its policy region)."""
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return Policy.objects.none()
    return Policy.objects.filter(region=organisation.region).order_by("-effective_from")


def policy_bases_for_user(user) -> QuerySet[Policy]:
    """The policies an administrator may copy into a new version: the city's own; while its
    region has none yet, any region's (its first policy starts from a copy, DOMAIN.md §9)."""
    own = policy_list_for_user(user)
    organisation = getattr(user, "organisation", None)
    if organisation is None or not organisation.region or own.exists():
        return own
    return Policy.objects.order_by("region", "-effective_from")


@dataclass(frozen=True)
class PolicyImpact:
    """Open work that a new policy version from its date would judge anew."""

    kind: str
    text: str
    url: str = ""


# Readers of such work, registered by the apps above assistance (funds registers its unpaid
# grants in its AppConfig.ready), so that assistance imports none of them.
POLICY_IMPACT_READERS: list[Callable[..., list[PolicyImpact]]] = []


def policy_version_impact(*, region: str, effective_from: date) -> list[PolicyImpact]:
    """What a version of `region` in force from `effective_from` would change."""
    return [
        impact
        for reader in POLICY_IMPACT_READERS
        for impact in reader(region=region, effective_from=effective_from)
    ]


def minimum_living_standard_list_for_user(user, *, county_id: int | None = None):
    counties = scope_queryset(Organisation.objects.all(), user)
    qs = MinimumLivingStandard.objects.filter(county__in=counties).select_related("county")
    if county_id:
        qs = qs.filter(county_id=county_id)
    return qs.order_by("county__code", "-effective_from")
