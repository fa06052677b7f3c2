"""The recoveries (追回, WH-M §19) where other pages show them: the archive's page (kept in
the archives app, which knows nothing of funds), the account page and the ledgers."""

from django import template

from accounts.roles import Level
from funds.access import can_county_review
from funds.selectors import recoveries as selectors

register = template.Library()


@register.inclusion_tag("funds/recoveries/_archive_recoveries.html", takes_context=True)
def archive_recoveries(context, archive) -> dict:
    user = context["request"].user
    organisation = user.organisation
    may_record = (
        not can_county_review(user, archive.county_id, "登记追回")
        and archive.status != archive.Status.MERGED
    )
    # A grassroots union does not see recoveries (the county's business).
    visible = organisation is not None and organisation.level != Level.GRASSROOTS
    recoveries = selectors.recoveries_of_archive(archive) if visible else []
    return {
        "archive": archive,
        "recoveries": recoveries,
        "outstanding": selectors.outstanding_total(recoveries),
        "may_record": may_record and selectors.recoverable_grants(archive).exists(),
        "visible": visible,
    }


@register.inclusion_tag("funds/recoveries/_account_recoveries.html")
def account_recoveries(account) -> dict:
    recoveries = selectors.recoveries_of_account(account)
    return {
        "account": account,
        "recoveries": recoveries,
        "outstanding": selectors.outstanding_total(recoveries),
    }


@register.inclusion_tag("funds/recoveries/_ledger_recoveries.html")
def ledger_recoveries(accounts, account, year) -> dict:
    ids = [account.pk] if account else [a.pk for a in accounts]
    rows = selectors.ledger_recoveries(ids, year) if year else []
    return {
        "rows": rows,
        "year": year,
        "outstanding": sum((r.outstanding for r in rows), selectors.ZERO),
    }
