"""Paying grants through the services (WH-F §7 §9, TA-F §4–§5): the batch and its lines to
the worker's own card, the roster download logged as personal-data access, the bank's
results (a paid line debits the fund of the grant's source and year, a failed one never
does), the 30-working-day entry deadline, the worker's SMS, the bank slip; and a grant is
never paid twice."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from archives.models import Archive
from archives.services.lifecycle import close_archive, lock_archive
from assistance.models import PersonalDataAccess
from core.lifecycle import moves
from core.models import Notification, StatusEvent
from core.workdays import HolidayRange, add_working_days
from funds.lifecycles import PAYMENT_BATCHES
from funds.models import Entry, Grant, PaymentBatch, PaymentLine
from funds.services.grants import grant_cancel, grant_propose
from funds.services.ledger import balance
from funds.services.payments import (
    batch_create,
    batch_record_results,
    batch_roster_access,
    batch_send,
    batch_upload_slip,
)
from office.services.calendar import holiday_year_save
from tests.factories.archives import open_archive
from tests.factories.core import PDF_BYTES, PNG_BYTES, fresh, refusal_text, upload_file
from tests.factories.funds import PAID_ON, approved_grant, failed, fund, paid, sent_batch

# --- Batches ---------------------------------------------------------------------------------


def test_batch_pays_the_workers_own_card(world, archive, accounts, world_finance, ready):
    batch = batch_create(actor=world_finance.county_a, account=accounts.county_a, grants=[ready])
    assert batch.number == f"FF20260413{batch.pk:04d}"
    assert batch.status == PaymentBatch.Status.DRAFT
    line = batch.lines.get()
    assert (line.grant, line.payee_name, line.bank_name, line.amount) == (
        ready,
        "张建国",
        "中国工商银行",
        Decimal("9120.00"),
    )
    assert line.card_masked == archive.case.bank_card_masked == "6222***********0123"
    assert line.card_cipher == archive.case.bank_card_cipher
    assert line.status == PaymentLine.Status.PENDING
    assert fresh(ready).status == Grant.Status.APPROVED


def test_only_the_accounts_own_finance_makes_a_batch(world, accounts, world_finance, ready):
    for actor in (
        world_finance.city,
        world_finance.county_b,
        world_finance.county_a_auditor,
        world.wuhu.county_reviewer,
    ):
        with pytest.raises(PermissionDenied):
            batch_create(actor=actor, account=accounts.county_a, grants=[ready])
    assert not PaymentBatch.objects.exists()


def test_batch_refuses_what_cannot_be_paid(world, archive, accounts, world_finance, ready):
    fin = world_finance.county_a
    with pytest.raises(ValidationError) as exc:
        batch_create(actor=fin, account=accounts.county_a, grants=[])
    assert "请选择要发放的帮扶救助" in refusal_text(exc)
    proposed = grant_propose(
        actor=world.wuhu.caseworker,
        archive=open_archive(world, person=3, income_wages="20000"),
        item="living",
        year=2026,
        source="central",
        inputs={},
    )
    with pytest.raises(ValidationError) as exc:
        batch_create(actor=fin, account=accounts.county_a, grants=[ready, proposed])
    assert "状态为“待审批”，只有已审批待发放的救助可以发放" in refusal_text(exc)
    with pytest.raises(PermissionDenied):
        batch_create(actor=fin, account=accounts.county_b, grants=[ready])
    assert not PaymentBatch.objects.exists()


def test_batch_refused_for_another_accounts_grant(world, accounts, world_finance, ready):
    with pytest.raises(ValidationError) as exc:
        batch_create(
            actor=world_finance.county_a, account=accounts.county_a, grants=[ready.pk, 999999]
        )
    assert "所选救助不全是镜湖区总工会困难职工帮扶资金专户的救助" in refusal_text(exc)


def test_no_payment_to_a_closed_archive(world, archive, accounts, world_finance, ready):
    with transaction.atomic():
        close_archive(
            actor=world.wuhu.caseworker,
            archive=lock_archive(archive),
            reason=Archive.CloseReason.REQUEST,
            note="本人申请退档",
            on=world.clock.today(),
        )
    with pytest.raises(ValidationError) as exc:
        batch_create(actor=world_finance.county_a, account=accounts.county_a, grants=[ready])
    assert "档案已退档，先建档、后帮扶，不能发放" in refusal_text(exc)


def test_a_second_batch_with_the_same_grant_is_refused(world, accounts, world_finance, ready):
    fin = world_finance.county_a
    batch_create(actor=fin, account=accounts.county_a, grants=[ready])
    with pytest.raises(ValidationError) as exc:
        batch_create(actor=fin, account=accounts.county_a, grants=[ready])
    assert "已在其他发放批次中" in refusal_text(exc)
    assert PaymentBatch.objects.count() == 1


def test_the_database_holds_one_live_line_per_grant(world, accounts, world_finance, ready):
    batch = batch_create(actor=world_finance.county_a, account=accounts.county_a, grants=[ready])
    line = batch.lines.get()
    twin = PaymentLine(
        batch=batch,
        grant=ready,
        payee_name=line.payee_name,
        bank_name=line.bank_name,
        card_cipher=line.card_cipher,
        card_masked=line.card_masked,
        amount=line.amount,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_a_grant_at_the_bank_cannot_be_cancelled(world, accounts, world_finance, ready):
    batch = batch_create(actor=world_finance.county_a, account=accounts.county_a, grants=[ready])
    with pytest.raises(ValidationError) as exc:
        grant_cancel(actor=world.wuhu.caseworker, grant=ready, reason="职工放弃")
    assert f"已列入发放批次 {batch.number}，等待银行处理，不能撤销" in refusal_text(exc)


# --- Roster and sending ------------------------------------------------------------------------


def test_roster_download_is_logged_per_case(world, archive, accounts, world_finance, ready):
    fin = world_finance.county_a
    batch = batch_create(actor=fin, account=accounts.county_a, grants=[ready])
    batch_roster_access(actor=fin, batch=batch, ip_address="10.0.0.8")
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.case, access.ip_address) == (fin, archive.case, "10.0.0.8")
    assert access.fields == [f"银行卡号（发放花名册 {batch.number}）"]
    for actor in (world_finance.county_a_auditor, world_finance.city, world.wuhu.county_reviewer):
        with pytest.raises(PermissionDenied):
            batch_roster_access(actor=actor, batch=batch, ip_address=None)
    assert PersonalDataAccess.objects.count() == 1


def test_send_marks_the_batch_sent_once(world, accounts, world_finance, ready):
    fin = world_finance.county_a
    batch = batch_send(
        actor=fin, batch=batch_create(actor=fin, account=accounts.county_a, grants=[ready])
    )
    assert (batch.status, batch.sent_on) == (PaymentBatch.Status.SENT, PAID_ON)
    with pytest.raises(ValidationError):
        batch_send(actor=fin, batch=batch)
    with pytest.raises(PermissionDenied):
        batch_send(actor=world_finance.county_a_auditor, batch=batch)


def test_another_unions_finance_may_not_send(world, accounts, world_finance, ready):
    batch = batch_create(actor=world_finance.county_a, account=accounts.county_a, grants=[ready])
    with pytest.raises(PermissionDenied, match="只能办理本级工会帮扶资金专户的业务"):
        batch_send(actor=world_finance.city, batch=batch)
    assert fresh(batch).status == PaymentBatch.Status.DRAFT
    send = {m.transition.action: m for m in moves(PAYMENT_BATCHES, batch, world_finance.city)}
    assert send["send"].why_not == "只能办理本级工会帮扶资金专户的业务。"
    assert moves(PAYMENT_BATCHES, batch, world_finance.county_a)[0].allowed


# --- Bank results ------------------------------------------------------------------------------


def events(obj) -> list[tuple[str, str, str]]:
    rows = StatusEvent.objects.filter(object_id=obj.pk, content_type__model=obj._meta.model_name)
    return list(rows.order_by("id").values_list("action", "from_status", "to_status"))


def test_each_result_is_a_move_of_the_line_and_the_last_settles_the_batch(
    world, accounts, world_finance, gateway
):
    w = world
    fin = world_finance.county_a
    fund(fin, accounts.county_a, "50000")
    grants = [approved_grant(w, open_archive(w, person=p, income_wages="20000")) for p in (3, 4)]
    w.clock.set(PAID_ON)
    batch = sent_batch(w, fin, accounts.county_a, grants)
    first, second = batch.lines.order_by("id")

    batch = batch_record_results(actor=fin, batch=batch, results=paid(first))
    assert batch.status == PaymentBatch.Status.SENT
    batch = batch_record_results(actor=fin, batch=batch, results=failed(second))

    assert batch.status == PaymentBatch.Status.SETTLED
    assert events(first) == [("pay", "pending", "paid")]
    assert events(second) == [("fail", "pending", "failed")]
    assert StatusEvent.objects.get(object_id=second.pk, action="fail").reason == "户名与卡号不符"
    assert events(batch) == [
        ("send", "draft", "sent"),
        ("record", "sent", "sent"),
        ("record", "sent", "sent"),
        ("settle", "sent", "settled"),
    ]
    reasons = [h.history_change_reason for h in fresh(second).history.order_by("history_id")]
    assert "银行发放失败：户名与卡号不符" in reasons
    assert fresh(batch).history.latest().history_change_reason == "银行结果全部登记"


def test_paid_result_debits_the_fund_and_tells_the_worker(
    world, archive, accounts, world_finance, ready, gateway
):
    fin = world_finance.county_a
    batch = sent_batch(world, fin, accounts.county_a, [ready])
    line = batch.lines.get()
    batch = batch_record_results(actor=fin, batch=batch, results=paid(line))
    assert (batch.status, batch.settled_on) == (PaymentBatch.Status.SETTLED, PAID_ON)

    entry = Entry.objects.get(kind=Entry.Kind.PAYMENT)
    assert (entry.amount, entry.item, entry.source, entry.year) == (
        Decimal("-9120.00"),
        "living",
        "central",
        2026,
    )
    assert (entry.counterpart, entry.reference, entry.payment_line, entry.entry_date) == (
        "张建国",
        "ICBC20260413001",
        line,
        PAID_ON,
    )
    assert entry.fund_category == "finance" and entry.county == world.wuhu.county
    assert balance(accounts.county_a, year=2026, source="central") == Decimal("40880.00")

    line = fresh(line)
    assert (line.status, line.paid_on, line.bank_reference) == ("paid", PAID_ON, "ICBC20260413001")
    assert line.entry_due == add_working_days(PAID_ON, 30).value
    assert line.result_recorded_by == fin and line.result_recorded_at is not None
    grant = fresh(ready)
    assert (grant.status, grant.paid_on) == (Grant.Status.PAID, PAID_ON)
    assert fresh(archive).last_assisted_on == PAID_ON
    event = archive.events.get(kind="assisted")
    assert "生活救助 9120.00 元于 2026-04-13 发放到账" in event.note and event.actor == fin

    assert gateway.sent == [
        (
            "13912345678",
            "【镜湖区总工会】张建国同志：您的生活救助金 9120.00 元已于2026年4月13日"
            "发放至您尾号0123的银行卡（2026年度第1次帮扶）。",
        )
    ]
    assert line.notification.status == Notification.Status.SENT
    assert line.notification.phone_masked == "139****5678"


def test_the_entry_deadline_follows_the_calendar_published_after_payment(
    world, accounts, world_finance, ready
):
    """Paid Mon 2026-12-14 with 2027 unpublished: 13 working days left in December, then
    17 in January counted Monday–Friday end Mon 25 January. Publishing 2027 with 1–3
    January off moves it to Tue 26 January; the grant page says so before, not after."""
    fin = world_finance.county_a
    world.clock.set(datetime.date(2026, 12, 14))
    batch = sent_batch(world, fin, accounts.county_a, [ready])
    line = batch.lines.get()
    batch_record_results(actor=fin, batch=batch, results=paid(line, on=datetime.date(2026, 12, 14)))
    line = fresh(line)
    assert line.entry_due == datetime.date(2027, 1, 25)
    saved = holiday_year_save(
        actor=world.wuhu.admin,
        year=2027,
        holidays=[HolidayRange(datetime.date(2027, 1, 1), datetime.date(2027, 1, 3), "元旦")],
        workdays=[],
        notice_number="国办发明电〔2026〕7号",
        publish=True,
    )
    assert saved.deadlines["发放结果录入截止"] == 1
    line = fresh(line)
    assert line.entry_due == datetime.date(2027, 1, 26)
    change = line.history.order_by("-history_id").first()
    assert change.history_user == world.wuhu.admin
    assert "录入截止由2027-01-25改为2027-01-26" in change.history_change_reason


def test_results_only_after_the_roster_went_to_the_bank(world, accounts, world_finance, ready):
    fin = world_finance.county_a
    batch = batch_create(actor=fin, account=accounts.county_a, grants=[ready])
    with pytest.raises(ValidationError) as exc:
        batch_record_results(actor=fin, batch=batch, results=paid(batch.lines.get()))
    assert "花名册尚未报送银行" in refusal_text(exc)
    assert not Entry.objects.filter(kind=Entry.Kind.PAYMENT).exists()


def test_not_enough_money_refuses_the_whole_recording(world, accounts, world_finance, gateway):
    """Two lines, the second of provincial money that is not there: nothing is recorded."""
    w = world
    fin = world_finance.county_a
    fund(fin, accounts.county_a, "50000")
    first = approved_grant(w, open_archive(w, person=3, income_wages="20000"))
    second = approved_grant(w, open_archive(w, person=4, income_wages="20000"), source="provincial")
    w.clock.set(PAID_ON)
    batch = sent_batch(w, fin, accounts.county_a, [first, second])
    lines = list(batch.lines.order_by("id"))
    with pytest.raises(ValidationError) as exc:
        batch_record_results(actor=fin, batch=batch, results={**paid(lines[0]), **paid(lines[1])})
    text = refusal_text(exc)
    assert "2026年度省级财政余额 0.00 元，不足支出 9120.00 元" in text
    assert "未登记任何结果" in text
    assert not Entry.objects.filter(kind=Entry.Kind.PAYMENT).exists()
    assert [fresh(line).status for line in lines] == ["pending", "pending"]
    assert [fresh(g).status for g in (first, second)] == ["approved", "approved"]
    assert gateway.sent == []
    assert balance(accounts.county_a, year=2026, source="central") == Decimal("50000.00")


def test_a_failed_payment_never_debits_the_fund(world, archive, accounts, world_finance, ready):
    fin = world_finance.county_a
    batch = sent_batch(world, fin, accounts.county_a, [ready])
    line = batch.lines.get()
    with pytest.raises(ValidationError) as exc:
        batch_record_results(actor=fin, batch=batch, results=failed(line, reason=" "))
    assert "发放失败须填写失败原因" in refusal_text(exc)
    batch = batch_record_results(actor=fin, batch=batch, results=failed(line))
    assert batch.status == PaymentBatch.Status.SETTLED
    line = fresh(line)
    assert (line.status, line.failure_reason, line.paid_on) == ("failed", "户名与卡号不符", None)
    assert not Entry.objects.filter(kind=Entry.Kind.PAYMENT).exists()
    assert balance(accounts.county_a) == Decimal("50000.00")
    assert fresh(ready).status == Grant.Status.APPROVED
    assert fresh(archive).last_assisted_on is None

    # The grant goes into another batch; the failed line stays as history.
    again = sent_batch(world, fin, accounts.county_a, [ready])
    batch_record_results(actor=fin, batch=again, results=paid(again.lines.get()))
    assert fresh(ready).status == Grant.Status.PAID
    assert list(ready.payment_lines.order_by("id").values_list("status", flat=True)) == [
        "failed",
        "paid",
    ]
    assert Entry.objects.filter(kind=Entry.Kind.PAYMENT).count() == 1


def test_a_grant_is_never_paid_twice(world, accounts, world_finance, ready):
    fin = world_finance.county_a
    batch = sent_batch(world, fin, accounts.county_a, [ready])
    line = batch.lines.get()
    batch_record_results(actor=fin, batch=batch, results=paid(line))
    # The same line again: refused (the batch is settled, and the line has its result).
    with pytest.raises(ValidationError) as exc:
        batch_record_results(actor=fin, batch=batch, results=paid(line, reference="X2"))
    assert "已全部登记结果" in refusal_text(exc)
    # A new batch with the paid grant: refused.
    with pytest.raises(ValidationError) as exc:
        batch_create(actor=fin, account=accounts.county_a, grants=[ready])
    assert "状态为“已发放”" in refusal_text(exc)
    assert Entry.objects.filter(kind=Entry.Kind.PAYMENT).count() == 1


def test_a_line_gets_one_result_only(world, accounts, world_finance, gateway):
    w = world
    fin = world_finance.county_a
    fund(fin, accounts.county_a, "50000")
    grants = [approved_grant(w, open_archive(w, person=p, income_wages="20000")) for p in (3, 4)]
    w.clock.set(PAID_ON)
    batch = sent_batch(w, fin, accounts.county_a, grants)
    first, second = batch.lines.order_by("id")
    batch = batch_record_results(actor=fin, batch=batch, results=paid(first))
    assert batch.status == PaymentBatch.Status.SENT  # one line still at the bank
    with pytest.raises(ValidationError) as exc:
        batch_record_results(actor=fin, batch=batch, results={**failed(first), **paid(second)})
    assert "已登记结果“已到账”，一条明细只能登记一次" in refusal_text(exc)
    assert fresh(second).status == "pending"
    assert Entry.objects.filter(kind=Entry.Kind.PAYMENT).count() == 1


@pytest.mark.parametrize(
    ("result", "words"),
    [
        (("paid", None, "R1", ""), "请填写到账日期"),
        (("paid", datetime.date(2026, 4, 14), "R1", ""), "到账日期不能晚于今天"),
        (("paid", datetime.date(2026, 4, 12), "R1", ""), "不能早于报送银行日期"),
        (("paid", PAID_ON, " ", ""), "请填写银行流水号"),
        (("lost", PAID_ON, "R1", ""), "请选择“已到账”或“发放失败”"),
        (("paid", PAID_ON), "发放明细或结果不正确"),
    ],
)
def test_bad_results_are_refused(world, accounts, world_finance, ready, result, words):
    fin = world_finance.county_a
    batch = sent_batch(world, fin, accounts.county_a, [ready])
    with pytest.raises(ValidationError) as exc:
        batch_record_results(actor=fin, batch=batch, results={batch.lines.get().pk: result})
    assert words in refusal_text(exc)
    assert not Entry.objects.filter(kind=Entry.Kind.PAYMENT).exists()


def test_results_for_another_batchs_line_are_refused(world, accounts, world_finance, gateway):
    w = world
    fin = world_finance.county_a
    fund(fin, accounts.county_a, "50000")
    a = approved_grant(w, open_archive(w, person=3, income_wages="20000"))
    b = approved_grant(w, open_archive(w, person=4, income_wages="20000"))
    w.clock.set(PAID_ON)
    one = sent_batch(w, fin, accounts.county_a, [a])
    other = sent_batch(w, fin, accounts.county_a, [b])
    with pytest.raises(ValidationError) as exc:
        batch_record_results(actor=fin, batch=one, results=paid(other.lines.get()))
    assert "不属于该发放批次" in refusal_text(exc)


def test_only_the_accounts_finance_records_results(world, accounts, world_finance, ready):
    fin = world_finance.county_a
    batch = sent_batch(world, fin, accounts.county_a, [ready])
    for actor in (world_finance.county_a_auditor, world_finance.county_b, world_finance.city):
        with pytest.raises(PermissionDenied):
            batch_record_results(actor=actor, batch=batch, results=paid(batch.lines.get()))


def test_a_failed_sms_does_not_undo_the_payment(world, accounts, world_finance, ready, settings):
    settings.SMS_BACKEND = "tests.factories.funds.FailingGateway"
    fin = world_finance.county_a
    batch = sent_batch(world, fin, accounts.county_a, [ready])
    batch_record_results(actor=fin, batch=batch, results=paid(batch.lines.get()))
    line = batch.lines.get()
    assert line.status == "paid"
    assert (line.notification.status, line.notification.error) == ("failed", "短信网关超时")
    assert fresh(ready).status == Grant.Status.PAID


def test_payment_to_an_archive_closed_meanwhile_is_recorded(
    world, archive, accounts, world_finance, ready
):
    fin = world_finance.county_a
    batch = sent_batch(world, fin, accounts.county_a, [ready])
    with transaction.atomic():
        close_archive(
            actor=world.wuhu.caseworker,
            archive=lock_archive(archive),
            reason=Archive.CloseReason.REQUEST,
            note="本人申请退档",
            on=world.clock.today(),
        )
    batch_record_results(actor=fin, batch=batch, results=paid(batch.lines.get()))
    assert fresh(ready).status == Grant.Status.PAID
    assert fresh(archive).last_assisted_on is None  # read-only once closed
    assert Entry.objects.filter(kind=Entry.Kind.PAYMENT).count() == 1


def test_second_help_of_the_year_is_counted_in_the_notice(world, accounts, world_finance, gateway):
    w = world
    fin = world_finance.county_a
    fund(fin, accounts.county_a, "50000")
    archive = open_archive(w, person=3, income_wages="20000")
    living = approved_grant(w, archive)
    medical = approved_grant(w, archive, "medical")
    w.clock.set(PAID_ON)
    batch = sent_batch(w, fin, accounts.county_a, [living, medical])
    first, second = batch.lines.order_by("id")
    batch_record_results(actor=fin, batch=batch, results={**paid(first), **paid(second)})
    assert gateway.sent[0][1].endswith("（2026年度第1次帮扶）。")
    assert gateway.sent[1][1].endswith("（2026年度第2次帮扶）。")
    assert "您的医疗救助金 9000.00 元" in gateway.sent[1][1]


# --- Bank slip -----------------------------------------------------------------------------------


def test_bank_slip_kept_once(world, accounts, world_finance, ready, settings):
    fin = world_finance.county_a
    batch = batch_create(actor=fin, account=accounts.county_a, grants=[ready])
    with pytest.raises(ValidationError) as exc:
        batch_upload_slip(actor=fin, batch=batch, upload=upload_file("回单.pdf"))
    assert "花名册尚未报送银行" in refusal_text(exc)
    batch = batch_send(actor=fin, batch=batch)
    with pytest.raises(ValidationError) as exc:
        batch_upload_slip(actor=fin, batch=batch, upload=upload_file("回单.pdf", b"MZ\x90\x00"))
    assert "只接受 PDF、JPG、PNG 文件" in refusal_text(exc)
    with pytest.raises(ValidationError) as exc:
        batch_upload_slip(actor=fin, batch=batch, upload=upload_file("回单.pdf", PNG_BYTES))
    assert "与扩展名“.pdf”不符" in refusal_text(exc)
    settings.DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        batch_upload_slip(actor=fin, batch=batch, upload=upload_file("回单.pdf"))
    assert "文件超过" in refusal_text(exc)
    settings.DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(PermissionDenied):
        batch_upload_slip(
            actor=world_finance.county_a_auditor, batch=batch, upload=upload_file("回单.pdf")
        )
    batch = batch_upload_slip(actor=fin, batch=batch, upload=upload_file("工行回单.pdf"))
    assert batch.bank_slip_name == "工行回单.pdf"
    assert batch.bank_slip.name.startswith(f"funds/slips/{batch.pk}/")
    with open(batch.bank_slip.path, "rb") as stored:
        assert stored.read() == PDF_BYTES
    assert str(settings.MEDIA_ROOT) in batch.bank_slip.path
    with pytest.raises(ValidationError) as exc:
        batch_upload_slip(actor=fin, batch=batch, upload=upload_file("回单2.pdf"))
    assert "不能替换" in refusal_text(exc)
