"""Scheduled jobs run once when cron starts them on every host (`core.locks`).

Each "host" is a thread with its own database connection. Advisory locks are PostgreSQL's;
on SQLite (the demo, one host) a job always runs, and these tests are skipped.
"""

import datetime
import threading
from io import StringIO

import pytest
from chinese_calendar import constants
from django.core.management import call_command
from django.db import connection

from archives.models import Archive
from core.locks import lock_key, run_once
from core.models import DailyRun, Holiday
from tests.factories.accounts import system_user
from tests.factories.archives import exiting_archive
from tests.factories.core import fresh

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="advisory locks need PostgreSQL (CI: DATABASE_URL=postgres://…)",
    ),
    # Each thread sees only committed rows; the data migrations' rows come back after the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ANOTHER_HOST = "另一台服务器正在运行"
PAST_THE_WINDOW = datetime.date(2026, 11, 10)


def on_other_hosts(*calls):
    """Run each call in its own thread (its own connection), all released at once.

    Returns what each returned, in the order given; a call that raised fails the test.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # reported below, with the call's traceback
            errors.append(exc)
            raise
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a host is still running"
    assert not errors, errors
    return results


def try_lock(name: str) -> bool:
    with run_once(name) as mine:
        return mine


def command(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_lock_keys_are_stable_and_distinct():
    assert lock_key("archives_daily") == lock_key("archives_daily")
    assert lock_key("archives_daily") != lock_key("calendar_sync")
    assert -(2**63) <= lock_key("archives_daily") < 2**63


def test_only_one_connection_holds_a_job_and_it_is_released_after():
    with run_once("archives_daily") as mine:
        assert mine is True
        # Another host, meanwhile: not this job, but another job is free.
        assert on_other_hosts(lambda: try_lock("archives_daily")) == [False]
        assert on_other_hosts(lambda: try_lock("calendar_sync")) == [True]
    assert on_other_hosts(lambda: try_lock("archives_daily")) == [True]
    # Nothing left held by this connection either.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        assert cursor.fetchone()[0] == 0


def test_the_lock_is_released_when_the_job_fails():
    with pytest.raises(RuntimeError), run_once("archives_daily") as mine:
        assert mine
        raise RuntimeError("the job broke")
    assert on_other_hosts(lambda: try_lock("archives_daily")) == [True]


def test_two_hosts_start_the_daily_job_at_once_and_it_runs_once(world, gateway):
    archive, _ = exiting_archive(world)
    world.clock.set(PAST_THE_WINDOW)

    outputs = on_other_hosts(lambda: command("archives_daily"), lambda: command("archives_daily"))

    assert fresh(archive).status == Archive.Status.CLOSED
    assert archive.events.filter(kind="closed").count() == 1
    ran = [out for out in outputs if "已办结退档 1 份" in out]
    skipped = [out for out in outputs if "本次不再运行" in out or "本机不再运行" in out]
    assert (len(ran), len(skipped)) == (1, 1), outputs
    assert "渐退期" not in skipped[0]  # the loser printed no lists to mail
    run = DailyRun.objects.get()
    assert (run.job, run.day) == ("archives_daily", PAST_THE_WINDOW)
    assert run.history.get().history_user == system_user()


def test_a_host_starting_while_another_runs_the_job_does_nothing(world, gateway):
    archive, _ = exiting_archive(world)
    world.clock.set(PAST_THE_WINDOW)

    with run_once("archives_daily"):  # this host is running the daily job
        [out] = on_other_hosts(lambda: command("archives_daily"))
    assert "另一台服务器正在运行“档案每日任务”，本机不再运行。" in out
    assert "已办结" not in out
    assert fresh(archive).status == Archive.Status.EXITING
    assert not DailyRun.objects.exists()

    # The lock was released: the next start runs it.
    [out] = on_other_hosts(lambda: command("archives_daily"))
    assert "已办结退档 1 份" in out
    assert fresh(archive).status == Archive.Status.CLOSED


def test_the_daily_job_runs_once_a_day_even_one_host_after_the_other(world, gateway):
    archive, _ = exiting_archive(world)
    world.clock.set(PAST_THE_WINDOW)
    first = command("archives_daily")
    [second] = on_other_hosts(lambda: command("archives_daily"))

    assert "已办结退档 1 份" in first
    assert "“档案每日任务”2026-11-10已由服务器" in second and "本次不再运行" in second
    assert "待走访核查" not in second
    assert DailyRun.objects.count() == 1
    # Asked for, it runs again the same day (nothing left to close), without a second record.
    again = command("archives_daily", "--again")
    assert "已办结退档 0 份" in again
    assert DailyRun.objects.count() == 1
    # The next day is a new day.
    world.clock.set(PAST_THE_WINDOW + datetime.timedelta(days=1))
    assert "已办结退档 0 份" in command("archives_daily")
    assert list(DailyRun.objects.order_by("day").values_list("day", flat=True)) == [
        PAST_THE_WINDOW,
        PAST_THE_WINDOW + datetime.timedelta(days=1),
    ]
    assert archive.events.filter(kind="closed").count() == 1


def test_calendar_sync_is_not_run_by_two_hosts_at_once(monkeypatch):
    monkeypatch.setitem(constants.holidays, datetime.date(2027, 1, 1), "New Year's Day")
    with run_once("calendar_sync"):
        [out] = on_other_hosts(lambda: command("calendar_sync"))
    assert "另一台服务器正在运行“节假日安排同步”" in out
    assert not Holiday.objects.filter(date=datetime.date(2027, 1, 1)).exists()
    [out] = on_other_hosts(lambda: command("calendar_sync"))
    assert "已新增 1 条节假日安排" in out
    assert Holiday.objects.filter(date=datetime.date(2027, 1, 1)).exists()
