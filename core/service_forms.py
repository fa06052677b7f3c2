"""Running a service from what the user sent, and putting its refusal back on the page.

Every action view goes through `run_service`: the form is validated, the service called,
and a `ValidationError` or `PermissionDenied` it raises is shown the same way on every
page (on the form's fields, or as a message when there is no form), with one text.
"""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat

T = TypeVar("T")

NOT_DONE = "未办理：请按标红提示修改；已填内容均已保留。"


def refusal_text(error: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one sentence (for a page without a form)."""
    if isinstance(error, PermissionDenied):
        return str(error) or "您没有执行此操作的权限。"
    return "；".join(error.messages)


def run_service(
    request: HttpRequest,
    perform: Callable[[dict], T],
    *,
    form: forms.BaseForm | None = None,
    success: str | Callable[[T], str],
    done: Callable[[T], HttpResponse],
    not_done: str = "未办理",
) -> HttpResponse | None:
    """Validate `form` (if any), run `perform(cleaned_data)`, say `success` and return
    `done(result)` (a redirect). When the form is invalid or the service refuses, the reason
    goes onto the form (or, without a form, into a message), "未办理" is said once, and None
    is returned: the caller shows its page again with what the user typed. Without a form
    the message starts with `not_done` (e.g. "未上传" for an upload).
    """
    if form is not None and not form.is_valid():
        messages.error(request, NOT_DONE)
        return None
    try:
        result = perform(form.cleaned_data if form is not None else {})
    except (ValidationError, PermissionDenied) as error:
        if form is None:
            messages.error(request, f"{not_done}：{refusal_text(error)}")
        else:
            add_service_errors(form, error)
            messages.error(request, NOT_DONE)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return done(result)


def add_service_errors(form: forms.BaseForm, error: ValidationError | PermissionDenied) -> None:
    """A ValidationError on its fields (or the form), a PermissionDenied on the form: what
    the user typed stays on the page with the reason it was not done."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or "您没有执行此操作的权限。")
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def paginate(request, queryset, *, per_page: int = 25):
    """A page of `queryset`; a bad page number shows the first or last page, never an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def human_size(size: int) -> str:
    """E.g. "10.0 MB", with an ordinary space (Django puts a no-break space there)."""
    return filesizeformat(size).replace("\xa0", " ")


def oversized_upload(request) -> str:
    """A Chinese message when the request body is larger than any document may be, else "".

    Checked from the Content-Length header, before the body is read: a 200 MB upload is
    refused without being stored anywhere.
    """
    limit = settings.DOCUMENT_MAX_BYTES
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > limit + 64 * 1024:
        return f"文件超过 {human_size(limit)}，未保存，请压缩或拆分后重新上传。"
    return ""


def int_or_none(value: str | None) -> int | None:
    """A whole number typed or passed in a query string, else None.

    `str.isdigit()` alone accepts characters such as '²' that `int()` refuses.
    """
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None
