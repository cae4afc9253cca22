"""The ``display`` phases of ``make bench`` (ADR 0038): the call display's polled update request,
``GET /en/centres/<code>/display/state``, for a centre with ``BENCH_DISPLAY_TICKETS`` [600] tickets
today (two thirds already called) and ``BENCH_DISPLAY_DAYS`` [20] earlier days as busy.

* ``display``: without ``If-None-Match`` — the 200 path, JSON of the last calls: the honest cost
  (every display pays it once per change of the list);
* ``display_304``: with the current ETag — what a display polling every few seconds mostly sends
  between two calls (reference).

Anonymous, without a session cookie, as the screen in the hall is. The tickets are made at run
time (they are "today's"), replacing the bench centre's earlier ones.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

CENTRE = "bench-display"
TICKETS = int(os.environ.get("BENCH_DISPLAY_TICKETS", "600"))
DAYS = int(os.environ.get("BENCH_DISPLAY_DAYS", "20"))
WINDOWS = 12


def prepare() -> dict[str, Any]:
    """The centre, its windows, its tickets of today and of earlier days; the state's ETag."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tongban.core.deadlines import local_date
    from tongban.identity.models import ServiceCentre
    from tongban.portal.views.centre_queue import display_etag
    from tongban.service_centres.models import Ticket, Window, WindowScope
    from tongban.service_centres.ticket_selectors import display_calls

    now = timezone.now()
    today = local_date(now)
    with transaction.atomic():
        centre, _ = ServiceCentre.objects.get_or_create(
            code=CENTRE,
            defaults={
                "name_zh": "基准测试服务中心",
                "name_en": "Bench service centre",
                "address_zh": "—",
                "address_en": "—",
            },
        )
        windows = [
            Window.objects.get_or_create(centre=centre, number=str(n), defaults={"scope": WindowScope.COMPREHENSIVE})[0]
            for n in range(1, WINDOWS + 1)
        ]
        Ticket.objects.filter(centre=centre).delete()
        rows = []
        for back in range(DAYS + 1):
            day = today - timedelta(days=back)
            opened = now - timedelta(days=back, hours=8)
            called = TICKETS * 2 // 3 if back == 0 else TICKETS
            for n in range(TICKETS):
                issued = opened + timedelta(seconds=40 * n)
                rows.append(
                    Ticket(
                        centre=centre,
                        day=day,
                        letter="AB"[n % 3 != 0],
                        number=n + 1,
                        source="kiosk",
                        issued_at=issued,
                        status="done" if n < called else "waiting",
                        window=windows[n % WINDOWS] if n < called else None,
                        first_called_at=issued + timedelta(minutes=9) if n < called else None,
                        called_at=issued + timedelta(minutes=9) if n < called else None,
                        finished_at=issued + timedelta(minutes=17) if n < called else None,
                        calls=1 if n < called else 0,
                    )
                )
        Ticket.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE service_centres_ticket")
    etag = display_etag(CENTRE, today.isoformat(), display_calls(centre_id=centre.pk, day=today))
    connection.close()
    return {"display_path": f"/en/centres/{CENTRE}/display/state", "display_etag": etag, "display_today": TICKETS}


def count_queries(extra: dict[str, Any]) -> dict[str, Any]:
    """Queries of one request of each display kind, in-process (the second of two)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    result: dict[str, Any] = {}
    for kind, headers, expect in (
        ("display", {}, 200),
        ("display_304", {"If-None-Match": extra["display_etag"]}, 304),
    ):
        for _n in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(extra["display_path"], headers=headers)
        if response.status_code != expect:
            raise SystemExit(f"query count: {kind} answered {response.status_code}, not {expect}")
        result[kind] = {"queries": len(captured), "statements": [q["sql"][:160] for q in captured.captured_queries]}
    connection.close()
    return result


def lines(extra: dict[str, Any]) -> dict[str, list[str]]:
    """wrk lines: METHOD, PATH, COOKIE (none), BODY (none), HEADER."""
    path = extra["display_path"]
    return {
        "display": [f"GET\t{path}\t\t"] * 64,
        "display_304": [f"GET\t{path}\t\t\tIf-None-Match: {extra['display_etag']}"] * 64,
    }
