"""The archive list: scope, filters, the ID number search that never reaches a URL,
pagination with a fixed number of queries, and the Excel export (DOMAIN.md §5)."""

import datetime
import io
import re
from html import unescape
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Organisation, User
from accounts.roles import Role
from archives.models import Archive
from archives.services.lifecycle import archive_merge
from assistance.services.review import case_forward
from core.crypto import keyed_hash
from core.dates import add_months
from core.history import save_tracked
from tests.factories.accounts import make_user
from tests.factories.archives import open_archive
from tests.factories.assistance import (
    World,
    consistent_comparison,
    household,
    id_number,
    submitted,
    visit,
)

LIST = reverse("archives:list")
SEARCH = reverse("archives:search")
EXPORT = reverse("archives:export")


def approved_in(
    world: World,
    union: Organisation,
    *,
    person: int,
    caseworker: User,
    grassroots_reviewer: User,
    county_staff: tuple[User, User, User, User],
    **fields,
) -> Archive:
    """An archive of any union, opened the way the product opens it: the Wuhu chain."""
    county_caseworker, first, second, third = county_staff
    case = submitted(caseworker, union, person=person, **fields)
    visit(caseworker, case, grassroots_reviewer)
    case = case_forward(actor=grassroots_reviewer, case=case, opinion="初审属实，报县级。")
    case = case_forward(actor=first, case=case, opinion="审核通过，转比对。")
    consistent_comparison(county_caseworker, case)
    case = case_forward(actor=second, case=case, opinion="比对符合，公示。")
    world.clock.set(case.notice_end + datetime.timedelta(days=1))
    case = case_forward(actor=third, case=case, opinion="公示无异议。", coverage_confirmed=True)
    return Archive.objects.get(case=case)


def sibling_archive(world: World, *, person: int, **fields) -> Archive:
    """An archive of union_a2, the other union of county A."""
    w = world.wuhu
    staff = (w.county_caseworker, w.county_reviewer, w.county_reviewer_2, w.county_reviewer_3)
    return approved_in(
        world,
        w.sibling,
        person=person,
        caseworker=w.caseworker_sibling,
        grassroots_reviewer=w.sibling_reviewer,
        county_staff=staff,
        **fields,
    )


def county_b_archive(world: World, *, person: int, **fields) -> Archive:
    """An archive of union_b1, in the other county."""
    w = world.wuhu
    staff = (
        make_user(w.county_b, Role.CASEWORKER),
        w.county_b_reviewer,
        make_user(w.county_b, Role.REVIEWER),
        make_user(w.county_b, Role.REVIEWER),
    )
    return approved_in(
        world,
        w.union_b,
        person=person,
        caseworker=w.caseworker_b,
        grassroots_reviewer=w.union_b_reviewer,
        county_staff=staff,
        **fields,
    )


def numbers(response) -> list[str]:
    return [a.number for a in response.context["page_obj"]]


def html(response) -> str:
    return response.content.decode()


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Scope ------------------------------------------------------------------------------


def test_each_level_sees_its_own_archives(client, world):
    w = world.wuhu
    a1 = open_archive(world, person=1, applicant_name="王大明")
    a2 = sibling_archive(world, person=2, applicant_name="赵小兰")
    b1 = county_b_archive(world, person=3, applicant_name="钱多多")

    expected = {
        w.caseworker: {a1.number},
        w.sibling_reviewer: {a2.number},
        w.county_reviewer: {a1.number, a2.number},
        w.county_b_reviewer: {b1.number},
        w.city_reviewer: {a1.number, a2.number, b1.number},
    }
    for user, seen in expected.items():
        client.force_login(user)
        response = client.get(LIST)
        assert response.status_code == 200
        assert set(numbers(response)) == seen, user.username
    client.force_login(w.county_b_reviewer)
    body = html(client.get(LIST))
    assert "王大明" not in body and "钱多多" in body


