from django.db import migrations

from archives.migration_ops import RetentionGuard
from core.migration_ops import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0002_initial"),
        ("assistance", "0009_archive_document_types"),
    ]

    operations = [
        AppendOnly("ArchiveVisit"),
        AppendOnly("ArchiveVisitStaff"),
        AppendOnly("ArchiveEvent"),
        RetentionGuard(),
    ]
