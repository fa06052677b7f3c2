"""The only way a view gets a funds record: scoped to the user's organisation, or not found."""

from django.http import Http404

from accounts.selectors import scope_queryset
from funds.models import FundAccount


def access_account(user, pk: int) -> FundAccount:
    accounts = FundAccount.objects.select_related("organisation", "county", "city")
    account = scope_queryset(accounts, user).filter(pk=pk).first()
    if account is None:
        raise Http404("没有找到该账户，或您无权查看。")
    return account
