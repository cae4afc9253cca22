"""Foreign keys that lead a composite index lose their own single-column index (cheaper writes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0002_certificate_types'),
    ]

    # Only the single-column indexes go. Django's own AlterField would also drop and re-add each
    # foreign-key constraint, which re-checks every row under a lock: minutes on a table of tens
    # of millions. Each index dropped here is served by a composite index that leads with the column.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='material',
                    name='version',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='materials', to='catalogue.serviceversion'),
                ),
                migrations.AlterField(
                    model_name='pointsfactor',
                    name='table',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='factors', to='catalogue.pointstable'),
                ),
                migrations.AlterField(
                    model_name='pointsoption',
                    name='factor',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='options', to='catalogue.pointsfactor'),
                ),
                migrations.AlterField(
                    model_name='serviceversion',
                    name='item',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='catalogue.serviceitem'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "catalogue_material_version_id_b25b4909"',
                    reverse_sql='CREATE INDEX "catalogue_material_version_id_b25b4909" ON "catalogue_material" ("version_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "catalogue_pointsfactor_table_id_b4473cc6"',
                    reverse_sql='CREATE INDEX "catalogue_pointsfactor_table_id_b4473cc6" ON "catalogue_pointsfactor" ("table_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "catalogue_pointsoption_factor_id_b911ab02"',
                    reverse_sql='CREATE INDEX "catalogue_pointsoption_factor_id_b911ab02" ON "catalogue_pointsoption" ("factor_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "catalogue_serviceversion_item_id_d104d510"',
                    reverse_sql='CREATE INDEX "catalogue_serviceversion_item_id_d104d510" ON "catalogue_serviceversion" ("item_id")',
                ),
            ],
        ),
    ]
