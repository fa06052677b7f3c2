"""The exit screens: the panel on the archive page, one view per action with its
confirmation, forms that never crash on bad input, the printed exit registration form and
re-check letter, the two lists (fixed queries), and the other county kept out."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archives.models import Archive, ArchiveExit, CategoryChange, ExitObjection
from archives.selectors.figures import current_figures
from core.models import Notification
from tests.factories.archives import (
    CLEAR_WAGES,
    RELATIVE_WAGES,
    VISIT_DAY,
    decide,
    exiting_archive,
    finding,
    objection,
    open_archive,
    phase_out_archive,
    relative_archive,
)
from tests.factories.core import fresh, upload_file

S = Archive.Status


@pytest.fixture(autouse=True)
def sms(settings):
    settings.SMS_BACKEND = "tests.factories.core.FakeGateway"


def url(name: str, *args) -> str:
    return reverse(f"archives:{name}", args=args)


def detail(archive: Archive) -> str:
    return url("detail", archive.pk)


def visit_post(world, archive: Archive, **overrides) -> dict:
    """The POST of a visit form: two staff, the current figures with the wages changed."""
    w = world.wuhu
    figures = {**current_figures(archive), "income_wages": CLEAR_WAGES}
    data = {
        "visit_date": world.clock.today().isoformat(),
        "staff": [w.caseworker.pk, w.grassroots_reviewer.pk],
        "findings": "入户核实家庭收入。",
        "months_above_line": "",  # counted from the archive's visits
        "survey_signature": "signed",
        **{f"figure_{name}": value for name, value in figures.items()},
        "confirm": "on",
    }
    data.update(overrides)
    return data


def finding_post(world, archive: Archive, **overrides) -> dict:
    fields = {
        "situation": "配偶再就业，家庭收入稳定。",
        "signature": "signed",
        "investigators_note": "",
        "notified_on": world.clock.today().isoformat(),
        **overrides,
    }
    return visit_post(world, archive, **fields)


def later(client, world, day: datetime.date, user) -> None:
    """Move the clock, and log in again (the session does not outlive the jump)."""
    world.clock.set(day)
    client.force_login(user)


def errors(response) -> dict:
    return response.context["form"].errors


# --- The panel ------------------------------------------------------------------------------


def test_panel_offers_the_exit_steps_to_staff_in_scope(client, world, archive):
    client.force_login(world.wuhu.caseworker)
    page = client.get(detail(archive)).content.decode()
    assert 'data-testid="exit-panel"' in page
    assert url("exit_finding", archive.pk) in page
    assert url("exit_request", archive.pk) in page
    assert url("print_exit_blank", archive.pk) in page
    client.force_login(world.wuhu.admin)
    page = client.get(detail(archive)).content.decode()
    assert url("exit_finding", archive.pk) not in page


def test_panel_shows_the_recheck_deadline_and_turns_red_when_past(client, world):
    archive, exit = exiting_archive(world)
    o = objection(world, exit)
    assert o.decide_by == datetime.date(2026, 5, 26)
    client.force_login(world.wuhu.county_reviewer)
    page = client.get(detail(archive)).content.decode()
    assert "复核期限 2026-05-26（剩余 15 个工作日）" in page
    assert url("objection_decide", archive.pk, o.pk) in page
    later(client, world, datetime.date(2026, 5, 28), world.wuhu.county_reviewer)
    page = client.get(detail(archive)).content.decode()
    assert 'data-testid="deadline" class="flag">复核期限 2026-05-26（已逾期 2 个工作日）' in page
    # The recorder of the exit is not offered the decision.
    client.force_login(world.wuhu.caseworker)
    assert (
        url("objection_decide", archive.pk, o.pk)
        not in client.get(detail(archive)).content.decode()
    )


def test_deadline_in_an_unpublished_year_says_weekdays_were_assumed(client, world):
    archive = relative_archive(world)
    world.clock.set(datetime.date(2026, 12, 21))
    o = objection(world, finding(world, archive))
    # Monday 21 December 2026 + 15 working days, 2027's holidays not yet entered (Mon–Fri).
    assert o.decide_by == datetime.date(2027, 1, 11)
    note = "2027年的法定节假日安排尚未公布，已按周一至周五计算。"
    assert note in archive.events.get(kind="objection_received").note
    client.force_login(world.wuhu.county_reviewer)
    page = client.get(detail(archive)).content.decode()
    assert "复核期限 2027-01-11" in page and note in page
    assert note in client.get(url("objections")).content.decode()


# --- The worker's own request -------------------------------------------------------------------


def test_exit_request_needs_the_upload_and_the_confirmation(client, world, archive):
    client.force_login(world.wuhu.caseworker)
    target = url("exit_request", archive.pk)
    assert client.get(target).status_code == 200
    response = client.post(target, {"request_date": "2026-13-45", "note": "x"})
    assert response.status_code == 200
    assert set(errors(response)) == {"request_date", "request_document", "confirm"}
    response = client.post(
        target,
        {
            "request_date": world.clock.today().isoformat(),
            "request_document": upload_file("退档申请书.pdf", b"not a pdf at all"),
            "confirm": "on",
        },
    )
    assert "只接受 PDF、JPG、PNG" in str(errors(response)["request_document"])
    assert fresh(archive).status == S.OPEN
    response = client.post(
        target,
        {
            "request_date": world.clock.today().isoformat(),
            "request_document": upload_file("退档申请书.pdf"),
            "confirm": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == detail(archive)
    assert fresh(archive).status == S.CLOSED
    page = client.get(detail(archive)).content.decode()
    assert "已按本人申请退档" in page
    assert url("exit_request", archive.pk) not in page


def test_a_forbidden_role_is_refused_by_the_service(client, world, archive):
    client.force_login(world.wuhu.admin)  # in scope (the city), not a caseworker or reviewer
    response = client.post(
        url("exit_request", archive.pk),
        {
            "request_date": world.clock.today().isoformat(),
            "request_document": upload_file(),
            "confirm": "on",
        },
    )
    assert response.status_code == 200
    assert "登记退档申请须由经办人、审核人办理" in str(errors(response))
    assert fresh(archive).status == S.OPEN


# --- A finding on a visit -----------------------------------------------------------------------


def test_finding_form_is_prefilled_with_the_current_figures(client, world, archive):
    client.force_login(world.wuhu.caseworker)
    response = client.get(url("exit_finding", archive.pk))
    form = response.context["form"]
    assert form["figure_income_wages"].value() == "40000.00"
    assert form["figure_household_size"].value() == "4"
    staff = set(form.fields["staff"].queryset)
    assert {world.wuhu.caseworker, world.wuhu.county_reviewer, world.wuhu.city_reviewer} <= staff
    assert world.wuhu.caseworker_sibling not in staff and world.wuhu.county_b_reviewer not in staff


def test_finding_refused_signature_without_a_note_is_a_form_error(client, world):
    archive = relative_archive(world)
    world.clock.set(VISIT_DAY)
    client.force_login(world.wuhu.caseworker)
    for signature in ("refused", "unable"):
        response = client.post(
            url("exit_finding", archive.pk),
            finding_post(world, archive, signature=signature, investigators_note="   "),
        )
        assert response.status_code == 200
        assert errors(response)["investigators_note"] == [
            "职工拒绝签字或无法签字的，须由调查人注明情况并签字。"
        ]
    assert fresh(archive).status == S.OPEN
    assert not ArchiveExit.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"figure_income_wages": "十五万"}, "figure_income_wages"),
        ({"figure_income_wages": "-5"}, "figure_income_wages"),
        ({"figure_household_size": "0"}, "figure_household_size"),
        ({"figure_students": "9"}, "figure_students"),
        ({"months_above_line": "abc"}, "months_above_line"),
        ({"visit_date": "2026-02-30"}, "visit_date"),
        ({"visit_date": "2099-01-01"}, "visit_date"),
        ({"notified_on": "2026-05-01"}, "notified_on"),
        ({"signature": "maybe"}, "signature"),
        ({"staff": ["999999"]}, "staff"),
        ({"confirm": ""}, "confirm"),
    ],
)
def test_finding_bad_input_shows_errors(client, world, overrides, field):
    archive = relative_archive(world)
    world.clock.set(VISIT_DAY)
    client.force_login(world.wuhu.caseworker)
    data = finding_post(world, archive, **overrides)
    if field == "staff":
        data["staff"] = overrides["staff"]
    response = client.post(url("exit_finding", archive.pk), data)
    assert response.status_code == 200
    assert field in errors(response)
    assert fresh(archive).status == S.OPEN


def test_finding_with_one_staff_member_is_refused(client, world):
    archive = relative_archive(world)
    world.clock.set(VISIT_DAY)
    client.force_login(world.wuhu.caseworker)
    data = finding_post(world, archive)
    data["staff"] = [world.wuhu.caseworker.pk]
    response = client.post(url("exit_finding", archive.pk), data)
    assert errors(response)["staff"] == ["入户走访须有两名以上工作人员。"]


def test_finding_on_a_relative_household_starts_the_objection_window(client, world):
    archive = relative_archive(world)
    world.clock.set(VISIT_DAY)
    client.force_login(world.wuhu.caseworker)
    response = client.post(
        url("exit_finding", archive.pk),
        finding_post(world, archive, signature="unable", investigators_note="职工卧病，无法签字。"),
    )
    assert response.status_code == 302
    assert fresh(archive).status == S.EXITING
    page = client.get(detail(archive)).content.decode()
    assert "职工可在 2026-06-06 前申请复核" in page
    exit = ArchiveExit.objects.get()
    assert url("exit_objection", archive.pk, exit.pk) in page


def test_deep_finding_without_tuokun_shows_the_jiekun_message(client, world, archive):
    world.clock.set(VISIT_DAY)
    client.force_login(world.wuhu.caseworker)
    data = finding_post(world, archive)  # no earlier visit: 0 months from the records
    data["figure_income_wages"] = RELATIVE_WAGES
    response = client.post(url("exit_finding", archive.pk), data)
    assert response.status_code == 200
    assert "解困" in str(errors(response)) and "继续保留在深度困难职工档案中" in str(
        errors(response)
    )
    assert fresh(archive).status == S.OPEN


# --- Objection, decision, letter, finalise ------------------------------------------------------


def test_objection_form_records_and_refuses_after_the_month(client, world):
    archive, exit = exiting_archive(world)
    client.force_login(world.wuhu.caseworker)
    target = url("exit_objection", archive.pk, exit.pk)
    later(client, world, datetime.date(2026, 6, 8), world.wuhu.caseworker)
    response = client.post(
        target, {"received_on": "2026-06-08", "content": "有异议。", "confirm": "on"}
    )
    assert "异议期已于2026年6月6日届满" in str(errors(response)["received_on"])
    later(client, world, datetime.date(2026, 6, 5), world.wuhu.caseworker)
    response = client.post(
        target,
        {
            "received_on": "2026-06-05",
            "content": "有异议。",
            "request_document": upload_file("复核申请书.pdf"),
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    assert ExitObjection.objects.get().decide_by == datetime.date(2026, 6, 29)


def test_decision_by_letter_gives_a_printable_letter(client, world):
    archive, exit = exiting_archive(world)
    o = objection(world, exit)
    client.force_login(world.wuhu.county_reviewer)
    target = url("objection_decide", archive.pk, o.pk)
    assert "剩余 15 个工作日" in client.get(target).content.decode()
    response = client.post(target, {"result": "revoked", "note": "收入不稳定。", "channel": "fax"})
    assert set(errors(response)) == {"channel", "confirm"}
    assert (
        url("recheck_letter", archive.pk, o.pk) not in client.get(detail(archive)).content.decode()
    )
    response = client.post(
        target,
        {
            "result": "revoked",
            "note": "家庭收入不稳定，不符合退出标准。",
            "channel": "letter",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    assert fresh(archive).status == S.OPEN
    page = client.get(detail(archive)).content.decode()
    assert "请打印《退档复核结果告知书》" in page
    assert url("recheck_letter", archive.pk, o.pk) in page
    letter = client.get(url("recheck_letter", archive.pk, o.pk)).content.decode()
    assert "退档复核结果告知书" in letter and archive.person_name in letter
    assert "不符合退出标准，不予退出" in letter and "家庭收入不稳定" in letter
    assert "您的困难职工档案继续保留" in letter and "@media print" not in letter  # print.css
    assert ExitObjection.objects.get().notification.status == Notification.Status.TO_PRINT


def test_letter_of_an_undecided_recheck_redirects(client, world):
    archive, exit = exiting_archive(world)
    o = objection(world, exit)
    client.force_login(world.wuhu.caseworker)
    response = client.get(url("recheck_letter", archive.pk, o.pk))
    assert response.status_code == 302 and response["Location"] == detail(archive)


def test_decision_by_the_recorder_is_refused_on_the_form(client, world):
    archive, exit = exiting_archive(world)
    o = objection(world, exit)
    client.force_login(world.wuhu.caseworker)
    response = client.post(
        url("objection_decide", archive.pk, o.pk),
        {"result": "upheld", "note": "维持。", "channel": "sms", "confirm": "on"},
    )
    assert response.status_code == 200
    assert "须由审核人办理" in str(errors(response))
    assert ExitObjection.objects.get().decided_on is None


def test_failed_sms_tells_the_reviewer_to_print(client, world, settings):
    settings.SMS_BACKEND = "tests.factories.archives.FailingGateway"
    archive, exit = exiting_archive(world)
    o = objection(world, exit)
    client.force_login(world.wuhu.county_reviewer)
    response = client.post(
        url("objection_decide", archive.pk, o.pk),
        {"result": "upheld", "note": "维持。", "channel": "sms", "confirm": "on"},
        follow=True,
    )
    page = response.content.decode()
    assert "短信发送失败（网关超时）" in page
    assert "短信：发送失败（网关超时）" in page


def test_finalise_after_the_window(client, world):
    archive, exit = exiting_archive(world)
    client.force_login(world.wuhu.caseworker)
    target = url("exit_finalise", archive.pk)
    response = client.get(target)
    assert "异议期至2026年6月6日" in response.content.decode()
    response = client.post(target, {"confirm": "on"})
    assert response.status_code == 200 and fresh(archive).status == S.EXITING
    later(client, world, datetime.date(2026, 6, 7), world.wuhu.caseworker)
    assert url("exit_finalise", archive.pk) in client.get(detail(archive)).content.decode()
    assert client.post(target, {}).status_code == 200  # no confirmation
    response = client.post(target, {"confirm": "on"})
    assert response.status_code == 302
    assert fresh(archive).status == S.CLOSED


# --- The phase-out -----------------------------------------------------------------------------------


def test_phase_out_conclusion_form(client, world, archive):
    phase_out_archive(world, archive)
    client.force_login(world.wuhu.caseworker)
    page = client.get(detail(archive)).content.decode()
    assert "脱困渐退期</strong>至 2026-11-06" in page
    assert url("phase_out_conclude", archive.pk) not in page
    later(client, world, datetime.date(2026, 11, 9), world.wuhu.caseworker)
    assert url("phase_out_conclude", archive.pk) in client.get(detail(archive)).content.decode()
    data = visit_post(world, archive)
    data["figure_income_wages"] = RELATIVE_WAGES
    response = client.post(url("phase_out_conclude", archive.pk), data, follow=True)
    assert "拟变更为相对困难，待审核" in response.content.decode()
    assert CategoryChange.objects.get(archive=archive).status == "pending"
    assert fresh(archive).status == S.OPEN


def test_phase_out_conclusion_closes_a_key_household(client, world, archive):
    phase_out_archive(world, archive)
    world.clock.set(datetime.date(2026, 11, 9))
    client.force_login(world.wuhu.caseworker)
    response = client.post(url("phase_out_conclude", archive.pk), visit_post(world, archive))
    assert response.status_code == 302
    row = fresh(archive)
    assert (row.status, row.key_household) == (S.CLOSED, True)
    assert "送温暖重点对象" in client.get(detail(archive)).content.decode()


# --- Printed forms ------------------------------------------------------------------------------------


def test_printed_exit_form_with_a_refused_signature(client, world):
    archive = relative_archive(world)
    world.clock.set(VISIT_DAY)
    exit = finding(
        world,
        archive,
        signature=ArchiveExit.Signature.REFUSED,
        investigators_note="职工不同意退档，拒绝签字。",
    )
    client.force_login(world.wuhu.county_reviewer)
    page = client.get(url("print_exit_form", archive.pk, exit.pk)).content.decode()
    assert "困难职工脱困登记表" in page and archive.number in page
    assert archive.id_masked in page and archive.person_name in page
    assert '<p data-testid="signature-status"><strong>本人拒绝签字</strong></p>' in page
    assert "职工不同意退档，拒绝签字。" in page
    assert f"{world.wuhu.caseworker}（{world.wuhu.union.name}）签字" in page
    assert f"{world.wuhu.grassroots_reviewer}（{world.wuhu.union.name}）签字" in page
    assert exit.visit.per_capita_income.to_eng_string() in page and "760.00 元/月" in page
    assert "超过低保标准" in page and "2026年5月6日" in page
    assert "工会（盖章）" in page


def test_blank_exit_form_carries_the_household(client, world, archive):
    client.force_login(world.wuhu.caseworker)
    page = client.get(url("print_exit_blank", archive.pk)).content.decode()
    assert "困难职工脱困登记表" in page and "走访用空白表" in page
    assert archive.person_name in page and "（40000.00）" in page
    assert "☐ 本人拒绝签字" in page and "☐ 本人无法签字" in page


def test_own_request_has_no_registration_form(client, world, archive):
    from archives.services.exits import exit_request_record

    exit = exit_request_record(
        actor=world.wuhu.caseworker,
        archive=archive,
        request_date=world.clock.today(),
        request_document=upload_file(),
    )
    client.force_login(world.wuhu.caseworker)
    response = client.get(url("print_exit_form", archive.pk, exit.pk))
    assert response.status_code == 302


# --- Lists --------------------------------------------------------------------------------------------


def test_lists_keep_a_fixed_number_of_queries(client, world, archive, django_assert_num_queries):
    second = open_archive(world, person=1)
    third = open_archive(world, person=2)
    exit = phase_out_archive(world, archive)
    objection(world, exit)
    client.force_login(world.wuhu.county_reviewer)
    counts = {}
    for name in ("objections", "phase_out"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(name))
        assert response.status_code == 200
        counts[name] = len(captured.captured_queries)
    for other in (second, third):
        objection(world, finding(world, other, wages=RELATIVE_WAGES, months_above_line=6))
    later(
        client, world, datetime.date(2026, 5, 28), world.wuhu.county_reviewer
    )  # every deadline past, counted as overdue
    for name in ("objections", "phase_out"):
        with django_assert_num_queries(counts[name]):
            response = client.get(url(name))
        assert len(response.context["page_obj"]) == 3
    page = client.get(url("objections")).content.decode()
    assert "已逾期 2 个工作日" in page and archive.number in page
    page = client.get(url("phase_out")).content.decode()
    assert "2026-11-06" in page and "渐退期中" in page


def test_lists_are_scoped(client, world, archive):
    exit = phase_out_archive(world, archive)
    objection(world, exit)
    client.force_login(world.wuhu.county_b_reviewer)
    assert archive.number not in client.get(url("objections")).content.decode()
    assert archive.number not in client.get(url("phase_out")).content.decode()
    client.force_login(world.wuhu.caseworker_sibling)
    assert archive.number not in client.get(url("objections")).content.decode()
    client.force_login(world.wuhu.admin)
    assert client.get(url("objections")).status_code == 403


# --- The other county ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["county_b_reviewer", "caseworker_b"])
def test_other_county_gets_404_everywhere(client, world, username):
    archive, exit = exiting_archive(world)
    o = objection(world, exit)
    decide(world, o, ExitObjection.Result.UPHELD)
    client.force_login(getattr(world.wuhu, username))
    urls = [
        url("exit_request", archive.pk),
        url("exit_finding", archive.pk),
        url("exit_finalise", archive.pk),
        url("phase_out_conclude", archive.pk),
        url("print_exit_blank", archive.pk),
        url("exit_objection", archive.pk, exit.pk),
        url("print_exit_form", archive.pk, exit.pk),
        url("objection_decide", archive.pk, o.pk),
        url("recheck_letter", archive.pk, o.pk),
    ]
    for target in urls:
        assert client.get(target).status_code == 404, target
        assert client.post(target, {"confirm": "on"}).status_code == 404, target
    assert fresh(archive).status == S.EXITING


def test_an_exit_of_another_archive_is_not_found(client, world, archive):
    other, exit = exiting_archive(world)
    client.force_login(world.wuhu.caseworker)
    assert client.get(url("print_exit_form", archive.pk, exit.pk)).status_code == 404
    assert client.get(url("exit_objection", archive.pk, exit.pk)).status_code == 404
