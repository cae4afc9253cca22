"""Foreign keys that lead a composite index lose their own single-column index (cheaper writes)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_case_data'),
        ('identity', '0003_person_public_id'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Only the single-column indexes go. Django's own AlterField would also drop and re-add each
    # foreign-key constraint, which re-checks every row under a lock: minutes on a table of tens
    # of millions. Each index dropped here is served by a composite index that leads with the column.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='agency',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='identity.agency'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='applicant',
                    field=models.ForeignKey(db_index=False, help_text='The person who applied (or acted for the firm).', on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='identity.person'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='assigned_to',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='firm',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='identity.firm'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='office',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='identity.agencyoffice'),
                ),
                migrations.AlterField(
                    model_name='casedata',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='fetched_data', to='cases.case'),
                ),
                migrations.AlterField(
                    model_name='caseevent',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='cases.case'),
                ),
                migrations.AlterField(
                    model_name='casematerial',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='materials', to='cases.case'),
                ),
                migrations.AlterField(
                    model_name='caseparty',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='parties', to='cases.case'),
                ),
                migrations.AlterField(
                    model_name='caseparty',
                    name='person',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='case_parties', to='identity.person'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_agency_id_062136fa"',
                    reverse_sql='CREATE INDEX "cases_case_agency_id_062136fa" ON "cases_case" ("agency_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_applicant_id_756c921c"',
                    reverse_sql='CREATE INDEX "cases_case_applicant_id_756c921c" ON "cases_case" ("applicant_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_assigned_to_id_370071aa"',
                    reverse_sql='CREATE INDEX "cases_case_assigned_to_id_370071aa" ON "cases_case" ("assigned_to_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_firm_id_6f74c8be"',
                    reverse_sql='CREATE INDEX "cases_case_firm_id_6f74c8be" ON "cases_case" ("firm_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_case_office_id_93691f7b"',
                    reverse_sql='CREATE INDEX "cases_case_office_id_93691f7b" ON "cases_case" ("office_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_casedata_case_id_b5d48ed5"',
                    reverse_sql='CREATE INDEX "cases_casedata_case_id_b5d48ed5" ON "cases_casedata" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_caseevent_case_id_6c6031ac"',
                    reverse_sql='CREATE INDEX "cases_caseevent_case_id_6c6031ac" ON "cases_caseevent" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_casematerial_case_id_66fd4cfb"',
                    reverse_sql='CREATE INDEX "cases_casematerial_case_id_66fd4cfb" ON "cases_casematerial" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_caseparty_case_id_7d3c0d06"',
                    reverse_sql='CREATE INDEX "cases_caseparty_case_id_7d3c0d06" ON "cases_caseparty" ("case_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_caseparty_person_id_98fafa6f"',
                    reverse_sql='CREATE INDEX "cases_caseparty_person_id_98fafa6f" ON "cases_caseparty" ("person_id")',
                ),
            ],
        ),
    ]
