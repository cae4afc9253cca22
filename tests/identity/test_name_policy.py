"""Self-registered and recorded names follow the character policy (ADR 0027): a resident's name in
Chinese characters (with ·), a foreigner's in Chinese characters or Latin letters, never with a
bidi control; and every text field any model saves is held to the policy and its max_length."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import PASSWORD, resident_id_number
from tongban.core.actors import Actor
from tongban.identity.models import Agency, IdType
from tongban.identity.services import person_record, person_register

pytestmark = pytest.mark.django_db


def _register(actor: Actor, **overrides: str) -> None:
    values = {
        "username": "name.tester",
        "password": PASSWORD,
        "email": "name@example.org",
        "id_type": IdType.RESIDENT_ID,
        "id_number": resident_id_number(),
        "name": "李四",
        "actor": actor,
    }
    values.update(overrides)
    person_register(**values)


@pytest.mark.parametrize("name", ["Li Si", "李四2", "李\u202e四", "<b>李四</b>", "李\ue000四"])
def test_a_resident_registers_only_with_a_name_in_chinese_characters(system_actor: Actor, name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _register(system_actor, name=name)
    assert set(refused.value.message_dict) == {"name"}


def test_a_transliterated_name_with_the_middle_dot_is_accepted(system_actor: Actor) -> None:
    _register(system_actor, name="阿依古丽·买买提")


def test_a_foreigner_may_give_a_chinese_or_latin_name_but_no_bidi(system_actor: Actor) -> None:
    common = {"id_type": "passport", "nationality": "DE", "latin_name": "SCHMIDT Emma"}
    _register(system_actor, id_number="C4J7KX2M9", name="施密特·艾玛", **common)
    with pytest.raises(ValidationError) as refused:
        _register(system_actor, username="name.tester2", id_number="C4J7KX2M8", name="Emma\u200f", **common)
    assert set(refused.value.message_dict) == {"name"}
    with pytest.raises(ValidationError) as refused:
        _register(system_actor, username="name.tester3", id_number="C4J7KX2M7", name="", latin_name="SCHMIDT, Emma")
    assert "latin_name" in refused.value.message_dict


def test_a_recorded_person_s_name_follows_the_policy(system_actor: Actor) -> None:
    with pytest.raises(ValidationError):
        person_record(
            id_type="passport",
            id_number="X7654321",
            nationality="FR",
            name="MARTIN\u202eLucas",
            latin_name="MARTIN Lucas",
            actor=system_actor,
        )


def test_every_model_s_text_fields_are_guarded_on_save() -> None:
    # Whatever path saves a row, a bidi control or an over-long CharField (which SQLite would keep
    # and PostgreSQL refuse with a database error) is the same ValidationError on both databases.
    with pytest.raises(ValidationError) as refused:
        Agency.objects.create(code="bidi", name_zh="机构\u202e", name_en="Agency")
    assert set(refused.value.message_dict) == {"name_zh"}
    with pytest.raises(ValidationError) as refused:
        Agency.objects.create(code="long", name_zh="机构", name_en="A" * 1000)
    assert set(refused.value.message_dict) == {"name_en"}
