"""Scheduled jobs run once, however many hosts start them.

Cron starts the same commands on every application host. `run_once(name)` takes a
PostgreSQL session-level advisory lock named after the job on the process's own database
connection (`pg_try_advisory_lock`, not waiting): the first host gets it and runs the job;
another host starting the same job meanwhile does not get it, says so and does nothing. The
lock is released at the end of the block, and by PostgreSQL if the process dies (it belongs
to the connection). Session-level, not transaction-level: a job commits in several
transactions (each archive closed in its own), and the lock must cover them all.

`once_a_day(name, day)` adds the day: under the lock, a job that already ran to its end on
that day (a `DailyRun` row) is not run again — a host whose cron fires after the first host
finished (clocks a minute apart) would otherwise run it a second time.

SQLite (the demo) has one host and no advisory locks: the job always gets to run there.
"""

import datetime
import hashlib
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils import timezone

from core.history import save_tracked
from core.models import DailyRun

logger = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    """The advisory lock's 64-bit key of a job name (stable across hosts and releases)."""
    digest = hashlib.blake2b(f"union-job:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def another_host(label: str) -> str:
    return f"另一台服务器正在运行“{label}”，本机不再运行。"


@contextmanager
def run_once(name: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Yield True if this process holds the job's lock (and runs it), False if another does.

    The lock is held on the connection of this thread until the block ends.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield True
        return
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        got = cursor.fetchone()[0]
    if not got:
        logger.info("job %s: another host holds its lock; not run here", name)
    try:
        yield got
    finally:
        if got:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:
                # The connection is gone, and the lock with it (it belongs to the session).
                logger.warning("job %s: lock not released explicitly", name, exc_info=True)


@dataclass
class Turn:
    """Whether this process runs a daily job now, and if not, why (in Chinese)."""

    go: bool
    why: str = ""


@contextmanager
def once_a_day(
    name: str, label: str, day: datetime.date, *, actor, again: bool = False
) -> Iterator[Turn]:
    """Run a daily job at most once a day across hosts.

    Yields a `Turn`: `go` False when another host is running it now, or when it already ran
    to its end on `day` (unless `again`). When the block ends without an error, the day is
    recorded (a job that failed halfway is run again by the next start).
    """
    with run_once(name) as mine:
        if not mine:
            yield Turn(False, another_host(label))
            return
        done = DailyRun.objects.filter(job=name, day=day).first()
        if done is not None and not again:
            yield Turn(
                False,
                f"“{label}”{day:%Y-%m-%d}已由服务器 {done.host} 于 "
                f"{timezone.localtime(done.started_at):%H:%M} 开始运行并完成，本次不再运行。",
            )
            return
        started_at = timezone.now()
        yield Turn(True)
        if done is None:
            save_tracked(
                DailyRun(job=name, day=day, host=socket.gethostname(), started_at=started_at),
                actor=actor,
                reason=f"{label}运行完成",
            )