def test_the_list_shows_its_columns_with_the_id_number_masked(client, world, archive):
    client.force_login(world.wuhu.county_reviewer)
    response = client.get(LIST)
    body = html(response)
    row = re.search(r'<tr data-testid="archive-row">(.*?)</tr>', body, re.S).group(1)
    assert archive.number in row and archive.person_name in row
    assert archive.id_masked in row and "*" in archive.id_masked
    assert household(0)["id_number"] not in body
    assert "深度困难" in row and "在档" in row and world.wuhu.union.name in row
    assert archive.opened_on.isoformat() in row
    assert archive.verification_due.isoformat() in row
    assert 'data-testid="overdue"' not in row
    assert "共 1 份档案" in body


def test_an_overdue_verification_is_marked_red(client, world, archive):
    world.clock.set(archive.verification_due + datetime.timedelta(days=1))
    client.force_login(world.wuhu.county_reviewer)
    body = html(client.get(LIST))
    assert f'<span class="flag" data-testid="overdue">{archive.verification_due:%Y-%m-%d}' in body


# --- Filters -----------------------------------------------------------------------------


def test_filter_by_name_category_union_and_status(client, world):
    w = world.wuhu
    a1 = open_archive(world, person=1, applicant_name="王大明")
    a2 = sibling_archive(world, person=2, applicant_name="王小兰")
    a3 = open_archive(world, person=3, applicant_name="李四")
    client.force_login(w.county_reviewer)

    assert set(numbers(client.get(LIST, {"name": "王"}))) == {a1.number, a2.number}
    assert numbers(client.get(LIST, {"name": " 小兰 "})) == [a2.number]
    assert len(numbers(client.get(LIST, {"category": "deep"}))) == 3
    assert numbers(client.get(LIST, {"category": "relative"})) == []
    assert numbers(client.get(LIST, {"organisation": w.sibling.pk})) == [a2.number]

    # A merged archive is not active: listed under "all" and under its own status only.
    archive_merge(actor=w.admin, keep=a1, duplicate=a3, reason="同一户重复建档")
    assert a3.number not in numbers(client.get(LIST))
    assert a3.number in numbers(client.get(LIST, {"status": "all"}))
    assert numbers(client.get(LIST, {"status": "merged"})) == [a3.number]
    assert a3.number not in numbers(client.get(LIST, {"status": "open"}))


def test_bad_filter_values_are_ignored_with_a_notice(client, world, archive):
    """Whatever is typed into the query string, the page shows, never crashes."""
    w = world.wuhu
    client.force_login(w.county_reviewer)
    for params in (
        {"category": "nonsense"},
        {"status": "deleted"},
        {"organisation": "abc"},
        {"organisation": w.union_b.pk},  # another county's union: not a choice
        {"organisation": w.county.pk},  # not a grassroots union
        {"person": "1234"},
        {"person": "'; drop table archives_archive; --"},
        {"name": "x" * 500},
        {"page": "999"},
        {"page": "-1"},
        {"stale": "maybe", "never_assisted": "1"},
    ):
        response = client.get(LIST, params)
        assert response.status_code == 200, params
    body = html(client.get(LIST, {"organisation": w.union_b.pk}))
    assert "（已忽略）" in body and archive.number in body
    assert numbers(client.get(LIST, {"person": "1234"})) == [archive.number]


def test_union_choices_are_the_users_own(client, world, archive):
    w = world.wuhu
    client.force_login(w.county_reviewer)
    body = html(client.get(LIST))
    assert w.union.name in body and w.sibling.name in body
    assert w.union_b.name not in body


def test_no_reverification_in_over_a_year(client, world):
    old = open_archive(world, person=1, applicant_name="久未核查")
    today = world.clock.today()
    # A year and a day later, a second archive is opened: only the first is stale.
    world.clock.set(add_months(today, 12) + datetime.timedelta(days=1))
    recent = open_archive(world, person=2, applicant_name="新建档")
    assert recent.opened_on > add_months(world.clock.today(), -12)
    client.force_login(world.wuhu.county_reviewer)

    assert numbers(client.get(LIST, {"stale": "on"})) == [old.number]
    assert set(numbers(client.get(LIST))) == {old.number, recent.number}


