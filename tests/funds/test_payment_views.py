"""The payment screens: making a batch from approved grants, the roster for the bank (read
back with openpyxl, each download logged), sending, the bank's results per line, the slip
upload and its permission-checked download; lists with a fixed number of queries; and the
other county gets 404, auditors read but change nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assistance.models import PersonalDataAccess
from core.workdays import HolidayRange
from funds.models import Entry, Grant, PaymentBatch, PaymentLine
from funds.services.payments import batch_create, batch_record_results
from office.services.calendar import holiday_year_save
from tests.factories.archives import open_archive
from tests.factories.core import PDF_BYTES, upload_file
from tests.factories.funds import PAID_ON, approved_grant, failed, fund, paid, sent_batch


def url(name: str, *args) -> str:
    return reverse(f"funds:{name}", args=args)


@pytest.fixture
def grant(world, archive, accounts, world_finance, settings):
    settings.SMS_BACKEND = "tests.factories.core.FakeGateway"
    fund(world_finance.county_a, accounts.county_a, "50000")
    grant = approved_grant(world, archive)
    world.clock.set(PAID_ON)
    return grant


@pytest.fixture
def fin(client, world_finance, settings):
    """County A's finance, logged in for the test's whole (frozen, jumping) calendar."""
    settings.SESSION_COOKIE_AGE = 366 * 24 * 60 * 60
    client.force_login(world_finance.county_a)
    return world_finance.county_a


# --- Making a batch ----------------------------------------------------------------------------


def test_create_from_checkboxes(client, fin, grant):
    response = client.get(url("batch_create"))
    html = response.content.decode()
    assert f'name="grants" value="{grant.pk}"' in html
    assert "9120.00" in html
    response = client.post(url("batch_create"), {"grants": [str(grant.pk)]})
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("batch_detail", batch.pk)
    assert batch.lines.get().grant == grant


@pytest.mark.parametrize("picked", [[], ["abc"], ["999999"]])
def test_bad_choice_never_crashes(client, fin, grant, picked):
    response = client.post(url("batch_create"), {"grants": picked})
    assert response.status_code == 200
    assert "未办理：请按标红提示修改" in response.content.decode()
    assert not PaymentBatch.objects.exists()


def test_grant_already_in_a_batch_is_not_offered_nor_taken(client, fin, grant, accounts):
    batch_create(actor=fin, account=accounts.county_a, grants=[grant])
    response = client.get(url("batch_create"))
    assert f'name="grants" value="{grant.pk}"' not in response.content.decode()
    response = client.post(url("batch_create"), {"grants": [str(grant.pk)]})
    assert "所选救助已不能发放" in response.content.decode()
    assert PaymentBatch.objects.count() == 1


def test_auditor_and_staff_cannot_create(client, world, world_finance, grant):
    for user in (world_finance.county_a_auditor, world.wuhu.county_reviewer):
        client.force_login(user)
        assert client.post(url("batch_create"), {"grants": [str(grant.pk)]}).status_code == 403
    assert not PaymentBatch.objects.exists()


# --- Roster -------------------------------------------------------------------------------------


def test_roster_reads_back_with_full_card_and_total(client, fin, grant, accounts, archive):
    batch = batch_create(actor=fin, account=accounts.county_a, grants=[grant])
    response = client.get(url("batch_roster", batch.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["发放花名册"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "序号",
        "收款人姓名",
        "身份证号",
        "银行卡号",
        "开户银行",
        "救助项目",
        "金额（元）",
        "备注",
    )
    assert rows[1][:7] == (
        1,
        "张建国",
        archive.id_masked,
        "6222021234567890123",
        "中国工商银行",
        "生活救助",
        Decimal("9120") if isinstance(rows[1][6], Decimal) else 9120,
    )
    assert rows[1][7] == f"2026年生活救助 档案{archive.number}"
    assert rows[2][1] == "合计 1 人" and rows[2][6] == 9120
    assert rows[2][7] == batch.number
    assert sheet.cell(row=2, column=7).number_format == "#,##0.00"
    assert sheet.cell(row=2, column=4).data_type == "s"  # the card stays text
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.case) == (fin, archive.case)


def test_roster_download_records_the_client_behind_the_proxy(
    client, fin, grant, accounts, archive, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    batch = batch_create(actor=fin, account=accounts.county_a, grants=[grant])
    response = client.get(
        url("batch_roster", batch.pk),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7",
    )
    assert response.status_code == 200
    access = PersonalDataAccess.objects.get()
    assert (access.case, access.ip_address) == (archive.case, "198.51.100.7")


def test_roster_refused_to_auditors_and_other_county(client, world, world_finance, grant, accounts):
    batch = batch_create(actor=world_finance.county_a, account=accounts.county_a, grants=[grant])
    client.force_login(world_finance.county_a_auditor)
    assert client.get(url("batch_roster", batch.pk)).status_code == 403
    client.force_login(world_finance.county_b)
    assert client.get(url("batch_roster", batch.pk)).status_code == 404
    assert not PersonalDataAccess.objects.exists()


# --- Sending, results, slip ---------------------------------------------------------------------


def test_send_needs_confirmation(client, fin, grant, accounts):
    batch = batch_create(actor=fin, account=accounts.county_a, grants=[grant])
    response = client.post(url("batch_send", batch.pk), {"sent_on": "2026-04-13"})
    assert "请勾选确认" in response.content.decode()
    response = client.post(url("batch_send", batch.pk), {"sent_on": "昨天", "confirm": "on"})
    assert "请输入日期" in response.content.decode()
    response = client.post(url("batch_send", batch.pk), {"sent_on": "2026-04-14", "confirm": "on"})
    assert "报送日期不能晚于今天" in response.content.decode()
    assert PaymentBatch.objects.get().status == PaymentBatch.Status.DRAFT
    response = client.post(url("batch_send", batch.pk), {"sent_on": "2026-04-13", "confirm": "on"})
    assert response.status_code == 302
    assert PaymentBatch.objects.get().status == PaymentBatch.Status.SENT


def test_results_form_records_paid_and_failed(client, world, fin, grant, accounts):
    other = approved_grant(world, open_archive(world, person=3, income_wages="20000"))
    batch = sent_batch(world, fin, accounts.county_a, [grant, other])
    first, second = batch.lines.order_by("id")
    response = client.get(url("batch_results", batch.pk))
    assert response.content.decode().count('data-testid="result-row"') == 2
    data = {
        f"result_{first.pk}": "paid",
        f"paid_on_{first.pk}": world.clock.today().isoformat(),
        f"reference_{first.pk}": "ICBC001",
        f"result_{second.pk}": "failed",
        f"reason_{second.pk}": "账户已销户",
        "confirm": "on",
    }
    response = client.post(url("batch_results", batch.pk), data)
    assert response.status_code == 302
    assert [line.status for line in batch.lines.order_by("id")] == ["paid", "failed"]
    assert Entry.objects.filter(kind=Entry.Kind.PAYMENT).get().amount == Decimal("-9120.00")
    response = client.get(url("batch_detail", batch.pk))
    html = response.content.decode()
    assert "已回单" in html
    assert "账户已销户" in html
    assert "已录入（按时）" in html


def test_an_entry_deadline_in_an_unpublished_year_says_so_until_it_is_published(
    client, world, fin, grant, accounts, world_finance
):
    world.clock.set(datetime.date(2026, 12, 14))
    batch = sent_batch(world, fin, accounts.county_a, [grant])
    line = batch.lines.get()
    batch_record_results(actor=fin, batch=batch, results=paid(line, datetime.date(2026, 12, 14)))
    note = "2027年的法定节假日安排尚未公布，已按周一至周五计算。"
    for name, args in (("batch_detail", batch.pk), ("grant_detail", grant.pk)):
        html = client.get(url(name, args)).content.decode()
        assert "2027-01-25" in html and note in html, name

    holiday_year_save(
        actor=world.wuhu.admin,
        year=2027,
        holidays=[HolidayRange(datetime.date(2027, 1, 1), datetime.date(2027, 1, 3), "元旦")],
        workdays=[],
        notice_number="国办发明电〔2026〕7号",
        publish=True,
    )
    for name, args in (("batch_detail", batch.pk), ("grant_detail", grant.pk)):
        html = client.get(url(name, args)).content.decode()
        assert "2027-01-26" in html and note not in html, name


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({}, "请至少为一条明细选择"),
        ({"result": "paid", "paid_on": "13/04/2026", "reference": "R"}, "请输入日期"),
        ({"result": "paid", "paid_on": "", "reference": "R"}, "请填写到账日期"),
        ({"result": "paid", "paid_on": "2026-04-13", "reference": ""}, "请填写银行流水号"),
        ({"result": "failed", "reason": ""}, "发放失败须填写失败原因"),
        ({"result": "stolen"}, "选择一个有效的选项"),
    ],
)
def test_bad_results_are_shown_and_nothing_recorded(
    client, world, fin, grant, accounts, row, words
):
    batch = sent_batch(world, fin, accounts.county_a, [grant])
    line = batch.lines.get()
    data = {f"{key}_{line.pk}": value for key, value in row.items()}
    response = client.post(url("batch_results", batch.pk), {**data, "confirm": "on"})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert PaymentLine.objects.get().status == "pending"
    assert not Entry.objects.filter(kind=Entry.Kind.PAYMENT).exists()


def test_not_enough_money_is_shown_on_the_results_form(client, world, fin, accounts, settings):
    settings.SMS_BACKEND = "tests.factories.core.FakeGateway"
    grant = approved_grant(world, open_archive(world, person=3, income_wages="20000"))
    world.clock.set(PAID_ON)
    batch = sent_batch(world, fin, accounts.county_a, [grant])
    line = batch.lines.get()
    response = client.post(
        url("batch_results", batch.pk),
        {
            f"result_{line.pk}": "paid",
            f"paid_on_{line.pk}": "2026-04-13",
            f"reference_{line.pk}": "R1",
            "confirm": "on",
        },
    )
    assert "2026年度中央财政余额 0.00 元，不足支出 9120.00 元" in response.content.decode()
    assert PaymentLine.objects.get().status == "pending"


def test_auditor_sees_the_batch_but_records_nothing(client, world, world_finance, grant, accounts):
    batch = sent_batch(world, world_finance.county_a, accounts.county_a, [grant])
    line = batch.lines.get()
    client.force_login(world_finance.county_a_auditor)
    response = client.get(url("batch_detail", batch.pk))
    assert response.status_code == 200
    assert 'data-testid="roster-link"' not in response.content.decode()
    posts = {
        "batch_results": {f"result_{line.pk}": "failed", f"reason_{line.pk}": "x", "confirm": "on"},
        "batch_send": {"sent_on": "2026-04-13", "confirm": "on"},
        "batch_slip_upload": {"file": upload_file("回单.pdf")},
        "batch_create": {"grants": [str(grant.pk)]},
    }
    for name, data in posts.items():
        args = () if name == "batch_create" else (batch.pk,)
        assert client.post(url(name, *args), data).status_code == 403
    for name in ("batch_detail", "batch_roster", "batch_slip"):
        assert client.post(url(name, batch.pk)).status_code == 405
    assert PaymentLine.objects.get().status == "pending"
    assert not PaymentBatch.objects.get().bank_slip


def test_finance_of_another_union_is_refused_by_the_service(
    client, world, world_finance, grant, accounts
):
    """The city's finance sees the county's batch but may not act on it."""
    batch = sent_batch(world, world_finance.county_a, accounts.county_a, [grant])
    line = batch.lines.get()
    client.force_login(world_finance.city)
    response = client.post(
        url("batch_results", batch.pk),
        {f"result_{line.pk}": "failed", f"reason_{line.pk}": "x", "confirm": "on"},
    )
    assert "只能办理本级工会帮扶资金专户的业务" in response.content.decode()
    response = client.post(url("batch_slip_upload", batch.pk), {"file": upload_file("回单.pdf")})
    assert "只能办理本级工会帮扶资金专户的业务" in response.content.decode()
    assert PaymentLine.objects.get().status == "pending"


def test_slip_upload_and_download(client, world, fin, grant, accounts, world_finance):
    batch = sent_batch(world, fin, accounts.county_a, [grant])
    response = client.post(
        url("batch_slip_upload", batch.pk), {"file": upload_file("回单.pdf", b"not a pdf")}
    )
    assert "只接受 PDF、JPG、PNG 文件" in response.content.decode()
    response = client.post(
        url("batch_slip_upload", batch.pk), {"file": upload_file("工行回单.pdf")}
    )
    assert response.status_code == 302
    response = client.get(url("batch_slip", batch.pk))
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    client.force_login(world_finance.county_a_auditor)
    assert client.get(url("batch_slip", batch.pk)).status_code == 200
    for user in (world_finance.county_b, world.wuhu.county_b_reviewer):
        client.force_login(user)
        assert client.get(url("batch_slip", batch.pk)).status_code in (403, 404)
    client.force_login(world.wuhu.caseworker)
    assert client.get(url("batch_slip", batch.pk)).status_code == 403


def test_failed_sms_offers_the_letter(client, world, fin, grant, accounts, settings):
    settings.SMS_BACKEND = "tests.factories.funds.FailingGateway"
    batch = sent_batch(world, fin, accounts.county_a, [grant])
    batch_record_results(actor=fin, batch=batch, results=paid(batch.lines.get()))
    html = client.get(url("batch_detail", batch.pk)).content.decode()
    assert 'data-testid="sms-failed"' in html
    assert url("payment_letter", grant.pk) in html
    assert "短信网关超时" in html


def test_the_batch_page_offers_what_the_batch_table_allows(
    client, world, world_finance, fin, grant, accounts
):
    batch = batch_create(actor=fin, account=accounts.county_a, grants=[grant])
    html = client.get(url("batch_detail", batch.pk)).content.decode()
    assert 'data-testid="send-form"' in html and url("batch_results", batch.pk) not in html
    client.force_login(world_finance.city)
    html = client.get(url("batch_detail", batch.pk)).content.decode()
    assert 'data-testid="send-form"' not in html

    client.force_login(fin)
    client.post(url("batch_send", batch.pk), {"sent_on": "2026-04-13", "confirm": "on"})
    html = client.get(url("batch_detail", batch.pk)).content.decode()
    assert 'data-testid="send-form"' not in html and url("batch_results", batch.pk) in html

    batch_record_results(actor=fin, batch=batch, results=paid(batch.lines.get()))
    html = client.get(url("batch_detail", batch.pk)).content.decode()
    assert url("batch_results", batch.pk) not in html
    page = client.get(url("batch_results", batch.pk)).content.decode()
    assert "目前不能办理：该发放批次已全部登记结果。" in page


# --- Scope and lists ----------------------------------------------------------------------------


def test_other_county_gets_404_on_every_batch_url(client, world, world_finance, grant, accounts):
    batch = sent_batch(world, world_finance.county_a, accounts.county_a, [grant])
    line = batch.lines.get()
    client.force_login(world_finance.county_b)
    for name in ("batch_detail", "batch_roster", "batch_results", "batch_slip"):
        assert client.get(url(name, batch.pk)).status_code == 404
    posts = {
        "batch_send": {"sent_on": "2026-04-13", "confirm": "on"},
        "batch_results": {f"result_{line.pk}": "failed", f"reason_{line.pk}": "x", "confirm": "on"},
        "batch_slip_upload": {"file": upload_file("回单.pdf")},
    }
    for name, data in posts.items():
        assert client.post(url(name, batch.pk), data).status_code == 404
    assert PaymentLine.objects.get().status == "pending"


def test_city_finance_reads_the_countys_batches(client, world, world_finance, grant, accounts):
    batch = sent_batch(world, world_finance.county_a, accounts.county_a, [grant])
    client.force_login(world_finance.city)
    assert client.get(url("batch_detail", batch.pk)).status_code == 200
    response = client.get(url("batch_list"))
    assert list(response.context["page_obj"]) == [batch]
    client.force_login(world_finance.county_b)
    assert list(client.get(url("batch_list")).context["page_obj"]) == []


def test_grassroots_staff_have_no_batch_pages(client, world, grant):
    client.force_login(world.wuhu.caseworker)
    assert client.get(url("batch_list")).status_code == 403


def test_batch_list_queries_do_not_grow(client, world, fin, accounts):
    def batch_of(person: int) -> PaymentBatch:
        grant = approved_grant(world, open_archive(world, person=person, income_wages="20000"))
        return batch_create(actor=fin, account=accounts.county_a, grants=[grant])

    batch_of(3)
    with CaptureQueriesContext(connection) as small:
        client.get(url("batch_list"))
    for person in (4, 5):
        batch_of(person)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url("batch_list"))
    assert len(response.context["page_obj"]) == 3
    assert len(large) == len(small)


def test_batch_detail_queries_do_not_grow(client, world, fin, accounts, settings):
    settings.SMS_BACKEND = "tests.factories.core.FakeGateway"
    fund(fin, accounts.county_a, "80000")
    grants = [
        approved_grant(world, open_archive(world, person=p, income_wages="20000"))
        for p in (3, 4, 5, 6, 7)
    ]
    today = world.clock.today()
    one = sent_batch(world, fin, accounts.county_a, grants[:1])
    two = sent_batch(world, fin, accounts.county_a, grants[1:2])
    batch_record_results(actor=fin, batch=one, results=paid(one.lines.get(), on=today))
    batch_record_results(actor=fin, batch=two, results=failed(two.lines.get()))
    with CaptureQueriesContext(connection) as small:
        client.get(url("batch_detail", one.pk))
    big = sent_batch(world, fin, accounts.county_a, grants[1:])
    batch_record_results(
        actor=fin,
        batch=big,
        results={line.pk: ("paid", today, f"R{line.pk}", "") for line in big.lines.all()},
    )
    with CaptureQueriesContext(connection) as large:
        response = client.get(url("batch_detail", big.pk))
    assert response.content.decode().count('data-testid="line-row"') == 4
    assert len(large) == len(small)
    assert Grant.objects.filter(status=Grant.Status.PAID).count() == 5
