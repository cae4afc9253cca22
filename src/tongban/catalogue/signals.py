"""Signals the catalogue sends so that higher contexts can follow its versions.

``version_drafted`` is sent inside the drafting transaction after a new draft version was copied
from ``source``; the forms context copies the form definition along with it.
"""

from __future__ import annotations

from django.dispatch import Signal

#: Sent with ``source`` (the version copied) and ``draft`` (the new version).
version_drafted = Signal()
