"""The database guards the migrations install stand after a fresh migrate, on PostgreSQL and
on SQLite (the demo), where rebuilding a table to add a constraint drops its triggers."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# Guards on both databases (the application tables' retention guards are PostgreSQL only).
BOTH = {
    "archives_archive_retention",
    "archives_archiveevent_append_only",
    "archives_archiveexit_retention",
    "archives_archiveperson_retention",
    "archives_archivevisit_append_only",
    "archives_archivevisitstaff_append_only",
    "archives_categorychange_retention",
    "archives_exitobjection_retention",
    "assistance_casetransition_append_only",
    "funds_entry_append_only",
    "funds_entry_balance",
    "funds_entry_no_carry_over",
    "funds_entry_recovery",
    "funds_recoveryline_append_only",
    "funds_recoveryrepayment_append_only",
}


def trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def test_every_guard_stands_after_migrate():
    names = trigger_names()
    assert names >= BOTH, sorted(BOTH - names)
