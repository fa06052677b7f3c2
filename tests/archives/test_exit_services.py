"""Leaving the archive (WH-M §13–§14) through the services: the request, 脱困 and the
phase-out, 解困 staying in the archive, the objection and its 15-working-day re-check, the
worker told by SMS or letter, and the daily command."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from archives.models import (
    Archive,
    ArchiveEvent,
    ArchiveExit,
    ArchivePerson,
    ArchiveVisit,
    CategoryChange,
    ExitObjection,
)
from archives.rules import exit_policy, recheck_deadline
from archives.services.exits import (
    exit_finalise,
    exit_request_record,
    exits_finalise_due,
)
from assistance.models import CaseDocument
from core.dates import add_months
from core.history import save_tracked
from core.models import Notification
from core.workdays import HolidayRange, add_working_days
from office.services.calendar import holiday_year_save
from tests.factories.accounts import system_user
from tests.factories.archives import (
    CLEAR_WAGES,
    DEEP_WAGES,
    RELATIVE_WAGES,
    VISIT_DAY,
    conclude,
    decide,
    exiting_archive,
    finding,
    objection,
    open_archive,
    phase_out_archive,
    relative_archive,
)
from tests.factories.core import fresh, refusal_text, upload_file

S = Archive.Status


def events(archive: Archive) -> list[str]:
    return list(archive.events.order_by("id").values_list("kind", flat=True))


# --- The worker's own request ----------------------------------------------------------------


def test_own_request_closes_the_archive_and_frees_the_household(world, archive):
    w = world.wuhu
    world.clock.set(VISIT_DAY)
    exit = exit_request_record(
        actor=w.caseworker,
        archive=archive,
        request_date=VISIT_DAY,
        request_document=upload_file("退档申请书.pdf"),
        note="已在外地稳定就业。",
    )
    row = fresh(archive)
    assert (row.status, row.close_reason, row.closed_on) == (
        S.CLOSED,
        Archive.CloseReason.REQUEST,
        VISIT_DAY,
    )
    assert row.retain_until == datetime.date(2056, 5, 6)
    assert (exit.kind, exit.outcome) == (ArchiveExit.Kind.REQUEST, ArchiveExit.Outcome.EXIT)
    assert exit.document.doc_type == CaseDocument.Type.EXIT_REQUEST
    assert exit.document.case_id == archive.case_id
    assert not ArchivePerson.objects.filter(archive=archive, active=True).exists()
    assert events(archive)[-2:] == [ArchiveEvent.Kind.EXIT_RECORDED, ArchiveEvent.Kind.CLOSED]
    history = ArchiveExit.history.get(id=exit.pk)
    assert (history.history_user, history.history_change_reason) == (
        w.caseworker,
        "登记本人退档申请",
    )
    # The same person may now stand in another archive (one open archive per person).
    other = open_archive(world, person=1)
    person = ArchivePerson(
        archive=other, name=archive.person_name, relation="户主", id_hash=archive.id_hash
    )
    save_tracked(person, actor=w.caseworker, reason="测试", validate=False)
    assert ArchivePerson.objects.filter(id_hash=archive.id_hash, active=True).count() == 1


def test_an_open_archive_holds_its_people(world, archive):
    other = open_archive(world, person=1)
    person = ArchivePerson(
        archive=other, name=archive.person_name, relation="户主", id_hash=archive.id_hash
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        save_tracked(person, actor=world.wuhu.caseworker, reason="测试", validate=False)


def test_own_request_needs_the_written_request(world, archive):
    with pytest.raises(ValidationError) as caught:
        exit_request_record(
            actor=world.wuhu.caseworker,
            archive=archive,
            request_date=world.clock.today(),
            request_document=None,
        )
    assert caught.value.message_dict["request_document"] == ["请上传职工本人填写的退档申请书。"]
    assert fresh(archive).status == S.OPEN


def test_own_request_refuses_a_forbidden_role_and_another_county(world, archive):
    for actor in (world.wuhu.admin, world.wuhu.county_b_reviewer, world.wuhu.caseworker_b):
        with pytest.raises(PermissionDenied):
            exit_request_record(
                actor=actor,
                archive=archive,
                request_date=world.clock.today(),
                request_document=upload_file(),
            )
    assert fresh(archive).status == S.OPEN
    assert not ArchiveExit.objects.exists()


# --- 解困 and 脱困: deep households ----------------------------------------------------------


def test_deep_finding_without_six_months_above_the_line_is_refused(world, archive):
    world.clock.set(VISIT_DAY)
    with pytest.raises(ValidationError) as caught:
        finding(world, archive, wages=RELATIVE_WAGES, months_above_line=5)
    text = refusal_text(caught)
    assert "连续6个月超过当地低保标准" in text and "解困" in text
    assert "保留在深度困难职工档案" in text
    # Nothing is left of the refused finding, not even its visit.
    assert fresh(archive).status == S.OPEN
    assert not ArchiveVisit.objects.filter(archive=archive).exists()
    assert not ArchiveExit.objects.exists()


def test_deep_finding_with_income_still_below_the_line_is_refused(world, archive):
    world.clock.set(VISIT_DAY)
    with pytest.raises(ValidationError) as caught:
        finding(world, archive, wages=DEEP_WAGES, months_above_line=None)
    assert "本次核查人均月收入612.50元" in refusal_text(caught)
    assert fresh(archive).status == S.OPEN


def test_deep_tuokun_enters_a_six_month_phase_out(world, archive):
    exit = phase_out_archive(world, archive)
    row = fresh(archive)
    assert row.status == S.PHASE_OUT
    assert row.phase_out_until == datetime.date(2026, 11, 6)
    assert (exit.outcome, exit.kind) == (
        ArchiveExit.Outcome.PHASE_OUT,
        ArchiveExit.Kind.STANDARD_MET,
    )
    assert exit.objection_until == datetime.date(2026, 6, 6)
    assert exit.visit.purpose == ArchiveVisit.Purpose.EXIT
    assert exit.visit.staff.count() == 2
    assert row.is_active and row.category == "deep"
    event = row.events.get(kind=ArchiveEvent.Kind.EXIT_RECORDED)
    assert "连续6个月超过低保标准760.00元" in event.note and "2026年11月6日" in event.note


def test_finding_refused_signature_needs_the_investigators_note(world, archive):
    world.clock.set(VISIT_DAY)
    with pytest.raises(ValidationError) as caught:
        finding(
            world,
            archive,
            wages=RELATIVE_WAGES,
            months_above_line=6,
            signature=ArchiveExit.Signature.REFUSED,
            investigators_note="  ",
        )
    assert "investigators_note" in caught.value.message_dict
    exit = finding(
        world,
        archive,
        wages=RELATIVE_WAGES,
        months_above_line=6,
        signature=ArchiveExit.Signature.REFUSED,
        investigators_note="职工本人拒绝签字，调查人张三、李四注明并签字。",
    )
    assert exit.signature == ArchiveExit.Signature.REFUSED
    assert "本人拒绝签字" in fresh(archive).events.get(kind="exit_recorded").note


def test_a_finding_needs_two_staff(world, archive):
    world.clock.set(VISIT_DAY)
    with pytest.raises(ValidationError) as caught:
        finding(
            world, archive, wages=RELATIVE_WAGES, months_above_line=6, staff=[world.wuhu.caseworker]
        )
    assert "两名以上" in refusal_text(caught)
    assert refusal_text(caught) == "入户走访须有两名以上工作人员。"


# --- The end of the phase-out -----------------------------------------------------------------


def test_phase_out_cannot_end_early(world, archive):
    phase_out_archive(world, archive)
    world.clock.set(datetime.date(2026, 11, 6))
    with pytest.raises(ValidationError) as caught:
        conclude(world, archive, CLEAR_WAGES)
    assert "期满后" in refusal_text(caught)
    assert fresh(archive).status == S.PHASE_OUT


def test_phase_out_end_relative_returns_to_open_with_a_pending_change(world, archive):
    phase_out_archive(world, archive)
    world.clock.set(datetime.date(2026, 11, 9))
    row = conclude(world, archive, RELATIVE_WAGES)
    assert (row.status, row.category, row.phase_out_until) == (S.OPEN, "deep", None)
    change = CategoryChange.objects.get(archive=archive)
    assert (change.status, change.from_category, change.to_category) == (
        "pending",
        "deep",
        "relative",
    )
    assert change.visit.purpose == ArchiveVisit.Purpose.PHASE_OUT_END
    assert change.proposed_by == world.wuhu.county_caseworker
    assert (
        CategoryChange.history.filter(id=change.pk).first().history_user
        == world.wuhu.county_caseworker
    )
    assert events(archive)[-2:] == [
        ArchiveEvent.Kind.CATEGORY_PROPOSED,
        ArchiveEvent.Kind.PHASE_OUT_ENDED,
    ]
    assert (row.verified_on, row.per_capita_income) == (
        datetime.date(2026, 11, 9),
        change.visit.per_capita_income,
    )


def test_phase_out_end_still_deep_returns_to_the_deep_archive(world, archive):
    phase_out_archive(world, archive)
    world.clock.set(datetime.date(2026, 11, 9))
    row = conclude(world, archive, DEEP_WAGES)
    assert (row.status, row.category) == (S.OPEN, "deep")
    assert not CategoryChange.objects.exists()
    assert "返回在档" in row.events.get(kind="phase_out_ended").note


def test_phase_out_end_qualifying_for_nothing_closes_as_key_household(world, archive):
    phase_out_archive(world, archive)
    world.clock.set(datetime.date(2026, 11, 9))
    row = conclude(world, archive, CLEAR_WAGES)
    assert (row.status, row.close_reason, row.key_household) == (
        S.CLOSED,
        Archive.CloseReason.PHASE_OUT_ENDED,
        True,
    )
    assert not ArchivePerson.objects.filter(archive=archive, active=True).exists()
    assert events(archive)[-2:] == [ArchiveEvent.Kind.PHASE_OUT_ENDED, ArchiveEvent.Kind.CLOSED]


# --- Relative and accident households: the objection window ---------------------------------


def test_relative_finding_still_qualifying_is_refused(world):
    archive = relative_archive(world)
    world.clock.set(VISIT_DAY)
    with pytest.raises(ValidationError) as caught:
        finding(world, archive, wages="70000")
    assert "走访核查结果仍符合建档标准" in refusal_text(caught)
    assert fresh(archive).status == S.OPEN


def test_relative_exit_objection_within_a_month_is_accepted(world):
    archive, exit = exiting_archive(world)
    assert fresh(archive).status == S.EXITING
    assert exit.objection_until == datetime.date(2026, 6, 6)
    world.clock.set(datetime.date(2026, 6, 5))  # Friday
    o = objection(world, exit)
    assert o.archive_id == archive.pk
    assert o.decide_by == add_working_days(datetime.date(2026, 6, 5), 15).value
    # 15 working days after Friday 5 June 2026, the Dragon Boat holiday (19 June) skipped.
    assert o.decide_by == datetime.date(2026, 6, 29)
    assert events(archive)[-1] == ArchiveEvent.Kind.OBJECTION_RECEIVED
    with pytest.raises(ValidationError) as caught:
        objection(world, exit)
    assert "已登记过复核申请" in refusal_text(caught)


def test_objection_after_a_month_is_refused(world):
    archive, exit = exiting_archive(world)
    world.clock.set(datetime.date(2026, 6, 7))
    with pytest.raises(ValidationError) as caught:
        objection(world, exit)
    assert "异议期已于2026年6月6日届满" in refusal_text(caught)
    assert not ExitObjection.objects.exists()


def test_objection_to_an_own_request_is_refused(world, archive):
    exit = exit_request_record(
        actor=world.wuhu.caseworker,
        archive=archive,
        request_date=world.clock.today(),
        request_document=upload_file(),
    )
    with pytest.raises(ValidationError) as caught:
        objection(world, exit)
    assert "不适用退档复核" in refusal_text(caught)


def test_recheck_deadline_counts_fifteen_working_days_across_national_day(world):
    archive = relative_archive(world)
    world.clock.set(datetime.date(2026, 9, 28))
    exit = finding(world, archive)
    o = objection(world, exit)
    # 29, 30 Sep; 1–7 Oct off; 8, 9, 10 (a Saturday worked) Oct; then 12–23 Oct.
    assert o.decide_by == datetime.date(2026, 10, 23)
    assert o.decide_by == add_working_days(datetime.date(2026, 9, 28), 15).value


def test_revoked_recheck_returns_the_archive_to_open(world, gateway):
    archive, exit = exiting_archive(world)
    o = objection(world, exit)
    decided = decide(world, o, ExitObjection.Result.REVOKED)
    row = fresh(archive)
    assert row.status == S.OPEN
    assert ArchiveExit.objects.get(pk=exit.pk).status == ArchiveExit.Status.REVOKED
    assert (decided.decided_on, decided.decided_by) == (VISIT_DAY, world.wuhu.county_reviewer)
    assert events(archive)[-1] == ArchiveEvent.Kind.OBJECTION_DECIDED
    # A new finding may be made later on the re-opened archive.
    assert finding(world, archive).archive.status == S.EXITING


def test_revoked_recheck_ends_a_phase_out(world, archive, gateway):
    exit = phase_out_archive(world, archive)
    decide(world, objection(world, exit), ExitObjection.Result.REVOKED)
    row = fresh(archive)
    assert (row.status, row.phase_out_until) == (S.OPEN, None)


def test_upheld_recheck_then_finalise_closes(world, gateway):
    archive, exit = exiting_archive(world)
    o = objection(world, exit)
    with pytest.raises(ValidationError) as caught:
        exit_finalise(actor=world.wuhu.caseworker, archive=archive)
    assert "复核结论" in refusal_text(caught)
    decide(world, o, ExitObjection.Result.UPHELD)
    assert fresh(archive).status == S.EXITING
    row = exit_finalise(actor=world.wuhu.caseworker, archive=archive)
    assert (row.status, row.close_reason) == (S.CLOSED, Archive.CloseReason.STANDARD_MET)
    assert "复核维持退档" in fresh(archive).events.get(kind="closed").note


def test_finalise_waits_for_the_window(world):
    archive, exit = exiting_archive(world)
    world.clock.set(datetime.date(2026, 6, 6))
    with pytest.raises(ValidationError) as caught:
        exit_finalise(actor=world.wuhu.caseworker, archive=archive)
    assert "异议期至2026年6月6日" in refusal_text(caught)
    world.clock.set(datetime.date(2026, 6, 7))
    assert exit_finalise(actor=world.wuhu.caseworker, archive=archive).status == S.CLOSED
    assert not ArchivePerson.objects.filter(archive=archive, active=True).exists()


# --- The re-check: who decides, and telling the worker ---------------------------------------


def test_recheck_by_sms_through_the_gateway(world, gateway):
    archive, exit = exiting_archive(world)
    decided = decide(world, objection(world, exit), ExitObjection.Result.UPHELD)
    assert len(gateway.sent) == 1
    phone, text = gateway.sent[0]
    assert phone == archive.phone == "13912345678"
    assert archive.person_name in text and "符合退出标准，予以退出" in text
    notification = ExitObjection.objects.get(pk=decided.pk).notification
    assert (notification.channel, notification.status) == ("sms", Notification.Status.SENT)
    assert notification.phone_masked == "139****5678"
    assert "短信告知职工：已发送" in fresh(archive).events.get(kind="objection_decided").note


def test_failing_gateway_leaves_a_failed_notification_and_the_decision(world, settings):
    settings.SMS_BACKEND = "tests.factories.archives.FailingGateway"
    archive, exit = exiting_archive(world)
    decided = decide(world, objection(world, exit), ExitObjection.Result.REVOKED)
    row = ExitObjection.objects.get(pk=decided.pk)
    assert row.result == ExitObjection.Result.REVOKED
    assert (row.notification.status, row.notification.error) == (
        Notification.Status.FAILED,
        "网关超时",
    )
    assert fresh(archive).status == S.OPEN
    assert "请打印书面告知书" in fresh(archive).events.get(kind="objection_decided").note


def test_letter_channel_is_to_print(world, gateway):
    archive, exit = exiting_archive(world)
    decided = decide(world, objection(world, exit), ExitObjection.Result.UPHELD, channel="letter")
    assert decided.notification.status == Notification.Status.TO_PRINT
    assert gateway.sent == []


def test_recheck_refused_to_the_recorder_a_caseworker_and_another_county(world, gateway):
    archive, exit = exiting_archive(world)
    o = objection(world, exit)
    w = world.wuhu
    for actor in (w.caseworker, w.county_b_reviewer, w.admin):
        with pytest.raises(PermissionDenied):
            decide(world, o, ExitObjection.Result.UPHELD, actor=actor)
    assert ExitObjection.objects.get(pk=o.pk).decided_on is None
    assert gateway.sent == []


def test_the_reviewer_who_recorded_the_exit_may_not_recheck_it(world, gateway):
    archive = relative_archive(world)
    world.clock.set(VISIT_DAY)
    exit = finding(world, archive, actor=world.wuhu.grassroots_reviewer)
    o = objection(world, exit)
    with pytest.raises(PermissionDenied) as caught:
        decide(world, o, ExitObjection.Result.UPHELD, actor=world.wuhu.grassroots_reviewer)
    assert "职责分离" in str(caught.value)
    decide(world, o, ExitObjection.Result.UPHELD, actor=world.wuhu.grassroots_reviewer_2)


def test_a_late_recheck_is_recorded_and_flagged(world, gateway):
    archive, exit = exiting_archive(world)
    o = objection(world, exit)
    # 15 working days after Wednesday 6 May 2026; Saturday 9 May is worked (调休).
    assert o.decide_by == datetime.date(2026, 5, 26)
    world.clock.set(datetime.date(2026, 6, 1))
    decide(world, o, ExitObjection.Result.UPHELD)
    note = fresh(archive).events.get(kind="objection_decided").note
    assert "逾期办结：复核期限为2026年5月26日" in note


def test_a_recheck_is_decided_once(world, gateway):
    archive, exit = exiting_archive(world)
    o = objection(world, exit)
    decide(world, o, ExitObjection.Result.UPHELD)
    with pytest.raises(ValidationError):
        decide(world, o, ExitObjection.Result.REVOKED, actor=world.wuhu.county_reviewer_2)
    assert len(gateway.sent) == 1


# --- The daily command ----------------------------------------------------------------------


def test_daily_command_finalises_due_exits_and_lists_the_rest(world, gateway):
    due = relative_archive(world)
    waiting_archive = relative_archive(world, person=2)
    deep = open_archive(world, person=3)
    world.clock.set(VISIT_DAY)
    finding(world, due)
    late_objection = objection(world, finding(world, waiting_archive))
    finding(world, deep, wages=RELATIVE_WAGES, months_above_line=6)
    world.clock.set(datetime.date(2026, 11, 10))
    out = StringIO()
    call_command("archives_daily", stdout=out)
    output = out.getvalue()
    closed = fresh(due)
    assert (closed.status, closed.close_reason) == (S.CLOSED, Archive.CloseReason.STANDARD_MET)
    assert closed.events.get(kind="closed").actor == system_user()
    assert Archive.history.filter(id=due.pk).first().history_user == system_user()
    assert fresh(waiting_archive).status == S.EXITING  # its re-check is still open
    assert f"未办结 {waiting_archive.number}" in output
    assert f"{deep.number}" in output and "渐退期至 2026-11-06" in output
    assert f"复核期限 {late_objection.decide_by:%Y-%m-%d}" in output


def test_only_the_system_finalises_in_bulk(world):
    with pytest.raises(PermissionDenied):
        exits_finalise_due(actor=world.wuhu.county_reviewer)
    assert exits_finalise_due(actor=system_user()) == ([], [])


def test_phase_out_until_counts_calendar_months_from_the_notice(world, archive):
    world.clock.set(datetime.date(2026, 8, 31))
    exit = finding(world, archive, wages=RELATIVE_WAGES, months_above_line=6)
    assert fresh(archive).phase_out_until == add_months(datetime.date(2026, 8, 31), 6)
    assert fresh(archive).phase_out_until == datetime.date(2027, 2, 28)
    assert exit.objection_until == datetime.date(2026, 9, 30)


def test_an_investigator_of_the_exit_visit_may_not_recheck_it(world, gateway):
    """Who signed the 脱困登记表 on the visit does not decide the worker's objection to it."""
    archive = relative_archive(world)
    world.clock.set(VISIT_DAY)
    exit = finding(world, archive)
    investigators = {row.user for row in exit.visit.staff.all()}
    reviewer = next(u for u in investigators if u.has_role("reviewer") and u != exit.recorded_by)
    o = objection(world, exit)
    with pytest.raises(PermissionDenied) as caught:
        decide(world, o, ExitObjection.Result.UPHELD, actor=reviewer)
    assert "参加该次走访" in str(caught.value)
    assert ExitObjection.objects.get(pk=o.pk).decided_on is None


