"""The character policy (ADR 0027) as properties: it only ever raises ValidationError, never lets
a bidi control or NUL through, accepts every CJK unified ideograph in a Chinese name, and holds
each kind of name to its script."""

from __future__ import annotations

import sys
import unicodedata
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tongban.core.validators import BIDI_CONTROLS, TextKind, is_han, text_problem, validate_text

KINDS = st.sampled_from(list(TextKind))
FORBIDDEN = st.sampled_from(sorted(BIDI_CONTROLS | {"\x00"}))
CJK = st.characters(min_codepoint=0x3400, max_codepoint=0x323AF).filter(
    lambda char: unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")
)
LATIN = st.characters(min_codepoint=0x41, max_codepoint=0x24F).filter(
    lambda char: char.isalpha() and "LATIN" in unicodedata.name(char, "")
)


@given(st.one_of(st.text(), st.binary(), st.integers(), st.none(), st.lists(st.text())), KINDS)
def test_the_policy_never_raises_anything_but_validation_error(value: Any, kind: TextKind) -> None:
    problem = None
    try:
        validate_text(value, kind)
    except ValidationError as exc:  # anything else propagates and fails the test
        problem = exc
    assert problem is None or problem.code in ("control_characters", "bidi_controls", "unusable_characters", "script")


@given(st.text(), FORBIDDEN, st.text(), KINDS)
def test_a_bidi_control_or_nul_is_never_accepted(before: str, bad: str, after: str, kind: TextKind) -> None:
    problem = text_problem(before + bad + after, kind)
    assert problem is not None


@given(st.text(), st.text(), st.sampled_from(["\ue000", "\U000f0000", "\U00100000", "\U000e0080"]), KINDS)
def test_private_use_and_unassigned_are_never_accepted(before: str, after: str, bad: str, kind: TextKind) -> None:
    assert unicodedata.category(bad) in ("Co", "Cn")
    assert text_problem(before + bad + after, kind) is not None


@given(st.lists(st.text(CJK, min_size=1, max_size=6), min_size=1, max_size=4))
def test_a_chinese_name_accepts_every_cjk_ideograph_with_middle_dots(parts: list[str]) -> None:
    validate_text("·".join(parts), TextKind.CHINESE_NAME)


def test_every_cjk_unified_ideograph_is_a_chinese_name() -> None:
    ideographs = [
        chr(code)
        for code in range(0x3400, 0x323B0)
        if unicodedata.name(chr(code), "").startswith("CJK UNIFIED IDEOGRAPH")
    ]
    assert len(ideographs) > 90_000, unicodedata.unidata_version
    refused = [char for char in ideographs if text_problem(char, TextKind.CHINESE_NAME) is not None]
    assert refused == []


@given(st.text(min_size=1).filter(lambda text: not all(is_han(char) or char in "·・" for char in text)))
def test_a_chinese_name_holds_only_han_and_the_middle_dot(text: str) -> None:
    assert text_problem(text, TextKind.CHINESE_NAME) is not None


@pytest.mark.parametrize("name", ["王芳", "欧阳娜娜", "阿依古丽·买买提", "李〇", "𠮷野"])
def test_real_chinese_names_pass(name: str) -> None:
    validate_text(name, TextKind.CHINESE_NAME)


@pytest.mark.parametrize("name", ["Wang Fang", "王芳1", "·王芳", "王芳·", "王··芳", "王 芳", "王\u202e芳"])
def test_not_chinese_names(name: str) -> None:
    assert text_problem(name, TextKind.CHINESE_NAME) is not None


@given(st.lists(st.text(LATIN, min_size=1, max_size=8), min_size=1, max_size=4), st.sampled_from([" ", "-", "'", "."]))
def test_a_latin_name_accepts_latin_letters_and_its_punctuation(parts: list[str], joiner: str) -> None:
    validate_text(joiner.join(parts), TextKind.LATIN_NAME)


@pytest.mark.parametrize("name", ["王芳", "Anna2", "Anna, Maria", "Ἀλέξανδρος", "Anna\u200fMaria", "...", ""])
def test_not_latin_names(name: str) -> None:
    if name == "":
        assert text_problem(name, TextKind.LATIN_NAME) is None  # whether it is required is the form's question
    else:
        assert text_problem(name, TextKind.LATIN_NAME) is not None


def test_free_text_takes_any_printable_script_and_multiline_its_newlines() -> None:
    validate_text("Ingénieur logiciel / 软件工程师 — مهندس 👩‍💻", TextKind.LINE)
    validate_text("第一行\n第二行\tTab", TextKind.MULTILINE)
    for separated in ("a\nb", "a\u2028b"):
        assert text_problem(separated, TextKind.LINE) is not None
    assert text_problem("a\u2028b", TextKind.MULTILINE) is not None


def test_the_policy_speaks_the_unicode_of_this_python() -> None:
    # Unassigned is judged by the running Python's Unicode database; the ADR says so.
    assert sys.version_info >= (3, 11) and unicodedata.unidata_version >= "14.0.0"
