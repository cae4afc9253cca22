"""Foreign keys that lead a composite index lose their own single-column index (cheaper writes)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('identity', '0003_person_public_id'),
    ]

    # Only the single-column indexes go. Django's own AlterField would also drop and re-add each
    # foreign-key constraint, which re-checks every row under a lock: minutes on a table of tens
    # of millions. Each index dropped here is served by a composite index that leads with the column.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='agencyoffice',
                    name='agency',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='offices', to='identity.agency'),
                ),
                migrations.AlterField(
                    model_name='power',
                    name='firm',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='powers', to='identity.firm'),
                ),
                migrations.AlterField(
                    model_name='power',
                    name='grantee',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='powers', to='identity.person'),
                ),
                migrations.AlterField(
                    model_name='staffrole',
                    name='account',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='staff_roles', to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "identity_agencyoffice_agency_id_3f988e81"',
                    reverse_sql='CREATE INDEX "identity_agencyoffice_agency_id_3f988e81" ON "identity_agencyoffice" ("agency_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "identity_power_firm_id_7276e230"',
                    reverse_sql='CREATE INDEX "identity_power_firm_id_7276e230" ON "identity_power" ("firm_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "identity_power_grantee_id_073350cd"',
                    reverse_sql='CREATE INDEX "identity_power_grantee_id_073350cd" ON "identity_power" ("grantee_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "identity_staffrole_account_id_6c72896b"',
                    reverse_sql='CREATE INDEX "identity_staffrole_account_id_6c72896b" ON "identity_staffrole" ("account_id")',
                ),
            ],
        ),
    ]
