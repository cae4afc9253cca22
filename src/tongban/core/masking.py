"""Masking of identity numbers in lists, logs and exports: only the last four characters show."""

from __future__ import annotations

VISIBLE = 4


def mask_identifier(value: str | None) -> str:
    """``310115199003071234`` becomes ``**************1234``; short values are fully masked."""
    if not value:
        return ""
    if len(value) <= VISIBLE:
        return "*" * len(value)
    return "*" * (len(value) - VISIBLE) + value[-VISIBLE:]
