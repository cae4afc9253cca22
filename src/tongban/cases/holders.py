"""Who holds the certificate a case earns, and whether the platform knows who that person is.

A certificate is signed by the platform and trusted by everyone who verifies it, so it is issued
only to a person whose identity was verified (against the population registry, or in person at a
window: ``identity.models.VerificationLevel``), never to a self-registered account alone (ADR
0027). :func:`require_verified_holder` refuses the issue (the approval, or an instant service's
filing, is rolled back with it); :func:`unverified_holder` tells the officer's case page, so the
officer learns it before deciding. A firm holder is not checked here: a firm is registered by
its legal representative against the market-regulation registry.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case
from tongban.cases.workflow import OPEN
from tongban.catalogue.models import CertificateHolder
from tongban.core.errors import ConflictError
from tongban.identity.models import Firm, Person, VerificationLevel

#: Levels at which a person may hold a certificate.
VERIFIED = frozenset({VerificationLevel.REGISTRY_VERIFIED, VerificationLevel.IN_PERSON_VERIFIED})

#: Said to the officer on the case page and when an approval is refused.
NOT_VERIFIED = _(
    "%(name)s, who would hold this case's certificate, has not had their identity verified (against the "
    "registry or in person at a window), so the certificate cannot be issued and the case cannot be approved "
    "until they have."
)


def certificate_holder(case: Case) -> tuple[Person | None, Firm | None]:
    """The person or the firm the case's certificate names, by its type's ``holder``."""
    certificate_type = case.version.certificate_type
    if certificate_type is None:
        return None, None
    if certificate_type.holder == CertificateHolder.FIRM:
        return None, case.firm
    if certificate_type.holder == CertificateHolder.PERSON_CONCERNED:
        party = case.parties.select_related("person").order_by("id").first()
        return (party.person if party else (case.applicant if case.firm is None else None)), None
    return case.applicant, None


def unverified_holder(case: Case) -> Person | None:
    """The person who would hold an open case's certificate if their identity is not verified."""
    if case.status not in OPEN:
        return None
    person, _firm = certificate_holder(case)
    return person if person is not None and person.verification_level not in VERIFIED else None


def require_verified_holder(person: Person) -> None:
    """Refuse to issue a certificate to ``person`` unless their identity is verified."""
    if person.verification_level not in VERIFIED:
        raise ConflictError(NOT_VERIFIED % {"name": person.display_name}, code="holder_not_verified")
