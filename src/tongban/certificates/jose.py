"""Signed e-certificates: compact JWS with EdDSA/Ed25519, and W3C Verifiable Credentials 2.0 as ``vc+jwt``.

Why one module of this size: it is one protocol — the two payload shapes share their claims, their
signing key and their verification, and the long table below is their specification. Split, a
reader would have to hold two files to check one token.

An e-certificate (电子证照) leaves the platform as a compact JWS (RFC 7515) signed with EdDSA over Ed25519
(RFC 8037) by the *active* key of the platform's key ring (``tongban.core.keyring``, ADR 0004). Anyone can
check it offline against ``/.well-known/jwks.json``; retired keys stay in that set, so certificates signed
before a key rotation keep verifying. Signing and verification use ``joserfc``; the tests check our tokens
with PyJWT as well, an independent implementation.

Two payload shapes, same signature:

**Certificate JWT** (``typ`` ``JWT``), made by ``certificate_payload``. Claims:

========== ====================================================================================
``iss``    the issuer: the platform's public base URL (``PUBLIC_BASE_URL``), no trailing slash
``sub``    the holder's identifier, a URI (see below)
``iat``    when the certificate was issued (seconds since the epoch, UTC)
``nbf``    start of validity (seconds); verifiers allow 60 s of clock skew
``exp``    end of validity (seconds); absent for a certificate without an end date
``jti``    the certificate number (unique, stable, what people quote)
``type``   the certificate type code (catalogue data, e.g. ``business-licence``)
``fields`` the certificate's own fields, an object (names are ASCII identifiers; see below)
``holder`` the holder's name as printed on the certificate
``agency`` the issuing agency's name as printed on the certificate
========== ====================================================================================

**Verifiable credential** (``typ`` ``vc+jwt``, ``cty`` ``vc``; media type ``application/vc+jwt``), made by
``credential`` and signed by ``sign_credential``. Per VC-JOSE-COSE the JWT claims set *is* the credential
document: no ``vc`` wrapper claim. The document::

    {"@context": ["https://www.w3.org/ns/credentials/v2", "<PUBLIC_BASE_URL>/contexts/certificates/v1"],
     "id": "<PUBLIC_BASE_URL>/verify/<number>",
     "type": ["VerifiableCredential", "TongbanCertificate"],
     "issuer": {"id": <iss>, "name": <agency>},
     "validFrom": "2026-01-01T00:00:00Z", "validUntil": "...",      # XML Schema dateTimeStamp, UTC
     "iat": <issued at, seconds>,               # JWT claim, defined by the v2 context
     "certificateNumber": <number>, "certificateType": <type>,
     "credentialSubject": {"id": <sub>, "name": <holder>, ...fields},
     "credentialStatus": {"id": "<iss>/verify/<number>.json", "type": "TongbanStatus2026"},
     "name": ..., "description": ...}           # optional, plain text or one value per language

The second context is ours (``contexts.py`` bundles it; the portal serves it at that path). ``nbf``/``exp``
are not used in credentials: VC-JOSE-COSE gives them to the signature, not the data, and advises against
``nbf``; validity is ``validFrom``/``validUntil``, which ``check_validity`` enforces.

**TongbanStatus2026** (``credentialStatus``, and the status URL of a certificate JWT,
``<iss>/verify/<percent-encoded jti>.json``): an HTTP GET answering JSON
``{"number": "...", "status": "valid" | "expired" | "revoked" | "unknown", "revoked_at": <ISO 8601 or
null>, "reason": <text or null>}``. It tells revocation, which a signature cannot.

**Identifiers.** ``sub``/``credentialSubject.id`` must be a URI; it is readable by anyone the holder shows
the certificate to, so it must not be a resident ID number. Suggested: ``urn:uuid:<the person's or firm's
stable public UUID>``. Certificate numbers appear in URLs percent-encoded. Field names are ASCII
identifiers (``^[A-Za-z][A-Za-z0-9_]*$``, not ``id``, ``name`` or ``type``) because they become JSON-LD
terms; values must be JSON (dates and datetimes are turned into ISO 8601, decimals into strings).

**Algorithm.** ``alg`` is ``EdDSA`` (RFC 8037), which every JOSE library understands. RFC 9864 deprecates
this polymorphic name in favour of ``Ed25519``; we accept only Ed25519 keys under it, which is exactly
what ``Ed25519`` would mean, so joserfc's deprecation warning is switched off for our registry only.
Nothing else is accepted: not ``none``, not HMAC, not a key taken from the token's own header.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwa import EdDSAAlgorithm, JWSAlgModel
from joserfc.jwk import OKPKey

from tongban.certificates.contexts import CREDENTIALS_V2_URL, certificates_context_url, public_base_url
from tongban.core.errors import DomainError
from tongban.core.keyring import KeyRing, get_keyring

ALGORITHM = "EdDSA"
CLOCK_SKEW = timedelta(seconds=60)
VC_TYPE = "TongbanCertificate"
STATUS_TYPE = "TongbanStatus2026"
MAX_TOKEN_LENGTH = 128_000

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_RESERVED_FIELDS = frozenset({"id", "name", "type"})


class _Ed25519EdDSA(EdDSAAlgorithm):
    """``EdDSA`` restricted to Ed25519 keys (so, what RFC 9864 calls ``Ed25519``), without the warning."""

    security_warning = ""  # falsy: joserfc warns only when it is set

    def check_key(self, key: OKPKey) -> None:
        super().check_key(key)
        if key.curve_name != "Ed25519":
            raise JoseError("Only Ed25519 keys are accepted.")


class _Registry(jws.JWSRegistry):
    """A JWS registry that knows one algorithm. Its own class-level tables, so joserfc's global registry
    (and anything else in the process using it) is untouched."""

    algorithms: dict[str, JWSAlgModel] = {ALGORITHM: _Ed25519EdDSA()}
    recommended: list[str] = [ALGORITHM]


# Signing: only registered header parameters. Verifying: unknown ones are ignored (RFC 7515 §4), but
# ``crit`` is still enforced by joserfc (and refused by us before that).
_SIGN_REGISTRY = _Registry(algorithms=[ALGORITHM])
_VERIFY_REGISTRY = _Registry(algorithms=[ALGORITHM], strict_check_header=False)


# --- errors -------------------------------------------------------------------------------------------

MESSAGES: dict[str, Promise] = {
    "malformed": _("This is not a readable signed certificate: it is damaged or in another format."),
    "unsupported_algorithm": _("The certificate is signed with a method that is not accepted here."),
    "unknown_key": _("The certificate was signed with a key that is not among the published signing keys."),
    "bad_signature": _("The signature does not match: the content was changed after it was signed."),
    "not_yet_valid": _("The certificate is not valid yet."),
    "expired": _("The certificate has expired."),
}


class JwsError(DomainError):
    """A token failed verification. ``code`` is one of ``MESSAGES``' keys (stable, for programs);
    ``message`` is for people; ``detail`` says more for operators (English, not shown to the public)."""

    status = 400

    def __init__(self, code: str, message: str | Promise | None = None, *, detail: str = "") -> None:
        super().__init__(message if message is not None else MESSAGES[code], code=code)
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class Verified:
    """A token whose signature checked out: its protected header, its claims and the signing key's id."""

    header: dict[str, Any]
    payload: dict[str, Any]
    key_id: str


