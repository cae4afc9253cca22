"""The in-platform provider: the demo city's own registries (population, business, social
security, tax) and the certificates store, answered from the database."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from tongban.certificates.models import Certificate
from tongban.core.db import select_objects
from tongban.exchange.models import BusinessRecord, PopulationRecord, SocialSecurityRecord, TaxRecord
from tongban.exchange.providers.base import Provider, ProviderAnswer, ProviderError, ProviderRequest, register
from tongban.identity.models import Person


def _pick(values: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: values[name] for name in fields if name in values}


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


POPULATION_FIELDS = frozenset(
    {"name", "latin_name", "birth_date", "sex", "nationality", "registered_address", "registered_district"}
)


class PopulationRegistry(Provider):
    code = "internal.population"

    def fetch(self, request: ProviderRequest) -> ProviderAnswer:
        subject = request.subject
        # Unique on (id_type, id_number, nationality): at most one row; only the columns asked for.
        # A static statement per set of columns (core.db): the ORM's compiling cost more than the
        # read itself, and this is every exchange query about a person.
        columns = tuple(name for name in request.fields if name in POPULATION_FIELDS)
        records = select_objects(
            PopulationRecord,
            "WHERE t.id_type = %s AND t.id_number = %s AND t.nationality = %s LIMIT 1",
            [subject.id_type, subject.number, subject.nationality or "CN"],
            fields=columns,
        )
        if not records:
            return ProviderAnswer(values={}, found=False, source="population registry")
        values = {name: _iso(getattr(records[0], name)) for name in columns}
        return ProviderAnswer(values=values, source="population registry")


class BusinessRegistry(Provider):
    code = "internal.business"

    def fetch(self, request: ProviderRequest) -> ProviderAnswer:
        record = BusinessRecord.objects.filter(uscc=request.subject.number).first()
        if record is None:
            return ProviderAnswer(values={}, found=False, source="business registry")
        values = {
            "name_zh": record.name_zh,
            "name_en": record.name_en,
            "firm_type": record.firm_type,
            "legal_representative_id_number": record.legal_representative_id_number,
            "registered_capital_yuan": record.registered_capital_yuan,
            "established_on": _iso(record.established_on),
            "status": record.status,
            "address": record.address,
        }
        return ProviderAnswer(values=_pick(values, request.fields), source="business registry")


class SocialSecurityRegistry(Provider):
    code = "internal.social_security"

    def fetch(self, request: ProviderRequest) -> ProviderAnswer:
        subject = request.subject
        record = (
            SocialSecurityRecord.objects.filter(id_number=subject.number, nationality=subject.nationality or "CN")
            .order_by("-enrolled_on")
            .first()
        )
        if record is None:
            return ProviderAnswer(values={}, found=False, source="social security records")
        values = {
            "employer_uscc": record.employer_uscc,
            "enrolled_on": _iso(record.enrolled_on),
            "months_contributed": record.months_contributed,
            "status": record.status,
        }
        return ProviderAnswer(values=_pick(values, request.fields), source="social security records")


class TaxRegistry(Provider):
    code = "internal.tax"

    def fetch(self, request: ProviderRequest) -> ProviderAnswer:
        record = TaxRecord.objects.filter(taxpayer=request.subject.key).first()
        if record is None:
            return ProviderAnswer(values={}, found=False, source="tax records")
        values = {
            "clearance": record.clearance,
            "last_filing_on": _iso(record.last_filing_on),
            "arrears_yuan": record.arrears_yuan,
        }
        return ProviderAnswer(values=_pick(values, request.fields), source="tax records")


class CertificatesStore(Provider):
    """Resources ``certificate.<type code>``: the subject's newest valid certificate of that type."""

    code = "internal.certificates"

    def fetch(self, request: ProviderRequest) -> ProviderAnswer:
        prefix, _, type_code = request.resource.partition(".")
        if prefix != "certificate" or not type_code:
            raise ProviderError("bad_response", f"not a certificate resource: {request.resource}")
        now = timezone.now()
        held = Certificate.objects.filter(
            certificate_type__code=type_code, revoked_at__isnull=True, valid_from__lte=now
        )
        held = held.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        if request.subject.kind == "firm":
            held = held.filter(holder_firm__uscc=request.subject.number)
        else:
            person = (
                Person.objects.with_id_number(request.subject.number)
                .filter(
                    id_type=request.subject.id_type,
                    **({"nationality": request.subject.nationality} if request.subject.nationality else {}),
                )
                .first()
            )
            if person is None:
                return ProviderAnswer(values={}, found=False, source="e-certificates")
            held = held.filter(holder_person=person)
        certificate = held.select_related("agency").order_by("-issued_at").first()
        if certificate is None:
            return ProviderAnswer(values={}, found=False, source="e-certificates")
        values = {
            "number": certificate.number,
            "valid_until": _iso(certificate.valid_until),
            "issued_on": _iso(certificate.issued_at),
            "agency": certificate.agency.name_en,
            **certificate.fields,
        }
        return ProviderAnswer(values=_pick(values, request.fields), source=f"e-certificate {certificate.number}")


for provider in (
    PopulationRegistry(),
    BusinessRegistry(),
    SocialSecurityRegistry(),
    TaxRegistry(),
    CertificatesStore(),
):
    register(provider)
