"""Reads of assistance grants: what the standard of an item is judged from for an archived
household (WH-M §9), what the household already had this year, and the scoped lists.

The standard is worked out by `funds.rules.item_standard` from the archive's current
figures (the latest visit's, or the approved case's) under the policy and the county's
城市低保标准 in force on the grant date: a grant is judged on the day it is proposed, as a
case is on its application date. This module only reads what the rules are asked about.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Level
from accounts.selectors import organisation_choices_for_user, scope_queryset
from archives.models import Archive
from archives.selectors.figures import current_figures
from assistance.assessment import assess_household
from assistance.eligibility import (
    EXPENSE_KINDS,
    INCOME_KINDS,
    Assessment,
    Category,
    Household,
    reason_text,
)
from assistance.models import Policy
from assistance.selectors import (
    PolicyImpact,
    PolicyNotFound,
    minimum_living_standard_for,
    policy_in_force,
)
from core.money import yuan
from funds.models import Grant, Item, PaymentLine
from funds.rules import (
    INPUT_FIELDS,
    accident_item_refusal,
    clean_inputs,
    granted_note,
    item_standard,
    one_standard_a_year,
    year_limit_refusal,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class GrantStandard:
    """What the standard gives for one item this year, and how it was worked out."""

    item: str
    category: str
    year: int
    policy: Policy
    minimum_living_standard: Decimal
    # The item's yearly standard for the household; None: the item has no standard
    # (vocational training, legal aid), the amount is what the service costs.
    yearly: Decimal | None
    # Counted grants of the same item this year (of any item for an accident household,
    # whose standard is one amount), and what is left of the standard.
    granted: Decimal
    basis: str
    inputs: dict = field(default_factory=dict)

    @property
    def amount(self) -> Decimal | None:
        if self.yearly is None:
            return None
        return max(self.yearly - self.granted, ZERO)


def counted_grants(archive: Archive, year: int) -> QuerySet[Grant]:
    """The archive's grants of `year` that count towards its limits (proposed, approved, paid)."""
    return Grant.objects.filter(archive=archive, year=year, status__in=Grant.COUNTED_STATUSES)


def counted_total(archive: Archive, year: int, *, item: str | None = None) -> Decimal:
    grants = counted_grants(archive, year)
    if item is not None:
        grants = grants.filter(item=item)
    return yuan(grants.aggregate(total=Sum("amount"))["total"] or ZERO)


def household_now(
    archive: Archive,
    *,
    figures: dict,
    on: datetime.date,
    minimum_living_standard: Decimal,
    inputs: dict,
    prior_assistance: Decimal = ZERO,
) -> Household:
    """The household as the archive knows it now (its current `figures`), judged on `on`."""
    case = archive.case

    def money(name: str) -> Decimal:
        return Decimal(str(figures.get(name, "0")))

    return Household(
        application_date=on,
        minimum_living_standard=minimum_living_standard,
        household_size=int(Decimal(str(figures.get("household_size", archive.household_size)))),
        annual_income={kind: money(f"income_{kind}") for kind in INCOME_KINDS},
        rigid_expenses={kind: money(f"expense_{kind}") for kind in EXPENSE_KINDS},
        employment_costs=money("employment_costs"),
        accident_costs=inputs["accident_costs"],
        medical_out_of_pocket=inputs["medical_out_of_pocket"],
        students=inputs["students"],
        urban_homes=int(Decimal(str(figures.get("urban_homes", case.urban_homes)))),
        vehicles=int(Decimal(str(figures.get("vehicles", case.vehicles)))),
        main_cause=case.main_cause,
        retired=case.retired,
        migrant_worker=case.migrant_worker,
        labor_relation_months=case.labor_relation_months,
        fixed_urban_residence=case.fixed_urban_residence,
        exclusions=tuple(case.exclusions),
        prior_assistance_this_year=prior_assistance,
    )


def _in_force(archive: Archive, on: datetime.date) -> tuple[Policy, Decimal]:
    try:
        policy = policy_in_force(region=archive.organisation.region, on=on)
        standard = minimum_living_standard_for(county=archive.county, on=on)
    except PolicyNotFound as exc:
        raise ValidationError(str(exc)) from exc
    return policy, standard.monthly_amount