# --- signing ------------------------------------------------------------------------------------------


def _json_bytes(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def sign_jws(
    payload: Mapping[str, Any], *, typ: str = "JWT", cty: str | None = None, keyring: KeyRing | None = None
) -> str:
    """A compact JWS of ``payload`` (as JSON) signed with the active key of the ring.

    Header: ``{"alg": "EdDSA", "kid": <active key id>, "typ": typ[, "cty": cty]}``."""
    ring = keyring if keyring is not None else get_keyring()
    active = ring.active
    if active.private is None:  # KeyRing refuses this already; never sign with a verify-only key
        raise ValueError("The active signing key has no private part.")
    key = OKPKey.import_key(active.private, {"kid": active.kid, "use": "sig", "alg": ALGORITHM})
    header: dict[str, Any] = {"alg": ALGORITHM, "kid": active.kid, "typ": typ}
    if cty is not None:
        header["cty"] = cty
    return jws.serialize_compact(header, _json_bytes(payload), key, registry=_SIGN_REGISTRY)


# --- verification -------------------------------------------------------------------------------------


def _b64decode(segment: str) -> bytes:
    if not _B64URL.match(segment) or len(segment) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _json_object(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode(segment).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise JwsError("malformed", detail=f"the {what} is not base64url-encoded JSON") from exc
    if not isinstance(value, dict):
        raise JwsError("malformed", detail=f"the {what} is not a JSON object")
    return value


def _candidate_keys(jwks: Mapping[str, Any], kid: str) -> list[OKPKey]:
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    found: list[OKPKey] = []
    for jwk in keys if isinstance(keys, list) else []:
        if not isinstance(jwk, Mapping) or jwk.get("kid") != kid:
            continue
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", ALGORITHM) != ALGORITHM:
            continue
        public = {name: jwk[name] for name in ("kty", "crv", "x")}
        try:
            found.append(OKPKey.import_key(public, {"kid": kid, "use": "sig", "alg": ALGORITHM}))
        except (JoseError, ValueError, TypeError):
            continue
    return found


def verify_jws(token: str, jwks: Mapping[str, Any], *, now: datetime | None = None) -> Verified:
    """Check a compact JWS against a JWK Set (e.g. ``/.well-known/jwks.json``) and return what it says.

    Raises ``JwsError`` with code ``malformed``, ``unsupported_algorithm``, ``unknown_key`` or
    ``bad_signature``; with ``now``, also ``not_yet_valid`` and ``expired`` (see ``check_validity``).
    Only keys of the given set are used, never one named by the token (``jwk``, ``jku``, ``x5u``...)."""
    if not isinstance(token, str):
        raise JwsError("malformed", detail="the token is not text")
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH:
        raise JwsError("malformed", detail=f"the token is longer than {MAX_TOKEN_LENGTH} characters")
    parts = token.split(".")
    if len(parts) != 3 or not parts[0]:
        raise JwsError("malformed", detail="a compact JWS has three dot-separated parts")
    header = _json_object(parts[0], "header")
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise JwsError("malformed", detail="the header has no algorithm")
    if alg != ALGORITHM:  # before anything else, so "none" (with its empty signature) is named for what it is
        raise JwsError("unsupported_algorithm", detail=f"algorithm {alg!r}; only {ALGORITHM} (Ed25519) is accepted")
    try:
        _b64decode(parts[1])
        if not _b64decode(parts[2]):
            raise ValueError("empty signature")
    except (ValueError, binascii.Error) as exc:
        raise JwsError("malformed", detail="the payload or signature is missing or not base64url") from exc
    if "crit" in header:
        raise JwsError("malformed", detail="the header requires extensions (crit) this verifier does not support")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JwsError("unknown_key", detail="the header names no key id")
    keys = _candidate_keys(jwks, kid)
    if not keys:
        raise JwsError("unknown_key", detail=f"no Ed25519 key {kid!r} in the key set")

    for key in keys:
        try:
            signed = jws.deserialize_compact(token, key, registry=_VERIFY_REGISTRY)
        except BadSignatureError:
            continue
        except JoseError as exc:
            raise JwsError("malformed", detail=f"{exc.error}: {exc.description}") from exc
        break
    else:
        raise JwsError("bad_signature", detail=f"signature does not verify with key {kid!r}")

    try:
        payload = json.loads(signed.payload.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise JwsError("malformed", detail="the payload is not JSON") from exc
    if not isinstance(payload, dict):
        raise JwsError("malformed", detail="the payload is not a JSON object")
    if now is not None:
        check_validity(payload, now=now)
    return Verified(header=header, payload=payload, key_id=kid)


def _numeric_date(payload: Mapping[str, Any], claim: str) -> datetime | None:
    value = payload.get(claim)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise JwsError("malformed", detail=f"claim {claim!r} is not a number of seconds")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise JwsError("malformed", detail=f"claim {claim!r} is out of range") from exc


def _xsd_date(payload: Mapping[str, Any], name: str) -> datetime | None:
    value = payload.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise JwsError("malformed", detail=f"{name!r} is not a date and time with a time zone")
    return parsed


def validity_window(payload: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """(start, end) of validity: ``nbf``/``exp`` of a certificate JWT, ``validFrom``/``validUntil`` of a
    credential; where both kinds are present the narrower window counts."""
    starts = [d for d in (_numeric_date(payload, "nbf"), _xsd_date(payload, "validFrom")) if d is not None]
    ends = [d for d in (_numeric_date(payload, "exp"), _xsd_date(payload, "validUntil")) if d is not None]
    return (max(starts) if starts else None, min(ends) if ends else None)


def check_validity(payload: Mapping[str, Any], *, now: datetime) -> None:
    """Raise ``not_yet_valid`` if validity starts more than 60 s after ``now`` (clock skew), or
    ``expired`` if it has ended at ``now``. The end gets no leeway: it is a legal date, not a clock."""
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    start, end = validity_window(payload)
    if start is not None and start > now + CLOCK_SKEW:
        raise JwsError("not_yet_valid", detail=f"valid from {_xsd(start)}")
    if end is not None and now >= end:
        raise JwsError("expired", detail=f"valid until {_xsd(end)}")


# --- payloads -----------------------------------------------------------------------------------------


def _xsd(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC with whole seconds, e.g. ``2026-01-01T08:00:00Z``."""
    if moment.tzinfo is None:
        raise ValueError("Certificate times must be time-zone aware.")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("Certificate times must be time-zone aware.")
    return math.floor(moment.timestamp())


def _json_value(value: Any, where: str) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: not a finite number")
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return _xsd(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): _json_value(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item, f"{where}[{index}]") for index, item in enumerate(value)]
    raise ValueError(f"{where}: {type(value).__name__} cannot be put in a certificate")


def _fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if not isinstance(name, str) or not _FIELD_NAME.match(name) or name in _RESERVED_FIELDS:
            raise ValueError(
                f"Certificate field name {name!r} must match {_FIELD_NAME.pattern} and not be id/name/type."
            )
        clean[name] = _json_value(value, name)
    return clean


def _check_common(*, issuer: str, subject: str, number: str) -> str:
    if not issuer.startswith(("https://", "http://")):
        raise ValueError("The issuer must be an http(s) URL (the platform's public base URL).")
    if not _URI.match(subject):
        raise ValueError("The subject must be a URI, e.g. urn:uuid:<uuid>; never an ID-card number.")
    if not number or number != number.strip():
        raise ValueError("The certificate number must be non-empty, without surrounding spaces.")
    return issuer.rstrip("/")


def status_url(issuer: str, number: str) -> str:
    """Where a certificate's current status is published (TongbanStatus2026)."""
    return f"{issuer.rstrip('/')}/verify/{quote(number, safe='')}.json"


def certificate_payload(
    *,
    issuer: str,
    subject: str,
    number: str,
    issued_at: datetime,
    valid_from: datetime,
    valid_until: datetime | None,
    certificate_type: str,
    fields: Mapping[str, Any],
    holder_name: str,
    issuing_agency: str,
) -> dict[str, Any]:
    """The JWT claims of a certificate (see the module docstring for their meaning)."""
    iss = _check_common(issuer=issuer, subject=subject, number=number)
    claims: dict[str, Any] = {
        "iss": iss,
        "sub": subject,
        "iat": _seconds(issued_at),
        "nbf": _seconds(valid_from),
    }
    if valid_until is not None:
        claims["exp"] = _seconds(valid_until)
    claims.update(
        jti=number,
        type=certificate_type,
        fields=_fields(fields),
        holder=holder_name,
        agency=issuing_agency,
    )
    return claims


def _language_values(value: str | Mapping[str, str]) -> str | list[dict[str, str]]:
    if isinstance(value, str):
        return value
    return [{"@value": text, "@language": language} for language, text in value.items()]


def credential(
    *,
    issuer: str,
    subject: str,
    number: str,
    issued_at: datetime,
    valid_from: datetime,
    valid_until: datetime | None,
    certificate_type: str,
    fields: Mapping[str, Any],
    holder_name: str,
    issuing_agency: str,
    name: str | Mapping[str, str] | None = None,
    description: str | Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A W3C VC 2.0 credential document for a certificate (see the module docstring). ``name`` and
    ``description`` are plain text or ``{language tag: text}`` (e.g. ``{"zh-Hans": ..., "en": ...}``)."""
    iss = _check_common(issuer=issuer, subject=subject, number=number)
    subject_claims = {"id": subject, "name": holder_name, **_fields(fields)}
    document: dict[str, Any] = {
        "@context": [CREDENTIALS_V2_URL, certificates_context_url()],
        "id": f"{public_base_url()}/verify/{quote(number, safe='')}",
        "type": ["VerifiableCredential", VC_TYPE],
        "issuer": {"id": iss, "name": issuing_agency},
        "validFrom": _xsd(valid_from),
    }
    if valid_until is not None:
        document["validUntil"] = _xsd(valid_until)
    if name is not None:
        document["name"] = _language_values(name)
    if description is not None:
        document["description"] = _language_values(description)
    document.update(
        {
            "iat": _seconds(issued_at),
            "certificateNumber": number,
            "certificateType": certificate_type,
            "credentialSubject": subject_claims,
            "credentialStatus": {"id": status_url(iss, number), "type": STATUS_TYPE},
        }
    )
    return document


def sign_credential(document: Mapping[str, Any], *, keyring: KeyRing | None = None) -> str:
    """The credential as ``application/vc+jwt``: the document is the claims set, header typ ``vc+jwt``,
    cty ``vc``."""
    contexts = document.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != CREDENTIALS_V2_URL:
        raise ValueError(f"A VC 2.0 credential's first @context must be {CREDENTIALS_V2_URL}.")
    if "vc" in document or "vp" in document:
        raise ValueError("VC-JOSE-COSE forbids the vc and vp claims.")
    return sign_jws(document, typ="vc+jwt", cty="vc", keyring=keyring)


# --- reading a verified token -------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateSummary:
    """What a verified certificate says, the same for both payload shapes (for displays and the verifier)."""

    kind: str  # "jwt" or "vc"
    number: str
    certificate_type: str
    holder_name: str
    subject: str
    issuer: str
    agency: str
    issued_at: datetime | None
    valid_from: datetime | None
    valid_until: datetime | None
    fields: dict[str, Any] = field(default_factory=dict)
    status_url: str | None = None


def _text(value: Any) -> str:
    """Plain text of a string or of JSON-LD language values (joined with " / ")."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and "@value" in value:
        return str(value["@value"])
    if isinstance(value, list):
        return " / ".join(_text(item) for item in value)
    return "" if value is None else str(value)


def summarize(payload: Mapping[str, Any]) -> CertificateSummary:
    """Read a verified payload (certificate JWT or credential). Raises ``JwsError("malformed")`` if it is
    neither: a valid signature on some other kind of token is not a certificate."""
    if "@context" in payload:
        types = payload.get("type")
        subject = payload.get("credentialSubject")
        issuer = payload.get("issuer")
        number = payload.get("certificateNumber")
        if not (isinstance(types, list) and VC_TYPE in types and isinstance(subject, Mapping)):
            raise JwsError("malformed", detail="not a TongbanCertificate credential")
        if not isinstance(number, str):
            raise JwsError("malformed", detail="the credential has no certificateNumber")
        issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        status = payload.get("credentialStatus")
        url = status.get("id") if isinstance(status, Mapping) and status.get("type") == STATUS_TYPE else None
        start, end = validity_window(payload)
        return CertificateSummary(
            kind="vc",
            number=number,
            certificate_type=_text(payload.get("certificateType")),
            holder_name=_text(subject.get("name")),
            subject=_text(subject.get("id")),
            issuer=_text(issuer_id),
            agency=_text(issuer.get("name")) if isinstance(issuer, Mapping) else "",
            issued_at=_numeric_date(payload, "iat"),
            valid_from=start,
            valid_until=end,
            fields={key: value for key, value in subject.items() if key not in {"id", "name"}},
            status_url=url if isinstance(url, str) else None,
        )
    number = payload.get("jti")
    iss = payload.get("iss")
    fields = payload.get("fields", {})
    if not isinstance(number, str) or not isinstance(iss, str) or not isinstance(fields, Mapping):
        raise JwsError("malformed", detail="not a certificate: jti, iss or fields missing")
    start, end = validity_window(payload)
    return CertificateSummary(
        kind="jwt",
        number=number,
        certificate_type=_text(payload.get("type")),
        holder_name=_text(payload.get("holder")),
        subject=_text(payload.get("sub")),
        issuer=iss,
        agency=_text(payload.get("agency")),
        issued_at=_numeric_date(payload, "iat"),
        valid_from=start,
        valid_until=end,
        fields=dict(fields),
        status_url=status_url(iss, number) if iss.startswith(("https://", "http://")) else None,
    )
