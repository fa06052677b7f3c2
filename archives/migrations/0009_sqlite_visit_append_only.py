from django.db import migrations

from core.migration_ops import AppendOnly, SqliteReinstall


class Migration(migrations.Migration):
    """On SQLite (the demo), 0007 rebuilt the visit table to add its survey constraint and
    dropped the append-only trigger of 0003 with the old table: put it back."""

    dependencies = [("archives", "0008_recovery_close_reason")]

    operations = [SqliteReinstall(AppendOnly("ArchiveVisit"))]
