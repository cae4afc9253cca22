"""Appointments' part of the personal-data export (``core.personal_data``): every appointment the
person held, with its centre, service, slot, status and what it was linked to. One query."""

from __future__ import annotations

from typing import Any

from tongban.identity.models import Person
from tongban.service_centres.models import Appointment


def appointments_section(person: Person) -> list[dict[str, Any]]:
    rows = (
        Appointment.objects.filter(person=person)
        .select_related("centre", "item", "firm", "case", "application")
        .order_by("starts_at", "id")
    )
    return [
        {
            "code": row.code,
            "centre": row.centre.code,
            "service": row.item.code,
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "status": row.status,
            "firm": row.firm.uscc if row.firm else None,
            "case": row.case.number if row.case else None,
            "application": str(row.application.public_id) if row.application else None,
            "language": row.language,
            "booked_at": row.created_at,
            "cancelled_at": row.cancelled_at,
            "reminded_at": row.reminded_at,
        }
        for row in rows
    ]
