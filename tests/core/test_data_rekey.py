"""Key rotation without downtime (ADR 0029): rows written under key A still read once key B is
active, ``data_rekey`` rewrites them all under B (twice is harmless), a lookup-key rotation keeps
numbers findable before and after; uploaded files are ciphertext on disk and download as sent."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from tests.factories import PersonFactory
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.core.crypto import get_data_keyring, key_id_of, new_ring, rotate_ring
from tongban.core.storage import EncryptedStorage
from tongban.forms.models import Upload
from tongban.identity.models import Person
from tongban.identity.selectors import person_by_identifier

pytestmark = pytest.mark.django_db

ENCRYPTED = (("identity_person", "id_number"), ("forms_application", "data"), ("cases_case", "data"))


def tokens() -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in ENCRYPTED:
            cursor.execute(f"SELECT {column} FROM {table}")
            found += [row[0] for row in cursor.fetchall()]
    return found


def rekey() -> str:
    out = io.StringIO()
    call_command("data_rekey", "--batch", "2", stdout=out)
    return out.getvalue()


def test_rotation_reads_old_rows_and_rekey_rewrites_them(world: World) -> None:
    # the world was made under the test ring: A is a rotation of it, and everything goes under A first
    ring_a = rotate_ring(json.loads(settings.DATA_KEYS_JSON))
    with override_settings(DATA_KEYS_JSON=json.dumps(ring_a)):
        key_a = get_data_keyring().active_key().kid
        rekey()
        case = world.submitted_case()
        assert {key_id_of(token) for token in tokens()} == {key_a}

    ring_b = rotate_ring(copy.deepcopy(ring_a))
    with override_settings(DATA_KEYS_JSON=json.dumps(ring_b)):
        key_b = get_data_keyring().active_key().kid
        assert key_b != key_a
        # old rows read at once, new writes use B
        case.refresh_from_db()
        assert case.data["employee_name"] == "MARTIN Lucas"
        assert Person.objects.get(pk=world.engineer.pk).id_number == world.engineer.id_number
        newcomer = PersonFactory()
        assert {key_id_of(token) for token in tokens()} == {key_a, key_b}

        first = rekey()
        assert {key_id_of(token) for token in tokens()} == {key_b}
        assert "identity_person: 0 rows" not in first and "cases_case: 0 rows" not in first
        assert AuditEvent.objects.filter(action="core.data_rekeyed").exists()
        second = rekey()  # idempotent: nothing left to do
        assert all(" 0 rows rewritten" in line for line in second.splitlines() if "rows rewritten" in line)
        assert "files: 0 rewritten" in second
        case.refresh_from_db()
        assert case.data["employee_name"] == "MARTIN Lucas"
        assert Person.objects.get(pk=newcomer.pk).id_number == newcomer.id_number

    # A dropped from the ring: everything still reads under B alone
    ring_b_only = {**ring_b, "keys": [key for key in ring_b["keys"] if key["status"] == "active"]}
    with override_settings(DATA_KEYS_JSON=json.dumps(ring_b_only)):
        case.refresh_from_db()
        with default_storage.open(case.application.uploads.get().file.name) as handle:
            assert handle.read(5) == b"%PDF-"


def test_lookup_key_rotation_keeps_numbers_findable() -> None:
    ring = new_ring()
    with override_settings(DATA_KEYS_JSON=json.dumps(ring)):
        person = PersonFactory(id_number="11010519491231002X")
        old_digest = Person.objects.values_list("id_number_digest", flat=True).get(pk=person.pk)

    rotated = rotate_ring(copy.deepcopy(ring), lookup=True)
    with override_settings(DATA_KEYS_JSON=json.dumps(rotated)):
        # before the rekey: found through the old lookup key's digest
        assert person_by_identifier(id_number="11010519491231002x") == person
        rekey()
        new_digest = Person.objects.values_list("id_number_digest", flat=True).get(pk=person.pk)
        assert new_digest != old_digest
        assert person_by_identifier(id_number="11010519491231002X") == person

    # with the old lookup key removed, the recomputed digest alone finds the person
    active_only = {**rotated, "lookup_keys": [key for key in rotated["lookup_keys"] if key["status"] == "active"]}
    with override_settings(DATA_KEYS_JSON=json.dumps(active_only)):
        assert Person.objects.with_id_number("110105 19491231 002X").get() == person


def test_uploaded_file_is_ciphertext_on_disk_and_downloads_as_sent(
    world: World, login_person: Any, client: Client
) -> None:
    case = world.submitted_case()
    upload = Upload.objects.get(application=case.application)
    assert isinstance(default_storage, EncryptedStorage)
    stored = default_storage.read_raw(upload.file.name)
    assert stored.startswith(b"tb1.") and b"%PDF" not in stored
    login_person(client, world.hr.account)
    response = client.get(f"/en/my/cases/{case.number}/files/{upload.pk}/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-") and len(body) == upload.size


def test_a_file_renamed_in_storage_is_refused(world: World) -> None:
    case = world.submitted_case()
    upload = Upload.objects.get(application=case.application)
    storage: Any = default_storage
    moved = storage.inner.save("materials/elsewhere.pdf", io.BytesIO(storage.read_raw(upload.file.name)))
    with pytest.raises(ValueError, match="failed authentication"):
        storage.open(moved).read()


def test_rekey_encrypts_files_stored_before_encryption(world: World) -> None:
    case = world.submitted_case()
    upload = Upload.objects.get(application=case.application)
    storage: Any = default_storage
    with storage.open(upload.file.name) as handle:
        original = handle.read()
    # as a deployment from before encryption left it: the plaintext file under its name
    legacy = storage.inner.save("materials/legacy.pdf", io.BytesIO(original))
    Upload.objects.filter(pk=upload.pk).update(file=legacy)
    rekey()
    upload.refresh_from_db()
    assert upload.file.name != legacy and not storage.exists(legacy)
    assert storage.read_raw(upload.file.name).startswith(b"tb1.")
    with storage.open(upload.file.name) as handle:
        assert handle.read() == original


def test_keyring_generate_writes_and_rotates_the_data_keys(tmp_path: Any) -> None:
    path = tmp_path / "data-keys.json"
    with override_settings(DATA_KEYS_JSON="", DATA_KEYS_FILE=str(path), SIGNING_KEYS_FILE=str(tmp_path / "s.json")):
        call_command("keyring_generate", stdout=io.StringIO())
        first = json.loads(path.read_text())
        assert {key["alg"] for key in first["keys"]} == {"AES-GCM", "SM4-GCM"}
        assert {key["alg"] for key in first["lookup_keys"]} == {"HMAC-SHA256", "HMAC-SM3"}
        assert path.stat().st_mode & 0o777 == 0o600
        call_command("keyring_generate", stdout=io.StringIO())  # kept as it is
        assert json.loads(path.read_text()) == first
        call_command("keyring_generate", "--rotate-data", stdout=io.StringIO())
        rotated = json.loads(path.read_text())
        assert len(rotated["keys"]) == 4 and rotated["lookup_keys"] == first["lookup_keys"]
        assert get_data_keyring().active_key().kid not in {key["kid"] for key in first["keys"]}
