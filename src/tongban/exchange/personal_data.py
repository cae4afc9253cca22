"""The exchange's part of the personal-data export (``core.personal_data``): every access to the
person's data through the exchange (the access log about them, the "Who used my data" page in
full) and the consents they gave. Two queries, whatever the number of entries."""

from __future__ import annotations

from typing import Any

from tongban.exchange.models import AccessLogEntry, Consent
from tongban.exchange.services import subject_of
from tongban.identity.models import Person


def data_exchange_section(person: Person) -> dict[str, Any]:
    _subject, ref = subject_of(person=person)
    entries = AccessLogEntry.objects.filter(subject_ref=ref).order_by("id")
    consents = Consent.objects.filter(person=person).select_related("consumer", "resource").order_by("given_at", "id")
    return {
        "accesses": [
            {
                "at": entry.at,
                "agency": entry.consumer,
                "resource": entry.resource,
                "fields": entry.fields,
                "purpose": entry.purpose,
                "basis": entry.basis,
                "case_number": entry.case_number,
                "outcome": entry.outcome,
                "reason": entry.reason,
            }
            for entry in entries.iterator(chunk_size=2000)
        ],
        "consents": [
            {
                "agency": consent.consumer.code,
                "resource": consent.resource.code,
                "purpose": consent.purpose,
                "given_at": consent.given_at,
                "expires_at": consent.expires_at,
                "withdrawn_at": consent.withdrawn_at,
            }
            for consent in consents
        ],
    }
