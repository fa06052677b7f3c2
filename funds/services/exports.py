"""The books as one `.xlsx` workbook, in the request or, for a large year, in the background.

`ledger_workbook` writes the five books (总账, 明细账 and the three auxiliary books) through
`core.excel.write_workbook`, streaming the detail ledger: memory stays flat however many
entries the year has. A book of more than `settings.EXPORT_INLINE_MAX_ROWS` entries is not
built in the request: `export_request` queues an `ExportJob`, `export_run` builds its file
under MEDIA_ROOT/funds/exports. The jobs are run by `manage.py export_worker` (production:
a systemd service); under DEBUG (the demo) a daemon thread runs each job once the request
has committed, so the demo needs no worker.
"""

import logging
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import system_user
from core.excel import EXCEL_MAX_ROWS, Column, Sheet, write_workbook
from core.history import save_tracked
from core.lifecycle import Transition, locked, move, take
from funds.lifecycles import EXPORT_JOBS
from funds.models import Entry, ExportJob, FundAccount
from funds.selectors.ledgers import (
    BOOKS,
    GROUP_FIELDS,
    GROUP_HEADERS,
    LEDGER_EXPORT,
    detail_rows,
    general_ledger,
    group_book,
    ledger_accounts_for_user,
    ledger_entries,
    ledger_totals,
)
from funds.selectors.performance import Performance
from funds.selectors.recoveries import ZERO, ledger_recoveries
from funds.services.ledger import lock_account

logger = logging.getLogger(__name__)

EXPORT_DIR = "funds/exports"
MIN_YEAR, MAX_YEAR = 2000, 2100

MONEY = [
    Column("收入（借方）", "money", 16),
    Column("支出（贷方）", "money", 16),
    Column("余额", "money", 16),
]
GENERAL_COLUMNS = [
    Column("月份", width=12),
    Column("期初余额", "money", 16),
    *MONEY[:2],
    Column("期末余额", "money", 16),
]
DETAIL_COLUMNS = [
    Column("日期", "date", 12),
    Column("凭证号", width=18),
    Column("摘要", width=36),
    Column("类型", width=12),
    Column("资金来源", width=12),
    Column("资金类别", width=10),
    Column("项目", width=18),
    Column("对方单位", width=24),
    *MONEY,
]
ACCOUNT_COLUMN = Column("账户", width=28)


def ledger_filename(account: FundAccount | None, year: int) -> str:
    return f"帮扶资金账簿_{account.name if account else '全部账户'}_{year}年.xlsx"


def _general_sheet(entries: QuerySet[Entry]) -> Sheet:
    book = general_ledger(entries)
    rows = [(m.label, m.opening, m.income, m.outgo, m.closing) for m in book.months]
    footer = [
        ("本年合计", book.opening, book.totals.income, book.totals.outgo, book.totals.balance)
    ]
    return Sheet(title=BOOKS["general"], columns=GENERAL_COLUMNS, rows=rows, footer=footer)


