"""Make the audit trail append-only at the database level (triggers on PostgreSQL and SQLite)."""

from django.db import migrations

from tongban.audit.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [AppendOnly(model_name="auditevent")]
