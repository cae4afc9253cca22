"""The personal-data export: everything the platform holds about one person, machine-readable.

Each context that holds personal data adds its part from its ``AppConfig.ready`` with
:func:`register`: a name and an exporter ``(person) -> section`` (a JSON-ready dict or list). Core
imports no context; a context added later (appointments, reviews) registers its section the same
way and the export grows with it. An exporter reads with a constant number of queries, whatever
the number of rows (``select_related`` / ``prefetch_related``), and returns only what is about the
person it is given: their own records, and a firm's only as far as a power they hold names it.

The document (:func:`export`) is versioned: ``schema`` names its format, documented in
docs/personal-data.md; a change that removes or renames a field raises the version. The portal's
"Download my data" page serves it; ``identity.services.personal_data_export`` audits each export.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

#: The format of the export document (docs/personal-data.md).
SCHEMA = "tongban.personal-data/1"

Exporter = Callable[[Any], Any]

_SECTIONS: dict[str, Exporter] = {}


def register(section: str, exporter: Exporter) -> None:
    """Add a context's section to every export; one exporter per section name."""
    existing = _SECTIONS.get(section)
    if existing is not None and existing is not exporter:
        raise ValueError(f"a different exporter is already registered for section {section!r}")
    _SECTIONS[section] = exporter


def sections() -> list[str]:
    return sorted(_SECTIONS)


def export(person: Any, *, now: datetime) -> dict[str, Any]:
    """The export document of ``person`` (an ``identity.Person``), sections in name order."""
    return {
        "schema": SCHEMA,
        "generated_at": now,
        "sections": {name: _SECTIONS[name](person) for name in sections()},
    }


def to_json(document: dict[str, Any]) -> str:
    """The document as JSON text: UTF-8 characters as they are, dates in ISO 8601, keys sorted."""
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True)
