"""Template filters for statistics: counts with thousands separators, shares as percentages, and
working days or minutes with one decimal; a missing figure (no data) shows as "—"."""

from __future__ import annotations

from django import template

register = template.Library()

MISSING = "—"


@register.filter
def count(value: object) -> str:
    """12345 -> "12,345" (the same in both languages)."""
    if value is None:
        return MISSING
    return f"{int(value):,}"  # type: ignore[call-overload]


@register.filter
def percent(value: object) -> str:
    """0.8432 -> "84.3 %"."""
    if value is None:
        return MISSING
    return f"{float(value) * 100:.1f} %"  # type: ignore[arg-type]


@register.filter
def decimal1(value: object) -> str:
    """3.456 -> "3.5"."""
    if value is None:
        return MISSING
    return f"{float(value):.1f}"  # type: ignore[arg-type]
