"""Reads of certificates: by number, the holder's wallet, a valid certificate for once-only, and
which fields a verifier may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from tongban.catalogue.models import CertificateType
from tongban.certificates.models import Certificate
from tongban.core import bilingual, countries
from tongban.core.db import Read, select_batch
from tongban.identity.models import Firm, Person


def certificate_by_number(*, number: str) -> Certificate | None:
    return (
        Certificate.objects.select_related("certificate_type", "agency", "applicant_firm").filter(number=number).first()
    )


def certificates_of_case_read(*, case_number: str) -> Read:
    """The certificates (and receipts) a case produced, oldest first, with their type: its result,
    which the case pages show with their download (index cert_case_number). A static read
    (``core.db``), so that the applicant's case page sends it with its own reads in one round trip.
    The caller checks who may see each."""
    return Read(
        Certificate,
        "WHERE t.case_number = %s ORDER BY t.issued_at, t.id",
        [case_number],
        joined=("certificate_type", None),
    )


def certificates_of_case(*, case_number: str) -> list[Certificate]:
    """``certificates_of_case_read``, read on its own."""
    return select_batch(certificates_of_case_read(case_number=case_number))[0]


def person_wallet(*, person: Person) -> QuerySet[Certificate]:
    """Every certificate the person holds, newest first."""
    return (
        Certificate.objects.filter(holder_person=person)
        .select_related("certificate_type", "agency")
        .order_by("-issued_at")
    )


def firm_wallet(*, firm: Firm, areas: list[str]) -> QuerySet[Certificate]:
    """The firm's own certificates and those issued on its applications for its staff, in the areas
    the viewer holds powers for (the rule of ``certificates.permissions.may_view``: a firm's own
    certificate issued outside a case, without an area, to any of its staff)."""
    return (
        Certificate.objects.filter(Q(holder_firm=firm, area__in=[*areas, ""]) | Q(applicant_firm=firm, area__in=areas))
        .select_related("certificate_type", "agency", "holder_person")
        .order_by("-issued_at")
    )


def valid_held(
    *, certificate_type: CertificateType, now: datetime, person: Person | None = None, firm: Firm | None = None
) -> Certificate | None:
    """The newest valid certificate of this type the person (or firm) holds, if any."""
    if person is None and firm is None:
        return None
    held = Certificate.objects.filter(certificate_type=certificate_type, revoked_at__isnull=True, valid_from__lte=now)
    held = held.filter(holder_person=person) if person is not None else held.filter(holder_firm=firm)
    return held.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now)).order_by("-issued_at").first()


@dataclass(frozen=True)
class ShownField:
    """One field as people read it: its value in Chinese and in English (the same text twice
    unless the value is a name with two forms: a country, a firm)."""

    label_zh: str
    label_en: str
    value_zh: str
    value_en: str

    def label(self, language: str) -> str:
        return bilingual.localized(self, "label", language)

    @property
    def value(self) -> str:
        """The value in the active language."""
        return bilingual.localized(self, "value")


#: Sources whose stored value is an ISO 3166-1 code (a field may also say ``"format": "country"``).
COUNTRY_SOURCES = frozenset({"holder.nationality"})


def _values(certificate: Certificate, spec: dict[str, Any], value: Any) -> tuple[str, str]:
    """(Chinese, English) for a stored value: a code by the bilingual labels the type declares for
    the field (``"values": {"operating": {"zh": "开业", "en": "Operating"}}``, the convention of the
    exchange's resources); a country code by its names (core.countries); the
    applying firm's registered name by its English name too, where the firm registered one."""
    text = "" if value is None else str(value)
    label = (spec.get("values") or {}).get(text)  # a code, by the labels its type declares
    if isinstance(label, dict):
        return str(label.get("zh", text)), str(label.get("en", text))
    if text and (spec.get("source") in COUNTRY_SOURCES or spec.get("format") == "country"):
        return countries.country_name(text, "zh"), countries.country_name(text, "en")
    firm = certificate.applicant_firm if certificate.applicant_firm_id else None
    if text and spec.get("source") == "firm.name" and firm is not None and firm.name_zh == text and firm.name_en:
        return text, firm.name_en
    return text, text


def shown_fields(certificate: Certificate, *, public_only: bool) -> list[ShownField]:
    """The certificate's fields in the order its type lists them; verifiers see public ones only."""
    shown: list[ShownField] = []
    for spec in certificate.certificate_type.fields:
        if public_only and not spec.get("public"):
            continue
        label = spec.get("label", {})
        value_zh, value_en = _values(certificate, spec, certificate.fields.get(spec["name"], ""))
        shown.append(ShownField(label.get("zh", spec["name"]), label.get("en", spec["name"]), value_zh, value_en))
    return shown
