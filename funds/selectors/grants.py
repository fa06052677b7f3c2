"""Reads of assistance grants: the standard an item comes to for an archived household
(WH-M §9), what the household already had this year, and the scoped lists.

The standard is computed from the archive's current figures (the latest visit's, or the
approved case's) under the policy and the county's 城市低保标准 in force on the grant
date: a grant is judged on the day it is proposed, as a case is on its application date.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

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
    standards_for,
)
from assistance.models import Policy
from assistance.selectors import (
    PolicyImpact,
    PolicyNotFound,
    minimum_living_standard_for,
    policy_in_force,
)
from core.money import yuan
from funds.grant_rules import accident_item_refusal
from funds.models import Grant, Item, PaymentLine

ZERO = Decimal("0.00")
# An accident household's one standard (WH-M §9(三)) is booked under the item its cause fits
# (`funds.grant_rules.ACCIDENT_ITEMS`; the model has no accident item): this is how its basis
# names it.
ACCIDENT_BASIS = "意外致困一次性救助"
# What a caseworker may enter for the standard, besides what the archive already knows.
INPUT_FIELDS = {
    "students": "在校学生（人）",
    "medical_out_of_pocket": "医保内个人实际负担医疗费（元）",
    "accident_costs": "年度致困费用（损失）（元）",
}
# Which input each item's standard reads.
ITEM_INPUTS = {
    Item.EDUCATION: "students",
    Item.MEDICAL: "medical_out_of_pocket",
}


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


def _number(name: str, raw, default) -> Decimal:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raw = default
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise ValidationError({name: f"{INPUT_FIELDS[name]}不是数字。"}) from exc
    if not value.is_finite() or value < 0:
        raise ValidationError({name: f"{INPUT_FIELDS[name]}不能为负数。"})
    if value > Decimal("100000000"):
        raise ValidationError({name: f"{INPUT_FIELDS[name]}过大，请核对。"})
    return value


def clean_inputs(inputs: dict, figures: dict) -> dict:
    """The standard's inputs: each typed value, or the archive's current figure."""
    unknown = set(inputs or {}) - set(INPUT_FIELDS)
    if unknown:
        raise ValidationError(f"不能用于计算救助标准的数据：{'、'.join(sorted(unknown))}")
    inputs = inputs or {}
    cleaned = {
        name: _number(name, inputs.get(name), figures.get(name, "0")) for name in INPUT_FIELDS
    }
    students = cleaned["students"]
    if students != students.to_integral_value():
        raise ValidationError({"students": "在校学生人数须为整数。"})
    cleaned["students"] = int(students)
    household_size = int(Decimal(str(figures.get("household_size", "1"))))
    if cleaned["students"] > household_size:
        raise ValidationError(
            {"students": f"在校学生人数不能超过共同生活人口（{household_size} 人）。"}
        )
    for name in ("medical_out_of_pocket", "accident_costs"):
        cleaned[name] = yuan(cleaned[name])
    return cleaned


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


def _tier_text(tiers, floor: Decimal) -> str:
    parts, lower = [], floor
    for tier in tiers:
        if tier.up_to is None:
            parts.append(f"{lower} 元以上 {tier.amount} 元")
        else:
            parts.append(f"{lower}–{tier.up_to} 元 {tier.amount} 元")
            lower = tier.up_to
    return "；".join(parts)


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
    rules = policy.rules()
    standards = standards_for(category, household, rules)
    under = (
        f"（{archive.county.name} {on:%Y-%m-%d} 执行的城市低保标准 {mls} 元/月，"
        f"政策 {policy.code}）"
    )
    kept: dict = {}
    if category == Category.ACCIDENT:
        yearly = standards.accident
        costs = cleaned["accident_costs"]
        kept["accident_costs"] = str(costs)
        rate = format((rules.accident_rate * 100).normalize(), "f")
        basis = (
            f"{ACCIDENT_BASIS}（记入{label}）：年度致困费用 {costs} 元 × {rate}%，"
            f"最高 {rules.accident_cap} 元（政策 {policy.code}），标准 {yearly} 元。"
        )
        if yearly == 0:
            raise ValidationError(
                {"accident_costs": "没有致困费用（损失），不能给予意外致困一次性救助。"}
            )
    elif item == Item.LIVING:
        months = (
            rules.deep_living_months if category == Category.DEEP else rules.relative_living_months
        )
        yearly = standards.living
        basis = (
            f"{Category(category).label}职工家庭生活救助：{months} 个月 × 城市低保标准 {mls} 元"
            f" = {yearly} 元/年{under}。"
        )
    elif item == Item.EDUCATION:
        months = (
            rules.deep_education_months
            if category == Category.DEEP
            else rules.relative_education_months
        )
        students = cleaned["students"]
        kept["students"] = students
        if students == 0:
            raise ValidationError({"students": "家庭没有在校学生，不能给予助学救助。"})
        yearly = standards.education
        basis = (
            f"{Category(category).label}职工家庭助学救助：每生每年 {months} 个月 × 城市低保标准 "
            f"{mls} 元 × {students} 名在校学生 = {yearly} 元{under}。"
        )
    elif item == Item.MEDICAL:
        spent = cleaned["medical_out_of_pocket"]
        kept["medical_out_of_pocket"] = str(spent)
        if spent < rules.medical_floor:
            raise ValidationError(
                {
                    "medical_out_of_pocket": f"医保内个人实际负担医疗费 {spent} 元，"
                    f"不满 {rules.medical_floor} 元，不予医疗救助。"
                }
            )
        tiers = (
            rules.deep_medical_tiers if category == Category.DEEP else rules.relative_medical_tiers
        )
        yearly = standards.medical
        basis = (
            f"{Category(category).label}职工家庭医疗救助：医保内个人实际负担医疗费 {spent} 元，"
            f"定额救助 {yearly} 元（档次：{_tier_text(tiers, rules.medical_floor)}；"
            f"政策 {policy.code}）。"
        )
    else:
        yearly = None
        basis = f"{label}：按实际发生的服务费用救助，没有定额标准（政策 {policy.code}）。"
    # An accident household's standard is one amount whatever item it is booked under.
    one_amount = category == Category.ACCIDENT
    granted = counted_total(archive, year, item=None if one_amount else item)
    if yearly is not None and granted:
        which = "本年度" if one_amount else "本年度该项目"
        basis += f"{which}已给予 {granted} 元，尚余标准 {max(yearly - granted, ZERO)} 元。"
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
    other_items = {g.item for g in earlier} - {standard.item}
    if category == Category.RELATIVE and len(other_items) >= policy.relative_items_per_year:
        return LimitCheck(
            refusal=f"相对困难职工家庭只予单一项目救助，不予多重救助：{year}年已有 {listed}。"
        )
    if category == Category.ACCIDENT and len(earlier) >= policy.accident_items_per_year:
        return LimitCheck(refusal=f"意外致困职工家庭给予一次性救助：{year}年已有 {listed}。")
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
