"""Template filter for bilingual records: ``{% load bilingual %}{{ obj|localized:"name" }}``.

Shows ``obj.name_en`` or ``obj.name_zh`` (or a dict row's keys) for the active language, with the
fallback rule of :mod:`tongban.core.bilingual`. The result is a plain string, so autoescaping
applies as it would to ``{{ obj.name_zh }}``.
"""

from __future__ import annotations

from typing import Any

from django import template

from tongban.core import bilingual

register = template.Library()


@register.filter
def localized(obj: Any, field: str) -> str:
    """``obj.<field>_en`` or ``obj.<field>_zh`` for the active language (see core.bilingual)."""
    return bilingual.localized(obj, field)


@register.simple_tag
def pick(zh: str, en: str) -> str:
    """``{% pick name_zh name_en %}``: one of two given texts, for rows that are tuples rather than
    records (the same rule and fallback as the filter)."""
    return bilingual.pick(zh, en)