def grant_standard(
    *, archive: Archive, item: str, year: int, inputs: dict, on: datetime.date
) -> GrantStandard:
    """The standard of `item` for the archive's household (WH-M §9, DOMAIN.md §6).

    Refuses (ValidationError, in Chinese) an item the policy does not fund, an item its
    category cannot have, an education grant without a student and a medical grant below
    the floor. Training and legal aid have no standard (`yearly` is None).
    """
    if item not in Item.values:
        raise ValidationError({"item": "请选择救助项目。"})
    label = Item(item).label
    policy, mls = _in_force(archive, on)
    if item not in (policy.items_funded or []):
        funded = "、".join(Item(i).label for i in policy.items_funded if i in Item.values)
        raise ValidationError({"item": f"{policy.name}不资助{label}（资助项目：{funded}）。"})
    category = archive.category
    if category == Category.ACCIDENT and (refusal := accident_item_refusal(item=item)):
        raise ValidationError(refusal)
    figures = current_figures(archive)
    cleaned = clean_inputs(inputs, figures)
    household = household_now(
        archive, figures=figures, on=on, minimum_living_standard=mls, inputs=cleaned
    )
    worked = item_standard(
        item=item,
        category=category,
        household=household,
        rules=policy.rules(),
        policy_code=policy.code,
        county_name=archive.county.name,
        on=on,
        inputs=cleaned,
    )
    yearly, kept = worked.yearly, worked.kept
    granted = counted_total(archive, year, item=None if one_standard_a_year(category) else item)
    basis = worked.basis + granted_note(category=category, yearly=yearly, granted=granted)
    return GrantStandard(
        item=item,
        category=category,
        year=year,
        policy=policy,
        minimum_living_standard=mls,
        yearly=yearly,
        granted=granted,
        basis=basis,
        inputs={
            **kept,
            "policy": policy.code,
            "minimum_living_standard": str(mls),
            "figures_on": on.isoformat(),
        },
    )


def reassess_with_prior_aid(
    archive: Archive, standard: GrantStandard, *, on: datetime.date, prior: Decimal
) -> Assessment:
    """A deep household's further item: the assessment with this year's earlier aid counted
    as income (WH-M §9(一): 要将前一救助资金作为家庭收入进行建档核算)."""
    figures = current_figures(archive)
    cleaned = clean_inputs({k: v for k, v in standard.inputs.items() if k in INPUT_FIELDS}, figures)
    household = household_now(
        archive,
        figures=figures,
        on=on,
        minimum_living_standard=standard.minimum_living_standard,
        inputs=cleaned,
        prior_assistance=prior,
    )
    return assess_household(household, standard.policy)


@dataclass(frozen=True)
class LimitCheck:
    """Whether the household may have one more item this year (WH-M §9), and why not."""

    refusal: str = ""
    # A deep household's further item: the assessment with this year's earlier aid.
    assessment: Assessment | None = None
    note: str = ""


def check_year_limits(
    archive: Archive, standard: GrantStandard, *, on: datetime.date
) -> LimitCheck:
    """One item a year for a relative household, one help for an accident household; a deep
    household's further item only if it is still deep-eligible with the earlier aid counted
    as income (就高不就低, 多重救助须将前一救助资金作为家庭收入进行建档核算)."""
    year, category, policy = standard.year, standard.category, standard.policy
    earlier = list(counted_grants(archive, year).order_by("created_at", "id"))
    listed = "、".join(
        f"{g.get_item_display()} {g.amount} 元（{g.get_status_display()}）" for g in earlier
    )
    refusal = year_limit_refusal(
        category=category,
        item=standard.item,
        year=year,
        earlier_items=[g.item for g in earlier],
        listed=listed,
        relative_items_per_year=policy.relative_items_per_year,
        accident_items_per_year=policy.accident_items_per_year,
    )
    if refusal:
        return LimitCheck(refusal=refusal)
    if category != Category.DEEP or not earlier:
        return LimitCheck()
    prior = yuan(sum((g.amount for g in earlier), ZERO))
    assessment = reassess_with_prior_aid(archive, standard, on=on, prior=prior)
    income = assessment.per_capita_monthly_income
    mls = standard.minimum_living_standard
    if not assessment.qualifies[Category.DEEP]:
        why = "；".join(
            reason_text(code)
            for code in assessment.reasons
            if code not in ("income_above_relative_line", "accident_costs_below_threshold")
        )
        return LimitCheck(
            refusal=f"深度困难职工家庭年度内多重救助须重新核算：{year}年已给予救助 {prior} 元，"
            f"计入家庭收入后家庭人均月收入为 {income} 元（城市低保标准 {mls} 元），"
            f"不再符合深度困难建档标准（{why}），不予本项救助。",
            assessment=assessment,
        )
    return LimitCheck(
        assessment=assessment,
        note=f"多重救助核算：{year}年已给予救助 {prior} 元计入家庭收入后，家庭人均月收入 "
        f"{income} 元，不高于城市低保标准 {mls} 元，仍符合深度困难建档标准。",
    )


