"""Autovacuum the audit stream after a fixed number of sealed entries (PostgreSQL; ADR 0051)."""

from django.db import migrations

from tongban.audit.db import VacuumAfterSealing


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_verified_mark")]

    operations = [VacuumAfterSealing(model_name="auditevent")]
