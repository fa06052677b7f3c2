"""Filters of the books, the export request, the audit lists and the performance report.

Whatever is typed into the address bar, a filter form never crashes a page: a wrong value
is reported and its default used instead (`values()`).
"""

from django import forms
from django.utils import timezone

from funds.models import Grant, PaymentBatch
from funds.selectors.ledgers import BOOKS, ledger_accounts_for_user

MIN_YEAR, MAX_YEAR = 2000, 2100


class BookFilterForm(forms.Form):
    """A budget year, and one account of the user's scope or all of them."""

    year = forms.IntegerField(
        label="预算年度", min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
    )
    account = forms.ModelChoiceField(
        label="账户", queryset=None, required=False, empty_label="全部账户"
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = ledger_accounts_for_user(user)

    def cleaned(self) -> dict:
        """The fields that are right (a wrong one is left out, its error on the form)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def values(self) -> dict:
        """The cleaned values, each field's default where it was wrong or left out."""
        cleaned = self.cleaned()
        return {
            "year": cleaned.get("year") or timezone.localdate().year,
            "account": cleaned.get("account"),
        }


class LedgerFilterForm(BookFilterForm):
    book = forms.ChoiceField(label="账簿", choices=list(BOOKS.items()), required=False)

    def values(self) -> dict:
        values = super().values()
        cleaned = self.cleaned()
        values["book"] = cleaned.get("book") or "general"
        return values


class ExportRequestForm(forms.Form):
    year = forms.IntegerField(label="预算年度", min_value=MIN_YEAR, max_value=MAX_YEAR)
    account = forms.ModelChoiceField(
        label="账户", queryset=None, required=False, empty_label="全部账户"
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = ledger_accounts_for_user(user)


class GrantAuditFilterForm(BookFilterForm):
    year = forms.IntegerField(label="年度", min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部状态"), *Grant.Status.choices], required=False
    )

    def values(self) -> dict:
        cleaned = self.cleaned()
        return {
            "year": cleaned.get("year"),
            "account": cleaned.get("account"),
            "status": cleaned.get("status") or "",
        }


class BatchAuditFilterForm(BookFilterForm):
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部状态"), *PaymentBatch.Status.choices], required=False
    )

    def values(self) -> dict:
        cleaned = self.cleaned()
        return {"account": cleaned.get("account"), "status": cleaned.get("status") or ""}
