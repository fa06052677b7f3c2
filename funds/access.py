"""Who may see and do what in the funds.

- `access_*(user, pk)`: the only way a view gets a funds record, scoped to the user's
  organisation, or not found (404).
- `can_*(actor, …) -> str`: whether the actor may act, "" or the reason in Chinese (what the
  lifecycles' refusals and the pages' panels ask); `require_*` raises that reason as a
  PermissionDenied (for services without a lifecycle step).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.roles import Level, Role
from accounts.selectors import scope_queryset
from funds.models import (
    AllocationPlan,
    AllocationRestriction,
    Entry,
    ExportJob,
    FundAccount,
    Grant,
    PaymentBatch,
    Receipt,
    Recovery,
)

# --- Who may act ----------------------------------------------------------------------------


def can_finance(actor, account: FundAccount, what: str) -> str:
    """Finance staff of the account's own union."""
    if not actor.has_role(Role.FINANCE):
        return f"{what}须由财务人员办理。"
    if actor.organisation_id != account.organisation_id:
        return "只能办理本级工会帮扶资金专户的业务。"
    return ""


def require_finance(actor, account: FundAccount, what: str) -> None:
    if refusal := can_finance(actor, account, what):
        raise PermissionDenied(refusal)


def can_allocate(actor, account: FundAccount, what: str) -> str:
    """The city's finance: allocation plans are drawn up and passed down by the city
    (WH-F §7, §11)."""
    if refusal := can_finance(actor, account, what):
        return refusal
    if account.organisation.level != Level.CITY:
        return "分配使用方案由市总工会编制并下达到县级工会。"
    return ""


def can_county_review(actor, county_id: int, what: str) -> str:
    """A reviewer of the county union that keeps the archive (WH-M §19: 县（市、区）总工会)."""
    if not actor.has_role(Role.REVIEWER):
        return f"{what}须由县级工会审核人办理。"
    organisation = actor.organisation
    if organisation is None or organisation.level != Level.COUNTY or organisation.pk != county_id:
        return f"{what}须由档案所属县级工会的审核人办理。"
    return ""


def require_county_reviewer(actor, county_id: int, what: str) -> None:
    if refusal := can_county_review(actor, county_id, what):
        raise PermissionDenied(refusal)


# --- Fetching a record in the user's scope ------------------------------------------------------


def access_account(user, pk: int) -> FundAccount:
    accounts = FundAccount.objects.select_related("organisation", "county", "city")
    account = scope_queryset(accounts, user).filter(pk=pk).first()
    if account is None:
        raise Http404("没有找到该账户，或您无权查看。")
    return account


# --- Accounts, receipts, allocation plans, entries --------------------------------------


def accounts_in_scope(user):
    """The special accounts the user may see: the city's and every county's for the city,
    its own for a county, none for a grassroots union."""
    return scope_queryset(FundAccount.objects.select_related("organisation"), user)


def access_entry(user, pk: int) -> Entry:
    entries = Entry.objects.select_related(
        "account__organisation", "account__county", "account__city", "reverses", "created_by"
    )
    entry = scope_queryset(entries, user).filter(pk=pk).first()
    if entry is None:
        raise Http404("没有找到该分录，或您无权查看。")
    return entry


def access_receipt(user, pk: int) -> Receipt:
    receipt = (
        Receipt.objects.select_related("account__organisation", "recorded_by")
        .filter(account__in=accounts_in_scope(user), pk=pk)
        .first()
    )
    if receipt is None:
        raise Http404("没有找到该笔到账，或您无权查看。")
    return receipt


def access_plan(user, pk: int) -> AllocationPlan:
    plan = (
        AllocationPlan.objects.select_related("account__organisation", "recorded_by")
        .filter(account__in=accounts_in_scope(user), pk=pk)
        .first()
    )
    if plan is None:
        raise Http404("没有找到该分配使用方案，或您无权查看。")
    return plan


# --- Grants, payment batches, export jobs -------------------------------------------------


def access_grant(user, pk: int) -> Grant:
    grants = Grant.objects.select_related(
        "archive", "account", "organisation", "county", "proposed_by", "decided_by"
    )
    grant = scope_queryset(grants, user).filter(pk=pk).first()
    if grant is None:
        raise Http404("没有找到该帮扶项目，或您无权查看。")
    return grant


def access_batch(user, pk: int) -> PaymentBatch:
    batch = (
        PaymentBatch.objects.select_related("account__organisation", "created_by")
        .filter(account__in=accounts_in_scope(user), pk=pk)
        .first()
    )
    if batch is None:
        raise Http404("没有找到该发放批次，或您无权查看。")
    return batch


def access_export_job(user, pk: int) -> ExportJob:
    """An export's file is the books of its account (or of every account under the union
    that asked): whoever's scope covers that may see it."""
    job = ExportJob.objects.select_related("requested_by", "organisation").filter(pk=pk).first()
    if job is not None:
        account = job.params.get("account")
        if account is not None:
            visible = accounts_in_scope(user).filter(pk=account).exists()
        else:
            visible = user.organisation_id == job.organisation_id
        if visible:
            return job
    raise Http404("没有找到该导出任务，或您无权查看。")


# --- Recoveries (追回) and reduce / stop decisions (减拨、停拨) -----------------------------


def access_recovery(user, pk: int) -> Recovery:
    """The archive's county and its city see a recovery (auditors too, read-only); a
    grassroots union and another county do not."""
    recoveries = Recovery.objects.select_related(
        "archive", "account__organisation", "county", "evidence", "recorded_by", "confirmed_by"
    )
    recovery = scope_queryset(recoveries, user).filter(pk=pk).first()
    if recovery is None:
        raise Http404("没有找到该追回记录，或您无权查看。")
    return recovery


def access_restriction(user, pk: int) -> AllocationRestriction:
    restriction = (
        AllocationRestriction.objects.select_related("account", "to_account")
        .filter(account__in=accounts_in_scope(user), pk=pk)
        .first()
    )
    if restriction is None:
        raise Http404("没有找到该减拨、停拨决定，或您无权查看。")
    return restriction