def test_never_assisted(client, world):
    assisted = open_archive(world, person=1)
    never = open_archive(world, person=2)
    # Assistance is entered by the funds module; its effect on the archive is this date.
    assisted.last_assisted_on = world.clock.today()
    save_tracked(
        assisted,
        actor=world.wuhu.county_caseworker,
        reason="测试：登记帮扶",
        update_fields=["last_assisted_on", "updated_at"],
    )
    client.force_login(world.wuhu.county_reviewer)
    assert numbers(client.get(LIST, {"never_assisted": "on"})) == [never.number]


# --- Search by ID number -----------------------------------------------------------------


def test_searching_by_id_number_keeps_the_number_out_of_the_url(client, world, archive):
    other = open_archive(world, person=1)
    client.force_login(world.wuhu.county_reviewer)
    number = household(0)["id_number"]

    response = client.post(SEARCH, {"id_number": number, "name": "", "status": ""})

    assert response.status_code == 302
    location = response["Location"]
    assert number not in location and number[-6:] not in location
    assert parse_qs(urlsplit(location).query) == {"person": [keyed_hash(number)]}
    response = client.get(location)
    assert numbers(response) == [archive.number]
    assert other.number not in numbers(response)
    assert "按身份证号查找" in html(response) and number not in html(response)


def test_a_members_id_number_finds_the_household(client, world, archive):
    client.force_login(world.wuhu.county_reviewer)
    spouse = household(0)["members"][0].id_number
    response = client.post(SEARCH, {"id_number": spouse}, follow=True)
    assert numbers(response) == [archive.number]
    # Lower-case x and spaces are accepted as typed.
    response = client.post(SEARCH, {"id_number": f" {spouse[:6]} {spouse[6:]} "}, follow=True)
    assert numbers(response) == [archive.number]


def test_the_id_search_keeps_the_other_filters(client, world, archive):
    client.force_login(world.wuhu.county_reviewer)
    number = household(0)["id_number"]
    response = client.post(SEARCH, {"id_number": number, "category": "relative"}, follow=True)
    assert numbers(response) == []
    query = parse_qs(urlsplit(response.redirect_chain[-1][0]).query)
    assert query["category"] == ["relative"] and "id_number" not in query


def test_a_wrong_id_number_is_refused_with_a_message(client, world, archive):
    client.force_login(world.wuhu.county_reviewer)
    wrong = household(0)["id_number"][:-1] + ("0" if household(0)["id_number"][-1] != "0" else "1")
    response = client.post(SEARCH, {"id_number": wrong, "name": "张"})
    assert response.status_code == 302 and wrong not in response["Location"]
    assert any("未按身份证号查找" in m for m in message_texts(response))
    assert parse_qs(urlsplit(response["Location"]).query) == {"name": ["张"]}
    for junk in ("abc", "1" * 40, "<script>"):
        assert client.post(SEARCH, {"id_number": junk}, follow=True).status_code == 200


def test_the_search_of_another_countys_person_finds_nothing(client, world, archive):
    client.force_login(world.wuhu.county_b_reviewer)
    response = client.post(SEARCH, {"id_number": household(0)["id_number"]}, follow=True)
    assert numbers(response) == []


def test_the_search_needs_a_post(client, world):
    client.force_login(world.wuhu.county_reviewer)
    assert client.get(SEARCH, {"id_number": id_number(1)}).status_code == 405


def test_the_list_needs_a_login(client, world):
    response = client.get(LIST)
    assert response.status_code == 302 and "/login" in response["Location"]


# --- Pagination and queries ------------------------------------------------------------------


def test_the_list_paginates(client, world, settings):
    for person in range(1, 4):
        open_archive(world, person=person)
    client.force_login(world.wuhu.county_reviewer)
    # 25 a page: three archives are one page, and a page beyond shows the last.
    response = client.get(LIST, {"page": "2"})
    assert response.context["page_obj"].paginator.count == 3
    assert response.context["page_obj"].number == 1


