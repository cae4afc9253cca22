"""The document number becomes encrypted at rest, with a digest column for equality search (ADR
0029), step 1 of 3: the schema. The uniqueness rules leave ``id_number`` here and come back on
``id_number_digest`` in 0007, once 0006 has filled it."""

import tongban.core.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("identity", "0004_fk_indexes_led_by_composites"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="person", name="identity_person_unique_id_number"),
        migrations.RemoveConstraint(model_name="person", name="identity_person_unique_passport"),
        migrations.AddField(
            model_name="person",
            name="id_number_digest",
            field=tongban.core.fields.LookupDigestField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=tongban.core.fields.EncryptedTextField(max_length=20),
        ),
    ]
