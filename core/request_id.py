"""The request id: one token per request, on its response and on every log line it writes.

The proxy's `X-Request-ID` is kept when it is a sane token (letters, digits, `.`, `_`, `-`,
at most 128 characters); otherwise a new uuid4 is made. The id lives in a context variable,
so a logging filter can stamp it on each record written while the request runs, up to
Django's own line about an error response (`django.request`, written after the middleware),
and is forgotten when the response is closed (`request_finished`).
"""

import logging
import re
import uuid
from contextvars import ContextVar

import sentry_sdk
from django.core.signals import request_finished

HEADER = "X-Request-ID"
NO_REQUEST = "-"
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")

current_request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def sane_request_id(value: str | None) -> str | None:
    return value if value and _SANE.fullmatch(value) else None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every later layer's log lines carry the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = sane_request_id(request.headers.get(HEADER)) or str(uuid.uuid4())
        request.request_id = request_id
        current_request_id.set(request_id)
        sentry_sdk.set_tag("request_id", request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget_request_id(**kwargs) -> None:
    current_request_id.set(NO_REQUEST)


request_finished.connect(_forget_request_id, dispatch_uid="core.request_id.forget")