# --- Lists -----------------------------------------------------------------------------------


def grant_list_for_user(
    user,
    *,
    status: str = "",
    year: int | None = None,
    item: str = "",
    county_id: int | None = None,
    archive_id: int | None = None,
) -> QuerySet[Grant]:
    grants = scope_queryset(Grant.objects.all(), user).select_related(
        "archive", "organisation", "county", "proposed_by", "decided_by"
    )
    if status:
        grants = grants.filter(status=status)
    if year:
        grants = grants.filter(year=year)
    if item:
        grants = grants.filter(item=item)
    if county_id:
        grants = grants.filter(county_id=county_id)
    if archive_id:
        grants = grants.filter(archive_id=archive_id)
    return grants.order_by("-created_at", "-id")


def live_line(grant: Grant) -> PaymentLine | None:
    """The line that holds the grant at the bank or paid it, if any."""
    return (
        grant.payment_lines.filter(status__in=(PaymentLine.Status.PENDING, PaymentLine.Status.PAID))
        .select_related("batch")
        .first()
    )


def grant_lines(grant: Grant) -> list[PaymentLine]:
    """The grant's payment lines, failed ones included (they stay as history)."""
    return list(grant.payment_lines.select_related("batch", "notification").order_by("id"))


def grants_payable(account) -> QuerySet[Grant]:
    """Approved grants of the account not in a live payment line: what a batch may take."""
    live = Q(payment_lines__status__in=(PaymentLine.Status.PENDING, PaymentLine.Status.PAID))
    return (
        Grant.objects.filter(account=account, status=Grant.Status.APPROVED)
        .exclude(live)
        .select_related("archive", "organisation")
        .order_by("decided_at", "id")
    )


def grant_history(grant: Grant) -> list:
    """Every saved state of the grant, newest first, with who and why."""
    return list(
        grant.history.select_related("history_user").order_by("-history_date", "-history_id")
    )


def county_choices(user):
    """Counties a city user may filter by; none for a county or grassroots user."""
    organisation = getattr(user, "organisation", None)
    if organisation is None or organisation.level != Level.CITY:
        return None
    return organisation_choices_for_user(user, levels=(Level.COUNTY,))


# Grants whose standard is still to be paid out: a new policy version may change it.
OPEN_STATUSES = (Grant.Status.PROPOSED, Grant.Status.APPROVED)


def open_grants_from(*, region: str, effective_from: datetime.date) -> QuerySet[Grant]:
    """The region's unpaid grants whose standard was worked out on or after `effective_from`
    (a grant's standard is computed under the policy in force on the day it is proposed):
    a policy version in force from that day would compute them under itself."""
    return (
        Grant.objects.filter(
            city__policy_region=region,
            status__in=OPEN_STATUSES,
            created_at__date__gte=effective_from,
        )
        .select_related("archive", "county")
        .order_by("created_at", "id")
    )


def open_grant_impacts(*, region: str, effective_from: datetime.date) -> list[PolicyImpact]:
    return [
        PolicyImpact(
            kind="未发放的帮扶救助项目",
            text=(
                f"{grant.county.name} 档案 {grant.archive.number} {grant.year}年"
                f"{grant.get_item_display()} {grant.amount} 元（{grant.get_status_display()}，"
                f"{timezone.localdate(grant.created_at):%Y-%m-%d} 按政策 "
                f"{grant.inputs.get('policy', '')} 计算标准 {grant.standard_amount} 元）"
            ),
            url=reverse("funds:grant_detail", args=[grant.pk]),
        )
        for grant in open_grants_from(region=region, effective_from=effective_from)
    ]
