"""Retention (WH-M §16): a closed archive is read-only, and nothing of an archive is deleted
before 30 years after closure — not through a service, the ORM, or SQL."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from archives.models import Archive, ArchivePerson, RetentionError
from archives.selectors.figures import current_figures
from archives.services.lifecycle import archive_merge, lock_archive
from archives.services.visits import archive_visit_record
from core.dates import add_years
from core.history import save_tracked
from tests.factories.archives import open_archive
from tests.factories.assistance import id_number, new_case

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite refuses deletes in the ORM only: its test flush deletes rows (archives.migration_ops)",
)


@pytest.fixture
def merged(archive, world) -> Archive:
    """A closed archive: a duplicate merged into `archive` today."""
    duplicate = open_archive(world, person=1)
    archive_merge(actor=world.wuhu.admin, keep=archive, duplicate=duplicate, reason="重复建档")
    return Archive.objects.get(pk=duplicate.pk)


def _sql(statement: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_open_archive_cannot_be_deleted_through_the_orm(archive):
    with pytest.raises(RetentionError):
        archive.delete()
    with pytest.raises(RetentionError):
        Archive.objects.filter(pk=archive.pk).delete()
    assert Archive.objects.filter(pk=archive.pk).exists()


def test_a_closed_archive_cannot_be_deleted_within_30_years(merged):
    assert merged.retain_until == add_years(merged.closed_on, 30)
    with pytest.raises(RetentionError) as info:
        merged.delete()
    assert str(merged.retain_until) in str(info.value)
    assert Archive.objects.filter(pk=merged.pk).exists()


def test_the_database_refuses_any_change_to_a_closed_archive(merged, world):
    merged.key_household = True
    with pytest.raises(DatabaseError), transaction.atomic():
        save_tracked(
            merged, actor=world.wuhu.admin, reason="试图修改", update_fields=["key_household"]
        )
    with pytest.raises(DatabaseError):
        _sql("UPDATE archives_archive SET person_name = 'x' WHERE id = %s", merged.pk)
    with pytest.raises(DatabaseError):
        _sql("UPDATE archives_archiveperson SET active = TRUE WHERE archive_id = %s", merged.pk)
    assert Archive.objects.get(pk=merged.pk).person_name != "x"
    assert not ArchivePerson.objects.filter(archive=merged, active=True).exists()


def test_the_services_refuse_to_work_on_a_closed_archive(merged, world):
    with pytest.raises(ValidationError), transaction.atomic():
        archive_visit_record(
            actor=world.wuhu.caseworker,
            archive=lock_archive(merged),
            purpose="reverify",
            visit_date=world.clock.today(),
            staff=[world.wuhu.caseworker, world.wuhu.grassroots_reviewer],
            findings="入户",
            figures=current_figures(merged),
        )
    assert not merged.visits.exists()


@needs_postgres
@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM archives_archive WHERE id = %(archive)s",
        "DELETE FROM archives_archiveperson WHERE archive_id = %(archive)s",
        "DELETE FROM archives_archiveevent WHERE archive_id = %(archive)s",
        "DELETE FROM assistance_casedocument WHERE case_id = %(case)s",
        "DELETE FROM assistance_householdmember WHERE case_id = %(case)s",
        "DELETE FROM assistance_case WHERE id = %(case)s",
    ],
)
def test_postgres_refuses_deleting_anything_of_an_archive_within_retention(merged, statement):
    for target in (merged, Archive.objects.get(pk=merged.merged_into_id)):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, {"archive": target.pk, "case": target.case_id})
        assert Archive.objects.filter(pk=target.pk).exists()


def _expired_archive(archive: Archive, case) -> Archive:
    """An archive closed in 1990, whose 30 years have passed (inserted as such)."""
    values = {
        field.attname: getattr(archive, field.attname)
        for field in Archive._meta.concrete_fields
        if field.name not in {"id", "number", "case", "created_at", "updated_at"}
    }
    values.update(
        case_id=case.pk,
        number="DA1990000001",
        status=Archive.Status.CLOSED,
        close_reason=Archive.CloseReason.REQUEST,
        opened_on=datetime.date(1985, 1, 1),
        closed_on=datetime.date(1990, 1, 1),
        retain_until=datetime.date(2020, 1, 1),
    )
    return Archive.objects.create(**values)


def test_after_retention_an_archive_may_be_deleted(archive, world):
    draft = new_case(world.wuhu.caseworker, world.wuhu.union, id_number=id_number(150), members=[])
    old = _expired_archive(archive, draft)
    old.delete()
    assert not Archive.objects.filter(pk=old.pk).exists()


def test_there_is_no_django_admin_to_delete_through(client, world):
    client.force_login(world.wuhu.admin)
    assert client.get("/admin/").status_code == 404
