"""Once-only (免交): find the e-certificates the government already issued that stand in for an
application's materials, or that a form's fields are prefilled from (``prefill.certificate``);
and the one lookup of the persons a form names as concerned (``persons_named``), which the case
layer uses too.

Who may hold the certificate depends on its type: the person the application concerns (found by
the identity the form names), the applicant, or the firm applied for. Certificates are read
through the exchange (resource ``certificate.<type>``), with the application as the basis: the
read is granted only if the service's agency holds a grant for it, and it appears in the holder's
"who used my data". A person the form names (not the applicant) is looked up only where a
relation the platform can confirm exists (``forms.permissions.may_look_up_concerned``): typing a
passport number does not fetch anyone's certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tongban.catalogue.models import CertificateHolder, CertificateType, Material
from tongban.certificates.models import Certificate
from tongban.core.actors import Actor
from tongban.exchange.services import Basis, exchange_query, subject_of
from tongban.forms.models import Application, FormDefinition
from tongban.forms.permissions import may_look_up_concerned
from tongban.identity.idnumbers import normalise
from tongban.identity.models import Person
from tongban.identity.selectors import person_by_identifier


@dataclass(frozen=True)
class NamedPerson:
    """A person one entry of a form's ``persons_concerned`` layout names: the entry, the identity
    number as given (normalised: full-width folded, spaces and hyphens dropped, upper case), the
    nationality if the form asks it, and the registered (or recorded) person found by them."""

    spec: dict[str, Any]
    id_number: str
    nationality: str | None
    person: Person | None


def persons_named(definition: FormDefinition, data: dict[str, Any]) -> list[NamedPerson]:
    """Every person the form's ``persons_concerned`` fields identify (the one lookup: the held
    certificates read it, and a submission records the persons not yet known)."""
    named: list[NamedPerson] = []
    for spec in definition.layout.get("persons_concerned", []):
        number = normalise(str(data.get(spec["id_number_field"], "")))
        if not number:
            continue
        nationality = str(data.get(spec.get("nationality_field", ""), "")) or None
        person = person_by_identifier(id_number=number, nationality=nationality)
        named.append(NamedPerson(spec, number, nationality, person))
    return named


def persons_concerned(definition: FormDefinition, data: dict[str, Any]) -> list[Person]:
    """Registered (or recorded) persons the form's ``persons_concerned`` fields identify."""
    return [named.person for named in persons_named(definition, data) if named.person is not None]


def _parties(application: Application, concerned: list[Person]) -> tuple[str, ...]:
    """The subjects the application names: the applicant, the persons concerned, the firm."""
    refs = [subject_of(person=application.person)[1], *(subject_of(person=p)[1] for p in concerned)]
    if application.firm is not None:
        refs.append(subject_of(firm=application.firm)[1])
    return tuple(refs)


def held_for(  # noqa: PLR0917 - the reading context, spelled out
    certificate_type: CertificateType,
    application: Application,
    concerned: list[Person],
    now: datetime,
    actor: Actor,
    fields: tuple[str, ...] = ("number",),
) -> tuple[Certificate | None, dict[str, Any]]:
    """The valid certificate of this type the right holder has, read through the exchange (logged,
    visible to the holder), and the values of ``fields`` it returned."""
    version = application.version
    basis = Basis(kind="application", reference=str(application.public_id), parties=_parties(application, concerned))
    ask = tuple(dict.fromkeys(("number", *fields)))

    def query(**subject: Any) -> tuple[Certificate | None, dict[str, Any]]:
        result = exchange_query(
            consumer=version.item.agency,
            resource_code=f"certificate.{certificate_type.code}",
            fields=list(ask),
            purpose=version.item.code,
            basis=basis,
            actor=actor,
            now=now,
            **subject,
        )
        if not (result.answered and result.found and result.values.get("number")):
            return None, {}
        return Certificate.objects.filter(number=result.values["number"]).first(), result.values

    if certificate_type.holder == CertificateHolder.FIRM:
        return query(firm=application.firm) if application.firm else (None, {})
    candidates = list(concerned) if certificate_type.holder == CertificateHolder.PERSON_CONCERNED else []
    if certificate_type.holder == CertificateHolder.APPLICANT or (not candidates and application.firm is None):
        candidates.append(application.person)
    resource_code = f"certificate.{certificate_type.code}"
    for person in candidates:
        if not may_look_up_concerned(application=application, concerned=person, resource_code=resource_code, now=now):
            continue  # no relation the registries confirm: not fetched (the applicant uploads it)
        certificate, values = query(person=person)
        if certificate is not None:
            return certificate, values
    return None, {}


def held_materials(
    application: Application,
    definition: FormDefinition,
    materials: list[Material] | tuple[Material, ...],
    now: datetime,
    actor: Actor,
) -> dict[int, Certificate]:
    """material id -> the certificate that stands in for it."""
    wanted = [material for material in materials if material.certificate_type_id]
    if not wanted:
        return {}
    concerned = persons_concerned(definition, application.data)
    found: dict[int, Certificate] = {}
    for material in wanted:
        assert material.certificate_type is not None
        certificate, _values = held_for(material.certificate_type, application, concerned, now, actor)
        if certificate is not None:
            found[material.pk] = certificate
    return found
