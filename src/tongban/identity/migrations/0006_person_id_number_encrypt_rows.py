"""Step 2 of 3 (ADR 0029): encrypt every person's document number and fill its digest, in
batches. Reversible (with the keys): the reverse decrypts the numbers again."""

from django.db import migrations

from tongban.core.rekey import Digest, decrypt_rows, encrypt_rows
from tongban.identity.idnumbers import normalise

DIGEST = Digest(source="id_number", column="id_number_digest", normalise=normalise)


def encrypt(apps, schema_editor):
    encrypt_rows(schema_editor.connection, "identity_person", {"id_number": "text"}, DIGEST)


def decrypt(apps, schema_editor):
    decrypt_rows(schema_editor.connection, "identity_person", {"id_number": "text"})


class Migration(migrations.Migration):

    dependencies = [
        ("identity", "0005_person_id_number_encrypted"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
