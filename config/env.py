"""The one place the environment is read."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("APP_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int = 0, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise RuntimeError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_config() -> dict:
    """`DATABASE_URL` selects PostgreSQL; without it, an embedded SQLite file under var/."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "db.sqlite3",
        "OPTIONS": {"timeout": 20},
    }


def env_keys(name: str, default: str = "") -> list[bytes]:
    return [key.encode() for key in env_list(name, default)]


def sentry_options() -> dict:
    """Error reporting: `SENTRY_DSN` (empty: off), and how the events are labelled."""
    return {
        "dsn": env_str("SENTRY_DSN").strip(),
        "environment": env_str("SENTRY_ENVIRONMENT"),
        "release": env_str("SENTRY_RELEASE"),
        "traces_sample_rate": float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    }
