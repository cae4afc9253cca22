"""Autovacuum the access log after a fixed number of sealed entries (PostgreSQL; ADR 0051)."""

from django.db import migrations

from tongban.audit.db import VacuumAfterSealing


class Migration(migrations.Migration):
    dependencies = [("exchange", "0004_access_log_prunable"), ("audit", "0005_vacuum_after_sealing")]

    operations = [VacuumAfterSealing(model_name="accesslogentry")]