@pytest.mark.parametrize(
    ("username", "params"),
    [
        ("county_reviewer", {}),
        ("city_reviewer", {"status": "all", "category": "deep"}),
        ("caseworker", {"name": "张", "stale": "on", "never_assisted": "on"}),
        ("county_reviewer", {"organisation": "union"}),
    ],
)
def test_the_list_uses_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, username, params
):
    w = world.wuhu
    if params.get("organisation") == "union":
        params = {"organisation": w.union.pk}
    user = getattr(w, username)
    start = world.clock.today()
    later = add_months(start, 14)  # every archive overdue and unverified for over a year
    open_archive(world, person=1)
    open_archive(world, person=2)
    world.clock.set(later)
    client.force_login(user)
    with CaptureQueriesContext(connection) as first:
        response = client.get(LIST, params)
    assert len(response.context["page_obj"]) == 2

    world.clock.set(start)
    for person in range(3, 7):
        open_archive(world, person=person)
    world.clock.set(later)
    client.force_login(user)  # a session lasts eight hours

    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(LIST, params)
    assert len(response.context["page_obj"]) == 6


# --- Export ------------------------------------------------------------------------------


def read_workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_export_the_filtered_list(client, world):
    w = world.wuhu
    a1 = open_archive(world, person=1, applicant_name="=HYPERLINK(1)")
    a2 = sibling_archive(world, person=2)
    client.force_login(w.county_reviewer)

    response = client.get(EXPORT, {"organisation": w.union.pk})

    today = world.clock.today()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(f'困难职工档案_{today:%Y%m%d}.xlsx')}" in disposition
    wb = read_workbook(response)
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "档案编号",
        "姓名",
        "身份证号（脱敏）",
        "困难类别",
        "状态",
        "基层工会",
        "建档日期",
        "最近核查",
        "下次核查到期",
        "最近帮扶",
    )
    assert len(rows) == 2 and rows[1][0] == a1.number and a2.number not in str(rows)
    assert ws.freeze_panes == "A2"
    name = ws.cell(row=2, column=2)
    assert name.value == "=HYPERLINK(1)" and name.data_type == "s"
    assert rows[1][2] == a1.id_masked and "*" in rows[1][2]
    assert rows[1][6].date() == a1.opened_on
    # No phone, no full number, anywhere in the file.
    assert a1.phone not in str(rows)
    assert household(1)["id_number"] not in str(rows)


def test_export_by_id_number_is_a_post(client, world, archive):
    other = open_archive(world, person=1)
    client.force_login(world.wuhu.county_reviewer)

    response = client.post(EXPORT, {"id_number": household(1)["id_number"]})
    rows = list(read_workbook(response).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [other.number]

    # The list's own export button posts the hash it holds.
    response = client.post(EXPORT, {"person": keyed_hash(household(0)["id_number"])})
    rows = list(read_workbook(response).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [archive.number]


def test_export_with_a_wrong_id_number_goes_back_to_the_list(client, world, archive):
    client.force_login(world.wuhu.county_reviewer)
    response = client.post(EXPORT, {"id_number": "12345", "category": "deep"})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query) == {"category": ["deep"]}
    assert any("未导出" in m for m in message_texts(response))


def test_export_is_scoped(client, world, archive):
    client.force_login(world.wuhu.county_b_reviewer)
    rows = list(read_workbook(client.get(EXPORT, {"status": "all"})).active.iter_rows())
    assert len(rows) == 1  # the header only


def test_the_lists_export_button_carries_its_filters(client, world, archive):
    client.force_login(world.wuhu.county_reviewer)
    body = html(client.get(LIST, {"category": "deep", "never_assisted": "on", "page": "1"}))
    href = re.search(r'href="([^"]+)" data-testid="export"', body).group(1)
    href = unescape(href)
    assert href.startswith(EXPORT) and "page" not in href
    assert parse_qs(urlsplit(href).query) == {"category": ["deep"], "never_assisted": ["on"]}
    rows = list(read_workbook(client.get(href)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [archive.number]

    # Listed by ID number, the export posts the keyed hash: never a number in a URL.
    body = html(client.post(SEARCH, {"id_number": household(0)["id_number"]}, follow=True))
    form = re.search(
        r'action="/archives/export/"[^>]*data-testid="export">(.*?)</form>', body, re.S
    )
    person = keyed_hash(household(0)["id_number"])
    assert f'<input type="hidden" name="person" value="{person}">' in form.group(1)


def test_the_list_says_what_the_export_holds(client, world, archive):
    client.force_login(world.wuhu.county_reviewer)
    body = html(client.get(LIST))
    assert "导出的身份证号已脱敏，不含联系电话" in body
