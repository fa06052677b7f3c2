"""Export workers on every host: each sweeps the interrupted jobs when it starts, one at a
time (`core.locks.run_once`), and builds the queued jobs whichever host it is on.

Each "host" is a thread with its own database connection; PostgreSQL only (advisory locks).
"""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.history import save_tracked
from core.locks import run_once
from funds.models import ExportJob
from funds.services.exports import export_request

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="advisory locks need PostgreSQL (CI: DATABASE_URL=postgres://…)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def worker_on_another_host() -> str:
    out = StringIO()

    def run():
        try:
            call_command("export_worker", "--once", stdout=out)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive()
    return out.getvalue()


def test_a_worker_skips_the_sweep_another_host_is_doing_and_builds_the_queue(
    world_finance, accounts
):
    user = world_finance.county_a
    stale = export_request(actor=user, account=accounts.county_a, year=2026)
    stale.status = ExportJob.Status.RUNNING
    stale.started_at = timezone.now() - datetime.timedelta(hours=7)
    save_tracked(stale, actor=user, reason="测试", update_fields=["status", "started_at"])
    queued = export_request(actor=user, account=accounts.county_a, year=2025)
    assert queued.pk != stale.pk

    with run_once("export_worker.stale"):  # another host's worker is sweeping
        out = worker_on_another_host()
    assert "另一台服务器正在清理中断的导出任务" in out
    stale.refresh_from_db()
    queued.refresh_from_db()
    assert stale.status == ExportJob.Status.RUNNING  # left to the sweeping host
    assert queued.status == ExportJob.Status.DONE, out  # the queue is built all the same

    out = worker_on_another_host()
    stale.refresh_from_db()
    assert stale.status == ExportJob.Status.FAILED
    assert f"导出任务 {stale.pk} 生成中断" in out
