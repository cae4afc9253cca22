"""Foreign keys that lead a composite index lose their own single-column index (cheaper writes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('forms', '0002_held_certificates'),
        ('identity', '0003_person_public_id'),
    ]

    # Only the single-column indexes go. Django's own AlterField would also drop and re-add each
    # foreign-key constraint, which re-checks every row under a lock: minutes on a table of tens
    # of millions. Each index dropped here is served by a composite index that leads with the column.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='application',
                    name='person',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='identity.person'),
                ),
                migrations.AlterField(
                    model_name='heldcertificate',
                    name='application',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='held', to='forms.application'),
                ),
                migrations.AlterField(
                    model_name='upload',
                    name='application',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='uploads', to='forms.application'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "forms_application_person_id_ab8a7e77"',
                    reverse_sql='CREATE INDEX "forms_application_person_id_ab8a7e77" ON "forms_application" ("person_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "forms_heldcertificate_application_id_4b528c51"',
                    reverse_sql='CREATE INDEX "forms_heldcertificate_application_id_4b528c51" ON "forms_heldcertificate" ("application_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "forms_upload_application_id_ea62ef51"',
                    reverse_sql='CREATE INDEX "forms_upload_application_id_ea62ef51" ON "forms_upload" ("application_id")',
                ),
            ],
        ),
    ]
