"""Assistance grants (帮扶救助) for archived households: proposed by the union that keeps the
archive, approved by a second person, paid once (先建档、后帮扶、实名制).

DOMAIN.md §6, WH-M §8–§9, WH-F §7 §9, TA-F §4. The standard comes from the archive's
current figures under the policy and 低保 in force on the grant date
(`funds.selectors.grants.grant_standard`); the limits are checked on the locked archive
so that two proposals for one household cannot both pass:

- a relative household gets one item a year, an accident household one one-off help;
- a deep household's further item this year re-runs the assessment with the earlier aid
  counted as income, and is given only if the household is still deep-eligible;
- the caps the seed states as maxima are never lifted by an approval document, above its
  standard only a deep household's medical aid may go, and a household's yearly total for
  one item at the policy's thresholds (Wuhu: 2万元以上 / 5万元以上, inclusive) needs the
  provincial / national federation's approval: each rule is a pure function of
  `funds.rules`.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from archives.access import STAFF_ROLES, require_staff_in_scope
from archives.models import Archive
from archives.services.lifecycle import lock_archive
from assistance.assessment import assessment_as_json
from assistance.eligibility import Category
from core.history import save_tracked
from core.lifecycle import take
from core.money import yuan
from funds import rules
from funds.lifecycles import GRANTS
from funds.models import FundAccount, Grant, Item, Source
from funds.rules import ACCIDENT_BASIS
from funds.selectors.grants import GrantStandard, check_year_limits, grant_standard
from funds.services.ledger import require_in_budget_year

# A grant needs an archive in force: not one being closed (退档告知期), closed or merged.
GRANTABLE_STATUSES = (Archive.Status.OPEN, Archive.Status.PHASE_OUT)
MAX_AMOUNT = Decimal("999999999999.99")


def _require_grantable(archive: Archive, what: str) -> None:
    if archive.status not in GRANTABLE_STATUSES:
        raise ValidationError(
            f"档案{archive.get_status_display()}，不能{what}：先建档、后帮扶，"
            "只有在档（含渐退期）的困难职工可以给予帮扶救助。"
        )


def county_account(archive: Archive) -> FundAccount:
    account = FundAccount.objects.filter(organisation_id=archive.county_id).first()
    if account is None:
        raise ValidationError(f"{archive.county.name}尚未开设帮扶资金专户，不能提出帮扶救助。")
    return account


def _amount(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValidationError({"amount": "救助金额不是数字。"}) from exc
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": "救助金额须大于零。"})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": "救助金额过大，请核对。"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": "救助金额最多保留两位小数（元、角、分）。"})
    return yuan(amount)


@transaction.atomic
def grant_propose(
    *,
    actor: User,
    archive: Archive,
    item: str,
    year: int,
    source: str,
    amount: Decimal | str | None = None,
    inputs: dict,
    basis: str = "",
    provincial_approval: str = "",
    national_approval: str = "",
) -> Grant:
    """Propose an assistance item for an archived household (帮扶救助), at its standard.

    `amount` defaults to the standard; a different amount needs a reason (`basis`). No
    approval document lifts a cap the seed states as a maximum; only a deep household's
    medical aid may go above its standard, with the provincial approval document. The
    household's yearly total for the item at the policy's thresholds needs the provincial
    or national approval document number.
    """
    archive = lock_archive(archive)
    require_staff_in_scope(actor, archive, STAFF_ROLES, "提出帮扶救助")
    if actor.organisation_id not in (archive.organisation_id, archive.county_id):
        raise PermissionDenied("帮扶救助由档案所在的基层工会或县级工会提出。")
    _require_grantable(archive, "提出帮扶救助")
    account = county_account(archive)
    today = timezone.localdate()
    if not isinstance(year, int) or not (archive.opened_on.year <= year <= today.year):
        raise ValidationError(
            {"year": f"救助年度须在建档年度（{archive.opened_on.year}年）至今年之间。"}
        )
    if source not in Source.values:
        raise ValidationError({"source": "请选择资金来源。"})
    require_in_budget_year(
        field="source", account=account, source=source, year=year, on=today, what="列支"
    )
    reason = (basis or "").strip()
    provincial_approval = (provincial_approval or "").strip()
    national_approval = (national_approval or "").strip()
    amount = _amount(amount)

    standard = grant_standard(archive=archive, item=item, year=year, inputs=inputs, on=today)
    check = check_year_limits(archive, standard, on=today)
    if check.refusal:
        raise ValidationError(check.refusal)
    category = standard.category
    notes = [standard.basis, *([check.note] if check.note else [])]
    assessment_json = assessment_as_json(check.assessment) if check.assessment else None

    if amount is None:
        if standard.amount is None:
            raise ValidationError(
                {"amount": f"{Item(item).label}没有定额标准，请填写救助金额并说明依据。"}
            )
        if standard.amount == 0:
            raise ValidationError(
                {
                    "amount": f"{year}年{Item(item).label}已给予 {standard.granted} 元，"
                    f"达到标准 {standard.yearly} 元。"
                }
            )
        amount = standard.amount
    refusal = _caps_and_approvals(
        standard,
        amount=amount,
        provincial_approval=provincial_approval,
        national_approval=national_approval,
    )
    if amount != standard.amount and not reason:
        refusal["basis"] = (
            f"救助金额 {amount} 元与标准 {standard.amount or '（无定额）'} 元不同，请说明理由。"
        )
    if refusal:
        raise ValidationError(refusal)
    if reason:
        notes.append(f"救助金额 {amount} 元。说明：{reason}")
    if provincial_approval:
        notes.append(f"省总工会审批文号：{provincial_approval}。")
    if national_approval:
        notes.append(f"全国总工会同意文号：{national_approval}。")

    grant = Grant(
        archive=archive,
        account=account,
        organisation=archive.organisation,
        county=archive.county,
        city=archive.city,
        year=year,
        item=item,
        source=source,
        category=category,
        standard_amount=standard.amount if standard.amount is not None else Decimal("0.00"),
        amount=amount,
        basis="\n".join(notes),
        inputs=standard.inputs,
        assessment=assessment_json,
        provincial_approval=provincial_approval,
        national_approval=national_approval,
        proposed_by=actor,
    )
    label = Item(item).label
    if category == Category.ACCIDENT:
        label = f"{ACCIDENT_BASIS}（记入{label}）"
    return save_tracked(grant, actor=actor, reason=f"提出帮扶救助：{year}年{label} {amount} 元")


def _caps_and_approvals(
    standard: GrantStandard,
    *,
    amount: Decimal,
    provincial_approval: str,
    national_approval: str,
) -> rules.Refusal:
    """The household's yearly total with `amount` against the seed's caps (never lifted by
    an approval), the standard (only deep medical aid above it, with the provincial
    approval) and the approval thresholds (`funds.rules`): the first rule that
    refuses, as `{field: message}`."""
    policy, policy_rules = standard.policy, standard.policy.rules()
    category, item, year = standard.category, standard.item, standard.year
    total = standard.granted + amount
    refusal = rules.hard_cap_refusal(
        category=category,
        item=item,
        year=year,
        total=total,
        relative_medical_cap=max(tier.amount for tier in policy_rules.relative_medical_tiers),
        accident_rate=policy_rules.accident_rate,
        accident_cap=policy_rules.accident_cap,
        accident_costs=Decimal(standard.inputs.get("accident_costs", "0")),
    ) or rules.above_standard_refusal(
        category=category,
        item=item,
        amount=amount,
        standard_amount=standard.amount,
        provincial_approval=provincial_approval,
    )
    if not refusal and item == Item.MEDICAL and category != Category.ACCIDENT:
        # An accident household's medical booking is 15 % of its costs, below what it paid.
        spent = Decimal(standard.inputs["medical_out_of_pocket"])
        refusal = rules.out_of_pocket_refusal(year=year, total=total, spent=spent)
    return refusal or rules.approval_refusal(
        year=year,
        item_label=Item(item).label,
        total=total,
        provincial_threshold=policy.provincial_approval_threshold,
        national_threshold=policy.national_approval_threshold,
        inclusive=policy.approval_inclusive,
        provincial_approval=provincial_approval,
        national_approval=national_approval,
    )


@transaction.atomic
def grant_decide(*, actor: User, grant: Grant, approve: bool, opinion: str) -> Grant:
    """A reviewer of the county or the city approves or rejects a proposed grant; never the
    person who proposed it (职责分离; `funds.lifecycles.GRANTS`)."""
    opinion = (opinion or "").strip()

    def effect(locked: Grant, transition) -> list[str]:
        if approve:
            _require_grantable(locked.archive, "批准帮扶救助")
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.opinion = opinion or "同意。"
        return ["decided_by", "decided_at", "opinion"]

    return take(
        GRANTS,
        obj=grant,
        actor=actor,
        action="approve" if approve else "reject",
        # An approval's opinion is on the grant; a rejection's is its history reason too.
        reason="" if approve else opinion,
        effect=effect,
    )


@transaction.atomic
def grant_cancel(*, actor: User, grant: Grant, reason: str) -> Grant:
    """The proposer's union withdraws a grant not yet paid and not at the bank (撤销)."""
    return take(GRANTS, obj=grant, actor=actor, action="cancel", reason=reason or "")


def grant_pay(*, actor: User, grant: Grant, paid_on, batch_number: str) -> Grant:
    """The bank has paid the grant (called with the line's result, in its transaction)."""

    def effect(locked: Grant, _) -> list[str]:
        locked.paid_on = paid_on
        return ["paid_on"]

    return take(
        GRANTS, obj=grant, actor=actor, action="pay", reason=f"批次 {batch_number}", effect=effect
    )
