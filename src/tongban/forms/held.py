"""Once-only (免交): find the e-certificates the government already issued that stand in for an
application's materials, and the values forms prefill from them.

Who may hold the certificate depends on its type: the person the application concerns (found by
the identity the form names), the applicant, or the firm applied for. Reading a certificate for an
application is recorded in the audit trail (the exchange issue moves this onto the data-access
log shown to the holder).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tongban.catalogue.models import CertificateHolder, CertificateType, Material
from tongban.certificates.models import Certificate
from tongban.certificates.selectors import valid_held
from tongban.forms.models import Application, FormDefinition
from tongban.identity.models import Person
from tongban.identity.selectors import person_by_identifier


def persons_concerned(definition: FormDefinition, data: dict[str, Any]) -> list[Person]:
    """Registered (or recorded) persons the form's ``persons_concerned`` fields identify."""
    people: list[Person] = []
    for spec in definition.layout.get("persons_concerned", []):
        number = str(data.get(spec["id_number_field"], "")).strip().upper().replace(" ", "")
        if not number:
            continue
        nationality = str(data.get(spec.get("nationality_field", ""), "")) or None
        person = person_by_identifier(id_number=number, nationality=nationality)
        if person is not None:
            people.append(person)
    return people


def held_for(
    certificate_type: CertificateType, application: Application, concerned: list[Person], now: datetime
) -> Certificate | None:
    """The valid certificate of this type the right holder has, if any."""
    if certificate_type.holder == CertificateHolder.FIRM:
        return (
            valid_held(certificate_type=certificate_type, firm=application.firm, now=now) if application.firm else None
        )
    candidates = list(concerned) if certificate_type.holder == CertificateHolder.PERSON_CONCERNED else []
    if certificate_type.holder == CertificateHolder.APPLICANT or (not candidates and application.firm is None):
        candidates.append(application.person)
    for person in candidates:
        found = valid_held(certificate_type=certificate_type, person=person, now=now)
        if found is not None:
            return found
    return None


def held_materials(
    application: Application,
    definition: FormDefinition,
    materials: list[Material] | tuple[Material, ...],
    now: datetime,
) -> dict[int, Certificate]:
    """material id -> the certificate that stands in for it."""
    wanted = [material for material in materials if material.certificate_type_id]
    if not wanted:
        return {}
    concerned = persons_concerned(definition, application.data)
    found: dict[int, Certificate] = {}
    for material in wanted:
        assert material.certificate_type is not None
        certificate = held_for(material.certificate_type, application, concerned, now)
        if certificate is not None:
            found[material.pk] = certificate
    return found


def certificate_prefill(
    definition: FormDefinition, application: Application, now: datetime
) -> tuple[dict[str, Any], dict[str, str], set[str]]:
    """(values, sources, authoritative names) for fields whose prefill is ``certificate.<type>.<field>``."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    locked: set[str] = set()
    wanted = {
        name: spec["prefill"].split(".", 2)
        for name, spec in definition.layout.get("fields", {}).items()
        if str(spec.get("prefill", "")).startswith("certificate.") and spec["prefill"].count(".") == 2
    }
    if not wanted:
        return values, sources, locked
    concerned = persons_concerned(definition, application.data)
    types = {t.code: t for t in CertificateType.objects.filter(code__in={parts[1] for parts in wanted.values()})}
    cache: dict[str, Certificate | None] = {}
    for name, (_source, type_code, field) in wanted.items():
        certificate_type = types.get(type_code)
        if certificate_type is None:
            continue
        if type_code not in cache:
            cache[type_code] = held_for(certificate_type, application, concerned, now)
        certificate = cache[type_code]
        if certificate is None:
            continue
        value = certificate.number if field == "number" else certificate.fields.get(field)
        if value in (None, ""):
            continue
        values[name] = value
        sources[name] = f"certificate.{type_code}.{field}"
        if definition.layout["fields"][name].get("authoritative"):
            locked.add(name)
    return values, sources, locked
