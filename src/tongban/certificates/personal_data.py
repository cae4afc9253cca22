"""Certificates' part of the personal-data export (``core.personal_data``): the e-certificates
issued to the person, with their fields and the signed credential. One query."""

from __future__ import annotations

from typing import Any

from tongban.certificates.models import Certificate
from tongban.identity.models import Person


def certificates_section(person: Person) -> list[dict[str, Any]]:
    certificates = (
        Certificate.objects.filter(holder_person=person)
        .select_related("certificate_type", "agency")
        .order_by("issued_at", "id")
    )
    return [
        {
            "number": certificate.number,
            "type": certificate.certificate_type.code,
            "agency": certificate.agency.code,
            "holder_name_zh": certificate.holder_name_zh,
            "holder_name_en": certificate.holder_name_en,
            "case_number": certificate.case_number,
            "issued_at": certificate.issued_at,
            "valid_from": certificate.valid_from,
            "valid_until": certificate.valid_until,
            "revoked_at": certificate.revoked_at,
            "revoked_reason_code": certificate.revoked_reason_code,
            "fields": certificate.fields,
            "jws": certificate.jws,
        }
        for certificate in certificates
    ]
