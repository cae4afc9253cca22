"""Bilingual text: which language a page shows, and which of a record's two texts it picks.

Every record with text for people stores it twice, in Chinese and in English, side by side:
``name_zh`` / ``name_en`` on a model or in a dict row, ``{"zh": ..., "en": ...}`` in a JSON label.
This module is the one place that decides which of the two is shown:

- :func:`language` -- the active language as ``"en"`` or ``"zh"``: ``"en"`` when Django's active
  language is English (the same rule as ``<html lang>``, see ``core.context_processors``),
  ``"zh"`` otherwise (Simplified Chinese, the default).
- :func:`localized` -- ``localized(obj, "name")`` is ``obj.name_en`` or ``obj.name_zh`` (attribute
  or mapping key), and :func:`pick` is the same choice between two given texts. Templates use the
  filter ``{% load bilingual %}{{ obj|localized:"name" }}`` (``core/templatetags/bilingual.py``).

The fallback rule (here and nowhere else): the chosen language's text is shown; when it is empty
(or missing), the other language's text is shown instead; when both are empty, the result is "".

The result is always a plain ``str`` (never marked safe), so templates still escape it.

Templates still test ``html_lang`` where a language needs other markup, not another field: a
separator ("," or "，"), a truncation by words or by characters, a name shown in both languages.

A ``lang`` argument, where given, is any language code: ``"en"`` picks English, anything else
(``"zh"``, ``"zh-hans"``) picks Chinese, as the active language would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from django.conf import settings
from django.utils import translation

Language = Literal["en", "zh"]


def language(code: str | None = None) -> Language:
    """``"en"`` or ``"zh"``: for the language code given, default the active language."""
    code = code or translation.get_language() or settings.LANGUAGE_CODE
    return "en" if code == "en" else "zh"


def _plain(value: object) -> str:
    # str.__str__ gives an exact str even for a SafeString, so the template escapes it.
    return str.__str__(value) if isinstance(value, str) else ("" if value is None else str(value))


def pick(zh: object, en: object, lang: str | None = None) -> str:
    """The Chinese or the English text, for ``lang`` (default the active language), with the
    fallback rule: an empty text gives way to the other language's."""
    first, other = (en, zh) if language(lang) == "en" else (zh, en)
    return _plain(first) or _plain(other)


def localized(obj: Any, field: str, lang: str | None = None) -> str:
    """``obj.<field>_en`` or ``obj.<field>_zh`` (a mapping's keys for a dict row) for ``lang``
    (default the active language), with the fallback rule. A missing field counts as empty."""
    if obj is None:
        return ""
    if isinstance(obj, Mapping):
        return pick(obj.get(f"{field}_zh"), obj.get(f"{field}_en"), lang)
    return pick(getattr(obj, f"{field}_zh", None), getattr(obj, f"{field}_en", None), lang)
