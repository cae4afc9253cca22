"""Foreign keys that lead a composite index lose their own single-column index (cheaper writes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0002_access_log_append_only'),
        ('identity', '0004_fk_indexes_led_by_composites'),
    ]

    # Only the single-column indexes go. Django's own AlterField would also drop and re-add each
    # foreign-key constraint, which re-checks every row under a lock: minutes on a table of tens
    # of millions. Each index dropped here is served by a composite index that leads with the column.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='consent',
                    name='person',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='consents', to='identity.person'),
                ),
                migrations.AlterField(
                    model_name='grant',
                    name='consumer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='grants', to='identity.agency'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "exchange_consent_person_id_9fc03d65"',
                    reverse_sql='CREATE INDEX "exchange_consent_person_id_9fc03d65" ON "exchange_consent" ("person_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "exchange_grant_consumer_id_4f71d3f7"',
                    reverse_sql='CREATE INDEX "exchange_grant_consumer_id_4f71d3f7" ON "exchange_grant" ("consumer_id")',
                ),
            ],
        ),
    ]
