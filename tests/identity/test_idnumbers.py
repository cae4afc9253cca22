"""Property-based tests of the two checksums and the resident ID family rules (no database)."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from tongban.identity.idnumbers import (
    IdKind,
    InvalidIdentifierError,
    validate_latin_name,
    validate_passport_number,
    validate_resident_id,
    validate_uscc,
)

# Region codes that have existed since before 1950 (so every birth year is valid).
MAINLAND_REGIONS = ["110101", "110105", "310101", "310104"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


birth_dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2020, 12, 31))
sequence = st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")


@st.composite
def mainland_ids(draw: st.DrawFn) -> str:
    return with_check(draw(st.sampled_from(MAINLAND_REGIONS)) + draw(birth_dates).strftime("%Y%m%d") + draw(sequence))


@st.composite
def hmt_permits(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["810000", "820000", "830000"]))
    return with_check(region + draw(birth_dates).strftime("%Y%m%d") + draw(sequence))


@st.composite
def permanent_residence_ids(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(["11", "31", "44"]))
    country = draw(st.sampled_from(["276", "250", "840", "392"]))  # DE, FR, US, JP
    return with_check("9" + province + country + draw(birth_dates).strftime("%Y%m%d") + draw(sequence))


@st.composite
def usccs(draw: st.DrawFn) -> str:
    body = (
        draw(st.sampled_from("159Y"))
        + draw(st.sampled_from("123"))
        + draw(st.sampled_from(MAINLAND_REGIONS))
        + "".join(draw(st.lists(st.sampled_from(USCC_ALPHABET), min_size=9, max_size=9)))
    )
    return body + uscc.calc_check_digit(body)


@given(mainland_ids())
def test_valid_mainland_ids_pass_and_upper_case(number: str) -> None:
    parsed = validate_resident_id(number.lower())
    assert parsed.number == number.upper()
    assert parsed.kind == IdKind.RESIDENT_ID
    assert parsed.birth_date.strftime("%Y%m%d") == number[6:14]


@given(mainland_ids(), st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_error_is_caught(number: str, position: int, delta: int) -> None:
    wrong_digit = str((int(number[position]) + delta) % 10)
    mistyped = number[:position] + wrong_digit + number[position + 1 :]
    with pytest.raises(InvalidIdentifierError):
        validate_resident_id(mistyped)


@given(hmt_permits())
def test_hong_kong_macao_taiwan_permits(number: str) -> None:
    assert validate_resident_id(number).kind == IdKind.HMT_PERMIT


@given(permanent_residence_ids())
def test_foreigners_permanent_residence_id(number: str) -> None:
    parsed = validate_resident_id(number)
    assert parsed.kind == IdKind.FOREIGN_PERMANENT_ID


def test_trailing_x_in_either_case() -> None:
    for body in (f"31010419900307{n:03d}" for n in range(200)):
        if ric.calc_check_digit(body + "0") == "X":
            break
    number = body + "X"
    assert validate_resident_id(number.lower()).number == number
    assert validate_resident_id(f" {number[:6]} {number[6:14]} {number[14:].lower()} ").number == number


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("31010419900307", "length"),
        ("3101041990030712345", "length"),
        ("31010419900230123" + "0", "checksum"),  # wrong check digit (and 30 Feb)
        (with_check("31010419900230123"), "birth_date"),  # 30 February
        (with_check("99999919900101123"), "region"),
        (with_check("31011519900101123"), "region"),  # Pudong New Area was created in 1992
        (with_check("99927619850601001"), "region"),  # province 99 does not exist
        ("31010419900307A24" + "5", "format"),
    ],
)
def test_invalid_resident_ids_name_the_problem(number: str, code: str) -> None:
    with pytest.raises(InvalidIdentifierError) as excinfo:
        validate_resident_id(number)
    assert excinfo.value.code == code


def test_future_birth_date_is_refused() -> None:
    tomorrow = date.today() + timedelta(days=1)
    number = with_check("310104" + tomorrow.strftime("%Y%m%d") + "123")
    with pytest.raises(InvalidIdentifierError):
        validate_resident_id(number, today=date.today())


@given(usccs())
def test_valid_uscc_pass_in_lower_case(code: str) -> None:
    assert validate_uscc(code.lower()) == code


@given(usccs(), st.integers(min_value=0, max_value=17), st.sampled_from(USCC_ALPHABET))
def test_uscc_single_character_error_is_caught(code: str, position: int, replacement: str) -> None:
    if code[position] == replacement:
        return
    mistyped = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(InvalidIdentifierError):
        validate_uscc(mistyped)


@pytest.mark.parametrize(
    "code", ["91310115MA1H7XY10", "91310115MA1H7XYI0Z", "Z1310115MA1H7XY101", "91AB0115MA1H7XY101"]
)
def test_invalid_uscc(code: str) -> None:
    with pytest.raises(InvalidIdentifierError):
        validate_uscc(code)


def test_passport_and_latin_name() -> None:
    assert validate_passport_number(" c4j7-kx2m9 ") == "C4J7KX2M9"
    assert validate_latin_name("  SCHMIDT   Emma ") == "SCHMIDT Emma"
    assert validate_latin_name("Müller-Lüdenscheidt") == "Müller-Lüdenscheidt"
    with pytest.raises(InvalidIdentifierError):
        validate_passport_number("王芳")
    with pytest.raises(InvalidIdentifierError):
        validate_latin_name("王芳")


@given(st.text())
def test_validators_never_crash_on_any_text(text: str) -> None:
    for validate in (validate_resident_id, validate_uscc, validate_passport_number):
        with contextlib.suppress(InvalidIdentifierError):
            validate(text)
