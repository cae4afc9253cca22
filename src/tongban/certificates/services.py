"""Writes for certificates: issue (sign as JWS and as a VC 2.0 credential), revoke (under four
eyes where the issue was), share.

``certificate_issue`` is called by the cases context inside the transaction that approves the
case, so a decision and its certificate commit together or not at all.
"""

from __future__ import annotations

import calendar
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.catalogue.models import CertificateType
from tongban.certificates import jose
from tongban.certificates.models import Certificate, RevocationReason
from tongban.certificates.permissions import may_confirm_revocation, may_revoke, may_view
from tongban.core.actors import Actor
from tongban.core.db import insert_object_unless_taken
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.core.keyring import get_keyring
from tongban.core.validators import validate_plain_text
from tongban.identity.models import Account, Agency, AgencyOffice, Firm, Person
from tongban.identity.selectors import active_staff_roles

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHARE_SALT = "tongban.certificates.share"
MAX_SHARE_DAYS = 90


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later (the last day of the month when that day does not exist)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def subject_of(*, person: Person | None, firm: Firm | None) -> str:
    """The certificate's ``sub``: a pseudonymous person id, or the firm's (public) USCC."""
    if person is not None:
        return f"urn:tongban:person:{person.public_id}"
    assert firm is not None
    return f"urn:tongban:firm:{firm.uscc}"


def public_subject(*, person: Person | None, firm: Firm | None, number: str) -> str:
    """The ``sub`` of the public JWS: for a firm its USCC (public, printed on its licence); for a
    person the certificate itself, so that the public token names no identifier of theirs and two
    of their certificates cannot be linked by it."""
    if person is not None:
        return f"urn:tongban:certificate:{quote(number, safe='')}"
    return subject_of(person=None, firm=firm)


def _number(prefix: str, now: datetime) -> str:
    return f"{prefix}{now:%Y}" + "".join(secrets.choice(_CROCKFORD) for _ in range(8))


# No savepoint of its own: an issue fails the transaction it is part of (a decision or a submit),
# and a savepoint would cost a round trip each way on every issue.
@transaction.atomic(savepoint=False)
def certificate_issue(
    *,
    certificate_type: CertificateType,
    agency: Agency,
    fields: dict[str, Any],
    actor: Actor,
    now: datetime,
    holder_person: Person | None = None,
    holder_firm: Firm | None = None,
    case_number: str = "",
    applicant_firm: Firm | None = None,
    area: str = "",
    number: str | None = None,
    office: AgencyOffice | None = None,
    four_eyes: bool = False,
) -> Certificate:
    """Issue one certificate: number, validity, signed JWS and VC, audit event. ``number`` fixes
    the number (the demo city's well-known certificates); normally it is drawn at random.
    ``office`` is the issuing office and ``four_eyes`` says the decision needed two people: both
    decide who may revoke it and how (``certificates.permissions``)."""
    if (holder_person is None) == (holder_firm is None):
        raise ValueError("A certificate has exactly one holder: a person or a firm.")
    valid_until = add_months(now, certificate_type.validity_months) if certificate_type.validity_months else None
    if holder_person is not None:
        name_zh = holder_person.name or holder_person.latin_name
        name_en = holder_person.latin_name or holder_person.name
    else:
        assert holder_firm is not None
        name_zh, name_en = holder_firm.name_zh, holder_firm.name_en or holder_firm.name_zh
    subject = subject_of(person=holder_person, firm=holder_firm)
    issuer = settings.PUBLIC_BASE_URL.rstrip("/")
    fixed = number
    for _attempt in range(1 if fixed else 5):
        number = fixed or _number(certificate_type.number_prefix, now)
        common: dict[str, Any] = {
            "issuer": issuer,
            "subject": subject,
            "number": number,
            "issued_at": now,
            "valid_from": now,
            "valid_until": valid_until,
            "certificate_type": certificate_type.code,
            "fields": fields,
            "holder_name": name_en,
            "issuing_agency": agency.name_en,
        }
        # The public JWS (served to anyone at /verify/<number>.jws) carries what the public
        # verification page shows and nothing more: no fields, and no identifier of a person (ADR
        # 0028); the holder's credential carries them all (data minimisation, docs/adr/0012).
        token = jose.sign_jws(
            jose.certificate_payload(
                **{
                    **common,
                    "subject": public_subject(person=holder_person, firm=holder_firm, number=number),
                    "fields": {},
                }
            )
        )
        credential = jose.sign_credential(jose.credential(**common))
        # ON CONFLICT (number) DO NOTHING: a drawn number that is taken is drawn again, without a
        # savepoint around the INSERT (two round trips fewer on every instant submit).
        certificate = Certificate(
            number=number,
            certificate_type=certificate_type,
            holder_person=holder_person,
            holder_firm=holder_firm,
            holder_name_zh=name_zh,
            holder_name_en=name_en,
            subject=subject,
            agency=agency,
            case_number=case_number,
            applicant_firm=applicant_firm,
            area=area,
            office=office,
            four_eyes=four_eyes,
            issued_at=now,
            valid_from=now,
            valid_until=valid_until,
            fields=fields,
            jws=token,
            credential=credential,
            key_id=get_keyring().active.kid,
        )
        if insert_object_unless_taken(certificate, "number"):
            break
    else:  # pragma: no cover - eight random characters clashing five times
        raise ConflictError(_("Could not allocate a certificate number; please try again."))
    audit_record(
        action="certificates.issued",
        actor=actor,
        object_type="certificate",
        object_id=certificate.number,
        data={"type": certificate_type.code, "case": case_number, "subject": subject, "kid": certificate.key_id},
    )
    return certificate


