"""The bank's return file (回盘文件): the roster with 结果, 到账日期, 失败原因, 银行流水号 added,
uploaded as .xlsx or .csv (GBK too), previewed line by line with each problem in Chinese,
recorded only on confirmation, and never twice; the on-screen form a page at a time, under
Django's field limit."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funds.models import BankReturn, Entry, PaymentBatch, PaymentLine
from funds.rules import match_return, read_return_file
from funds.services.payments import batch_record_results
from tests.factories.archives import open_archive
from tests.factories.funds import (
    PAID_ON,
    approved_grant,
    fund,
    many_approved_grants,
    paid,
    return_csv,
    return_rows,
    return_xlsx,
    sent_batch,
)

LINES = 1000


def url(name: str, *args) -> str:
    return reverse(f"funds:{name}", args=args)


@pytest.fixture
def fin(client, world, world_finance, accounts, settings):
    settings.SMS_BACKEND = "tests.factories.core.FakeGateway"
    settings.SESSION_COOKIE_AGE = 366 * 24 * 60 * 60
    fund(world_finance.county_a, accounts.county_a, "500000")
    world.clock.set(PAID_ON)
    client.force_login(world_finance.county_a)
    return world_finance.county_a


@pytest.fixture
def batch(world, fin, accounts, archive):
    """Three lines at the bank: two of the standard household, one of another."""
    grants = many_approved_grants(archive, accounts.county_a, fin, 2)
    grants.append(approved_grant(world, open_archive(world, person=3, income_wages="20000")))
    world.clock.set(PAID_ON)  # opening an archive moves the clock
    return sent_batch(world, fin, accounts.county_a, grants)


def upload(client, batch, content: bytes, name: str = "回盘.xlsx"):
    return client.post(
        url("batch_return_upload", batch.pk), {"file": SimpleUploadedFile(name, content)}
    )


def preview_of(client, batch, content: bytes, name: str = "回盘.xlsx"):
    """Upload the file; the preview page it leads to."""
    response = upload(client, batch, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    return response["Location"], page.content.decode()


def nothing_recorded(batch) -> None:
    assert set(batch.lines.values_list("status", flat=True)) == {PaymentLine.Status.PENDING}
    assert not Entry.objects.filter(kind=Entry.Kind.PAYMENT).exists()


# --- The file recorded --------------------------------------------------------------------------


def test_xlsx_preview_records_nothing_and_confirmation_records_all(client, fin, batch):
    def fill(number, row):
        if number == 2:
            return ("失败", None, "户名与卡号不符", "")
        return ("到账", PAID_ON, "", f"ICBC{number:05d}")

    location, html = preview_of(client, batch, return_xlsx(return_rows(batch, fill)))
    assert html.count('data-testid="return-row"') == 3
    assert 'class="problem"' not in html and "将登记 3 条" in html
    nothing_recorded(batch)  # the preview posts nothing
    stored = BankReturn.objects.get()
    assert stored.file.name.endswith(f"{stored.sha256}.xlsx") and stored.confirmed_at is None

    assert "请勾选确认" in client.post(location, {}).content.decode()
    nothing_recorded(batch)
    response = client.post(location, {"confirm": "on"})
    assert response.status_code == 302
    lines = list(batch.lines.order_by("id"))
    assert [line.status for line in lines] == ["paid", "failed", "paid"]
    assert lines[0].bank_reference == "ICBC00001" and lines[0].paid_on == PAID_ON
    assert lines[1].failure_reason == "户名与卡号不符"
    assert Entry.objects.filter(kind=Entry.Kind.PAYMENT).count() == 2
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.SETTLED

    # Confirming again (or uploading the same file again) records nothing twice.
    html = client.post(location, {"confirm": "on"}).content.decode()
    assert "不能重复登记" in html
    assert Entry.objects.filter(kind=Entry.Kind.PAYMENT).count() == 2


def test_a_second_upload_of_settled_lines_is_refused_line_by_line(client, fin, batch):
    first = batch.lines.order_by("id").first()
    batch_record_results(actor=fin, batch=batch, results=paid(first, PAID_ON, "ICBC1"))
    location, html = preview_of(client, batch, return_xlsx(return_rows(batch)))
    assert html.count('class="problem"') == 1
    assert "该明细已登记为“已到账”，不能再次登记" in html
    response = client.post(location, {"confirm": "on"})
    assert response.status_code == 200 and "第 2 行" in response.content.decode()
    assert Entry.objects.filter(kind=Entry.Kind.PAYMENT).count() == 1
    assert batch.lines.filter(status="pending").count() == 2


def test_gbk_csv_with_blank_results_records_only_the_filled_lines(client, fin, batch):
    def fill(number, row):
        return ("到账", "2026/4/13", "", "农行A1") if number == 1 else ("", "", "", "")

    rows = return_rows(batch, fill)
    content = return_csv(rows, "gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    location, html = preview_of(client, batch, content, "回盘.csv")
    assert "未填写，不登记" in html and "将登记 1 条" in html
    assert client.post(location, {"confirm": "on"}).status_code == 302
    assert list(batch.lines.order_by("id").values_list("status", flat=True)) == [
        "paid",
        "pending",
        "pending",
    ]
    assert batch.lines.order_by("id").first().bank_reference == "农行A1"


# --- Bad files ----------------------------------------------------------------------------------


def test_wrong_columns_and_wrong_type_are_refused_with_the_columns_named(client, fin, batch):
    rows = return_rows(batch)
    rows[0] = [h if h != "结果" else "状态" for h in rows[0]]
    _, html = preview_of(client, batch, return_xlsx(rows))
    assert "文件的列不对：缺少“结果”列" in html
    assert "disabled>确认登记" in html
    response = upload(client, batch, b"%PDF-1.4", "回盘.pdf")
    assert "只接受 .xlsx 或 .csv" in response.content.decode()
    response = upload(client, batch, b"not a zip", "回盘.xlsx")
    html = client.get(response["Location"]).content.decode()
    assert "无法读取该 Excel 文件" in html
    nothing_recorded(batch)


def test_unknown_card_amount_differs_and_duplicate_line_each_said(client, fin, batch):
    rows = return_rows(batch)
    rows[1][3] = "6222020000000000000"  # an unknown card
    rows[2][6] = float(rows[2][6]) + 1  # another amount
    rows.insert(4, list(rows[3]))  # line 3 twice
    location, html = preview_of(client, batch, return_xlsx(rows))
    assert html.count('class="problem"') == 3
    assert "银行卡号 6222020000000000000 不在本批次中" in html
    assert "金额 " in html and "与本批次的 " in html and "不符" in html
    assert "与第 4 行重复：序号 3 只能登记一次" in html
    assert "disabled>确认登记" in html
    response = client.post(location, {"confirm": "on"})
    assert "回盘文件有问题，未登记" in response.content.decode()
    nothing_recorded(batch)


def test_another_batchs_file_is_refused(client, world, fin, batch, accounts):
    grant = approved_grant(world, open_archive(world, person=4, income_wages="20000"))
    world.clock.set(PAID_ON)
    other = sent_batch(world, fin, accounts.county_a, [grant])
    location, html = preview_of(client, batch, return_xlsx(return_rows(other)))
    assert f"该文件是发放批次 {other.number} 的回盘文件，不是本批次 {batch.number} 的" in html
    # Without the total row, the cards still tell.
    _, html = preview_of(client, batch, return_xlsx(return_rows(other, footer=False)))
    assert "没有一行能对上本批次" in html
    assert client.post(location, {"confirm": "on"}).status_code == 200
    nothing_recorded(batch)


def test_matching_is_pure_and_says_each_problem(batch):
    """The rules alone: bytes in, rows and problems out."""
    lines = list(batch.lines.order_by("id"))
    rows = return_rows(batch)
    rows[1][8] = "已撤销"
    rows[2][9] = "明天"
    read = read_return_file(return_csv(rows, "utf-8-sig"), "x.CSV")
    assert read.batch_number == batch.number and len(read.rows) == 3
    assert read.rows[0].error == "结果“已撤销”不认识，请填写“到账”或“失败”。"
    assert read.rows[1].error == "到账日期“明天”不是日期。"
    from core.crypto import decrypt

    problem, matches = match_return(
        read,
        batch_number=batch.number,
        lines=lines,
        cards={line.pk: decrypt(line.card_cipher) for line in lines},
        today=PAID_ON,
        sent_on=PAID_ON + datetime.timedelta(days=1),
    )
    assert problem == ""
    assert matches[2].line == lines[2]
    assert matches[2].problem.startswith("到账日期不能早于报送银行日期")
    assert read_return_file(b"", "a.xls").error == "只接受 .xlsx 或 .csv 格式的银行回盘文件。"


# --- Many lines ---------------------------------------------------------------------------------


def test_a_thousand_line_batch_from_an_xlsx_return_file(client, world, fin, accounts, archive):
    grants = many_approved_grants(archive, accounts.county_a, fin, LINES)
    world.clock.set(PAID_ON)
    batch = sent_batch(world, fin, accounts.county_a, grants)
    assert batch.lines.count() == LINES

    def fill(number, row):
        if number % 100 == 0:
            return ("失败", None, "账户冻结", "")
        return ("到账", PAID_ON, "", f"ICBC{number:05d}")

    location, html = preview_of(client, batch, return_xlsx(return_rows(batch, fill)))
    assert html.count('data-testid="return-row"') == LINES and f"将登记 {LINES} 条" in html
    nothing_recorded(batch)
    response = client.post(location, {"confirm": "on"})
    assert response.status_code == 302
    assert batch.lines.filter(status="failed").count() == LINES // 100
    assert batch.lines.filter(status="paid").count() == LINES - LINES // 100
    total = sum(g.amount for g in grants) - sum(
        line.amount for line in batch.lines.filter(status="failed")
    )
    paid_total = sum(e.amount for e in Entry.objects.filter(kind=Entry.Kind.PAYMENT))
    assert paid_total == -total
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.SETTLED


def test_the_manual_form_pages_its_lines_under_the_field_limit(
    client, world, fin, accounts, archive
):
    grants = many_approved_grants(archive, accounts.county_a, fin, 260)
    world.clock.set(PAID_ON)
    batch = sent_batch(world, fin, accounts.county_a, grants)
    response = client.get(url("batch_results", batch.pk))
    form = response.context["form"]
    assert len(form.lines) == 50
    html = response.content.decode()
    assert html.count('data-testid="result-row"') == 50 and "共 260 条" in html
    data = {"confirm": "on"}
    for line in form.lines:
        data |= {
            f"result_{line.pk}": "paid",
            f"paid_on_{line.pk}": PAID_ON.isoformat(),
            f"reference_{line.pk}": f"R{line.pk}",
            f"reason_{line.pk}": "",
        }
    assert len(data) + 1 < django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS  # and the token
    response = client.post(url("batch_results", batch.pk), data)
    assert response.status_code == 302 and response["Location"] == url("batch_results", batch.pk)
    assert batch.lines.filter(status="paid").count() == 50
    # The next page is the next 50 still at the bank.
    nxt = client.get(url("batch_results", batch.pk)).context["form"].lines
    assert nxt[0].pk == form.lines[-1].pk + 1 and len(nxt) == 50
    # The whole batch at once would be over the limit: what the old form posted.
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS < 260 * 4
    assert Decimal(sum(line.amount for line in form.lines)) == -sum(
        e.amount for e in Entry.objects.filter(kind=Entry.Kind.PAYMENT)
    )
