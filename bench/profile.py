"""Profile where one request's time goes, in-process, on the bench database (not part of make bench).

    DJANGO_SETTINGS_MODULE=bench.settings uv run python -m bench.profile submit 200
    DJANGO_SETTINGS_MODULE=bench.settings uv run python -m bench.profile case_read 500
    BENCH_PROFILE_WSGI=1 DJANGO_SETTINGS_MODULE=bench.settings uv run python -m bench.profile my_cases 500
    BENCH_PROFILE_SQL=1 DJANGO_SETTINGS_MODULE=bench.settings uv run python -m bench.profile book_slot 200  # + each statement
    BENCH_PROFILE_WRITES=1 DJANGO_SETTINGS_MODULE=bench.settings uv run python -m bench.profile submit 50

Runs the request ``N`` times through Django's test client (the whole middleware stack, the real
database) — or, with ``BENCH_PROFILE_WSGI=1`` and a GET kind, straight through Django's WSGI
handler as granian calls it, without the test client's own bookkeeping — under cProfile after a warm-up, then prints the functions with the most cumulative and
own time, and the split between time spent waiting for PostgreSQL and time in Python. Needs the
data set from ``bench.generate`` (``make bench`` makes it).

``BENCH_PROFILE_WRITES=1`` instead counts the rows each request writes, per table: the ``N``
requests run inside one transaction, PostgreSQL's ``pg_stat_xact_user_tables`` is read before it
is rolled back (the capacity model in docs/scaling.md; the test client keeps the connection).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import sys
import time
import traceback
from typing import Any
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench import generate, run


class _WsgiResponse:
    def __init__(self, status: str, headers: list[tuple[str, str]]) -> None:
        self.status_code = int(status.split(maxsplit=1)[0])
        self.headers = dict(headers)


class _WsgiClient:
    """GET requests straight into Django's WSGI handler, with the session cookie, as a server would."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()
        self.cookies: dict[str, str] = {}

    def get(self, path: str, params: dict[str, str] | None = None) -> _WsgiResponse:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": urlencode(params or {}),
            "SERVER_NAME": run.HOST,
            "SERVER_PORT": "80",
            "HTTP_HOST": run.HOST,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "HTTP_COOKIE": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
        }
        started: list[_WsgiResponse] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            started.append(_WsgiResponse(status, headers))

        b"".join(self.handler(environ, start_response))  # type: ignore[arg-type]
        return started[0]


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "case_read"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    meta = generate.ensure()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    applicants, extra = run.prepare(meta)
    if kind.startswith("book_slot"):
        from bench import booking

        extra["booking"] = booking.prepare()
    if kind == "review":
        from bench import review

        extra["review"] = review.prepare(applicants)
    client: Any = Client(HTTP_HOST=run.HOST)  # one client: one middleware chain, as in a server process
    if os.environ.get("BENCH_PROFILE_WSGI") == "1":
        if kind in ("submit", "floor_write", "baseline_insert"):
            raise SystemExit("BENCH_PROFILE_WSGI profiles GET kinds only (a submit needs the CSRF dance)")
        client = _WsgiClient()
    staff = applicants[: extra["big_firm_staff"]]

    def request(i: int) -> None:
        applicant = staff[i % len(staff)]
        client.cookies["sessionid"] = applicant.session_key
        if hasattr(client.cookies, "pop"):
            client.cookies.pop("messages", None)  # as wrk: no flash message piles up from the last submit
        if kind == "submit":
            response = client.post(f"/en/applications/{applicant.drafts.pop()}/submit/")
            assert response.status_code == 302 and "/my/cases/" in response["Location"], response.status_code
        elif kind == "case_read":
            response = client.get(f"/en/my/cases/{applicant.cases[i % len(applicant.cases)]}/")
        elif kind == "floor_read":
            response = client.get(f"/bench/floor/read/{applicant.cases[i % len(applicant.cases)]}")
        elif kind == "floor_write":
            response = client.post("/bench/floor/write", {"value": f"profile-{i}"})
        elif kind == "baseline_insert":
            response = client.post("/bench/baseline/insert", {"value": f"profile-{i}"})
        elif kind == "my_cases":
            response = client.get(f"/en/my/firms/{extra['big_firm_uscc']}/cases/")
        elif kind == "search":
            terms = extra["search_terms"]
            response = client.get("/en/services/", {"q": terms[i % len(terms)]})
        elif kind == "exchange":
            people = extra["exchange_people"]
            response = client.get(f"/bench/exchange/{people[i % len(people)]}")
        elif kind in ("book_slot", "book_slot_taken"):  # _taken: the same slot again and again (409)
            centre, starts_at, _places = extra["booking"]["slots"][0 if kind == "book_slot_taken" else i]
            response = client.post(
                "/en/appointments/book/",
                {"service": extra["booking"]["item"], "centre": centre, "starts_at": starts_at},
            )
        elif kind == "review":  # the applicant's own closed cases, each rated once
            numbers = extra["review"]["cases"][applicant.person_id]
            response = client.post(f"/en/my/cases/{numbers.pop()}/rating/", review.form(i, ""))
        elif kind == "baseline_read":
            response = client.get(f"/bench/baseline/read/{1 + i}")
        else:
            raise SystemExit(f"unknown kind {kind}")
        assert response.status_code in (200, 302, 409), response.status_code

    for i in range(20):
        request(i)
    if os.environ.get("BENCH_PROFILE_WRITES") == "1":
        count_writes(kind, count, request)
        return
    db_seconds = 0.0
    per_statement: dict[str, list[float]] = {}

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal db_seconds
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            db_seconds += spent
            if (needle := os.environ.get("BENCH_PROFILE_STACK")) and needle in sql:  # who runs it
                traceback.print_stack(limit=14)
                os.environ.pop("BENCH_PROFILE_STACK")
            per_statement.setdefault(re.sub(r"_x\d+", "", " ".join(sql.split()))[:110], []).append(spent)

    # First without the profiler: wall time, time waiting for PostgreSQL, time rendering templates.
    from django.template.backends.django import Template

    render_seconds = 0.0
    original_render = Template.render

    def timed_render(self, context=None, request=None):  # type: ignore[no-untyped-def]
        nonlocal render_seconds
        started = time.perf_counter()
        try:
            return original_render(self, context, request)
        finally:
            render_seconds += time.perf_counter() - started

    Template.render = timed_render  # type: ignore[method-assign]
    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        for i in range(count):
            request(i + 20 + count)
    plain_wall = time.perf_counter() - started
    Template.render = original_render  # type: ignore[method-assign]
    if os.environ.get("BENCH_PROFILE_SQL") == "1":  # each statement: calls per request, mean ms
        for sql, spent in sorted(per_statement.items(), key=lambda item: -sum(item[1])):
            sys.stdout.write(f"{len(spent) / count:5.2f}/req {1000 * sum(spent) / len(spent):7.2f} ms  {sql}\n")
    plain = (
        f"{kind}: {count} requests without the profiler: {1000 * plain_wall / count:.2f} ms each, of which waiting for "
        f"PostgreSQL {1000 * db_seconds / count:.2f} ms and rendering templates {1000 * render_seconds / count:.2f} ms "
        f"(template time includes the queries run while rendering)\n"
    )
    db_seconds = 0.0
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        profiler.enable()
        for i in range(count):
            request(i + 20)
        profiler.disable()
        if os.environ.get("BENCH_PROFILE_DUMP"):  # for pstats: callers, our functions only, ...
            profiler.dump_stats(os.environ["BENCH_PROFILE_DUMP"])
    wall = time.perf_counter() - started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    sys.stdout.write(out.getvalue())
    sys.stdout.write("\n" + plain)
    sys.stdout.write(
        f"{kind}: {count} requests in {wall:.2f} s = {1000 * wall / count:.2f} ms each (under the profiler); "
        f"waiting for PostgreSQL {1000 * db_seconds / count:.2f} ms each\n"
    )


def count_writes(kind: str, count: int, request: Any) -> None:
    """Rows inserted, updated and deleted per request, per table, in one rolled-back transaction."""
    from django.db import connection, transaction

    with transaction.atomic():
        for i in range(count):
            request(i + 1000)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables "
                "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY relname"
            )
            rows = cursor.fetchall()
        transaction.set_rollback(True)
    total = 0
    for table, inserted, updated, deleted in rows:
        total += inserted + updated + deleted
        sys.stdout.write(
            f"{kind}: {table:<40} {inserted / count:>6.2f} inserted {updated / count:>6.2f} updated "
            f"{deleted / count:>6.2f} deleted per request\n"
        )
    sys.stdout.write(f"{kind}: {total / count:.2f} rows written per request ({count} requests, rolled back)\n")


if __name__ == "__main__":
    main()
