"""Step 2 of 2 (ADR 0029): encrypt every application's data, in batches. Reversible (with the
keys): the reverse writes the JSON text back."""

from django.db import migrations

from tongban.core.rekey import decrypt_rows, encrypt_rows


def encrypt(apps, schema_editor):
    encrypt_rows(schema_editor.connection, "forms_application", {"data": "json"})


def decrypt(apps, schema_editor):
    decrypt_rows(schema_editor.connection, "forms_application", {"data": "json"})


class Migration(migrations.Migration):

    dependencies = [
        ("forms", "0005_application_data_encrypted"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
