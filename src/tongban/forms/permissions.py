"""Who may apply, and who may see or change an application (a draft or a submitted one): the one
place for these rules, used by the portal's views, ``forms.selectors`` and ``forms.services``
alike (ADR 0026); and when a once-only lookup may fetch the certificate of a person the form
names.

A firm's application is the firm's: the person who started it sees and changes it only while she
holds a live power for the firm in the service's area (or is its legal representative). The
power is read from the database on every request, GET and POST: a power revoked a second ago
no longer opens a draft it started.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import Applicants, ServiceVersion
from tongban.certificates.models import Certificate
from tongban.core.errors import PermissionDeniedError
from tongban.core.policies import rule
from tongban.exchange.models import Consent
from tongban.forms.models import Application
from tongban.identity.models import Firm, Person
from tongban.identity.permissions import acting_authority
from tongban.identity.selectors import Authority


def person_may_apply(version: ServiceVersion) -> bool:
    """Whether a person may apply for herself (the guide offers "Myself" where this holds)."""
    return version.applicants in {Applicants.PERSON, Applicants.EITHER}


def firm_may_apply(version: ServiceVersion) -> bool:
    """Whether a firm may apply (the guide offers the firms the person acts for where this holds)."""
    return version.applicants in {Applicants.FIRM, Applicants.EITHER}


@rule(
    question="May this person apply for this service, for herself or for this firm?",
    who="Whoever the service's catalogue entry names (``ServiceVersion.applicants``: a person, a firm, or "
    "either; ADR 0032): a person for herself where persons apply; for a firm where firms apply, its legal "
    "representative or a holder of a live power in the service's area.",
    refusal="403 (the same page for any firm the person cannot act for)",
)
def may_apply(*, person: Person, firm: Firm | None, version: ServiceVersion, now: datetime) -> Authority | None:
    """The authority ``person`` applies on (None: for herself), or PermissionDeniedError."""
    if firm is None:
        if not person_may_apply(version):
            raise PermissionDeniedError(_("Only firms apply for this service. Choose the firm you act for."))
        return None
    if not firm_may_apply(version):
        raise PermissionDeniedError(_("Firms cannot apply for this service; apply for yourself."))
    return acting_authority(person=person, firm=firm, area=version.item.area, now=now)


@rule(
    question="May this person see or change this application (every step, the review page, its files)?",
    who="The person who started it; for a firm's application only while she still is the firm's legal "
    "representative or holds a live power in the service's area (checked on every request).",
    refusal="404 from the pages for another person's application (``forms.selectors.own_application``); "
    "403 once the firm's power is gone",
)
def application_authority(*, person: Person, application: Application, now: datetime) -> Authority | None:
    """The authority the person holds on her application now (None: her own); PermissionDeniedError
    if it is not hers, or if it is a firm's and her power for it is gone."""
    if application.person_id != person.pk:
        raise PermissionDeniedError(_("This is not your application."))
    if application.firm_id is None:
        return None
    assert application.firm is not None
    return acting_authority(person=person, firm=application.firm, area=application.version.item.area, now=now)


@rule(
    question="May a once-only lookup fetch the certificate of a person the application names (not the applicant)?",
    who="Only where a relation the platform can confirm exists: for a firm's application, a certificate of that "
    "person issued on the firm's own earlier application (the firm employs or enrols her); for any application, "
    "the person's active consent to the service's agency for this certificate and purpose. Otherwise nothing is "
    "fetched and the applicant uploads the document.",
    refusal="no read (nothing fetched, nothing logged); the materials page asks for an upload",
)
def may_look_up_concerned(*, application: Application, concerned: Person, resource_code: str, now: datetime) -> bool:
    """Whether the once-only lookup may read ``resource_code`` about ``concerned`` for ``application``:
    typing a passport number is not enough."""
    if concerned.pk == application.person_id:
        return True
    version = application.version
    consented = Consent.objects.filter(
        person=concerned,
        consumer_id=version.item.agency_id,
        resource__code=resource_code,
        purpose=version.item.code,
        withdrawn_at__isnull=True,
        given_at__lte=now,
        expires_at__gt=now,
    ).exists()
    if consented:
        return True
    if application.firm_id is None:
        return False
    return Certificate.objects.filter(holder_person=concerned, applicant_firm_id=application.firm_id).exists()
