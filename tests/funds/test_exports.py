"""The books in Excel: one workbook, five sheets, totals equal to the screen's; a large year
built in the background (request → run → file re-read), the worker command, downloads only
for users whose scope covers the account."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.history import save_tracked
from core.lifecycle import take
from core.models import StatusEvent
from funds.lifecycles import EXPORT_JOBS
from funds.models import Entry, ExportJob, Source
from funds.selectors.ledgers import general_ledger, group_book, ledger_entries, ledger_totals
from funds.services.exports import (
    export_fail_stale,
    export_request,
    export_run,
    ledger_workbook,
)
from tests.factories.funds import RUNNING, build_book, post

K = Entry.Kind
D = Decimal
SHEETS = ["总账", "明细账", "项目辅助账", "资金类别辅助账", "资金来源辅助账"]


@pytest.fixture
def book(accounts, world_finance, archive):
    return build_book(accounts, world_finance, archive)


def county_a(world_finance, book):
    return ledger_entries(world_finance.county_a, year=2026, account=book.account)


def workbook(target) -> openpyxl.Workbook:
    if isinstance(target, bytes):
        target = io.BytesIO(target)
    return openpyxl.load_workbook(target)


def rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_one_workbook_five_books_totals_as_on_screen(book, world_finance):
    entries = county_a(world_finance, book)
    target = io.BytesIO()

    written = ledger_workbook(target, entries)

    assert written == 7
    wb = workbook(target.getvalue())
    assert wb.sheetnames == SHEETS

    general = rows(wb["总账"])
    assert general[0] == ("月份", "期初余额", "收入（借方）", "支出（贷方）", "期末余额")
    totals = general_ledger(entries).totals
    assert general[-1] == ("本年合计", 0, totals.income, totals.outgo, totals.balance)
    assert general[1] == ("2026年01月", 0, 120000, 0, 120000)

    detail = wb["明细账"]
    assert detail.freeze_panes == "A2"
    header, *data, footer = rows(detail)
    assert header == (
        "日期", "凭证号", "摘要", "类型", "资金来源", "资金类别", "项目", "对方单位",
        "收入（借方）", "支出（贷方）", "余额",
    )  # fmt: skip
    assert [D(str(r[-1])) for r in data] == RUNNING
    screen = ledger_totals(entries)
    assert footer[0] == "合计"
    assert (D(str(footer[8])), D(str(footer[9])), D(str(footer[10]))) == (
        screen.income,
        screen.outgo,
        screen.balance,
    )
    # Values, not formulas; money formatted; dates are dates.
    balance_cell = detail.cell(row=2, column=11)
    assert balance_cell.data_type == "n" and balance_cell.number_format == "#,##0.00"
    assert detail.cell(row=2, column=1).value.date() == datetime.date(2026, 1, 10)
    assert data[4][3] == "冲销" and data[4][8] == -1000

    for title, name in [
        ("项目辅助账", "item"),
        ("资金类别辅助账", "category"),
        ("资金来源辅助账", "source"),
    ]:
        group = group_book(entries, name)
        sheet_rows = rows(wb[title])
        assert [r[0] for r in sheet_rows[1:-1]] == [line.label for line in group.lines]
        assert sheet_rows[-1][0] == "合计"
        assert [D(str(x)) for x in sheet_rows[-1][1:]] == [
            group.totals.income,
            group.totals.outgo,
            group.totals.balance,
        ]


def test_text_stays_text_even_when_it_looks_like_a_formula(accounts, world_finance):
    post(
        world_finance.county_a,
        accounts.county_a,
        K.RECEIPT,
        datetime.date(2026, 1, 5),
        "10.00",
        Source.DONATION,
        description='=HYPERLINK("http://x")',
        counterpart="+86 捐赠人",
        reference="#N/A",
    )
    target = io.BytesIO()
    ledger_workbook(target, ledger_entries(world_finance.county_a, year=2026))

    detail = workbook(target.getvalue())["明细账"]
    assert detail.cell(row=2, column=3).value == '=HYPERLINK("http://x")'
    assert detail.cell(row=2, column=3).data_type == "s"
    assert detail.cell(row=2, column=8).data_type == "s"
    assert detail.cell(row=2, column=2).value == "#N/A"
    assert detail.cell(row=2, column=2).data_type == "s"


def test_a_detail_ledger_longer_than_a_sheet_continues_on_the_next(book, world_finance):
    entries = county_a(world_finance, book)
    target = io.BytesIO()

    ledger_workbook(target, entries, max_rows=4)  # a header and three rows per sheet

    wb = workbook(target.getvalue())
    parts = [name for name in wb.sheetnames if name.startswith("明细账")]
    assert parts == ["明细账", "明细账（2）", "明细账（3）"]
    data = []
    for name in parts:
        header, *body = rows(wb[name])
        assert header[0] == "日期"
        data += body
    *lines, footer = data
    assert [D(str(r[-1])) for r in lines] == RUNNING
    assert footer[0] == "合计" and D(str(footer[-1])) == D("162000.00")


def test_a_city_book_names_each_rows_account(book, world_finance, accounts):
    target = io.BytesIO()
    entries = ledger_entries(world_finance.city, year=2026)

    ledger_workbook(target, entries, accounts=[accounts.city, accounts.county_a, accounts.county_b])

    header, first, *_ = rows(workbook(target.getvalue())["明细账"])
    assert header[0] == "账户" and first[0] == accounts.city.name


def test_inline_export_from_the_ledger_page(client, book, world_finance):
    client.force_login(world_finance.county_a)

    response = client.get(reverse("funds:ledger_export"), {"year": 2026})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = workbook(b"".join(response.streaming_content))
    assert wb.sheetnames == SHEETS
    assert D(str(rows(wb["明细账"])[-1][-1])) == D("162000.00")


def test_an_auditor_exports_inline_too(client, book, world_finance):
    client.force_login(world_finance.county_a_auditor)

    response = client.get(reverse("funds:ledger_export"), {"year": 2026})

    assert response.status_code == 200
    assert workbook(b"".join(response.streaming_content)).sheetnames == SHEETS


def test_bad_export_filters_go_back_to_the_ledger(client, book, world_finance):
    client.force_login(world_finance.county_a)

    response = client.get(reverse("funds:ledger_export"), {"year": "twenty"})

    assert response.status_code == 302 and reverse("funds:ledger") in response["Location"]


def test_a_large_year_is_built_in_the_background(client, book, world_finance, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 5
    client.force_login(world_finance.county_a)
    params = {"year": 2026, "account": book.account.pk}

    page = client.get(reverse("funds:ledger_export"), params)
    assert page.status_code == 200
    assert "7 条记账分录" in page.content.decode()
    assert reverse("funds:export_request") in page.content.decode()

    response = client.post(reverse("funds:export_request"), params)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "funds:export_job", args=[job.pk]
    )
    assert job.status == ExportJob.Status.QUEUED and job.params == {
        "year": 2026,
        "account": book.account.pk,
    }
    assert client.get(reverse("funds:export_download", args=[job.pk])).status_code == 404

    job = export_run(job)

    assert job.status == ExportJob.Status.DONE and job.rows == 7
    assert job.file.name.startswith("funds/exports/") and job.finished_at is not None
    assert [h.history_change_reason for h in job.history.order_by("history_date")] == [
        "申请后台导出2026年度账簿",
        "后台导出：开始生成",
        "后台导出：已完成",
    ]
    status = client.get(reverse("funds:export_job", args=[job.pk]))
    assert "已完成" in status.content.decode()
    download = client.get(reverse("funds:export_download", args=[job.pk]))
    assert download.status_code == 200
    wb = workbook(b"".join(download.streaming_content))
    assert wb.sheetnames == SHEETS
    assert [D(str(r[-1])) for r in rows(wb["明细账"])[1:-1]] == RUNNING


def test_export_downloads_are_for_those_whose_scope_covers_the_account(
    client, book, world_finance, world
):
    job = export_request(actor=world_finance.county_a, account=book.account, year=2026)
    export_run(job)
    urls = [
        reverse("funds:export_job", args=[job.pk]),
        reverse("funds:export_download", args=[job.pk]),
    ]

    for user in (world_finance.city, world_finance.city_auditor, world_finance.county_a_auditor):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [200, 200]
    client.force_login(world_finance.county_b)
    assert [client.get(url).status_code for url in urls] == [404, 404]
    client.force_login(world.wuhu.caseworker)
    assert [client.get(url).status_code for url in urls] == [403, 403]


def test_only_finance_asks_for_a_background_export(client, book, world_finance):
    client.force_login(world_finance.county_a_auditor)

    response = client.post(
        reverse("funds:export_request"), {"year": 2026, "account": book.account.pk}
    )

    assert response.status_code == 403
    assert not ExportJob.objects.exists()
    with pytest.raises(Exception, match="财务人员"):
        export_request(actor=world_finance.county_a_auditor, account=book.account, year=2026)


def test_another_countys_finance_cannot_export_this_account(book, world_finance):
    with pytest.raises(Exception, match="本级及下级"):
        export_request(actor=world_finance.county_b, account=book.account, year=2026)
    assert not ExportJob.objects.exists()


def test_asking_twice_returns_the_waiting_job(book, world_finance):
    first = export_request(actor=world_finance.county_a, account=book.account, year=2026)
    second = export_request(actor=world_finance.county_a, account=book.account, year=2026)

    assert first.pk == second.pk and ExportJob.objects.count() == 1


def test_the_worker_builds_every_queued_job_once(book, world_finance, accounts):
    export_request(actor=world_finance.county_a, account=book.account, year=2026)
    export_request(actor=world_finance.city, account=None, year=2026)
    out = io.StringIO()

    call_command("export_worker", "--once", stdout=out)

    jobs = ExportJob.objects.order_by("id")
    assert [(j.status, j.rows) for j in jobs] == [("done", 7), ("done", 9)]
    assert "7 行" in out.getvalue() and "9 行" in out.getvalue()
    city_book = workbook(jobs[1].file.path)
    assert rows(city_book["明细账"])[0][0] == "账户"
    # A job already done is not built again.
    assert export_run(jobs[0]).status == ExportJob.Status.DONE
    assert jobs[0].history.count() == 3


def test_a_job_whose_requester_lost_the_account_fails_with_the_reason(
    book, world_finance, accounts
):
    job = save_tracked(
        ExportJob(
            requested_by=world_finance.county_b,
            organisation=world_finance.county_b.organisation,
            kind="ledger",
            params={"year": 2026, "account": accounts.county_a.pk},
        ),
        actor=world_finance.county_b,
        reason="测试：越权的导出任务",
    )

    job = export_run(job)

    assert job.status == ExportJob.Status.FAILED
    assert "本级及下级" in job.error and not job.file


def test_jobs_left_running_by_a_stopped_worker_are_failed(book, world_finance):
    job = export_request(actor=world_finance.county_a, account=book.account, year=2026)
    job.status = ExportJob.Status.RUNNING
    job.started_at = timezone.now() - datetime.timedelta(hours=7)
    save_tracked(
        job, actor=world_finance.county_a, reason="测试", update_fields=["status", "started_at"]
    )

    stale = export_fail_stale(started_before=timezone.now() - datetime.timedelta(hours=6))

    job.refresh_from_db()
    assert [j.pk for j in stale] == [job.pk] and job.status == ExportJob.Status.FAILED
    assert "重新申请" in job.error


def test_under_debug_the_job_runs_in_a_thread_after_commit(
    book, world_finance, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = False
    with django_capture_on_commit_callbacks() as callbacks:
        export_request(actor=world_finance.county_a, account=book.account, year=2026)
    assert callbacks == []

    settings.DEBUG = True
    with django_capture_on_commit_callbacks() as callbacks:
        export_request(actor=world_finance.county_a, account=None, year=2026)
    assert len(callbacks) == 1


def test_only_the_background_worker_moves_a_job(book, world_finance):
    job = export_request(actor=world_finance.county_a, account=book.account, year=2026)

    with pytest.raises(PermissionDenied, match="由后台任务办理"):
        take(EXPORT_JOBS, obj=job, actor=world_finance.county_a, action="start")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED

    export_run(job)
    moved = StatusEvent.objects.filter(object_id=job.pk, content_type__model="exportjob")
    assert list(moved.order_by("id").values_list("action", "to_status")) == [
        ("start", "running"),
        ("finish", "done"),
    ]


def test_a_job_interrupted_while_it_was_built_stays_failed(book, world_finance, monkeypatch):
    job = export_request(actor=world_finance.county_a, account=book.account, year=2026)

    def build_while_interrupted(job):
        later = timezone.now() + datetime.timedelta(hours=1)
        assert [j.pk for j in export_fail_stale(started_before=later)] == [job.pk]
        return "funds/exports/never.xlsx", 7

    monkeypatch.setattr("funds.services.exports._build", build_while_interrupted)
    job = export_run(job)

    assert job.status == ExportJob.Status.FAILED and "重新申请" in job.error
    assert not job.file and job.rows == 0
