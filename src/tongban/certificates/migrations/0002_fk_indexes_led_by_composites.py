"""Foreign keys that lead a composite index lose their own single-column index (cheaper writes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certificates', '0001_initial'),
        ('identity', '0004_fk_indexes_led_by_composites'),
    ]

    # Only the single-column indexes go. Django's own AlterField would also drop and re-add each
    # foreign-key constraint, which re-checks every row under a lock: minutes on a table of tens
    # of millions. Each index dropped here is served by a composite index that leads with the column.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='certificate',
                    name='agency',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='identity.agency'),
                ),
                migrations.AlterField(
                    model_name='certificate',
                    name='applicant_firm',
                    field=models.ForeignKey(blank=True, db_index=False, help_text='The firm whose application produced it (its staff with the power see it).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='issued_for_staff', to='identity.firm'),
                ),
                migrations.AlterField(
                    model_name='certificate',
                    name='holder_firm',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='identity.firm'),
                ),
                migrations.AlterField(
                    model_name='certificate',
                    name='holder_person',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='identity.person'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "certificates_certificate_agency_id_cf13ec03"',
                    reverse_sql='CREATE INDEX "certificates_certificate_agency_id_cf13ec03" ON "certificates_certificate" ("agency_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "certificates_certificate_applicant_firm_id_0668fdaf"',
                    reverse_sql='CREATE INDEX "certificates_certificate_applicant_firm_id_0668fdaf" ON "certificates_certificate" ("applicant_firm_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "certificates_certificate_holder_firm_id_a800ee53"',
                    reverse_sql='CREATE INDEX "certificates_certificate_holder_firm_id_a800ee53" ON "certificates_certificate" ("holder_firm_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "certificates_certificate_holder_person_id_234577e3"',
                    reverse_sql='CREATE INDEX "certificates_certificate_holder_person_id_234577e3" ON "certificates_certificate" ("holder_person_id")',
                ),
            ],
        ),
    ]
