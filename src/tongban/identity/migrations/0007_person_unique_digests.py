"""Step 3 of 3 (ADR 0029): the uniqueness rules on the digest column: one person per resident ID
number, one per passport number and nationality."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("identity", "0006_person_id_number_encrypt_rows"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                condition=models.Q(("id_type", "passport"), _negated=True),
                fields=("id_number_digest",),
                name="identity_person_unique_id_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                condition=models.Q(("id_type", "passport")),
                fields=("nationality", "id_number_digest"),
                name="identity_person_unique_passport",
            ),
        ),
    ]
