"""Cleaners shared by the identity services: a new account's user name and a plain-text field.

Private to ``identity.services``: each raises a field-keyed ``ValidationError`` (the field's name
as key), so a service can report it as it is or gather it with other fields' problems.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongban.core.validators import validate_plain_text
from tongban.identity.models import Account

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


def clean_username(username: str) -> str:
    """A new account's user name, lower-cased: well-formed and not taken."""
    value = username.strip().lower()
    if not value:
        raise ValidationError({"username": _("This field is required.")})
    if not USERNAME_RE.match(value):
        raise ValidationError(
            {
                "username": _(
                    "Use 3 to 64 letters, digits, dots, hyphens or underscores, starting with a letter or digit."
                )
            }
        )
    if Account.objects.filter(username=value).exists():
        raise ValidationError({"username": _("This user name is taken; choose another.")})
    return value


def clean_text(field: str, value: str, *, required: bool = True) -> str:
    """``value`` stripped: required unless ``required=False``, with no control characters."""
    value = value.strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    try:
        validate_plain_text(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return value
