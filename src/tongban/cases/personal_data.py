"""Cases' part of the personal-data export (``core.personal_data``): the cases the person applied
for and those they are concerned by, with their history and materials. A case the person applied
for on a firm's behalf is listed by reference only (number, service, firm, status, dates): its
content is the firm's. Four queries, whatever the number of cases and events."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q

from tongban.cases.models import Case, CaseEvent
from tongban.identity.models import Person


def _event(event: CaseEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "by": event.actor_role,
        "reason": event.reason,
        "legal_basis": event.legal_basis,
    }


def cases_section(person: Person) -> list[dict[str, Any]]:
    cases = (
        Case.objects.filter(Q(applicant=person) | Q(parties__person=person))
        .distinct()
        .select_related("item", "firm")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.order_by("at", "id")),
            "materials",
        )
        .order_by("submitted_at", "id")
    )
    rows: list[dict[str, Any]] = []
    for case in cases:
        role = "applicant" if case.applicant_id == person.pk else "concerned"
        row: dict[str, Any] = {
            "number": case.number,
            "service": case.item.code,
            "role": role,
            "firm": case.firm.uscc if case.firm else None,
            "status": case.status,
            "submitted_at": case.submitted_at,
            "decided_at": case.decided_at,
            "closed_at": case.closed_at,
        }
        if case.firm is None or role == "concerned":
            row["data"] = case.data
            row["decision_reason"] = case.decision_reason
            row["history"] = [_event(event) for event in case.events.all()]
            row["materials"] = [
                {"material": m.material_code, "source": m.source, "removed_at": m.removed_at}
                for m in sorted(case.materials.all(), key=lambda m: m.material_code)
            ]
        rows.append(row)
    return rows
