"""Prefill: values the government already holds about the applicant (and the firm acted for).

A form field declares ``"prefill": "<source>.<attribute>"``; this module knows the sources. Each
prefilled value remembers its source so the form can say where it came from. (Certificates and
other agencies' registries join as sources through the exchange in later issues.)
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tongban.identity.models import Firm, Person

SOURCE_LABELS: dict[str, Promise] = {
    "person": _("From your identity record"),
    "account": _("From your account"),
    "firm": _("From the firm's registration record"),
    "certificate": _("From an e-certificate the government issued"),
}


def available(person: Person, firm: Firm | None) -> dict[str, Any]:
    """Every prefill key with its value for this applicant."""
    values: dict[str, Any] = {
        "person.name": person.name,
        "person.latin_name": person.latin_name,
        "person.id_type": person.id_type,
        "person.id_number": person.id_number,
        "person.nationality": str(person.nationality),
        "person.birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "person.registered_district": person.registered_district,
    }
    if person.account is not None:
        values["account.email"] = person.account.email
        values["account.phone"] = person.account.phone
    if firm is not None:
        values.update(
            {
                "firm.uscc": firm.uscc,
                "firm.name_zh": firm.name_zh,
                "firm.name_en": firm.name_en,
                "firm.firm_type": firm.firm_type,
                "firm.legal_representative": firm.legal_representative.display_name,
                "firm.registered_district": firm.registered_district,
            }
        )
    return {key: value for key, value in values.items() if value not in (None, "")}


def prefill(layout: dict[str, Any], person: Person, firm: Firm | None) -> tuple[dict[str, Any], dict[str, str]]:
    """(data, sources) for the fields of ``layout`` that declare a prefill source."""
    known = available(person, firm)
    data: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, spec in layout.get("fields", {}).items():
        key = spec.get("prefill")
        if key and key in known:
            data[name] = known[key]
            sources[name] = key
    return data, sources


def locked_values(layout: dict[str, Any], person: Person, firm: Firm | None) -> dict[str, Any]:
    """Authoritative prefilled values: the applicant may not change them."""
    known = available(person, firm)
    locked: dict[str, Any] = {}
    for name, spec in layout.get("fields", {}).items():
        key = spec.get("prefill")
        if spec.get("authoritative") and key in known:
            locked[name] = known[key]
    return locked
