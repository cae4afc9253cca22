"""Validators shared by every context: text that PostgreSQL and SQLite both store the same way."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ALLOWED_CONTROL = {"\n", "\r", "\t"}


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """True if ``value`` holds NUL or another control character (tab/newlines only if multiline)."""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs") and not (multiline and char in _ALLOWED_CONTROL):
            return True
    return False


def validate_plain_text(value: str) -> None:
    """Single-line text: reject NUL (which PostgreSQL refuses) and every other control character."""
    if has_control_characters(value):
        raise ValidationError(
            _("This text contains invisible control characters; please retype it."),
            code="control_characters",
        )


def validate_multiline_text(value: str) -> None:
    """Multi-line text: newlines and tabs allowed, NUL and other control characters refused."""
    if has_control_characters(value, multiline=True):
        raise ValidationError(
            _("This text contains invisible control characters; please retype it."),
            code="control_characters",
        )