@transaction.atomic
def certificate_record_opened(*, certificate: Certificate, account: Account, actor: Actor) -> None:
    """A member of staff opened a certificate in the back office (its holder and every field):
    who read which certificate, when (an audit event, no state change)."""
    audit_record(
        action="certificates.certificate_opened",
        actor=actor,
        object_type="certificate",
        object_id=certificate.number,
        data={"account": account.pk},
    )


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, account: Account, reason: str, reason_code: str, actor: Actor, now: datetime
) -> Certificate:
    """The issuing office revokes a certificate; every verification shows it at once, with the
    public reason ``reason_code`` (from ``RevocationReason``); ``reason`` (free text) stays internal.

    Where the certificate was issued under four eyes this only proposes the revocation (audited);
    a supervisor of the office confirms it with ``certificate_revocation_confirm``."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not may_revoke(roles=active_staff_roles(account=account), certificate=certificate):
        raise PermissionDeniedError(_("Only staff of the issuing office can revoke this certificate."))
    if certificate.revoked_at is not None:
        raise ConflictError(_("This certificate was already revoked."))
    if certificate.revocation_proposed_at is not None:
        raise ConflictError(_("A revocation of this certificate is already proposed; a supervisor confirms it."))
    reason = reason.strip()
    validate_plain_text(reason)
    errors = {}
    if reason_code not in RevocationReason.values:
        errors["reason_code"] = _("Choose the public reason for the revocation.")
    if not reason:
        errors["reason"] = _("Give the reason for the revocation.")
    if errors:
        raise ValidationError(errors)
    if certificate.four_eyes:
        certificate.revocation_proposed_at = now
        certificate.revocation_proposed_by_id = account.pk
        certificate.revocation_proposed_reason = reason[:300]
        certificate.revocation_proposed_code = reason_code
        certificate.save(
            update_fields=[
                "revocation_proposed_at",
                "revocation_proposed_by_id",
                "revocation_proposed_reason",
                "revocation_proposed_code",
            ]
        )
        audit_record(
            action="certificates.revocation_proposed",
            actor=actor,
            object_type="certificate",
            object_id=certificate.number,
            data={"reason": certificate.revocation_proposed_reason, "code": reason_code},
        )
        return certificate
    return _revoke(certificate, account=account, reason=reason[:300], code=reason_code, actor=actor, now=now)


@transaction.atomic
def certificate_revocation_confirm(
    *, certificate: Certificate, account: Account, actor: Actor, now: datetime
) -> Certificate:
    """A supervisor of the issuing office, not the proposer, confirms a proposed revocation (four eyes)."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise ConflictError(_("This certificate was already revoked."))
    if certificate.revocation_proposed_at is None:
        raise ConflictError(_("No revocation of this certificate is proposed."))
    roles = active_staff_roles(account=account)
    if not may_confirm_revocation(roles=roles, certificate=certificate, account_id=account.pk):
        raise PermissionDeniedError(
            _("Only a supervisor of the issuing office, other than the proposer, confirms this revocation.")
        )
    return _revoke(
        certificate,
        account=account,
        reason=certificate.revocation_proposed_reason,
        code=certificate.revocation_proposed_code,
        actor=actor,
        now=now,
    )


def _revoke(
    certificate: Certificate, *, account: Account, reason: str, code: str, actor: Actor, now: datetime
) -> Certificate:
    certificate.revoked_at, certificate.revoked_reason, certificate.revoked_by_id = now, reason, account.pk
    certificate.revoked_reason_code = code
    certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_reason_code", "revoked_by_id"])
    audit_record(
        action="certificates.revoked",
        actor=actor,
        object_type="certificate",
        object_id=certificate.number,
        data={
            "reason": reason,
            "code": code,
            "proposed_by": certificate.revocation_proposed_by_id,
        },
    )
    return certificate


def share_token(*, certificate: Certificate, days: int, now: datetime) -> str:
    """A signed token for a time-limited verification link (no database row needed)."""
    expires = int((now + timedelta(days=days)).timestamp())
    return signing.dumps({"n": certificate.number, "e": expires}, salt=SHARE_SALT, compress=True)


def read_share_token(token: str, *, now: datetime) -> str | None:
    """The certificate number of a valid, unexpired share token, else None."""
    try:
        data = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or int(data.get("e", 0)) <= now.timestamp():
        return None
    return str(data.get("n", "")) or None


@transaction.atomic
def certificate_share(*, certificate: Certificate, person: Person, days: int, actor: Actor, now: datetime) -> str:
    """The holder makes a verification link that works for ``days`` days; recorded."""
    if not may_view(person=person, certificate=certificate, now=now):
        raise PermissionDeniedError(_("Only the holder can share this certificate."))
    if not 1 <= days <= MAX_SHARE_DAYS:
        raise ValidationError({"days": _("Choose between 1 and 90 days.")})
    token = share_token(certificate=certificate, days=days, now=now)
    audit_record(
        action="certificates.shared",
        actor=actor,
        object_type="certificate",
        object_id=certificate.number,
        data={"days": days},
    )
    return token
