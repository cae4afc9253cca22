"""Raise a person's or a firm's verification level by asking the registries — through the exchange.

The platform reads as its own agency (``EXCHANGE_PLATFORM_AGENCY``) for the purpose
``identity-verification``, on the subject's own request; the read is logged like any other and
appears in the subject's "who used my data". A person is verified when the population registry
holds a record for their document whose name matches; a firm when the business registry holds it,
operating, with the same legal representative. The identity layer records the new level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.exchange.services import Basis, exchange_query, reason_text, subject_of
from tongban.identity import idnumbers
from tongban.identity.models import Agency, Firm, Person, VerificationLevel
from tongban.identity.services import firm_mark_registry_verified, person_mark_registry_verified

PURPOSE = "identity-verification"


@dataclass(frozen=True)
class VerificationOutcome:
    verified: bool
    message: str


def _platform() -> Agency:
    agency = Agency.objects.filter(code=settings.EXCHANGE_PLATFORM_AGENCY).first()
    if agency is None:
        raise ConflictError(_("Verification against the registry is not configured in this city."))
    return agency


def _same_name(a: str, b: str) -> bool:
    def fold(value: str) -> str:
        return "".join(value.upper().replace(",", " ").split())

    return bool(a.strip()) and fold(a) == fold(b)


@transaction.atomic
def person_verify_against_registry(*, person: Person, actor: Actor, now: datetime) -> VerificationOutcome:
    """The person asks to be checked against the population registry."""
    if person.verification_level >= VerificationLevel.REGISTRY_VERIFIED:
        return VerificationOutcome(True, str(_("You are already verified.")))
    _subject, ref = subject_of(person=person)
    result = exchange_query(
        consumer=_platform(),
        resource_code="population.record",
        fields=["name", "latin_name", "birth_date"],
        purpose=PURPOSE,
        basis=Basis(kind="own_request", reference="", parties=(ref,)),
        actor=actor,
        now=now,
        person=person,
    )
    if not result.answered:
        return VerificationOutcome(False, reason_text(result.reason))
    if not result.found:
        return VerificationOutcome(False, str(_("The population registry has no record of your document.")))
    names_match = _same_name(person.name, result.values.get("name", "")) or _same_name(
        person.latin_name, result.values.get("latin_name", "")
    )
    if not names_match:
        return VerificationOutcome(
            False, str(_("The name in your account differs from the registry's. Ask at a service centre."))
        )
    person_mark_registry_verified(
        person=person, evidence={"registry": "population.record", "access_log": result.log_id}, actor=actor
    )
    person.verification_level = max(person.verification_level, VerificationLevel.REGISTRY_VERIFIED)
    return VerificationOutcome(True, str(_("Verified against the population registry.")))


@transaction.atomic
def firm_verify_against_registry(*, firm: Firm, person: Person, actor: Actor, now: datetime) -> VerificationOutcome:
    """The firm's legal representative asks to check the firm against the business registry."""
    if firm.legal_representative_id != person.pk:
        raise PermissionDeniedError(_("Only the firm's legal representative can do this."))
    if firm.verification_level >= VerificationLevel.REGISTRY_VERIFIED:
        return VerificationOutcome(True, str(_("The firm is already verified.")))
    _subject, ref = subject_of(firm=firm)
    result = exchange_query(
        consumer=_platform(),
        resource_code="business.record",
        fields=["name_zh", "legal_representative_id_number", "status"],
        purpose=PURPOSE,
        basis=Basis(kind="own_request", reference="", parties=(ref,)),
        actor=actor,
        now=now,
        firm=firm,
    )
    if not result.answered:
        return VerificationOutcome(False, reason_text(result.reason))
    if not result.found:
        return VerificationOutcome(False, str(_("The business registry has no record of this credit code.")))
    values = result.values
    if values.get("status") != "operating":
        return VerificationOutcome(False, str(_("The business registry does not list the firm as operating.")))
    if not _same_name(firm.name_zh, values.get("name_zh", "")) or (
        idnumbers.normalise(values.get("legal_representative_id_number", "")) != idnumbers.normalise(person.id_number)
    ):
        return VerificationOutcome(
            False, str(_("The firm's name or legal representative differs from the business registry's."))
        )
    firm_mark_registry_verified(
        firm=firm, evidence={"registry": "business.record", "access_log": result.log_id}, actor=actor
    )
    firm.verification_level = max(firm.verification_level, VerificationLevel.REGISTRY_VERIFIED)
    return VerificationOutcome(True, str(_("The firm is verified against the business registry.")))
