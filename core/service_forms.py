"""Putting a service's ValidationError back onto the form the user filled in."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def paginate(request, queryset, *, per_page: int = 25):
    """A page of `queryset`; a bad page number shows the first or last page, never an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
