"""The certificate a case earns: its structured fields, taken from the sources its type names,
and issuing it in the transaction that approves the case (or files an instant service's case), to
a verified person only (``cases.holders``)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from stdnum.cn import uscc

from tongban.cases.holders import certificate_holder, require_verified_holder
from tongban.cases.models import Case
from tongban.catalogue.models import CertificateType
from tongban.certificates.models import Certificate
from tongban.certificates.services import certificate_issue
from tongban.core.actors import Actor
from tongban.core.masking import mask_identifier
from tongban.identity.models import Person

#: The city's administrative division code, which opens the codes of the firms it registers.
CITY_DIVISION = "310000"


#: GB 11714 weights of the organisation code's eight characters.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def registration_code(case: Case) -> str:
    """The unified social credit code a registration case gives the entity it registers (the
    business licence's ``case.uscc``, ADR 0032): "91" (an enterprise registered by market
    regulation), the city's division code, an organisation code derived from the case number
    with its GB 11714 check character, and the USCC check character. The same case always gives
    the same code."""
    digits = str(int.from_bytes(hashlib.sha256(case.number.encode()).digest()[:8], "big") % 10**8).zfill(8)
    check = 11 - sum(int(digit) * weight for digit, weight in zip(digits, _ORG_WEIGHTS, strict=True)) % 11
    organisation = digits + {10: "X", 11: "0"}.get(check, str(check))
    base = f"91{CITY_DIVISION}{organisation}"
    return base + uscc.calc_check_digit(base)


def certificate_fields(case: Case, certificate_type: CertificateType, holder: Person | None) -> dict[str, Any]:
    """The certificate's structured fields, from the sources its type names (see CertificateType)."""
    points = case.data.get("_points", {})
    values: dict[str, Any] = {}
    for spec in certificate_type.fields:
        source = str(spec.get("source", ""))
        kind, _, name = source.partition(".")
        value: Any = None
        if kind == "data":
            value = case.data.get(name)
        elif kind == "points":
            value = points.get(name)
        elif source == "case.number":
            value = case.number
        elif source == "case.uscc":
            value = registration_code(case)
        elif source == "case.service":
            value = case.version.name_zh
        elif holder is not None and source == "holder.name":
            value = holder.latin_name or holder.name
        elif holder is not None and source == "holder.nationality":
            value = str(holder.nationality)
        elif holder is not None and source == "holder.id_number":
            value = holder.id_number if spec.get("mask") is False else mask_identifier(holder.id_number)
        elif case.firm is not None and source == "firm.name":
            value = case.firm.name_zh
        elif case.firm is not None and source == "firm.uscc":
            value = case.firm.uscc
        if value not in (None, ""):
            values[spec["name"]] = value
    return values


def case_certificate_issue(case: Case, actor: Actor, now: datetime, number: str | None = None) -> Certificate | None:
    """Issue the certificate the case's service declares, in the deciding transaction; only to a
    person whose identity is verified (``cases.holders``: refused otherwise, the decision with it)."""
    certificate_type = case.version.certificate_type
    if certificate_type is None:
        return None
    person, firm = certificate_holder(case)
    if person is None and firm is None:
        return None  # nobody identifiable to hold it (recorded in the case history by the caller)
    if person is not None:
        require_verified_holder(person)
    return certificate_issue(
        certificate_type=certificate_type,
        agency=case.agency,
        fields=certificate_fields(case, certificate_type, person),
        actor=actor,
        now=now,
        holder_person=person,
        holder_firm=firm,
        case_number=case.number,
        applicant_firm=case.firm,
        area=case.area,
        number=number,
        office=case.office,
        four_eyes=case.version.four_eyes,
    )
