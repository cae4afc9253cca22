"""Template filters shared by the front ends."""

from __future__ import annotations

from datetime import timedelta

from django import template

from tongban.core.masking import mask_identifier

register = template.Library()


@register.filter
def masked(value: str | None) -> str:
    """Show only the last four characters of an identity number."""
    return mask_identifier(value)


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration (rounded up)."""
    if not value:
        return 0
    return int(-(-value.total_seconds() // 60))
