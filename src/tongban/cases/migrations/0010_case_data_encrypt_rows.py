"""Step 2 of 2 (ADR 0029): encrypt every case's data and fetched values, in batches. Reversible
(with the keys): the reverse writes the JSON text back."""

from django.db import migrations

from tongban.core.rekey import decrypt_rows, encrypt_rows


def encrypt(apps, schema_editor):
    encrypt_rows(schema_editor.connection, "cases_case", {"data": "json"})
    encrypt_rows(schema_editor.connection, "cases_casedata", {"values": "json"})


def decrypt(apps, schema_editor):
    decrypt_rows(schema_editor.connection, "cases_case", {"data": "json"})
    decrypt_rows(schema_editor.connection, "cases_casedata", {"values": "json"})


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0009_case_data_encrypted"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
