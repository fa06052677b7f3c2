"""Logging and error reporting, configured from the environment (docs/operations.md)."""

from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ["asctime", "levelname", "name", "message", "request_id"]


def json_formatter() -> JsonFormatter:
    """One JSON object a line: time, level, logger, message, request id (and any `extra`)."""
    return JsonFormatter(
        JSON_FIELDS,
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )


def logging_config(log_format: str) -> dict:
    """The LOGGING setting: every record to standard error, as JSON or as readable text."""
    if log_format not in {"json", "text"}:
        raise RuntimeError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
        "formatters": {
            "json": {"()": "config.observability.json_formatter"},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": "INFO"},
        "loggers": {"axes": {"level": "WARNING"}},
    }


def init_sentry(dsn: str, *, environment: str, release: str, traces_sample_rate: float) -> None:
    """Report unhandled errors to a (self-hosted) Sentry; only called when a DSN is set.

    Nothing personal leaves: no user, cookies or client address (`send_default_pii`), no
    request body (forms carry ID and bank card numbers) and no local variables of the
    stack frames (they may hold decrypted numbers).
    """
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        environment=environment or None,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
    )
