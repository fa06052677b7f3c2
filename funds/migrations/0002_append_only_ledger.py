from django.db import migrations

from core.migration_ops import AppendOnly
from funds.migration_ops import NonNegativeBalance


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    operations = [AppendOnly("Entry"), NonNegativeBalance()]
