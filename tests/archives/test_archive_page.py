"""The archive page: the household's file as the county keeps it (DOMAIN.md §5)."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archives.models import Archive
from archives.services.lifecycle import archive_merge
from assistance.models import CaseDocument
from tests.factories.archives import open_archive
from tests.factories.assistance import household


def detail(archive: Archive) -> str:
    return reverse("archives:detail", args=[archive.pk])


def section(body: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</(table|dl|ul)>', body, re.S)
    assert match, testid
    return match.group(0)


def page(client, archive: Archive) -> str:
    response = client.get(detail(archive))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_file(client, world, archive):
    client.force_login(world.wuhu.county_reviewer)
    body = page(client, archive)
    case = archive.case

    facts = section(body, "archive-facts")
    for value in (
        archive.number,
        archive.person_name,
        archive.id_masked,
        "深度困难",
        "在档",
        world.wuhu.union.name,
        world.wuhu.county.name,
        f"{archive.opened_on:%Y-%m-%d}",
        f"{archive.verification_due:%Y-%m-%d}",
        "从未帮扶",
    ):
        assert value in facts, value
    assert reverse("assistance:case_detail", args=[case.pk]) in facts
    assert 'data-testid="overdue"' not in body
    assert household(0)["id_number"] not in body

    people = section(body, "people")
    assert "户主" in people and "李秀英" in people and "张小明" in people
    assert people.count("<tr>") == 1 + 4  # the header and the household of four

    assessment = section(body, "assessment")
    assert f"{archive.per_capita_income} 元" in assessment
    assert f"{archive.minimum_living_standard} 元/月" in assessment
    assert archive.policy.code in assessment

    events = section(body, "events")
    assert "建档" in events and case.number in events


def test_the_page_links_the_cases_documents(client, world, archive):
    client.force_login(world.wuhu.county_reviewer)
    body = page(client, archive)
    documents = CaseDocument.objects.filter(case=archive.case, removed=False)
    assert documents.exists()
    listed = section(body, "documents")
    for document in documents:
        url = reverse("assistance:document_download", args=[archive.case.pk, document.pk])
        assert url in listed
    response = client.get(
        reverse("assistance:document_download", args=[archive.case.pk, documents[0].pk])
    )
    assert response.status_code == 200


def test_an_overdue_verification_is_warned(client, world, archive):
    world.clock.set(archive.verification_due + datetime.timedelta(days=1))
    client.force_login(world.wuhu.county_reviewer)
    body = page(client, archive)
    assert "已逾期，请尽快走访核查" in body


def test_a_merged_archive_is_read_only_with_its_retention(client, world, archive):
    w = world.wuhu
    duplicate = open_archive(world, person=1)
    archive_merge(actor=w.admin, keep=archive, duplicate=duplicate, reason="同一户重复建档")
    duplicate.refresh_from_db()
    client.force_login(w.admin)

    body = page(client, duplicate)
    banner = re.search(r'data-testid="read-only">(.*?)</p>', body, re.S).group(1)
    assert "只读" in banner and archive.number in banner
    assert f"{duplicate.retain_until:%Y-%m-%d}" in banner
    assert detail(archive) in banner
    # Nothing to act on in a closed file: no contact card, no merge.
    assert reverse("archives:print_card", args=[duplicate.pk]) not in body
    assert reverse("archives:merge", args=[duplicate.pk]) not in body
    assert "重复档案合并" in section(body, "events")

    kept = page(client, archive)
    assert detail(duplicate) in section(kept, "archive-facts")
    assert 'data-testid="read-only"' not in kept
    assert reverse("archives:merge", args=[archive.pk]) in kept


def test_the_page_shows_the_history(client, world, archive):
    client.force_login(world.wuhu.county_reviewer)
    body = page(client, archive)
    history = body[body.index("变更记录") :]
    assert f"由申请 {archive.case.number} 认定建档" in history
    assert "家庭成员 李秀英" in history


def test_the_print_forms_open_in_a_new_tab(client, world, archive):
    client.force_login(world.wuhu.caseworker)
    body = page(client, archive)
    for name in ("print_approval", "print_card"):
        url = reverse(f"archives:{name}", args=[archive.pk])
        assert re.search(rf'href="{url}" target="_blank"', body), name
    # Only an administrator merges.
    assert reverse("archives:merge", args=[archive.pk]) not in body


def test_another_county_gets_not_found(client, world, archive):
    for user in (
        world.wuhu.county_b_reviewer,
        world.wuhu.caseworker_b,
        world.wuhu.sibling_reviewer,
    ):
        client.force_login(user)
        assert client.get(detail(archive)).status_code == 404, user.username
    client.logout()
    assert client.get(detail(archive)).status_code == 302
    client.force_login(world.wuhu.county_reviewer)
    assert client.get(reverse("archives:detail", args=[999999])).status_code == 404


def test_the_page_uses_a_fixed_number_of_queries(client, world, archive, django_assert_num_queries):
    w = world.wuhu
    first_duplicate = open_archive(world, person=1)
    archive_merge(actor=w.admin, keep=archive, duplicate=first_duplicate, reason="重复建档")
    client.force_login(w.admin)
    with CaptureQueriesContext(connection) as first:
        page(client, archive)

    for person in (2, 3):
        duplicate = open_archive(world, person=person)
        archive_merge(actor=w.admin, keep=archive, duplicate=duplicate, reason="重复建档")
    client.force_login(w.admin)

    with django_assert_num_queries(len(first.captured_queries)):
        body = page(client, archive)
    assert section(body, "events").count('data-testid="event"') == 4
