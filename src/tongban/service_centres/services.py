"""Writes about a centre's opening and windows, for city operators (and the installation's
loaders): each in one transaction with an audit event, refused to anyone else.

Back-office pages for these are still to come; the services are the one way to change the rows.
Appointments' writes live in ``service_centres.appointments`` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.audit.services import audit_record
from tongban.catalogue.models import ServiceItem
from tongban.core.actors import Actor
from tongban.identity.models import Agency, ServiceCentre
from tongban.identity.permissions import Editor, require_city_operator
from tongban.service_centres.appointments import (
    Booking,
    SlotTakenError,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointments_mark_no_show,
    appointments_remind,
)
from tongban.service_centres.models import OpeningException, OpeningHours, Window, WindowScope
from tongban.service_centres.slots import Interval

HoursRow = tuple[int, time, time]

__all__ = [
    "Booking",
    "HoursRow",
    "SlotTakenError",
    "appointment_book",
    "appointment_cancel",
    "appointment_reschedule",
    "appointments_mark_no_show",
    "appointments_remind",
    "opening_exception_clear",
    "opening_exception_set",
    "opening_hours_replace",
    "window_save",
]


def _require_operator(editor: Editor) -> None:
    require_city_operator(account=editor, message=_("Only city operators edit service centres' hours and windows."))


def _check_intervals(intervals: Sequence[Interval], field: str) -> None:
    """Intervals of one day must not overlap (``Interval`` itself refuses an end before a start)."""
    ordered = sorted(intervals)
    for before, after in pairwise(ordered):
        if after.start < before.end:
            raise ValidationError({field: _("Opening intervals of the same day must not overlap.")})


def _intervals(rows: Iterable[tuple[time, time]], field: str) -> list[Interval]:
    try:
        return [Interval(start, end) for start, end in rows]
    except ValueError as exc:
        raise ValidationError({field: _("An opening interval must end after it starts.")}) from exc


def _text(rows: Iterable[HoursRow]) -> list[str]:
    return [f"{weekday} {start:%H:%M}-{end:%H:%M}" for weekday, start, end in sorted(rows)]


@transaction.atomic
def opening_hours_replace(
    *, centre: ServiceCentre, rows: Sequence[HoursRow], editor: Editor, actor: Actor
) -> list[OpeningHours]:
    """Replace the centre's whole week with ``rows`` ((weekday 0-6, start, end); several a day)."""
    _require_operator(editor)
    centre = ServiceCentre.objects.select_for_update().get(pk=centre.pk)
    for weekday in {row[0] for row in rows}:
        if not 0 <= weekday <= 6:  # Monday to Sunday
            raise ValidationError({"weekday": _("A weekday is 0 (Monday) to 6 (Sunday).")})
        _check_intervals(_intervals(((s, e) for d, s, e in rows if d == weekday), "hours"), "hours")
    current = OpeningHours.objects.filter(centre=centre)
    before = _text((row.weekday, row.start, row.end) for row in current)
    after = _text(rows)
    if before == after:
        return list(current)
    current.delete()
    made = OpeningHours.objects.bulk_create(
        OpeningHours(centre=centre, weekday=weekday, start=start, end=end) for weekday, start, end in rows
    )
    audit_record(
        action="service_centres.hours_replaced",
        actor=actor,
        object_type="service_centre",
        object_id=centre.code,
        data={"hours": after, "before": before},
    )
    return made


@transaction.atomic
def opening_exception_set(
    *,
    centre: ServiceCentre,
    day: date,
    intervals: Sequence[tuple[time, time]],
    note_zh: str = "",
    note_en: str = "",
    editor: Editor,
    actor: Actor,
) -> list[OpeningException]:
    """Set what the centre does on ``day``: closed (no ``intervals``) or open in ``intervals``,
    whatever its week and the calendar say; replaces an earlier exception for that date."""
    _require_operator(editor)
    centre = ServiceCentre.objects.select_for_update().get(pk=centre.pk)
    parsed = _intervals(intervals, "intervals")
    _check_intervals(parsed, "intervals")
    OpeningException.objects.filter(centre=centre, date=day).delete()
    notes = {"note_zh": note_zh.strip(), "note_en": note_en.strip()}
    rows = (
        [OpeningException(centre=centre, date=day, closed=True, **notes)]
        if not parsed
        else [OpeningException(centre=centre, date=day, start=i.start, end=i.end, **notes) for i in parsed]
    )
    for row in rows:
        row.full_clean(validate_unique=False, validate_constraints=False)
    made = OpeningException.objects.bulk_create(rows)
    audit_record(
        action="service_centres.exception_set",
        actor=actor,
        object_type="service_centre",
        object_id=centre.code,
        data={"date": day.isoformat(), "intervals": [f"{i.start:%H:%M}-{i.end:%H:%M}" for i in parsed], **notes},
    )
    return made


@transaction.atomic
def opening_exception_clear(*, centre: ServiceCentre, day: date, editor: Editor, actor: Actor) -> None:
    """Remove the centre's exception for ``day`` (its week and the calendar apply again)."""
    _require_operator(editor)
    rows = OpeningException.objects.filter(centre=centre, date=day)
    if not rows.exists():  # nothing to remove: no write, so nothing to audit
        return
    deleted, _rows = rows.delete()
    if deleted:
        audit_record(
            action="service_centres.exception_cleared",
            actor=actor,
            object_type="service_centre",
            object_id=centre.code,
            data={"date": day.isoformat()},
        )


@transaction.atomic
def window_save(
    *,
    centre: ServiceCentre,
    number: str,
    scope: str,
    label_zh: str = "",
    label_en: str = "",
    agencies: Sequence[Agency] = (),
    services: Sequence[ServiceItem] = (),
    active: bool = True,
    editor: Editor,
    actor: Actor,
) -> Window:
    """Create or change the centre's window ``number``: its labels, scope (with the agencies or
    services the scope lists) and whether it is open."""
    _require_operator(editor)
    if scope not in WindowScope.values:
        raise ValidationError({"scope": _("Choose what the window handles.")})
    if scope == WindowScope.AGENCIES and not agencies:
        raise ValidationError({"agencies": _("Choose at least one agency.")})
    if scope == WindowScope.SERVICES and not services:
        raise ValidationError({"services": _("Choose at least one service.")})
    window = Window.objects.select_for_update().filter(centre=centre, number=number).first()
    window = window or Window(centre=centre, number=number)
    window.label_zh, window.label_en, window.scope, window.active = label_zh.strip(), label_en.strip(), scope, active
    window.full_clean(validate_unique=False, validate_constraints=False)
    window.save()
    window.agencies.set(agencies if scope == WindowScope.AGENCIES else [])
    window.services.set(services if scope == WindowScope.SERVICES else [])
    audit_record(
        action="service_centres.window_saved",
        actor=actor,
        object_type="service_centre",
        object_id=centre.code,
        data={
            "window": number,
            "scope": scope,
            "active": active,
            "label_zh": window.label_zh,
            "label_en": window.label_en,
            "agencies": sorted(agency.code for agency in agencies) if scope == WindowScope.AGENCIES else [],
            "services": sorted(item.code for item in services) if scope == WindowScope.SERVICES else [],
        },
    )
    return window
