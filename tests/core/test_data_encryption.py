"""Personal data at rest (ADR 0029): round trips with AES-GCM and SM4-GCM, lookup digests with
HMAC-SHA256 and HMAC-SM3, no plaintext in the tables, tampered or moved ciphertext refused,
lookups by number in any format, uniqueness through the digest — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from tests.factories import PersonFactory
from tests.world import World
from tongban.core.crypto import DecryptionError, _unb64, decrypt_text, encrypt_text, get_data_keyring, new_ring
from tongban.forms.models import Application
from tongban.forms.services import application_start
from tongban.identity.models import Person
from tongban.identity.selectors import person_by_identifier

pytestmark = pytest.mark.django_db

RESIDENT_ID = "11010519491231002X"


def raw(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@pytest.mark.parametrize(("cipher", "code"), [("AES-GCM", "A"), ("SM4-GCM", "S")])
def test_id_number_round_trip_and_no_plaintext_in_the_table(cipher: str, code: str) -> None:
    with override_settings(DATA_CIPHER=cipher):
        person = PersonFactory(id_number=RESIDENT_ID)
        [(stored, digest)] = raw("SELECT id_number, id_number_digest FROM identity_person WHERE id = %s", [person.pk])
        assert stored.startswith(f"tb1.{code}.{get_data_keyring().active_key().kid}.")
        assert RESIDENT_ID not in stored and "1949" not in stored
        assert Person.objects.get(pk=person.pk).id_number == RESIDENT_ID
        assert len(digest) == 64 and RESIDENT_ID not in digest


@pytest.mark.parametrize("cipher", ["AES-GCM", "SM4-GCM"])
def test_application_data_round_trip_and_no_plaintext_in_the_table(world: World, cipher: str) -> None:
    with override_settings(DATA_CIPHER=cipher):
        application = application_start(
            person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
        )
        data = {"home_address": "上海市浦东新区世纪大道100号", "passport_number": "E12345678", "n": [1, 2]}
        application.data = data
        application.save(update_fields=["data"])
        [(stored,)] = raw("SELECT data FROM forms_application WHERE id = %s", [application.pk])
        assert stored.startswith("tb1.") and "世纪大道" not in stored and "E12345678" not in stored
        assert Application.objects.get(pk=application.pk).data == data
        assert Application.objects.filter(pk=application.pk).values_list("data", flat=True).get() == data


def test_submitted_case_keeps_form_data_encrypted(world: World) -> None:
    case = world.submitted_case()
    [(stored,)] = raw("SELECT data FROM cases_case WHERE id = %s", [case.pk])
    assert stored.startswith("tb1.") and "MARTIN" not in stored and world.engineer.id_number not in stored
    case.refresh_from_db()
    assert case.data["employee_name"] == "MARTIN Lucas"


@pytest.mark.parametrize(("lookup", "algorithm"), [("HMAC-SHA256", hashes.SHA256), ("HMAC-SM3", hashes.SM3)])
def test_lookup_digest_is_the_hmac_of_the_normalised_number(lookup: str, algorithm: type[Any]) -> None:
    with override_settings(DATA_LOOKUP_HMAC=lookup):
        person = PersonFactory(id_number=RESIDENT_ID)
        key = get_data_keyring().active_lookup_key()
        assert key.alg == lookup
        mac = hmac.HMAC(key.secret, algorithm())
        mac.update(RESIDENT_ID.encode())
        [(digest,)] = raw("SELECT id_number_digest FROM identity_person WHERE id = %s", [person.pk])
        assert digest == mac.finalize().hex()
        # typed with spaces, a hyphen, full-width digits and a lower-case x: the same person
        typed = "１１０１０５ 1949-1231 002x"
        assert person_by_identifier(id_number=typed) == person
        assert Person.objects.with_id_number(typed).get() == person


def test_passport_lookup_needs_the_nationality() -> None:
    german = PersonFactory(foreigner=True, id_number="C01X00T47", nationality="DE")
    french = PersonFactory(foreigner=True, id_number="C01X00T47", nationality="FR")  # another country's number
    assert person_by_identifier(id_number="c01x 00t47", nationality="FR") == french
    assert person_by_identifier(id_number="C01X00T47", nationality="DE") == german
    assert person_by_identifier(id_number="C01X00T47") is None  # a passport number alone finds nobody


def test_uniqueness_is_enforced_through_the_digest() -> None:
    PersonFactory(id_number=RESIDENT_ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(id_number=RESIDENT_ID)
    PersonFactory(foreigner=True, id_number="X1234567", nationality="DE")
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(foreigner=True, id_number="X1234567", nationality="DE")


def test_encrypted_fields_refuse_lookups_other_than_isnull() -> None:
    PersonFactory(id_number=RESIDENT_ID)
    with pytest.raises(FieldError, match="encrypted at rest"):
        Person.objects.filter(id_number=RESIDENT_ID).exists()
    lookup = {"data__contains": "x"}  # spelled as a dict: mypy's Django plugin crashes on this lookup
    with pytest.raises(FieldError, match="encrypted at rest"):
        Application.objects.filter(**lookup).exists()
    assert Person.objects.filter(id_number__isnull=False).count() == 1


def test_tampered_ciphertext_is_refused() -> None:
    person = PersonFactory(id_number=RESIDENT_ID)
    [(stored,)] = raw("SELECT id_number FROM identity_person WHERE id = %s", [person.pk])
    head, body = stored.rsplit(".", 1)
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    raw("UPDATE identity_person SET id_number = %s WHERE id = %s RETURNING id", [f"{head}.{flipped}", person.pk])
    with pytest.raises(DecryptionError):
        Person.objects.get(pk=person.pk)


def test_ciphertext_moved_to_another_column_is_refused(world: World) -> None:
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    application.data = "11010519491231002X"  # a JSON string: the same plaintext a person's number has
    application.save(update_fields=["data"])
    [(token,)] = raw("SELECT data FROM forms_application WHERE id = %s", [application.pk])
    raw("UPDATE identity_person SET id_number = %s WHERE id = %s RETURNING id", [token, world.hr.pk])
    with pytest.raises(DecryptionError):
        Person.objects.get(pk=world.hr.pk)
    # and at the level of the functions: bound to its table and column
    sealed = encrypt_text("E12345678", table="identity_person", column="id_number")
    assert decrypt_text(sealed, table="identity_person", column="id_number") == "E12345678"
    with pytest.raises(DecryptionError):
        decrypt_text(sealed, table="cases_case", column="data")


def test_a_value_under_a_key_not_in_the_ring_is_refused() -> None:
    person = PersonFactory(id_number=RESIDENT_ID)
    with override_settings(DATA_KEYS_JSON=json.dumps(new_ring())), pytest.raises(DecryptionError):
        Person.objects.get(pk=person.pk)


def test_ciphertexts_differ_for_the_same_value() -> None:
    first = encrypt_text(RESIDENT_ID, table="identity_person", column="id_number")
    second = encrypt_text(RESIDENT_ID, table="identity_person", column="id_number")
    assert first != second  # a fresh nonce each time: equal numbers are not visible as equal ciphertexts
    assert len(_unb64(first.split(".")[3])) == 12
