"""Make the access log append-only at the database level, like the audit trail."""

from django.db import migrations

from tongban.audit.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [AppendOnly(model_name="accesslogentry")]
