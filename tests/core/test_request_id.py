import io
import json
import logging
import uuid

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from config.observability import json_formatter, logging_config
from core.request_id import RequestIdFilter, current_request_id

pytestmark = pytest.mark.django_db


def test_a_sane_incoming_request_id_is_echoed(client):
    response = client.get(reverse("health"), HTTP_X_REQUEST_ID="lb-7f3a.9_c-01")
    assert response["X-Request-ID"] == "lb-7f3a.9_c-01"


@pytest.mark.parametrize(
    "incoming", [None, "", "bad id with spaces", "x" * 129, "<script>", "-lead"]
)
def test_a_missing_or_insane_request_id_is_replaced_by_a_uuid4(client, incoming):
    headers = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}
    response = client.get(reverse("health"), **headers)
    generated = response["X-Request-ID"]
    assert generated != incoming
    assert uuid.UUID(generated).version == 4


def test_every_log_line_of_the_request_carries_its_id_as_json(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    latest = MigrationRecorder.Migration.objects.order_by("-id").first()
    MigrationRecorder.Migration.objects.filter(pk=latest.pk).delete()
    try:
        response = client.get(reverse("health"), HTTP_X_REQUEST_ID="req-12345678")
    finally:
        root.removeHandler(handler)

    assert response.status_code == 503
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    failure = next(line for line in lines if line["logger"] == "core.health")
    assert failure["request_id"] == "req-12345678"
    assert failure["level"] == "ERROR"
    assert failure["message"] == "Health check migrations failed: 1 unapplied migration(s)"
    assert {line["request_id"] for line in lines} == {"req-12345678"}
    assert current_request_id.get() == "-"


def test_outside_a_request_the_id_is_a_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_the_log_format_is_json_or_text_only():
    assert logging_config("json")["handlers"]["console"]["formatter"] == "json"
    assert logging_config("text")["handlers"]["console"]["formatter"] == "text"
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        logging_config("xml")
