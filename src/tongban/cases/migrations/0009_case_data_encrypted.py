"""A case's form data and the registry data fetched for it become encrypted at rest (ADR 0029),
step 1 of 2: the columns become text (on PostgreSQL ``jsonb`` is cast to its JSON text)."""

import tongban.core.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0008_material_removed_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="data",
            field=tongban.core.fields.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="casedata",
            name="values",
            field=tongban.core.fields.EncryptedJSONField(blank=True, default=dict),
        ),
    ]
