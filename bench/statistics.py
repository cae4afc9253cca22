"""The ``statistics`` phase of ``make bench`` (issue 17, ADR 0043): the public statistics page,
``GET /en/statistics/`` — first view, no filter, anonymous — at the bench's 1 M cases.

The fact tables are filled by the real catch-up (``tongban.statistics.services.facts_catch_up``)
over the generated history (``fill``, called once the data set exists): the first run after
generating reads every case event, person and firm (minutes); later runs find the watermarks at
the end and return at once. Target: p95 at most 2x ``floor_read``'s p95 — only possible because
the page reads the fact tables and never a case (``count_queries`` fails the run if a query of
the page names ``cases_case``).
"""

from __future__ import annotations

import time
from typing import Any

KIND = "statistics"
TITLE = "public statistics page (facts of 1 M cases)"
EXPECT = "200"
PATH = "/en/statistics/"
#: Source rows per catch-up transaction while filling (the scheduled task uses the setting).
FILL_BATCH = 20_000
TARGET = ("statistics_p95_vs_floor_read_p95", 2.0, "public statistics page p95 / floor read p95 (at most)")


def fill(say: Any = print) -> dict[str, Any]:
    """Bring the fact tables up to date with the data set (the real catch-up, timed)."""
    from django.db import connection
    from django.utils import timezone

    from tongban.statistics.services import facts_catch_up

    started = time.monotonic()
    read = facts_catch_up(
        now=timezone.now(),
        batch_size=FILL_BATCH,
        progress=lambda stream, rows: None,
    )
    seconds = round(time.monotonic() - started, 1)
    say(f"  statistics catch-up: {sum(read.values())} new source rows in {seconds} s ({read})")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE statistics_casefact, statistics_completionfact, statistics_materialfact")
    connection.close()
    return {"statistics_path": PATH, "statistics_fill_seconds": seconds, "statistics_rows_read": read}


def count_queries(extra: dict[str, Any]) -> dict[str, Any]:
    """Queries of one request of the page, in-process (the second of two); no case table."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for _n in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(extra["statistics_path"])
    if response.status_code != int(EXPECT):
        raise SystemExit(f"query count: {KIND} answered {response.status_code}, not {EXPECT}")
    if any("cases_case" in query["sql"] for query in captured.captured_queries):
        raise SystemExit("the statistics page read the cases table: it must read the fact tables only")
    connection.close()
    return {KIND: {"queries": len(captured), "statements": [q["sql"][:160] for q in captured.captured_queries]}}


def lines(extra: dict[str, Any]) -> dict[str, list[str]]:
    """wrk lines: METHOD, PATH, COOKIE (none: a visitor), BODY (none)."""
    return {KIND: [f"GET\t{extra['statistics_path']}\t\t"] * 64}
