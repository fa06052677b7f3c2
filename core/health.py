"""The health checks behind `/health/` (docs/operations.md, "Health, logs and errors").

A check is a function without arguments that returns nothing when its part of the service
works and raises any exception when it does not. `HEALTH_CHECKS` (settings) lists them by
dotted path, in order; a later check (the task worker's heartbeat) is one more function
and one more line in that list.
"""

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

PROBE_DIR = "health"


class HealthCheckFailed(Exception):
    """A check's refusal, with a reason safe to show to anyone (no host, path or secret)."""


def database() -> None:
    """The default database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise HealthCheckFailed("unexpected answer")


def storage() -> None:
    """The default storage (uploaded documents) takes, returns and deletes a small file."""
    content = uuid.uuid4().hex.encode()
    name = default_storage.save(f"{PROBE_DIR}/probe-{uuid.uuid4().hex}.txt", ContentFile(content))
    try:
        with default_storage.open(name, "rb") as probe:
            if probe.read() != content:
                raise HealthCheckFailed("the probe file read back differs")
    finally:
        default_storage.delete(name)


def migrations() -> None:
    """Every migration of the code is applied to the default database."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise HealthCheckFailed(f"{len(plan)} unapplied migration(s)")


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    reason: str = ""


def run_checks() -> list[CheckResult]:
    """Each check of `HEALTH_CHECKS`, run in turn; one failing does not stop the others.

    The name of a check is its function's name. The reason of a failure is the message of
    a `HealthCheckFailed`; any other exception is logged with its traceback and reported
    only by its class name, so the public answer never carries a host, path or secret.
    """
    results = []
    for path in settings.HEALTH_CHECKS:
        check = import_string(path)
        name = path.rsplit(".", 1)[-1]
        try:
            check()
        except HealthCheckFailed as error:
            logger.error("Health check %s failed: %s", name, error)
            results.append(CheckResult(name, False, str(error)))
        except Exception as error:
            logger.exception("Health check %s failed", name)
            results.append(CheckResult(name, False, type(error).__name__))
        else:
            results.append(CheckResult(name, True))
    return results
