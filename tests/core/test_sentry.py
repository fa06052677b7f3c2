import json
import os
import subprocess
import sys
from pathlib import Path

import sentry_sdk
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json
import django
django.setup()
import sentry_sdk
from django.conf import settings
client = sentry_sdk.get_client()
print(json.dumps({
    "active": client.is_active(),
    "dsn": client.dsn,
    "send_default_pii": client.options["send_default_pii"],
    "max_request_body_size": client.options["max_request_body_size"],
    "include_local_variables": client.options["include_local_variables"],
    "environment": client.options["environment"],
    "integrations": sorted(client.integrations),
    "log_format": settings.LOG_FORMAT,
}))
"""


def _settings_loaded_with(settings_module: str, **env: str) -> dict:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SENTRY_", "LOG_FORMAT", "DJANGO_SETTINGS"))
    }
    environ.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_without_a_dsn_nothing_is_initialised():
    assert settings.SENTRY["dsn"] == ""
    assert not sentry_sdk.get_client().is_active()


def test_settings_load_with_a_dsn_and_report_nothing_personal():
    loaded = _settings_loaded_with(
        "config.settings.local",
        SENTRY_DSN="https://publickey@sentry.example.invalid/3",
        SENTRY_ENVIRONMENT="staging",
    )
    assert loaded["active"] is True
    assert loaded["dsn"] == "https://publickey@sentry.example.invalid/3"
    assert loaded["send_default_pii"] is False
    assert loaded["max_request_body_size"] == "never"
    assert loaded["include_local_variables"] is False
    assert loaded["environment"] == "staging"
    assert "django" in loaded["integrations"]


def test_production_logs_json_by_default_and_text_on_request():
    secrets = {
        "DJANGO_SECRET_KEY": "test-secret",
        "PII_KEYS": "ZGV2LW9ubHktcGlpLWtleS1ub3QtZm9yLXByb2R1Y3Q=",
        "PII_HASH_KEY": "test-hash-key",
    }
    production = _settings_loaded_with("config.settings.production", **secrets)
    assert production["log_format"] == "json"
    assert production["active"] is False
    assert (
        _settings_loaded_with("config.settings.production", LOG_FORMAT="text", **secrets)[
            "log_format"
        ]
        == "text"
    )
    assert _settings_loaded_with("config.settings.local")["log_format"] == "text"
