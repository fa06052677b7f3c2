"""The detail ledger in Excel at province size: 1,000,000 entries of one account's year.

Reports, on the same rows: the time to read them from the database alone; the product's
export (funds.services.exports.ledger_workbook: the five books, the detail ledger streamed
through core.excel with its running balance, money formats and text kept as text); and
openpyxl's raw write-only speed (ws.append of the same values_list tuples, no styles). For
both writers: rows per second and the growth of the process's peak RSS (getrusage); for
ours also the peak of Python memory (tracemalloc) over a month's and a quarter's export —
tracemalloc slows Python several times over; a peak that stays flat does not grow with the
rows. The ratio says what the formatting costs.

Rows: 1,000,000 by default; `python bench/run.py bench_excel --rows=200000` (or the
BENCH_EXCEL_ROWS environment variable) for another size. The ledger's balance guard sums a
source's year on every insert (quadratic over a bulk load): it is suspended while the rows
are loaded into the throwaway benchmark database and put back before anything is measured.
At 1,000,000 rows the whole run takes about 16 minutes on a 2-CPU server (SQLite; loading
the rows with their history takes 6 of them).
"""

import datetime
import itertools
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from django.db import connection
from openpyxl import Workbook

from accounts.roles import Role
from bench.common import analyze, build_tree
from core.history import acting_as
from funds import migration_ops
from funds.models import SOURCE_CATEGORY, Entry, Item, Source
from funds.selectors.ledgers import DETAIL_FIELDS, ledger_entries
from funds.services.accounts import fund_account_create
from funds.services.exports import ledger_workbook
from tests.factories.accounts import make_user, system_user

DEFAULT_ROWS = 1_000_000
CHUNK = 5_000
YEAR = 2026


def rows_wanted() -> int:
    for argument in sys.argv[1:]:
        if argument.startswith("--rows="):
            return int(argument.split("=", 1)[1].replace("_", ""))
    return int(os.environ.get("BENCH_EXCEL_ROWS", DEFAULT_ROWS))


# --- Data ----------------------------------------------------------------------------------


def _entries(account, user, count: int) -> Iterator[Entry]:
    """A year of receipts and transfers out over 365 days, every source and item."""
    sources = list(Source)
    items = ["", *Item.values]
    start = datetime.date(YEAR, 1, 1)
    for index in range(count):
        source = sources[index % len(sources)]
        money_in = index % 3 != 2
        amount = Decimal(1000 + index % 977) / 10
        yield Entry(
            account=account,
            county=account.county,
            city=account.city,
            kind=Entry.Kind.RECEIPT if money_in else Entry.Kind.TRANSFER_OUT,
            entry_date=start + datetime.timedelta(days=index * 365 // count),
            year=YEAR,
            amount=amount if money_in else -amount,
            source=source,
            fund_category=SOURCE_CATEGORY[source],
            item=items[index % len(items)],
            counterpart="芜湖市财政局" if money_in else "镜湖区总工会",
            reference=f"记-{index:07d}",
            description=f"基准分录 {index}",
            created_by=user,
        )


def _guard(enable: bool) -> None:
    """Suspend or restore the balance trigger (funds.migration_ops) in this database."""
    table = migration_ops.TABLE
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            state = "ENABLE" if enable else "DISABLE"
            cursor.execute(f"ALTER TABLE {table} {state} TRIGGER {table}_balance")
        elif enable:
            cursor.execute(migration_ops.SQLITE_FORWARD)
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_balance")


def load(count: int):
    system = system_user()
    with acting_as(system):
        city, counties, _ = build_tree("账簿基准", counties=1, unions_per_county=1)
        admin = make_user(city, Role.ADMIN)
        finance = make_user(counties[0], Role.FINANCE)
        account = fund_account_create(
            actor=admin,
            organisation=counties[0],
            name="账簿基准区总工会困难职工帮扶资金专户",
            bank_name="中国工商银行",
            bank_account="1307010009000000099",
        )
        started = time.perf_counter()
        _guard(False)
        try:
            entries = _entries(account, finance, count)
            while chunk := list(itertools.islice(entries, CHUNK)):
                # TrackedQuerySet.bulk_create: the history rows are written too.
                Entry.objects.bulk_create(chunk, batch_size=CHUNK)
        finally:
            _guard(True)
        loaded = time.perf_counter() - started
    analyze()
    print(f"  data: {count:,} entries (and their history rows) loaded in {loaded:.1f} s")
    return finance, account


# --- Measuring -----------------------------------------------------------------------------


def _maxrss_mb() -> float:
    # Linux reports kilobytes (macOS bytes; the benchmark runs on the Linux servers).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(action: Callable[[], int]) -> tuple[float, int, float]:
    """(seconds, rows, growth of the peak RSS in MB) of one run."""
    before = _maxrss_mb()
    started = time.perf_counter()
    rows = action()
    return time.perf_counter() - started, rows, _maxrss_mb() - before


def traced_peak_mb(action: Callable[[], int]) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def run() -> None:
    count = rows_wanted()
    finance, account = load(count)
    entries = ledger_entries(finance, year=YEAR, account=account)
    ordered = entries.order_by("entry_date", "id").values_list(*DETAIL_FIELDS)

    def read() -> int:
        return sum(1 for _ in ordered.iterator(chunk_size=2000))

    with tempfile.TemporaryDirectory() as folder:
        ours_path = Path(folder) / "ours.xlsx"
        raw_path = Path(folder) / "raw.xlsx"

        def ours() -> int:
            return ledger_workbook(ours_path, entries)

        def raw() -> int:
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("明细账")
            written = 0
            for row in ordered.iterator(chunk_size=2000):
                ws.append(row)
                written += 1
            wb.save(raw_path)
            return written

        read_s, read_rows, _ = timed(read)
        print(
            f"  read from the database only     {read_s:7.1f} s   {read_rows / read_s:9,.0f} rows/s"
        )
        results = {}
        for label, action in (("our export (5 books)", ours), ("openpyxl raw write-only", raw)):
            seconds, rows, rss = timed(action)
            path = ours_path if action is ours else raw_path
            results[label] = seconds
            print(
                f"  {label:<32} {seconds:7.1f} s   {rows / seconds:9,.0f} rows/s   "
                f"peak RSS +{rss:6.1f} MB   file {path.stat().st_size / 1024 / 1024:6.1f} MB"
            )
        ratio = results["our export (5 books)"] / results["openpyxl raw write-only"]
        print(f"  our export / openpyxl raw: {ratio:.2f}× the time ({count:,} rows)")
        # Python's own peak while exporting. tracemalloc slows Python several times over, so
        # it watches two shorter exports, a month and a quarter: a flat peak does not grow.
        for label, until in (("first month", 2), ("first quarter", 4)):
            part = entries.filter(entry_date__lt=datetime.date(YEAR, until, 1))
            rows = part.count()
            peak = traced_peak_mb(lambda p=part: ledger_workbook(ours_path, p))
            print(f"  our export of the {label} ({rows:,} rows): Python memory peak {peak:.1f} MB")
