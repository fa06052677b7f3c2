"""The demo plays the past: households approved last year, re-verified and exiting this year.

The services date what they do by `timezone.now()` (a notice posted today, an archive
opened today). To seed a household's history as it happened, the demo seeder sets that
clock to each step's moment — the same way the tests freeze it. Only the demo seeder
uses this; nothing in the product does.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


@contextmanager
def demo_day(day: datetime.date) -> Iterator[None]:
    """`timezone.now()` is 10:00 Beijing time of `day` inside the block."""
    moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI)
    real_now = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real_now
