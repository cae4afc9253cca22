"""Give every person a stable pseudonymous public id (added nullable, filled, then made unique)."""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):  # noqa: ANN001, ANN201
    Person = apps.get_model("identity", "Person")
    for person in Person.objects.filter(public_id__isnull=True).only("pk"):
        Person.objects.filter(pk=person.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("identity", "0002_agency_offices")]

    operations = [
        migrations.AddField(model_name="person", name="public_id", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="person",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
