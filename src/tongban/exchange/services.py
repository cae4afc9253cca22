"""The only road by which a context reads data about a person or firm it did not collect itself.

``exchange_query`` checks, in this order: the resource exists and has the fields asked for; the
consumer holds an active grant for this resource, purpose and these fields (open data needs
none); for restricted data, the subject is a party of the case or application the caller names
(the caller — e.g. the case layer — asserts the parties) or has given consent; then it asks the
provider, with a timeout. Every call is written to the access log — answered, refused or failed,
with the reason — inside the caller's transaction; refusals and failures are results, not
exceptions, so the caller's transaction commits and the log entry with it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.core.db import insert_row
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.exchange._queries import live_grants
from tongban.exchange.models import (
    AccessLogEntry,
    AccessOutcome,
    Classification,
    Consent,
    DataResource,
    Grant,
    GrantStatus,
)
from tongban.exchange.providers import base as providers
from tongban.exchange.providers.base import ProviderError, ProviderRequest, Subject
from tongban.identity.models import Account, Agency, Firm, Person, ServiceCentre, StaffRoleKind
from tongban.identity.selectors import active_staff_roles, has_role

BasisKind = Literal["case", "application", "own_request", "none"]


@dataclass(frozen=True)
class Basis:
    """Why the consumer may read restricted data: a case or an application naming the subject as a
    party, or the subject's own request (e.g. to be verified against the registry). ``parties``:
    the subject refs the calling context asserts; the exchange only checks the subject is among them."""

    kind: BasisKind = "none"
    reference: str = ""  # case number or application id
    parties: tuple[str, ...] = ()


@dataclass
class QueryResult:
    answered: bool
    outcome: str
    values: dict[str, Any] = field(default_factory=dict)
    found: bool = False
    source: str = ""
    reason: str = ""
    log_id: int | None = None


def subject_of(*, person: Person | None = None, firm: Firm | None = None) -> tuple[Subject, str]:
    """(the provider-facing subject, the log's subject reference) of a person or a firm."""
    if person is not None:
        key = f"{person.id_type}:{person.id_number}" + (f":{person.nationality}" if str(person.nationality) else "")
        return Subject("person", key), f"person:{person.public_id}"
    assert firm is not None
    return Subject("firm", firm.uscc), f"firm:{firm.uscc}"


#: Why an access was refused or failed: the code stored in the log, and what the subject reads.
REASONS: dict[str, Any] = {
    "unknown_resource": _("No such data resource."),
    "wrong_subject": _("The resource is not about this kind of subject."),
    "unknown_fields": _("Fields the resource does not have were asked for."),
    "no_grant": _("The agency holds no active grant for these fields and this purpose."),
    "no_basis": _("Restricted data: there is neither consent nor a case naming the subject."),
    "unavailable": _("The source did not answer."),
    "timeout": _("The source did not answer in time."),
    "bad_response": _("The source's answer could not be read."),
    "bad_signature": _("The source's answer was not signed correctly."),
    "not_served": _("The clerk was not serving you at the window: nothing was shown."),
}


def reason_text(reason: str) -> str:
    """The translated explanation of a stored reason ("<code>" or "<code>: <detail>")."""
    code, _sep, detail = reason.partition(":")
    text = REASONS.get(code.strip())
    if text is None:
        return reason
    return f"{text} ({detail.strip()})" if detail.strip() else str(text)


def _refuse(reason: str) -> tuple[AccessOutcome, str]:
    return AccessOutcome.REFUSED, reason


def exchange_query(
    *,
    consumer: Agency,
    resource_code: str,
    fields: list[str],
    purpose: str,
    basis: Basis,
    actor: Actor,
    now: datetime,
    person: Person | None = None,
    firm: Firm | None = None,
) -> QueryResult:
    """Read ``fields`` of ``resource_code`` about the person or firm, for ``purpose``; logged."""
    subject, subject_ref = subject_of(person=person, firm=firm)
    live, granted_fields = live_grants(consumer_id=consumer.pk, resource_code=resource_code, purpose=purpose, now=now)
    resource = live if live is not None else DataResource.objects.filter(code=resource_code).first()
    outcome: AccessOutcome = AccessOutcome.ANSWERED
    reason = ""
    basis_used = "open" if resource is not None and resource.classification == Classification.OPEN else "grant"
    if resource is None:
        outcome, reason = _refuse("unknown_resource")
    elif resource.subject_kind != subject.kind:
        outcome, reason = _refuse(f"wrong_subject: {resource.subject_kind}")
    elif not fields or set(fields) - set(resource.field_names()):
        outcome, reason = _refuse("unknown_fields: " + ", ".join(sorted(set(fields) - set(resource.field_names()))))
    elif resource.classification != Classification.OPEN and not any(set(fields) <= set(g) for g in granted_fields):
        outcome, reason = _refuse("no_grant")
    elif resource.classification == Classification.RESTRICTED:
        if basis.kind in ("case", "application", "own_request") and subject_ref in basis.parties:
            basis_used = basis.kind
        elif _consented(person, firm, consumer, resource, purpose, now):
            basis_used = "consent"
        else:
            outcome, reason = _refuse("no_basis")
    result = QueryResult(answered=False, outcome=outcome, reason=reason)
    if outcome == AccessOutcome.ANSWERED:
        assert resource is not None
        try:
            answer = providers.get(resource.provider).fetch(
                ProviderRequest(resource.code, subject, tuple(fields), consumer.code, purpose, uuid.uuid4().hex)
            )
        except ProviderError as exc:
            result = QueryResult(
                answered=False, outcome=AccessOutcome.FAILED, reason=f"{exc.code}: {exc.message}"[:200]
            )
        else:
            allowed = set(fields)
            result = QueryResult(
                answered=True,
                outcome=AccessOutcome.ANSWERED,
                found=answer.found,
                source=answer.source,
                values={k: v for k, v in answer.values.items() if k in allowed},
            )
    result.log_id = insert_row(  # the access log is append-only and the hottest write: static SQL
        AccessLogEntry,
        at=now,
        consumer=consumer.code,
        actor_kind=actor.kind,
        actor_id=actor.account_id,
        actor_label=actor.label[:150],
        subject_kind=subject.kind,
        subject_ref=subject_ref,
        resource=resource_code[:60],
        fields=list(fields),
        purpose=purpose[:60],
        basis=basis_used if result.outcome != AccessOutcome.REFUSED else basis.kind,
        case_number=basis.reference[:40],
        outcome=result.outcome,
        reason=result.reason[:200],
    )
    return result


#: The pseudo-resource of a clerk's look at a person's drafts and cases at a service-centre window:
#: not a read from another agency, but shown to the person in the same log (ADR 0039).
WINDOW_LOOK = "window.look"
#: What the clerk looked at (the entry's ``fields``).
WINDOW_LOOK_FIELDS = ("list", "draft", "case")
#: The consumer of a window look: the centre, as ``centre:<code>``.
CENTRE_PREFIX = "centre:"


@transaction.atomic
def window_look_record(
    *,
    person: Person,
    centre: ServiceCentre,
    what: str,
    purpose: str,
    reference: str,
    allowed: bool,
    actor: Actor,
    now: datetime,
) -> int:
    """A clerk at a service-centre window looked — or tried to look, and was refused — at the
    person's list of drafts and cases, one draft or one case (``what``): written to the person's
    access log, where "Who used my data" shows it, sealed like every other entry. ``purpose``:
    the service code; ``reference``: the case number (empty for a draft or the list)."""
    if what not in WINDOW_LOOK_FIELDS:
        raise ValueError(what)
    _subject, subject_ref = subject_of(person=person)
    return insert_row(
        AccessLogEntry,
        at=now,
        consumer=f"{CENTRE_PREFIX}{centre.code}"[:32],
        actor_kind=actor.kind,
        actor_id=actor.account_id,
        actor_label=actor.label[:150],
        subject_kind="person",
        subject_ref=subject_ref,
        resource=WINDOW_LOOK,
        fields=[what],
        purpose=purpose[:60],
        basis="window",
        case_number=reference[:40],
        outcome=AccessOutcome.ANSWERED if allowed else AccessOutcome.REFUSED,
        reason="" if allowed else "not_served",
    )


def _consented(  # noqa: PLR0917 - private helper, named at its one call site
    person: Person | None, firm: Firm | None, consumer: Agency, resource: DataResource, purpose: str, now: datetime
) -> bool:
    consents = Consent.objects.filter(
        consumer=consumer,
        resource=resource,
        purpose=purpose,
        withdrawn_at__isnull=True,
        given_at__lte=now,
        expires_at__gt=now,
    )
    return consents.filter(person=person).exists() if person is not None else consents.filter(firm=firm).exists()


# --- Grants -------------------------------------------------------------------------------------


def _agency_admin_of(account: Account, agency: Agency) -> bool:
    roles = active_staff_roles(account=account)
    return has_role(roles, StaffRoleKind.CITY_OPERATOR) or has_role(roles, StaffRoleKind.AGENCY_ADMIN, agency=agency)


@transaction.atomic
def grant_request(
    *,
    consumer: Agency,
    resource: DataResource,
    purpose: str,
    fields: list[str],
    expires_at: datetime,
    justification: str,
    account: Account,
    actor: Actor,
    now: datetime,
) -> Grant:
    """A consuming agency's administrator asks the owner for some fields, for one purpose."""
    if not _agency_admin_of(account, consumer):
        raise PermissionDeniedError(_("Only the consuming agency's administrators request access."))
    unknown = set(fields) - set(resource.field_names())
    if not fields or unknown:
        raise ValidationError({"fields": _("Choose fields the resource has.")})
    grant = Grant.objects.create(
        consumer=consumer,
        resource=resource,
        purpose=purpose,
        fields=sorted(set(fields)),
        justification=justification,
        requested_by=account,
        requested_at=now,
        expires_at=expires_at,
    )
    audit_record(
        action="exchange.grant_requested",
        actor=actor,
        object_type="grant",
        object_id=grant.pk,
        data={"consumer": consumer.code, "resource": resource.code, "purpose": purpose, "fields": grant.fields},
    )
    return grant


@transaction.atomic
def grant_decide(*, grant: Grant, approve: bool, reason: str, account: Account, actor: Actor, now: datetime) -> Grant:
    """The owning agency approves or refuses a request."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("resource__owner").get(pk=grant.pk)
    if not _agency_admin_of(account, grant.resource.owner):
        raise PermissionDeniedError(_("Only the owning agency's administrators decide on access."))
    if grant.status != GrantStatus.REQUESTED:
        raise ConflictError(_("This request was already decided."))
    grant.status = GrantStatus.APPROVED if approve else GrantStatus.REFUSED
    grant.decided_by, grant.decided_at, grant.decision_reason = account, now, reason.strip()[:500]
    grant.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(
        action=f"exchange.grant_{'approved' if approve else 'refused'}",
        actor=actor,
        object_type="grant",
        object_id=grant.pk,
        data={"reason": grant.decision_reason},
    )
    return grant


@transaction.atomic
def grant_revoke(*, grant: Grant, account: Account, actor: Actor, now: datetime) -> Grant:
    """The owner (or the consumer) ends a grant at once."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("resource__owner", "consumer").get(pk=grant.pk)
    if not (_agency_admin_of(account, grant.resource.owner) or _agency_admin_of(account, grant.consumer)):
        raise PermissionDeniedError(_("Only the owning or consuming agency's administrators revoke access."))
    if grant.revoked_at is not None:
        raise ConflictError(_("This grant was already revoked."))
    grant.revoked_at, grant.revoked_by = now, account
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(action="exchange.grant_revoked", actor=actor, object_type="grant", object_id=grant.pk)
    return grant


# --- Consent ------------------------------------------------------------------------------------


@transaction.atomic
def consent_give(
    *,
    consumer: Agency,
    resource: DataResource,
    purpose: str,
    expires_at: datetime,
    actor: Actor,
    now: datetime,
    person: Person | None = None,
    firm: Firm | None = None,
    given_by: Person | None = None,
) -> Consent:
    """The data subject lets ``consumer`` read ``resource`` about them for ``purpose`` until
    ``expires_at``: a person for themself, or a firm through its legal representative (``given_by``)."""
    if (person is None) == (firm is None):
        raise ValueError("A consent has exactly one subject: a person or a firm.")
    if firm is not None and (given_by is None or firm.legal_representative_id != given_by.pk):
        raise PermissionDeniedError(_("Only the firm's legal representative gives consent for the firm."))
    if resource.subject_kind != ("firm" if firm is not None else "person"):
        raise ValidationError({"resource": _("The resource is not about this kind of subject.")})
    if expires_at <= now:
        raise ValidationError({"expires_on": _("The expiry date must be in the future.")})
    consent = Consent.objects.create(
        person=person,
        firm=firm,
        consumer=consumer,
        resource=resource,
        purpose=purpose,
        given_at=now,
        expires_at=expires_at,
    )
    data = {"consumer": consumer.code, "resource": resource.code, "purpose": purpose}
    if firm is not None:
        data["firm"] = firm.uscc
    audit_record(action="exchange.consent_given", actor=actor, object_type="consent", object_id=consent.pk, data=data)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, person: Person, actor: Actor, now: datetime) -> Consent:
    """The subject ends a consent at once: the person who gave it, or the firm's legal representative."""
    consent = Consent.objects.select_for_update(of=("self",)).select_related("firm").get(pk=consent.pk)
    allowed = consent.person_id == person.pk or (
        consent.firm is not None and consent.firm.legal_representative_id == person.pk
    )
    if not allowed:
        raise PermissionDeniedError(_("Only the data subject withdraws their consent."))
    if consent.withdrawn_at is not None:
        raise ConflictError(_("This consent was already withdrawn."))
    consent.withdrawn_at = now
    consent.save(update_fields=["withdrawn_at"])
    audit_record(action="exchange.consent_withdrawn", actor=actor, object_type="consent", object_id=consent.pk)
    return consent