class _Counted:
    """The detail rows, counted as they are written."""

    def __init__(self, rows: Iterator[tuple]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[tuple]:
        for row in self.rows:
            self.count += 1
            yield row


def _detail_sheet(entries: QuerySet[Entry], rows: _Counted, several: bool) -> Sheet:
    columns = [ACCOUNT_COLUMN, *DETAIL_COLUMNS] if several else DETAIL_COLUMNS
    totals = ledger_totals(entries)
    footer = ("合计", *[None] * (len(columns) - 4), totals.income, totals.outgo, totals.balance)
    return Sheet(title=BOOKS["detail"], columns=columns, rows=rows, footer=[footer])


def _group_sheet(entries: QuerySet[Entry], book: str) -> Sheet:
    group = group_book(entries, book)
    columns = [Column(GROUP_HEADERS[book], width=20), *MONEY]
    rows = [(line.label, line.income, line.outgo, line.balance) for line in group.lines]
    footer = [("合计", group.totals.income, group.totals.outgo, group.totals.balance)]
    return Sheet(title=group.title, columns=columns, rows=rows, footer=footer)


RECOVERY_SHEET = "应追回款"
RECOVERY_COLUMNS = [
    ACCOUNT_COLUMN,
    Column("档案编号", width=16),
    Column("姓名", width=10),
    Column("资金来源", width=12),
    Column("项目", width=18),
    Column("应追回", "money", 16),
    Column("已收回", "money", 16),
    Column("尚未追回", "money", 16),
    Column("状态", width=14),
]


def _recovery_sheet(entries: QuerySet[Entry]) -> Sheet | None:
    """应追回款 (WH-M §19): the recoveries of the book's grants, when there are any."""
    pairs = set(entries.order_by().values_list("account_id", "year").distinct())
    rows = [
        row
        for year in sorted({year for _, year in pairs})
        for row in ledger_recoveries([a for a, y in pairs if y == year], year)
    ]
    if not rows:
        return None
    lines = [
        (r.account, r.archive_number, r.person_name, r.source, r.item)
        + (r.amount, r.repaid, r.outstanding, r.status)
        for r in rows
    ]
    outstanding = sum((r.outstanding for r in rows), ZERO)
    footer = [("尚未追回合计", None, None, None, None, None, None, outstanding, None)]
    return Sheet(title=RECOVERY_SHEET, columns=RECOVERY_COLUMNS, rows=lines, footer=footer)


def _sheets(entries: QuerySet[Entry], detail: _Counted, several: bool) -> Iterator[Sheet]:
    # A generator: each book is read when its sheet is written, inside the same snapshot.
    yield _general_sheet(entries)
    yield _detail_sheet(entries, detail, several)
    for book in GROUP_FIELDS:
        yield _group_sheet(entries, book)
    recoveries = _recovery_sheet(entries)
    if recoveries is not None:
        yield recoveries


@contextmanager
def _snapshot() -> Iterator[None]:
    """On PostgreSQL, read every book from one snapshot, so that the sheets agree even when
    entries are posted meanwhile. (Inside an outer transaction, that one is the snapshot.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def ledger_workbook(
    target: str | os.PathLike | IO[bytes],
    entries: QuerySet[Entry],
    *,
    accounts: list[FundAccount] | None = None,
    max_rows: int = EXCEL_MAX_ROWS,
) -> int:
    """Write the five books of `entries` to `target` (and 应追回款 when the year has
    recoveries); return the detail rows written.

    `accounts`: the accounts of a book covering several, whose names head each detail row.
    """
    account_names = None if accounts is None else {a.pk: a.name for a in accounts}
    detail = _Counted(detail_rows(entries, account_names=account_names))
    with _snapshot():
        write_workbook(target, _sheets(entries, detail, accounts is not None), max_rows=max_rows)
    return detail.count


# --- The performance report ---------------------------------------------------------------


def performance_filename(report: Performance) -> str:
    scope = report.account.name if report.account else "全部账户"
    return f"帮扶资金绩效评价_{scope}_{report.year}年.xlsx"


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


def performance_workbook(target: str | os.PathLike | IO[bytes], report: Performance) -> None:
    """The performance report as a workbook: one sheet per table of the page."""
    money = [Column("收到资金", "money", 16), Column("市级下拨", "money", 16)]
    sources = Sheet(
        title="资金来源",
        columns=[
            Column("资金来源", width=14),
            *money,
            Column("帮扶支出", "money", 16),
            Column("年末结余", "money", 16),
            Column("使用要求", width=24),
        ],
        rows=[
            (
                line.label,
                line.received,
                line.allocated,
                line.spent,
                line.balance,
                "须当年使用完毕，不得结转" if line.spend_in_year else "",
            )
            for line in report.sources
        ],
        footer=[("合计", report.received, report.allocated, report.spent, report.balance, None)],
    )
    items = Sheet(
        title="帮扶支出（按项目）",
        columns=[Column("项目", width=20), Column("帮扶支出", "money", 16)],
        rows=[(line.label, line.spent) for line in report.items],
        footer=[("合计", report.spent)],
    )
    execution_columns = [
        Column("账户", width=30),
        Column("到账资金", "money", 16),
        Column("上级下拨", "money", 16),
        Column("帮扶支出", "money", 16),
        Column("执行率", width=10),
    ]
    execution = Sheet(
        title="预算执行率",
        columns=execution_columns,
        rows=[
            (e.name, e.received, e.transferred_in, e.spent, _rate(e.rate)) for e in report.execution
        ],
        footer=[
            (
                report.total.name,
                report.total.received,
                report.total.transferred_in,
                report.total.spent,
                _rate(report.total.rate),
            )
        ],
    )
    timeliness = Sheet(
        title="及时性",
        columns=[
            Column("指标", width=36),
            Column("按时", "int", 10),
            Column("总数", "int", 10),
            Column("比例", width=10),
        ],
        rows=[
            (
                "市级资金20个工作日内下达（笔）",
                report.allocation.count,
                report.allocation.total,
                _rate(report.allocation.rate),
            ),
            (
                "帮扶资金30个工作日内录入（人次）",
                report.entered.count,
                report.entered.total,
                _rate(report.entered.rate),
            ),
        ],
    )
    households = Sheet(
        title="帮扶户数",
        columns=[Column("档案类别", width=16), Column("户数", "int", 10)],
        rows=[(line.label, line.households) for line in report.categories],
        footer=[("合计（不重复计户）", report.households)],
    )
    write_workbook(target, [sources, items, execution, timeliness, households])


# --- Background jobs -----------------------------------------------------------------------


def _require_export(actor: User, account: FundAccount | None) -> list[FundAccount]:
    """Finance staff whose scope covers the account; returns the accounts of the book."""
    if not actor.has_role(Role.FINANCE):
        raise PermissionDenied("后台导出须由财务人员申请。")
    accounts = list(ledger_accounts_for_user(actor))
    if account is not None and account.pk not in {a.pk for a in accounts}:
        raise PermissionDenied("只能导出本级及下级工会帮扶资金专户的账簿。")
    if not accounts:
        raise PermissionDenied("您的工会没有帮扶资金专户。")
    return [account] if account is not None else accounts


@transaction.atomic
def export_request(*, actor: User, account: FundAccount | None, year: int) -> ExportJob:
    """Queue the export of a year's books (one account, or every account in scope).

    A request repeated while the same export is still waiting or running returns that job.
    """
    if account is not None:
        account = lock_account(account)
    _require_export(actor, account)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": f"预算年度应在 {MIN_YEAR}—{MAX_YEAR} 年之间。"})
    params = {"year": year, "account": account.pk if account else None}
    pending = ExportJob.objects.filter(
        requested_by=actor,
        kind=LEDGER_EXPORT,
        params=params,
        status__in=EXPORT_JOBS.open_states(),
    ).first()
    if pending is not None:
        return pending
    job = ExportJob(
        requested_by=actor,
        organisation=actor.organisation,
        kind=LEDGER_EXPORT,
        params=params,
    )
    save_tracked(job, actor=actor, reason=f"申请后台导出{year}年度账簿")
    if settings.DEBUG:
        transaction.on_commit(lambda: _run_in_thread(job.pk))
    return job


def _run_in_thread(job_pk: int) -> None:
    def target() -> None:
        try:
            export_run(ExportJob.objects.get(pk=job_pk))
        finally:
            connections.close_all()

    threading.Thread(target=target, name=f"export-{job_pk}", daemon=True).start()


@transaction.atomic
def _claim(job: ExportJob) -> bool:
    """Queued → running, once: a worker and a thread never build the same job twice (the
    second finds the job locked, then no longer queued, and leaves it)."""
    job = locked(ExportJob, job.pk)
    system = system_user()
    if move(EXPORT_JOBS, job, system, "start") is None:
        return False

    def effect(job: ExportJob, transition: Transition) -> list[str]:
        job.started_at = timezone.now()
        return ["started_at"]

    take(EXPORT_JOBS, obj=job, actor=system, action="start", effect=effect)
    return True


def _build(job: ExportJob) -> tuple[str, int]:
    """Write the job's workbook as its requester may see it now; return (file name, rows)."""
    user = job.requested_by
    account = None
    if job.params.get("account") is not None:
        account = FundAccount.objects.filter(pk=job.params["account"]).first()
        if account is None:
            raise ValidationError("账户不存在。")
    accounts = _require_export(user, account)
    year = int(job.params["year"])
    entries = ledger_entries(user, year=year, account=account)
    name = f"{EXPORT_DIR}/{job.pk}-{uuid.uuid4().hex}.xlsx"
    path = job.file.storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = f"{path}.part"
    try:
        several = account is None and len(accounts) > 1
        rows = ledger_workbook(partial, entries, accounts=accounts if several else None)
        # Only a complete file ever carries the name the download serves.
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return name, rows


def export_run(job: ExportJob) -> ExportJob:
    """Build a queued job's file: running → done (with its rows) or failed (with the error).

    A job another worker has taken is left alone. An error fails the job with its message
    (and the traceback in the log); the worker goes on with the next job.
    """
    if not _claim(job):
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    try:
        name, rows = _build(job)
    except Exception as error:  # recorded on the job; the worker goes on with the next
        logger.exception("export job %s failed", job.pk)
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        return _finish(job, "fail", error=message or error.__class__.__name__)
    return _finish(job, "finish", name=name, rows=rows)


def _finish(job: ExportJob, action: str, *, error: str = "", name: str = "", rows: int = 0):
    """The job's last move: done with its file and rows, or failed with the error. A job
    that moved meanwhile (failed as interrupted while it was being built) stays as it is."""
    try:
        return _take_last(job, action, error=error, name=name, rows=rows)
    except ValidationError:
        logger.warning("export job %s moved while it was built; left as it is", job.pk)
        job.refresh_from_db()
        return job


def _take_last(job: ExportJob, action: str, *, error: str, name: str, rows: int) -> ExportJob:
    def effect(job: ExportJob, transition: Transition) -> list[str]:
        job.finished_at = timezone.now()
        if action != "finish":
            job.error = error
            return ["error", "finished_at"]
        job.file.name = name
        job.rows = rows
        return ["file", "rows", "finished_at"]

    return take(EXPORT_JOBS, obj=job, actor=system_user(), action=action, effect=effect)


def export_run_queued() -> list[ExportJob]:
    """Run every queued job, oldest first (what the worker does on each round)."""
    done = []
    while True:
        pk = (
            ExportJob.objects.filter(status=ExportJob.Status.QUEUED)
            .order_by("created_at", "id")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            return done
        done.append(export_run(ExportJob.objects.get(pk=pk)))


@transaction.atomic
def export_fail_stale(*, started_before) -> list[ExportJob]:
    """Jobs left running by a worker that stopped (a restart, a crash) are failed, so that
    their users can ask again; the worker calls this when it starts."""
    # The stale jobs, locked together as one selection (not a single-row lock).
    stale = list(
        ExportJob.objects.select_for_update().filter(
            status=ExportJob.Status.RUNNING, started_at__lt=started_before
        )
    )
    return [
        _finish(job, "interrupt", error="生成中断（后台任务意外停止），请重新申请导出。")
        for job in stale
    ]
