"""Merging a duplicate archive in the browser: the number and the reason, the two archives
side by side, then the merge by `archive_merge` (a city administrator only)."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from archives.models import Archive, ArchiveEvent
from archives.services.lifecycle import archive_merge
from tests.factories.archives import open_archive


def merge_url(archive: Archive) -> str:
    return reverse("archives:merge", args=[archive.pk])


def footprint(*archives: Archive) -> list:
    """What a refused merge must leave as it was."""
    return [
        (
            Archive.objects.get(pk=a.pk).status,
            a.people.filter(active=True).count(),
            ArchiveEvent.objects.filter(archive=a).count(),
            Archive.history.filter(id=a.pk).count(),
        )
        for a in archives
    ]


@pytest.fixture
def duplicate(world, archive) -> Archive:
    return open_archive(world, person=1, applicant_name="张建国")


def test_the_administrator_merges_after_seeing_both(client, world, archive, duplicate):
    client.force_login(world.wuhu.admin)
    url = merge_url(archive)
    assert client.get(url).status_code == 200

    response = client.post(url, {"number": duplicate.number.lower(), "reason": "同一户重复建档"})

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="merge-compare"' in body
    assert archive.number in body and duplicate.number in body
    assert duplicate.id_masked in body and "确认合并" in body
    assert Archive.objects.get(pk=duplicate.pk).status == Archive.Status.OPEN  # not yet

    response = client.post(
        url, {"number": duplicate.number, "reason": "同一户重复建档", "confirmed": "yes"}
    )

    assert response.status_code == 302 and response["Location"] == reverse(
        "archives:detail", args=[archive.pk]
    )
    duplicate.refresh_from_db()
    assert duplicate.status == Archive.Status.MERGED and duplicate.merged_into == archive
    assert duplicate.retain_until is not None
    assert archive.people.filter(active=True).count() == 8
    event = archive.events.get(kind=ArchiveEvent.Kind.MERGED)
    assert "同一户重复建档" in event.note and event.actor == world.wuhu.admin
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert f"档案 {duplicate.number} 已并入档案 {archive.number}，原档案只读保存。" in messages


def test_a_non_administrator_is_refused(client, world, archive, duplicate):
    before = footprint(archive, duplicate)
    data = {"number": duplicate.number, "reason": "重复", "confirmed": "yes"}
    for user in (world.wuhu.county_reviewer, world.wuhu.caseworker, world.wuhu.city_reviewer):
        client.force_login(user)
        assert client.get(merge_url(archive)).status_code == 403, user.username
        assert client.post(merge_url(archive), data).status_code == 403, user.username
    assert footprint(archive, duplicate) == before


def test_the_service_refuses_a_non_administrator(world, archive, duplicate):
    before = footprint(archive, duplicate)
    with pytest.raises(PermissionDenied, match="系统管理员"):
        archive_merge(
            actor=world.wuhu.county_reviewer, keep=archive, duplicate=duplicate, reason="重复"
        )
    assert footprint(archive, duplicate) == before


def test_another_county_or_city_gets_not_found(client, world, archive, duplicate):
    data = {"number": duplicate.number, "reason": "重复", "confirmed": "yes"}
    for user in (world.wuhu.county_b_reviewer, world.wuhu.caseworker_b, world.taian.admin):
        client.force_login(user)
        assert client.get(merge_url(archive)).status_code == 404, user.username
        assert client.post(merge_url(archive), data).status_code == 404, user.username
    assert Archive.objects.get(pk=duplicate.pk).status == Archive.Status.OPEN


@pytest.mark.parametrize(
    ("number", "reason", "error"),
    [
        ("DA2026999999", "重复", "没有找到该档案编号"),
        ("", "重复", "这个字段是必填项"),
        ("<b>1</b>", "重复", "没有找到该档案编号"),
        ("x" * 200, "重复", "不超过 20 字符"),
        ("own", "重复", "这是本档案的编号"),
        ("duplicate", "   ", "这个字段是必填项"),
    ],
)
def test_bad_input_comes_back_on_the_form(client, world, archive, duplicate, number, reason, error):
    before = footprint(archive, duplicate)
    number = {"own": archive.number, "duplicate": duplicate.number}.get(number, number)
    client.force_login(world.wuhu.admin)
    for confirmed in ("", "yes"):
        response = client.post(
            merge_url(archive), {"number": number, "reason": reason, "confirmed": confirmed}
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert error in body and 'data-testid="merge-form"' in body
    assert footprint(archive, duplicate) == before


def test_a_service_refusal_comes_back_on_the_form(client, world, archive, duplicate):
    """A duplicate already merged: the service refuses, the form says why."""
    third = open_archive(world, person=2)
    archive_merge(actor=world.wuhu.admin, keep=third, duplicate=duplicate, reason="重复")
    before = footprint(archive, duplicate)
    client.force_login(world.wuhu.admin)

    response = client.post(
        merge_url(archive), {"number": duplicate.number, "reason": "重复", "confirmed": "yes"}
    )

    assert response.status_code == 200
    assert "档案已合并，不能合并。" in response.content.decode()
    assert footprint(archive, duplicate) == before


def test_a_closed_archive_offers_no_merge(client, world, archive, duplicate):
    archive_merge(actor=world.wuhu.admin, keep=archive, duplicate=duplicate, reason="重复")
    client.force_login(world.wuhu.admin)
    body = client.get(merge_url(duplicate)).content.decode()
    assert "本档案已合并，不能合并。" in body
