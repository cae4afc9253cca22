"""Application data becomes encrypted at rest (ADR 0029), step 1 of 2: the column becomes text
(on PostgreSQL ``jsonb`` is cast to its JSON text; the reverse casts it back)."""

import tongban.core.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("forms", "0004_application_looked_up_for"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="data",
            field=tongban.core.fields.EncryptedJSONField(blank=True, default=dict),
        ),
    ]