def test_an_open_recheck_follows_the_calendar_published_after_it_was_received(world):
    """Received Mon 2026-12-21 with 2027 unpublished: 15 working days end Mon 11 Jan (1 Jan
    assumed a working day). Publishing 2027 with 1–3 Jan off moves it to Tue 12 Jan, with
    history naming the administrator; a decided re-check keeps its deadline."""
    decided_archive = relative_archive(world, person=2)
    archive = relative_archive(world)
    world.clock.set(datetime.date(2026, 12, 18))
    decided = objection(world, finding(world, decided_archive))
    assert decided.decide_by == datetime.date(2027, 1, 8)
    decide(world, decided, ExitObjection.Result.UPHELD)

    world.clock.set(datetime.date(2026, 12, 21))
    o = objection(world, finding(world, archive))
    assert o.decide_by == datetime.date(2027, 1, 11)
    assert recheck_deadline(o.received_on, exit_policy(o.exit)).fallback_years == (2027,)

    saved = holiday_year_save(
        actor=world.wuhu.admin,
        year=2027,
        holidays=[HolidayRange(datetime.date(2027, 1, 1), datetime.date(2027, 1, 3), "元旦")],
        workdays=[],
        notice_number="国办发明电〔2026〕7号",
        publish=True,
    )
    assert saved.deadlines["退档复核期限"] == 1
    o.refresh_from_db()
    assert o.decide_by == datetime.date(2027, 1, 12)
    change = o.history.order_by("-history_id").first()
    assert change.history_user == world.wuhu.admin
    assert "复核期限由2027-01-11改为2027-01-12" in change.history_change_reason
    decided.refresh_from_db()
    assert decided.decide_by == datetime.date(2027, 1, 8)
