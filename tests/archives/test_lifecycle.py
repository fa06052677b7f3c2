"""Opening an archive from an approved case, one open archive per person, merging."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.roles import Role
from archives.models import Archive, ArchiveEvent, ArchivePerson
from archives.services.exits import exit_request_record
from archives.services.lifecycle import archive_merge
from assistance.models import Case
from assistance.selectors import case_duplicates
from assistance.services.cases import case_create, case_submit, duplicate_clear
from assistance.services.review import case_forward
from core.dates import add_months
from tests.factories.accounts import make_city, make_user
from tests.factories.archives import open_archive
from tests.factories.assistance import (
    applicant_fields,
    consistent_comparison,
    household,
    id_number,
    member_input,
    taian_city_confirmation,
    upload_all_documents,
    visit,
    wuhu_approved,
    wuhu_notice,
)
from tests.factories.core import upload_file


def test_an_approved_case_opens_its_archive_in_its_category(world):
    case = wuhu_approved(world)
    archive = Archive.objects.get(case=case)
    assert archive.category == case.final_category == "deep"
    assert archive.status == Archive.Status.OPEN
    assert (archive.organisation, archive.county, archive.city) == (
        world.wuhu.union,
        world.wuhu.county,
        world.wuhu.city,
    )
    assert archive.policy == case.policy and archive.assessment == case.assessment
    assert archive.per_capita_income == case.per_capita_income
    assert archive.opened_on == world.clock.today()
    # Deep households are re-verified yearly (WH-M §17, policy data).
    assert archive.verification_due == add_months(archive.opened_on, 12)
    assert archive.number == f"DA{archive.opened_on:%Y}{archive.pk:06d}"
    people = list(archive.people.values_list("name", "relation", "active"))
    assert people[0] == (case.applicant_name, "户主", True)
    assert len(people) == 1 + case.members.count()
    event = archive.events.get()
    assert event.kind == ArchiveEvent.Kind.OPENED and case.number in event.note
    assert event.actor == world.wuhu.county_reviewer_3
    assert archive.history.first().history_user == world.wuhu.county_reviewer_3


def test_a_taian_city_confirmation_opens_the_archive(world):
    case = taian_city_confirmation(world)
    case = case_forward(actor=world.taian.city_reviewer, case=case, opinion="认定。")
    assert case.status == Case.Status.APPROVED
    assert Archive.objects.get(case=case).organisation == world.taian.union


def test_a_case_not_approved_has_no_archive(world):
    case = wuhu_notice(world)
    assert not Archive.objects.filter(case=case).exists()


def test_the_database_holds_a_person_in_one_open_archive_only(archive, world):
    other = open_archive(world, person=1)
    person = archive.people.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ArchivePerson.objects.create(
            archive=other, name=person.name, relation="配偶", id_hash=person.id_hash
        )


def test_approval_is_refused_while_a_person_stands_in_another_open_archive(archive, world):
    """The intake flags the duplicate; even when a reviewer clears it, the approval that
    would put the person in a second open archive is refused, and nothing is written."""
    w = world.wuhu
    spouse = archive.people.get(relation="配偶")
    # Another household, with person 0's spouse among its members.
    members = [*household(2)["members"][:2], member_input(spouse.name, 101)]
    draft = case_create(
        actor=w.caseworker,
        organisation=w.union,
        fields=applicant_fields(id_number=id_number(120), applicant_name="王五"),
        members=members,
    ).case
    for match in case_duplicates(draft):
        duplicate_clear(
            actor=w.grassroots_reviewer,
            case=draft,
            id_hash=match.id_hash,
            other_case_id=match.other_case_id,
            reason="经核实为同一户，待合并",
        )
    upload_all_documents(w.caseworker, draft)
    case = case_submit(actor=w.caseworker, case=draft)
    visit(w.caseworker, case, w.grassroots_reviewer)
    case = case_forward(actor=w.grassroots_reviewer, case=case, opinion="初审")
    case = case_forward(actor=w.county_reviewer, case=case, opinion="审核")
    consistent_comparison(w.county_caseworker, case)
    case = case_forward(actor=w.county_reviewer_2, case=case, opinion="公示")
    world.clock.set(case.notice_end + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as info:
        case_forward(
            actor=w.county_reviewer_3, case=case, opinion="公示无异议", coverage_confirmed=True
        )
    assert archive.number in " ".join(info.value.messages)
    assert "一户一档" in " ".join(info.value.messages)
    assert Case.objects.get(pk=case.pk).status == Case.Status.NOTICE
    assert not Archive.objects.filter(case=case).exists()


def test_a_household_that_left_its_archive_may_apply_again(archive, world):
    """Its approved case no longer counts as an open application once the archive closed."""
    w = world.wuhu
    exit_request_record(
        actor=w.caseworker,
        archive=archive,
        request_date=world.clock.today(),
        request_document=upload_file("退档申请书.pdf"),
    )
    again = wuhu_approved(world)  # the same household, the same ID numbers
    assert case_duplicates(again) == []
    reopened = Archive.objects.get(case=again)
    assert reopened.pk != archive.pk and reopened.is_active
    assert set(reopened.people.values_list("id_hash", flat=True)) == set(
        archive.people.values_list("id_hash", flat=True)
    )


# --- Merging ------------------------------------------------------------------------------


def test_an_administrator_merges_a_duplicate_archive_with_a_reason(archive, world):
    duplicate = open_archive(world, person=1)
    moved = set(duplicate.people.values_list("id_hash", flat=True))
    keep = archive_merge(
        actor=world.wuhu.admin, keep=archive, duplicate=duplicate, reason="夫妻双方分别建档"
    )
    duplicate = Archive.objects.get(pk=duplicate.pk)
    assert duplicate.status == Archive.Status.MERGED and duplicate.merged_into == keep
    assert duplicate.close_reason == Archive.CloseReason.MERGED
    assert duplicate.retain_until.year == duplicate.closed_on.year + 30
    assert not duplicate.people.filter(active=True).exists()
    assert moved <= set(keep.people.filter(active=True).values_list("id_hash", flat=True))
    assert "夫妻双方分别建档" in keep.events.get(kind=ArchiveEvent.Kind.MERGED).note
    assert "夫妻双方分别建档" in duplicate.events.get(kind=ArchiveEvent.Kind.MERGED).note
    assert duplicate.history.first().history_user == world.wuhu.admin


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_merge_needs_a_reason(archive, world, reason):
    duplicate = open_archive(world, person=1)
    with pytest.raises(ValidationError):
        archive_merge(actor=world.wuhu.admin, keep=archive, duplicate=duplicate, reason=reason)
    assert Archive.objects.get(pk=duplicate.pk).status == Archive.Status.OPEN


def test_only_an_administrator_of_the_city_merges(archive, world):
    duplicate = open_archive(world, person=1)
    with pytest.raises(PermissionDenied):
        archive_merge(
            actor=world.wuhu.county_reviewer, keep=archive, duplicate=duplicate, reason="重复"
        )
    other_admin = make_user(make_city("马鞍山市总工会"), Role.ADMIN)
    with pytest.raises(PermissionDenied):
        archive_merge(actor=other_admin, keep=archive, duplicate=duplicate, reason="重复")
    assert Archive.objects.get(pk=duplicate.pk).status == Archive.Status.OPEN


def test_a_merged_archive_cannot_be_merged_again(archive, world):
    duplicate = open_archive(world, person=1)
    archive_merge(actor=world.wuhu.admin, keep=archive, duplicate=duplicate, reason="重复")
    third = open_archive(world, person=2)
    with pytest.raises(ValidationError):
        archive_merge(
            actor=world.wuhu.admin,
            keep=third,
            duplicate=Archive.objects.get(pk=duplicate.pk),
            reason="重复",
        )


def test_a_long_reason_is_kept_whole_in_the_history(archive, world):
    """The history's reason is free text: a merge's long explanation is not cut off (nor,
    on PostgreSQL, refused for its length)."""
    duplicate = open_archive(world, person=1)
    reason = "经县级工会核实，两份档案为同一户家庭：" + "夫妻双方在不同单位分别申请建档，" * 12
    archive_merge(actor=world.wuhu.admin, keep=archive, duplicate=duplicate, reason=reason)
    latest = Archive.history.filter(id=duplicate.pk).order_by("-history_id").first()
    assert len(reason) > 100 and reason.strip() in latest.history_change_reason
