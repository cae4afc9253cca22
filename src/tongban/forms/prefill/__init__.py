"""Prefill: values the government already holds about the applicant (and the firm acted for),
put into a draft's fields.

A form field declares ``"prefill": "<source>.<attribute>"``; each source is a plugin registered
under its code (``base``: the contract and the registry; ``plugins``: one module per source,
``person``, ``account``, ``firm``, ``certificate``). Each prefilled value remembers its source so
the form can say where it came from; ``authoritative`` in the layout locks it. The applicant's
own records are read when a draft opens and on every save (:func:`prefill`,
:func:`locked_values`); a source that needs the draft (e-certificates, read through the
exchange) on every save (:func:`from_application`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from tongban.forms.prefill import base, plugins  # noqa: F401  (plugins: the built-in sources register themselves)
from tongban.forms.prefill.base import PrefillContext, PrefillSource

if TYPE_CHECKING:
    from datetime import datetime

    from django.utils.functional import Promise

    from tongban.core.actors import Actor
    from tongban.forms.models import Application, FormDefinition
    from tongban.identity.models import Firm, Person


class _Labels(Mapping[str, "Promise"]):
    """Source code -> the label shown beside a value it gave, read from the registry."""

    def __getitem__(self, code: str) -> Promise:
        return base.registry[code].label

    def __iter__(self) -> Iterator[str]:
        return (source.code for source in base.registry)

    def __len__(self) -> int:
        return len(base.registry)


SOURCE_LABELS: Mapping[str, Promise] = _Labels()


def _split(key: Any) -> tuple[PrefillSource | None, str]:
    code, _dot, attribute = str(key or "").partition(".")
    return base.registry.get(code), attribute


def accepts(key: str) -> bool:
    """Whether a form may name ``key`` as a field's prefill: a registered source that offers it."""
    source, attribute = _split(key)
    return source is not None and bool(attribute) and source.accepts(attribute)


def known_keys() -> frozenset[str]:
    """Every ``<source>.<attribute>`` of the sources that offer a fixed list."""
    return frozenset(f"{source.code}.{attribute}" for source in base.registry for attribute in source.attributes)


def available(person: Person, firm: Firm | None) -> dict[str, Any]:
    """Every prefill key with its value for this applicant, from the sources that read the
    applicant's own records."""
    context = PrefillContext(person=person, firm=firm)
    values: dict[str, Any] = {}
    for source in base.registry:
        if not source.needs_application:
            found = source.read(context, tuple(sorted(source.attributes)))
            values.update({f"{source.code}.{attribute}": value for attribute, value in found.items()})
    return {key: value for key, value in values.items() if value not in (None, "")}


#: Where a person concerned marked ``"self": true`` is read from when a person applies for herself
#: (ADR 0032): her own identity record, locked. The name falls back to the Chinese name.
SELF_SOURCES = {
    "id_number_field": ("person.id_number",),
    "nationality_field": ("person.nationality",),
    "name_field": ("person.latin_name", "person.name"),
}


def field_sources(layout: dict[str, Any], firm: Firm | None) -> dict[str, tuple[tuple[str, ...], bool]]:
    """field -> (the prefill keys to try in order, authoritative) for this kind of applicant: the
    layout's ``prefill``; and, when a person applies for herself (``firm`` None), the fields of
    each person concerned marked ``"self"``, which are then her own (ADR 0032)."""
    chosen: dict[str, tuple[tuple[str, ...], bool]] = {
        name: ((spec["prefill"],), bool(spec.get("authoritative")))
        for name, spec in layout.get("fields", {}).items()
        if spec.get("prefill")
    }
    if firm is None:
        for entry in layout.get("persons_concerned", []):
            if entry.get("self") is True:
                for key, keys in SELF_SOURCES.items():
                    if entry.get(key):
                        chosen[entry[key]] = (keys, True)
    return chosen


def _first(keys: tuple[str, ...], known: dict[str, Any]) -> str | None:
    return next((key for key in keys if key in known), None)


def prefill(layout: dict[str, Any], person: Person, firm: Firm | None) -> tuple[dict[str, Any], dict[str, str]]:
    """(data, sources) for the fields of ``layout`` that declare a prefill source."""
    known = available(person, firm)
    data: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, (keys, _locked) in field_sources(layout, firm).items():
        key = _first(keys, known)
        if key is not None:
            data[name] = known[key]
            sources[name] = key
    return data, sources


def locked_values(layout: dict[str, Any], person: Person, firm: Firm | None) -> dict[str, Any]:
    """Authoritative prefilled values: the applicant may not change them."""
    known = available(person, firm)
    locked: dict[str, Any] = {}
    for name, (keys, authoritative) in field_sources(layout, firm).items():
        key = _first(keys, known)
        if authoritative and key is not None:
            locked[name] = known[key]
    return locked


def from_application(
    definition: FormDefinition, application: Application, *, person: Person, now: datetime, actor: Actor
) -> tuple[dict[str, Any], dict[str, str], set[str]]:
    """(values, sources, authoritative names) for the fields whose source needs the draft."""
    fields = definition.layout.get("fields", {})
    wanted: dict[str, dict[str, str]] = {}  # source code -> field name -> attribute
    for name, spec in fields.items():
        source, attribute = _split(spec.get("prefill"))
        if source is not None and source.needs_application and attribute:
            wanted.setdefault(source.code, {})[name] = attribute
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    locked: set[str] = set()
    if not wanted:
        return values, sources, locked
    context = PrefillContext(
        person=person, firm=application.firm, application=application, definition=definition, now=now, actor=actor
    )
    for code, attributes in wanted.items():
        found = base.registry[code].read(context, tuple(dict.fromkeys(attributes.values())))
        for name, attribute in attributes.items():
            value = found.get(attribute)
            if value in (None, ""):
                continue
            values[name] = value
            sources[name] = f"{code}.{attribute}"
            if fields[name].get("authoritative"):
                locked.add(name)
    return values, sources, locked
