"""The ``book_slot`` phase of ``make bench``: the real booking form POST
(``/en/appointments/book/``, session cookie, CSRF cookie and token), 32 connections over the
signed-in applicants, racing for slots of one service spread over bench centres and days.

* :func:`prepare` makes (once) ``BENCH_BOOKING_CENTRES`` centres, each open every day
  08:00-20:00 with two comprehensive windows (two places a slot), sets the service's slot to
  10 minutes, deletes the appointments of earlier runs, and lists the bookable slots over the
  horizon with the app's own ``free_slots`` (calendar, lead time).
* :func:`lines` writes one request per place: each slot's places go to successive people (so
  concurrent connections race for the same slot), and every fourth slot gets one request more
  than it has places, which is answered "slot just taken" (409, counted apart, not an error).
  Each line is used once; a phase that runs out counts as exhausted (the run fails).
* :func:`double_bookings` counts, after the phase, slots holding more places than the centre's
  windows and places held twice: the run fails if it is not zero.
"""

from __future__ import annotations

import os
from datetime import time, timedelta
from typing import Any
from urllib.parse import urlencode

KIND = "book_slot"
TITLE = "book a slot (the real booking form)"
#: A success is a 302 to the appointment; a 409 ("this slot was just taken") is counted apart.
EXPECT = "302:/en/my/appointments/|409"
CENTRES = int(os.environ.get("BENCH_BOOKING_CENTRES", "20"))
WINDOWS = 2
SLOT_MINUTES = 10
MAX_LINES = int(os.environ.get("BENCH_BOOKING_LINES", "60000"))
SERVICE = os.environ.get("BENCH_BOOKING_SERVICE", "si-enrolment")
CENTRE_PREFIX = "bench-c"
#: Diagnostic: BENCH_BOOKING_RACE=0 sends one request per slot (nobody races), to tell the cost of
#: the race (requests waiting on each other's place) from the cost of a booking.
RACE = os.environ.get("BENCH_BOOKING_RACE", "1") != "0"


def prepare() -> dict[str, Any]:
    """The bench centres, the service, and the free slots (centre code, ISO start) to book."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from tongban.catalogue.models import ServiceItem
    from tongban.core.calendar import get_work_calendar
    from tongban.core.clock import now
    from tongban.identity.models import ServiceCentre
    from tongban.service_centres.models import Appointment, OpeningHours, Window, WindowScope
    from tongban.service_centres.selectors import free_slots

    item = ServiceItem.objects.get(code=SERVICE)
    ServiceItem.objects.filter(pk=item.pk).update(window_minutes=SLOT_MINUTES)
    item.window_minutes = SLOT_MINUTES
    Appointment.objects.all().delete()  # earlier runs' (the bench database is the bench's own)
    centres = []
    for n in range(CENTRES):
        centre, made = ServiceCentre.objects.get_or_create(
            code=f"{CENTRE_PREFIX}{n:03d}",
            defaults={
                "name_zh": f"测试服务中心{n}",
                "name_en": f"Bench service centre {n}",
                "address_zh": f"测试路{n}号",
                "address_en": f"{n} Bench Road",
            },
        )
        if made or not OpeningHours.objects.filter(centre=centre).exists():
            OpeningHours.objects.filter(centre=centre).delete()
            OpeningHours.objects.bulk_create(
                OpeningHours(centre=centre, weekday=day, start=time(8), end=time(20)) for day in range(7)
            )
            Window.objects.filter(centre=centre).delete()
            Window.objects.bulk_create(
                Window(centre=centre, number=str(w + 1), scope=WindowScope.COMPREHENSIVE) for w in range(WINDOWS)
            )
        centres.append(centre)
    moment = now()
    first = timezone.localdate(moment) + timedelta(days=1)  # tomorrow on: no lead-time edge
    last = timezone.localdate(moment) + timedelta(days=settings.APPOINTMENT_HORIZON_DAYS)
    slots: list[tuple[str, str, int]] = []
    for centre in centres:
        for slot in free_slots(
            centre=centre, item=item, first=first, last=last, not_before=moment, calendar=get_work_calendar()
        ):
            slots.append((centre.code, slot.start.isoformat(), slot.capacity))
    slots.sort(key=lambda s: (s[1], s[0]))  # the same time at the centres in turn, earliest first
    connection.close()
    return {"item": SERVICE, "slots": slots, "centres": len(centres)}


def lines(applicants: list[Any], prepared: dict[str, Any]) -> list[str]:
    """METHOD, PATH, COOKIE, BODY lines: each slot's places, plus one more every fourth slot."""
    out: list[str] = []
    person = 0
    for index, (centre, starts_at, capacity) in enumerate(prepared["slots"]):
        for _copy in range((capacity + (1 if index % 4 == 0 else 0)) if RACE else 1):
            a = applicants[person % len(applicants)]
            person += 1
            body = urlencode(
                {
                    "csrfmiddlewaretoken": a.csrf_token,
                    "service": prepared["item"],
                    "centre": centre,
                    "starts_at": starts_at,
                }
            )
            out.append(f"POST\t/en/appointments/book/\t{a.cookie}\t{body}")
            if len(out) >= MAX_LINES:
                return out
    return out


def double_bookings() -> dict[str, int]:
    """Slots holding more places than the centre has windows for the service, and places held
    twice, over the appointments not cancelled (both must be 0)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT centre_id, item_id, starts_at, place FROM service_centres_appointment "
            "WHERE status <> 'cancelled' GROUP BY centre_id, item_id, starts_at, place HAVING count(*) > 1) d"
        )
        duplicates = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT a.centre_id, a.starts_at, count(*) AS held, "
            "(SELECT count(*) FROM service_centres_window w WHERE w.centre_id = a.centre_id AND w.active) AS windows "
            "FROM service_centres_appointment a WHERE a.status <> 'cancelled' "
            "GROUP BY a.centre_id, a.item_id, a.starts_at) s WHERE held > windows"
        )
        over = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM service_centres_appointment WHERE status <> 'cancelled'")
        booked = cursor.fetchone()[0]
    connection.close()
    return {"duplicate_places": duplicates, "slots_over_capacity": over, "booked": booked}
