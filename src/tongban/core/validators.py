"""The character policy at the boundary (ADR 0027): which characters a text of each kind may hold.

Every text a person or an officer types passes one policy before it is stored, whatever the field:

* **Categories, for every kind.** No control characters (Unicode ``Cc``: NUL, which PostgreSQL
  refuses, and the rest) except newline, carriage return and tab in multi-line text; no line or
  paragraph separators (``Zl``, ``Zp``: multi-line text breaks lines with newlines); no surrogates (``Cs``), private-use
  characters (``Co``) or unassigned code points (``Cn``, by the Unicode version of the running
  Python), which no font shows the same way to everyone; and no **bidirectional controls**
  (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/U+200F/U+061C marks),
  which make a job title print reversed on a signed certificate.
* **Scripts, per kind** (:class:`TextKind`): free text (``LINE``, ``MULTILINE``) may hold any
  script; a **Chinese name** holds Han ideographs (CJK unified and compatibility ideographs, 〇)
  with the middle dot ``·`` between parts of a transliterated name; a **Latin name** holds Latin
  letters (with their accents), space, hyphen, apostrophe and period.

:func:`text_problem` says what is wrong (or ``None``) without raising; :func:`validate_text` and
the validators named after each kind raise ``ValidationError`` (and only that) with a bilingual
message and a stable code: ``control_characters``, ``bidi_controls``, ``unusable_characters``,
``script``. The model fields' validators and the services' cleaners use these functions, and
:func:`guard_text_fields` applies the free-text policy to every text field any model saves.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db.models import CharField, Model, TextField
from django.utils.translation import gettext_lazy as _

#: Characters that change the direction text is shown in (Unicode "Bidi_Control").
BIDI_CONTROLS: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: The controls multi-line text may hold.
MULTILINE_CONTROLS: Final = frozenset("\n\r\t")
#: Separators between the parts of a transliterated Chinese name (the first is the one to use;
#: the katakana middle dot is what many Chinese input methods type instead).
NAME_DOTS: Final = frozenset("\u00b7\u30fb")
#: Punctuation a Latin name may hold besides letters and spaces.
LATIN_NAME_PUNCTUATION: Final = frozenset(" -'.")


class TextKind(StrEnum):
    """What a text field holds, which decides the scripts it may use."""

    LINE = "line"  #: one line of free text (a job title, an address)
    MULTILINE = "multiline"  #: free text over several lines (a reason, a description)
    CHINESE_NAME = "chinese_name"  #: a person's name in Chinese characters
    LATIN_NAME = "latin_name"  #: a person's name in Latin letters, as in a passport


CONTROL_MESSAGE = _("This text contains invisible control characters; please retype it.")
BIDI_MESSAGE = _("This text contains invisible characters that change its direction; please retype it.")
UNUSABLE_MESSAGE = _("This text contains characters that cannot be shown or printed; please retype it.")
CHINESE_NAME_MESSAGE = _("Write the name in Chinese characters; use · only between the parts of a transliterated name.")
LATIN_NAME_MESSAGE = _("Write the name in Latin letters (with spaces, hyphens, apostrophes or full stops only).")


def _category_problem(value: str, *, multiline: bool) -> ValidationError | None:
    """The worst category problem of ``value``: control characters, then bidi, then unusable."""
    bidi = unusable = False
    for char in value:
        if char in BIDI_CONTROLS:
            bidi = True
            continue
        category = unicodedata.category(char)
        if (category == "Cc" and not (multiline and char in MULTILINE_CONTROLS)) or category in ("Zl", "Zp"):
            # (Zl, Zp: line breaks that are not newlines, which each reader shows differently)
            return ValidationError(CONTROL_MESSAGE, code="control_characters")
        unusable = unusable or category in ("Cs", "Co", "Cn")
    if bidi:
        return ValidationError(BIDI_MESSAGE, code="bidi_controls")
    if unusable:
        return ValidationError(UNUSABLE_MESSAGE, code="unusable_characters")
    return None


def is_han(char: str) -> bool:
    """A Han ideograph: a CJK unified or compatibility ideograph (any extension), or 〇."""
    if char == "\u3007":
        return True
    return unicodedata.name(char, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))


def is_latin_letter(char: str) -> bool:
    """A letter of the Latin script (with or without accents)."""
    return char.isalpha() and "LATIN" in unicodedata.name(char, "")


def _chinese_name_problem(value: str) -> ValidationError | None:
    parts = value.translate({ord(dot): "\u00b7" for dot in NAME_DOTS}).split("\u00b7")
    if not all(part and all(is_han(char) for char in part) for part in parts):
        return ValidationError(CHINESE_NAME_MESSAGE, code="script")
    return None


def _latin_name_problem(value: str) -> ValidationError | None:
    previous_is_letter = False
    for char in value:
        if unicodedata.category(char) == "Mn" and previous_is_letter:
            continue  # a combining accent on a Latin letter
        previous_is_letter = is_latin_letter(char)
        if not previous_is_letter and char not in LATIN_NAME_PUNCTUATION:
            return ValidationError(LATIN_NAME_MESSAGE, code="script")
    if not any(is_latin_letter(char) for char in value):
        return ValidationError(LATIN_NAME_MESSAGE, code="script")
    return None


def text_problem(value: Any, kind: TextKind = TextKind.LINE) -> ValidationError | None:
    """What is wrong with ``value`` as a text of ``kind`` (the first problem), or ``None``.
    Never raises; anything that is not a ``str`` is a problem. Empty text is no problem here
    (whether a field is required is the form's question)."""
    if not isinstance(value, str):
        return ValidationError(UNUSABLE_MESSAGE, code="unusable_characters")
    problem = _category_problem(value, multiline=kind == TextKind.MULTILINE)
    if problem is not None or value == "":
        return problem
    if kind == TextKind.CHINESE_NAME:
        return _chinese_name_problem(value)
    if kind == TextKind.LATIN_NAME:
        return _latin_name_problem(value)
    return None


def validate_text(value: Any, kind: TextKind = TextKind.LINE) -> None:
    """Raise ``ValidationError`` (only that) if ``value`` breaks the policy for ``kind``."""
    problem = text_problem(value, kind)
    if problem is not None:
        raise problem


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """True if ``value`` breaks the policy's categories for free text (control, bidi, unusable)."""
    return text_problem(value, TextKind.MULTILINE if multiline else TextKind.LINE) is not None


def validate_plain_text(value: str) -> None:
    """One line of free text: any script; no control, bidi, private-use or unassigned characters."""
    validate_text(value, TextKind.LINE)


def validate_multiline_text(value: str) -> None:
    """Free text over several lines: as :func:`validate_plain_text`, with newlines and tabs."""
    validate_text(value, TextKind.MULTILINE)


def validate_chinese_name(value: str) -> None:
    """A name in Chinese characters: Han ideographs, parts joined by ``·``."""
    validate_text(value, TextKind.CHINESE_NAME)


def validate_latin_name(value: str) -> None:
    """A name in Latin letters: letters, space, hyphen, apostrophe and period."""
    validate_text(value, TextKind.LATIN_NAME)


def guard_text_fields(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    """A ``pre_save`` receiver for every model of the platform (connected in ``core.apps``): the
    safety net under the services' own checks, for every field present and to come. Each text
    field saved (``update_fields`` if given) must pass the policy for free text (one line for a
    ``CharField``, several for a ``TextField``) and a ``CharField`` its ``max_length``, which
    PostgreSQL enforces and SQLite does not: both databases answer with the same field-keyed
    ``ValidationError`` instead of a database error or a silently kept value."""
    if raw or not sender.__module__.startswith("tongban."):
        return
    only = kwargs.get("update_fields")
    errors: dict[str, list[ValidationError]] = {}
    for field in sender._meta.concrete_fields:
        if not isinstance(field, CharField | TextField) or (only is not None and field.name not in only):
            continue
        value = getattr(instance, field.attname)
        if not isinstance(value, str) or value == "":
            continue
        kind = TextKind.MULTILINE if isinstance(field, TextField) else TextKind.LINE
        problem = text_problem(value, kind)
        if problem is None and isinstance(field, CharField) and field.max_length and len(value) > field.max_length:
            problem = ValidationError(
                _("Use at most %(limit)s characters; this text has %(count)s."),
                code="max_length",
                params={"limit": field.max_length, "count": len(value)},
            )
        if problem is not None:
            errors[field.name] = [problem]
    if errors:
        raise ValidationError(errors)
