"""Foreign keys that lead a composite index lose their own single-column index (cheaper writes)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Only the single-column indexes go. Django's own AlterField would also drop and re-add each
    # foreign-key constraint, which re-checks every row under a lock: minutes on a table of tens
    # of millions. Each index dropped here is served by a composite index that leads with the column.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='message',
                    name='recipient',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='messages', to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_message_recipient_id_f5c7dd5a"',
                    reverse_sql='CREATE INDEX "notifications_message_recipient_id_f5c7dd5a" ON "notifications_message" ("recipient_id")',
                ),
            ],
        ),
    ]
