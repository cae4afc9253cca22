"""The character policy (ADR 0027): text with NUL, control, bidi, private-use or unassigned
characters is refused with a clear message, the same on both databases; names hold their script."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import PASSWORD
from tongban.core.masking import mask_identifier
from tongban.core.validators import (
    BIDI_CONTROLS,
    has_control_characters,
    validate_multiline_text,
    validate_plain_text,
)
from tongban.identity.services import person_register


@given(st.text(), st.text())
def test_nul_anywhere_is_refused(before: str, after: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_plain_text(before + "\x00" + after)
    assert excinfo.value.code == "control_characters"


@given(
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"), blacklist_characters=sorted(BIDI_CONTROLS)
        )
    )
)
def test_ordinary_text_passes(text: str) -> None:
    validate_plain_text(text)


def test_multiline_allows_newlines_only() -> None:
    validate_multiline_text("第一行\n第二行\tTab")
    assert has_control_characters("a\nb")
    with pytest.raises(ValidationError):
        validate_multiline_text("bell\x07")


@pytest.mark.django_db
def test_register_with_nul_in_name_is_a_validation_error_not_a_database_error(system_actor) -> None:
    # PostgreSQL would raise DataError on NUL; SQLite would store it. Both must give the same answer.
    with pytest.raises(ValidationError) as excinfo:
        person_register(
            username="nul.tester",
            password=PASSWORD,
            email="nul@example.org",
            id_type="passport",
            id_number="X1234567",
            nationality="DE",
            name="",
            latin_name="MUELLER\x00Anna",
            actor=system_actor,
        )
    assert "latin_name" in excinfo.value.error_dict


def test_masking_shows_last_four() -> None:
    assert mask_identifier("310104199003071248") == "**************1248"
    assert mask_identifier("C4J7KX2M9").endswith("2M9") and mask_identifier("C4J7KX2M9").count("*") == 5
    assert mask_identifier("abc") == "***"
    assert mask_identifier("") == ""
