"""Certificate numbers as people type them: the shape every number has, and how a typed number
(from a paper certificate, with spaces, lower case or full-width characters) is normalised.

A number is the type's prefix (1 to 6 letters), the year of issue and a random part
(``certificates.services._number``): ``WP2026K7Q2M9XD``. Pure: no database, no clock.
"""

from __future__ import annotations

import re
import unicodedata

#: The shape of every certificate number, after normalisation (at most 24 characters, the column).
NUMBER_SHAPE = re.compile(r"[A-Z]{1,6}[0-9]{4}[0-9A-Z]{4,14}")
MAX_LENGTH = 24
_SEPARATORS = re.compile(r"[\s\-_.·・]+")


def normalize_number(typed: str) -> str | None:
    """The number as stored, or None if what was typed cannot be a certificate number.

    Full-width letters and digits become ASCII (NFKC), spaces and separators are dropped and
    letters are upper-cased: ``" wp 2026-k7q2 m9xd "`` is ``WP2026K7Q2M9XD``."""
    text = unicodedata.normalize("NFKC", typed[:200])
    text = _SEPARATORS.sub("", text).upper()
    if len(text) > MAX_LENGTH or not NUMBER_SHAPE.fullmatch(text):
        return None
    return text
