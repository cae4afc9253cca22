"""The benchmark driver behind ``make bench`` (see bench/README.md).

1. ``bench.generate.ensure()``: reuse or make the data set in its own PostgreSQL database.
2. Prepare: a Django session for each of the applicants (the sessions ``login()`` would make),
   complete draft applications of the instant service ``si-enrolment`` for the submit phase
   (bulk-inserted, a sample checked with the app's own ``completeness_errors``), the case numbers
   each applicant may read, the firm-staff sessions, search terms, baseline row ids.
3. Count the SQL queries of one request of each kind in-process (``CaptureQueriesContext``).
4. Start granian (WSGI, 2 workers x 8 blocking threads) with ``DJANGO_SETTINGS_MODULE=bench.settings``,
   the django-tasks database worker and the audit sealer, as ``make run`` does.
5. Log a few applicants in through the real login form (Argon2) and fetch a CSRF token per
   session the way a browser does: GET the review page, read the ``csrftoken`` cookie and the
   form's ``csrfmiddlewaretoken``.
6. Drive with wrk (2 threads, 32 connections, on loopback): warm-up, then twice in turn
   baseline insert, floor write, submit, baseline read, floor read, case read, firm's cases,
   catalogue search, exchange; after each phase wait until the background worker and the sealer
   have caught up (timed and reported).
7. Print a table and the targets; write bench/results.json. Exit 1 only if the run itself failed
   (more than 1 % bad responses in a phase, drafts ran out, a process died).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import booking, display, generate, review  # noqa: E402
from bench import statistics as statistics_phase  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8901"))
PHASE_SECONDS = int(os.environ.get("BENCH_PHASE_SECONDS", "15"))
WARMUP_SECONDS = int(os.environ.get("BENCH_WARMUP_SECONDS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WRK_THREADS = int(os.environ.get("BENCH_WRK_THREADS", "2"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
BLOCKING_THREADS = int(os.environ.get("BENCH_BLOCKING_THREADS", "8"))
DRAFTS_PER_APPLICANT = int(os.environ.get("BENCH_DRAFTS_PER_APPLICANT", "24"))
BACKGROUND = os.environ.get("BENCH_BACKGROUND", "1") not in ("0", "")
START_SECONDS = int(os.environ.get("BENCH_START_SECONDS", "60"))  # a loaded machine starts slowly
DRAIN_TIMEOUT = float(os.environ.get("BENCH_DRAIN_TIMEOUT", "60"))
HOST = "127.0.0.1"
BASE = f"http://{HOST}:{PORT}"
MAX_ERROR_RATE = 0.01

#: Phase kinds in the order they alternate; (results key, title, expected response).
KINDS = {
    "baseline_insert": ("bare view: insert one row", "200"),
    "floor_write": ("floor: signed in, one row + its audit", "200"),
    "submit": ("submit an application (si-enrolment)", "302:/en/my/cases/"),
    booking.KIND: (booking.TITLE, booking.EXPECT),
    review.KIND: (review.TITLE, review.EXPECT),  # bench/review.py
    "baseline_read": ("bare view: read one row by key", "200"),
    "floor_read": ("floor: signed in, one owned case's status", "200"),
    "case_read": ("read one of my cases", "200"),
    "my_cases": ("firm's cases (10k-case firm)", "200"),
    "search": ("catalogue search (5,000 services)", "200"),
    "exchange": ("exchange query (grant + registry + log)", "200"),
    "display": ("call display update (200, 600 today)", "200"),  # bench/display.py
    "display_304": ("call display update (If-None-Match: 304)", "304"),
    statistics_phase.KIND: (statistics_phase.TITLE, statistics_phase.EXPECT),  # bench/statistics.py
}
#: Reference ratios, not targets: the floors show what no signed-in page can go below here.
FLOORS = (
    ("floor_write_vs_baseline", "floor write rps / baseline insert rps: the least a signed-in, audited write can do"),
    ("submit_vs_baseline", "submit rps / baseline insert rps (the case issue's first target, restated by issue 18)"),
    ("floor_read_vs_baseline", "floor read rps / baseline read rps: the least a signed-in case read can do"),
    ("case_read_vs_baseline", "case read rps / baseline read rps (restated by issue 18 against the floor)"),
)
TARGETS = (
    # Issue 18 restated the case issue's two targets against the floors (ADR 0017): no signed-in
    # page can reach the bare views.
    ("submit_vs_floor", 0.5, "submit rps / floor write rps"),
    ("case_read_vs_floor", 0.7, "case read rps / floor read rps"),
    ("my_cases_p95_vs_read_p95", 3.0, "firm's cases p95 / baseline read p95 (at most)"),
    ("search_p95_vs_read_p95", 3.0, "catalogue search p95 / baseline read p95 (at most)"),
    ("exchange_vs_baseline_read", 0.3, "exchange query rps / baseline read rps"),
    ("book_slot_vs_floor_write", 0.5, "book slot rps (places taken + just-taken answers) / floor write rps"),
    ("review_vs_floor_write", 0.6, "rating form posts rps / floor write rps"),
    ("display_p95_vs_floor_read_p95", 2.0, "call display update (200 path) p95 / floor read p95 (at most)"),
    statistics_phase.TARGET,
)
#: Only these phases (comma-separated kinds), e.g. BENCH_KINDS=floor_write,book_slot for a quick look.
ONLY = [kind for kind in os.environ.get("BENCH_KINDS", "").split(",") if kind]
#: Where the results go (``make bench-scale`` gives each run its own file).
RESULTS = Path(os.environ.get("BENCH_RESULTS", str(BENCH_DIR / "results.json")))
#: Also write every phase of every round with its latency histogram (``raw_phases``), so that
#: runs can be merged exactly (``bench.scale``).
RAW_PHASES = os.environ.get("BENCH_RAW_PHASES", "0") not in ("0", "")


def say(message: str = "") -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------------------------
# Preparation in the database


@dataclass
class Applicant:
    index: int
    account_id: int
    person_id: int
    username: str
    session_key: str = ""
    csrf_cookie: str = ""
    csrf_token: str = ""
    drafts: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)

    @property
    def cookie(self) -> str:
        cookie = f"sessionid={self.session_key}"
        return f"{cookie}; csrftoken={self.csrf_cookie}" if self.csrf_cookie else cookie


def prepare(meta: dict[str, Any]) -> tuple[list[Applicant], dict[str, Any]]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.models import BaselineRow
    from tongban.cases.models import Case
    from tongban.cases.services import completeness_errors
    from tongban.catalogue.models import ServiceVersion
    from tongban.forms.models import Application
    from tongban.forms.selectors import form_of
    from tongban.identity.models import Account, Firm, Person
    from tongban.portal.views.auth import BACKEND

    sizes = meta["sizes"]
    count = sizes["applicants"]
    first_person, first_account, first_firm = meta["first_person_id"], meta["first_account_id"], meta["first_firm_id"]
    version_id = meta["si_enrolment_version_id"]
    applicants = [Applicant(i, first_account + i, first_person + i, f"bench.p{i:06d}") for i in range(count)]
    started = time.monotonic()
    # Leftovers of earlier runs: unused drafts and sessions (this database is the bench's own).
    Application.objects.filter(
        status="draft", version_id=version_id, person_id__gte=first_person, person_id__lt=first_person + count
    ).delete()
    Session.objects.all().delete()

    account = Account.objects.get(pk=first_account)
    auth_hash = account.get_session_auth_hash()  # one password hash for all generated accounts
    session_store = import_module(settings.SESSION_ENGINE).SessionStore  # as login() makes them
    for applicant in applicants:
        store = session_store()
        store[SESSION_KEY] = str(applicant.account_id)
        store[BACKEND_SESSION_KEY] = BACKEND
        store[HASH_SESSION_KEY] = auth_hash
        store.create()
        applicant.session_key = store.session_key or ""
    say(f"  {count} sessions created ({time.monotonic() - started:.1f} s)")

    # Complete drafts of si-enrolment: the employer is the applicant's firm (they hold its
    # social-security power), the new employee a registered person (so the case gets a party).
    firms = {f.pk: f for f in Firm.objects.filter(pk__gte=first_firm, pk__lt=first_firm + count)}
    pool_first = first_person + sizes["applicants"] + sizes["firms"]
    pool_size = sizes["persons"] - sizes["applicants"] - sizes["firms"]
    employees = {
        p.pk: p
        for p in Person.objects.filter(pk__gte=pool_first, pk__lt=pool_first + min(pool_size, 50_000)).only(
            "pk", "id_number", "name"
        )
    }
    employee_ids = sorted(employees)
    today = time.strftime("%Y-%m-%d")
    start_on = (timezone.localdate() - timedelta(days=3)).isoformat()
    rows = []
    power_ids = meta["applicant_power_ids"]
    for d in range(DRAFTS_PER_APPLICANT):
        for applicant in applicants:
            firm = firms[first_firm + applicant.index]
            employee = employees[employee_ids[(applicant.index * DRAFTS_PER_APPLICANT + d) % len(employee_ids)]]
            public_id = uuid.uuid4()
            data = {
                "firm_name": firm.name_zh,
                "uscc": firm.uscc,
                "employee_id_type": "resident_id",
                "employee_id_number": employee.id_number,
                "employee_name": employee.name,
                "start_on": start_on,
                "contribution_base": 8000 + (applicant.index * 37 + d * 101) % 20000,
            }
            sources = {"firm_name": "firm.name_zh", "uscc": "firm.uscc"}
            rows.append((public_id, applicant, firm.pk, power_ids[applicant.index], data, sources))
            applicant.drafts.append(str(public_id))
    from psycopg.types.json import Jsonb

    from tongban.core.crypto import encrypt_json

    # The drafts' data encrypted as EncryptedJSONField stores it (ADR 0029).
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy(
            "COPY forms_application (public_id, person_id, firm_id, power_id, version_id, status, data, sources, step, "
            "created_at, updated_at, looked_up_for, channel) FROM STDIN"
        ) as copy:
            for public_id, applicant, firm_id, power_id, data, sources in rows:
                copy.write_row(
                    (
                        public_id,
                        applicant.person_id,
                        firm_id,
                        power_id,
                        version_id,
                        "draft",
                        encrypt_json(data, table="forms_application", column="data"),
                        Jsonb(sources),
                        4,
                        "now",
                        "now",
                        "",
                        "online",
                    )
                )
    form = form_of(ServiceVersion.objects.get(pk=version_id))
    for public_id in random.Random(1).sample(  # noqa: S311 - a reproducible sample, not a secret
        [r[0] for r in rows], 5
    ):
        draft = Application.objects.get(public_id=public_id)
        errors = completeness_errors(draft, form, today=timezone.localdate())
        if errors:
            raise SystemExit(f"a prepared draft is not complete: {errors}")
    say(f"  {len(rows)} complete si-enrolment drafts ({time.monotonic() - started:.1f} s; {today})")

    # Each applicant's own cases (their individual applications), for the case-read phase.
    own = (
        Case.objects.filter(applicant_id__gte=first_person, applicant_id__lt=first_person + count, firm__isnull=True)
        .order_by("applicant_id", "id")
        .values_list("applicant_id", "number")
    )
    by_person = {a.person_id: a for a in applicants}
    for person_id, number in own.iterator(chunk_size=5000):
        by_person[person_id].cases.append(number)
    max_row = BaselineRow.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    extra = {
        "big_firm_uscc": meta["big_firm_uscc"],
        "big_firm_staff": sizes["big_firm_staff"],
        "baseline_ids": random.Random(2).choices(range(1, min(max_row, sizes["baseline_rows"]) + 1), k=20_000),  # noqa: S311
        "search_terms": meta["search_terms"],
    }
    say(f"  {sum(len(a.cases) for a in applicants)} own cases to read ({time.monotonic() - started:.1f} s)")
    extra["exchange_people"] = prepare_exchange(list(employees.values()), applicants[0].account_id)
    say(
        f"  {len(extra['exchange_people'])} people on the population registry, readable through the exchange "
        f"({time.monotonic() - started:.1f} s)"
    )
    connection.close()
    return applicants, extra


def prepare_exchange(people: list[Any], account_id: int) -> list[int]:
    """The exchange phase's world: a registry resource, a consumer agency holding a grant, and a
    population-registry record for each person of the employee pool (idempotent)."""
    from datetime import date

    from django.utils import timezone

    from bench.urls import EXCHANGE_CONSUMER, EXCHANGE_PURPOSE, EXCHANGE_RESOURCE
    from tongban.exchange.models import DataResource, Grant, GrantStatus, PopulationRecord
    from tongban.identity.models import Agency

    owner = Agency.objects.order_by("pk").first()
    consumer, _ = Agency.objects.get_or_create(
        code=EXCHANGE_CONSUMER, defaults={"name_zh": "基准测试机关", "name_en": "Bench consumer"}
    )
    label = {"zh": "字段", "en": "Field"}
    resource, _ = DataResource.objects.get_or_create(
        code=EXCHANGE_RESOURCE,
        defaults={
            "owner": owner,
            "name_zh": "人口登记信息",
            "name_en": "Population registry record",
            "classification": "restricted",
            "subject_kind": "person",
            "provider": "internal.population",
            "fields": [{"name": n, "label": label} for n in ("name", "latin_name", "birth_date", "sex")],
        },
    )
    now = timezone.now()
    if not Grant.objects.filter(consumer=consumer, resource=resource, purpose=EXCHANGE_PURPOSE).exists():
        Grant.objects.create(
            consumer=consumer,
            resource=resource,
            purpose=EXCHANGE_PURPOSE,
            fields=["name", "birth_date"],
            status=GrantStatus.APPROVED,
            requested_by_id=account_id,
            requested_at=now,
            decided_at=now,
            expires_at=now + timedelta(days=3650),
        )
    PopulationRecord.objects.bulk_create(
        [
            PopulationRecord(
                id_type="resident_id",
                id_number=p.id_number,
                nationality="CN",
                name=p.name,
                birth_date=date(1970 + p.pk % 40, 1 + p.pk % 12, 1 + p.pk % 28),
                sex="MF"[p.pk % 2],
            )
            for p in people
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    ids = [p.pk for p in people]
    random.Random(4).shuffle(ids)  # noqa: S311 - a reproducible order, not a secret
    return ids[:20_000]


# --------------------------------------------------------------------------------------------
# Query counts, in-process


def count_queries(applicants: list[Applicant], extra: dict[str, Any]) -> dict[str, Any]:
    """SQL queries of one request of each kind (the second of two, so per-process caches are warm)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    applicant = applicants[0]
    client = Client(HTTP_HOST=HOST)
    client.cookies["sessionid"] = applicant.session_key
    spare = [applicant.drafts.pop(), applicant.drafts.pop()]  # consumed here, not by wrk
    requests: dict[str, list[tuple[str, str, Any]]] = {
        "submit": [("post", f"/en/applications/{draft}/submit/", {}) for draft in spare],
        "case_read": [("get", f"/en/my/cases/{number}/", None) for number in applicant.cases[:2]],
        "my_cases": [("get", f"/en/my/firms/{extra['big_firm_uscc']}/cases/", None)] * 2,
        "search": [("get", "/en/services/", {"q": term}) for term in ("许可", "社会保险")],
        "baseline_insert": [("post", "/bench/baseline/insert", {"value": "count"})] * 2,
        "baseline_read": [("get", "/bench/baseline/read/1", None)] * 2,
        "floor_write": [("post", "/bench/floor/write", {"value": "count"})] * 2,
        "floor_read": [("get", f"/bench/floor/read/{number}", None) for number in applicant.cases[:2]],
        "exchange": [("get", f"/bench/exchange/{person_id}", None) for person_id in extra["exchange_people"][:2]],
        booking.KIND: [
            ("post", "/en/appointments/book/", {"service": extra["booking"]["item"], "centre": c, "starts_at": t})
            for c, t, _places in extra["booking"]["slots"][-2:]  # the last slots: wrk books the first ones
        ],
        review.KIND: review.count_requests(applicant, extra["review"]),
    }
    out_dir = ROOT / "var" / "bench" / "queries"
    out_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {}
    for kind, calls in requests.items():
        count = 0
        for method, path, data in calls:
            with CaptureQueriesContext(connection) as captured:
                response = getattr(client, method)(path, data) if data is not None else getattr(client, method)(path)
            if response.status_code not in (200, 302):
                raise SystemExit(f"query count: {kind} {path} answered {response.status_code}")
            count = len(captured.captured_queries)
            statements = [q["sql"] for q in captured.captured_queries]
        (out_dir / f"{kind}.sql").write_text("\n".join(s + ";" for s in statements) + "\n", encoding="utf-8")
        result[kind] = {"queries": count, "statements": [_shorten(s) for s in statements]}
    connection.close()
    return result


def _shorten(statement: str) -> str:
    statement = re.sub(r"\s+", " ", statement)
    match = re.match(r"(SELECT|INSERT INTO|UPDATE|DELETE FROM|SAVEPOINT|RELEASE SAVEPOINT|BEGIN|COMMIT)\b", statement)
    verb = match.group(1) if match else statement.split(" ", 1)[0]
    tables = re.findall(r'(?:FROM|INTO|UPDATE|JOIN) "([a-z_0-9]+)"', statement)
    seen = list(dict.fromkeys(tables))
    return f"{verb} {', '.join(seen)}".strip()


# --------------------------------------------------------------------------------------------
# Processes


class Stack:
    """granian + db_worker + audit_sealer, started and stopped by their process ids."""

    def __init__(self, *, settings_module: str = "bench.settings", log_dir: Path | None = None) -> None:
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.settings_module = settings_module
        self.log_dir = log_dir or ROOT / "var" / "bench" / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = self.settings_module
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
        return env

    def spawn(self, name: str, argv: list[str]) -> None:
        log = (self.log_dir / f"{name}.log").open("wb")
        # Its own process group: stopping it stops granian's workers too, even when granian is
        # stopped before it has finished starting them (on a loaded machine they outlived it).
        process = subprocess.Popen(
            argv, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append((name, process))

    def start(self) -> None:
        bin_dir = Path(sys.executable).parent
        granian = shutil.which("granian", path=str(bin_dir)) or shutil.which("granian") or "granian"
        if _port_in_use(PORT):
            raise SystemExit(f"port {PORT} is in use; set BENCH_PORT")
        self.spawn(
            "granian",
            [
                granian,
                "--interface",
                "wsgi",
                "--host",
                HOST,
                "--port",
                str(PORT),
                "--workers",
                str(WEB_WORKERS),
                "--blocking-threads",
                str(BLOCKING_THREADS),
                "--no-ws",
                "--log-level",
                "warning",
                "tongban.wsgi:application",
            ],
        )
        if BACKGROUND:
            manage = [sys.executable, str(ROOT / "manage.py")]
            self.spawn("db_worker", [*manage, "db_worker", "--queue-name", "default", "--interval", "1"])
            self.spawn("audit_sealer", [*manage, "audit_sealer"])
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            self.check()
            with contextlib.suppress(OSError):
                status, _headers, _body = http_request("GET", "/healthz")
                if status == 200:
                    return
            time.sleep(0.3)
        raise SystemExit(f"granian did not answer /healthz within {START_SECONDS} s; see {self.log_dir}/granian.log")

    def check(self) -> None:
        for name, process in self.processes:
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with {process.returncode}; see {self.log_dir / name}.log")

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _name, process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # whatever it started and left behind


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


def http_request(
    method: str, path: str, *, cookie: str = "", body: str = "", timeout: float = 30, port: int = 0
) -> tuple[int, dict[str, list[str]], str]:
    port = port or PORT
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Cookie": cookie} if cookie else {}
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"http://{HOST}:{port}"
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        collected: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            collected.setdefault(name.lower(), []).append(value)
        return response.status, collected, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _cookie(headers: dict[str, list[str]], name: str) -> str:
    for value in headers.get("set-cookie", []):
        if value.startswith(f"{name}="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return ""


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def browser_login(username: str, password: str) -> float:
    """Log in through the real form (GET it for the CSRF token, POST it); seconds for the POST."""
    status, headers, body = http_request("GET", "/en/login/")
    token = _TOKEN.search(body)
    csrf = _cookie(headers, "csrftoken")
    if status != 200 or token is None or not csrf:
        raise SystemExit(f"login page: {status}")
    form = f"username={quote(username)}&password={quote(password)}&csrfmiddlewaretoken={token.group(1)}"
    started = time.monotonic()
    status, headers, _body = http_request("POST", "/en/login/", cookie=f"csrftoken={csrf}", body=form)
    elapsed = time.monotonic() - started
    session = _cookie(headers, "sessionid")
    if status != 302 or not session:
        raise SystemExit(f"login of {username} failed: {status}")
    status, _headers, _body = http_request("GET", "/en/my/", cookie=f"sessionid={session}")
    if status != 200:
        raise SystemExit(f"My space after login: {status}")
    return elapsed


def fetch_csrf(applicant: Applicant) -> None:
    """What a browser does before submitting: open the review page, keep its cookie and token."""
    status, headers, body = http_request(
        "GET", f"/en/applications/{applicant.drafts[0]}/review/", cookie=applicant.cookie
    )
    token = _TOKEN.search(body)
    if status != 200 or token is None:
        raise SystemExit(f"review page for {applicant.username}: {status}")
    applicant.csrf_cookie = _cookie(headers, "csrftoken")
    applicant.csrf_token = token.group(1)
    if not applicant.csrf_cookie:
        raise SystemExit("the review page set no csrftoken cookie")


# --------------------------------------------------------------------------------------------
# Load


def write_lines(applicants: list[Applicant], extra: dict[str, Any], kinds: Iterable[str] = KINDS) -> dict[str, Path]:
    """One file of request lines per kind (METHOD, PATH, COOKIE, BODY; tab-separated). The kinds
    prepared apart (booking, review, display, statistics) only when asked for in ``kinds``."""
    wanted = set(kinds)
    rng = random.Random(3)  # noqa: S311 - a reproducible shuffle, not a secret
    folder = ROOT / "var" / "bench" / "wrk"
    folder.mkdir(parents=True, exist_ok=True)
    lines: dict[str, list[str]] = {kind: [] for kind in KINDS}
    cookies = [a.cookie for a in applicants]
    # Submits: round-robin over the applicants, each draft once.
    depth = max(len(a.drafts) for a in applicants)
    for d in range(depth):
        for a in applicants:
            if d < len(a.drafts):
                body = f"csrfmiddlewaretoken={a.csrf_token}"
                lines["submit"].append(f"POST\t/en/applications/{a.drafts[d]}/submit/\t{a.cookie}\t{body}")
    pairs = [(a, number) for a in applicants for number in a.cases]
    rng.shuffle(pairs)
    lines["case_read"] = [f"GET\t/en/my/cases/{number}/\t{a.cookie}\t" for a, number in pairs]
    lines["floor_read"] = [f"GET\t/bench/floor/read/{number}\t{a.cookie}\t" for a, number in pairs]
    lines["floor_write"] = [f"POST\t/bench/floor/write\t{a.cookie}\tvalue=floor-{i}" for i, a in enumerate(applicants)]
    staff = applicants[: extra["big_firm_staff"]]
    lines["my_cases"] = [f"GET\t/en/my/firms/{extra['big_firm_uscc']}/cases/\t{a.cookie}\t" for a in staff]
    terms = extra["search_terms"]
    lines["search"] = [
        f"GET\t/en/services/?q={quote(terms[i % len(terms)])}\t{cookies[i % len(cookies)]}\t"
        for i in range(len(cookies) * 2)
    ]
    lines["baseline_insert"] = [
        f"POST\t/bench/baseline/insert\t{cookies[i % len(cookies)]}\tvalue=bench-{i}" for i in range(len(cookies))
    ]
    lines["exchange"] = [
        f"GET\t/bench/exchange/{person_id}\t{cookies[i % len(cookies)]}\t"
        for i, person_id in enumerate(extra["exchange_people"])
    ]
    if booking.KIND in wanted:
        lines[booking.KIND] = booking.lines(applicants, extra["booking"])
    if review.KIND in wanted:
        lines[review.KIND] = review.lines(applicants, extra["review"])
    lines["baseline_read"] = [
        f"GET\t/bench/baseline/read/{row_id}\t{cookies[i % len(cookies)]}\t"
        for i, row_id in enumerate(extra["baseline_ids"])
    ]
    if wanted & {"display", "display_304"}:
        lines.update(display.lines(extra))
    if statistics_phase.KIND in wanted:
        lines.update(statistics_phase.lines(extra))
    paths = {}
    for kind, kind_lines in lines.items():
        if kind not in wanted:
            continue
        paths[kind] = folder / f"{kind}.tsv"
        paths[kind].write_text("\n".join(kind_lines) + "\n", encoding="utf-8")
    return paths


@dataclass
class Phase:
    kind: str
    round: int
    seconds: float
    requests: int
    bad: int
    exhausted: int
    socket_errors: dict[str, int]
    statuses: dict[str, int]
    histogram: list[list[int]]
    settle_seconds: float = 0.0
    apart: int = 0  # answers expected but not successes (book_slot: "this slot was just taken")

    @property
    def errors(self) -> int:
        e = self.socket_errors
        return self.bad + e["connect"] + e["read"] + e["write"] + e["timeout"]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


#: Lines of the once-only kinds used by earlier runs of wrk (each run starts at its file's top).
_CONSUMED: dict[str, int] = {}
#: Kinds whose lines cannot be sent twice: a booked place cannot be booked again, a second
#: rating of a case would be an edit, and a draft submitted again only finds its case (the submit
#: is idempotent), which would measure a cheaper request than a submission.
_SKIP_CONSUMED = ("submit", booking.KIND, review.KIND)


def _unused(kind: str, lines: Path) -> Path:
    """The lines of a once-only kind (submit, book_slot, review) not sent by an earlier run: a
    draft is submitted once, a booked place not booked again, a rated case not rated again."""
    if kind not in _SKIP_CONSUMED:
        return lines
    rest = lines.with_suffix(".rest.tsv")
    remaining = lines.read_text(encoding="utf-8").splitlines()[_CONSUMED.get(kind, 0) :]
    if len(remaining) < WRK_THREADS:
        raise SystemExit(f"no unused request lines left for {kind} (each is sent once): more are needed")
    rest.write_text("\n".join(remaining) + "\n", encoding="utf-8")
    return rest


def run_wrk(kind: str, lines: Path, seconds: int, round_no: int, *, base: str = "") -> Phase:
    """One wrk run of ``kind`` against ``base`` (default: the bench's granian at ``BASE``)."""
    out = ROOT / "var" / "bench" / "wrk" / f"{kind}-{round_no}.json"
    out.unlink(missing_ok=True)
    lines = _unused(kind, lines)
    once = "1" if kind in _SKIP_CONSUMED else "0"
    argv = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(BENCH_DIR / "wrk.lua"),
        base or BASE,
        "--",
        str(lines),
        str(out),
        KINDS[kind][1],
        once,
        str(WRK_THREADS),
    ]
    completed = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    if completed.returncode != 0 or not out.exists():
        raise SystemExit(f"wrk failed for {kind}: {completed.stderr.strip() or completed.stdout.strip()}")
    data = json.loads(out.read_text())
    phase = Phase(
        kind=kind,
        round=round_no,
        seconds=data["duration_us"] / 1e6,
        requests=data["requests"],
        bad=data["bad"],
        exhausted=data["exhausted"],
        socket_errors=data["socket_errors"],
        statuses=data["statuses"],
        histogram=data["histogram"],
        apart=data.get("apart", 0),
    )
    if kind in _SKIP_CONSUMED:
        # Each wrk thread took every WRK_THREADS-th line, some further than others: skip past the
        # furthest line any thread took (max_position lines of its own), with a margin.
        furthest = data.get("max_position", 0) * WRK_THREADS
        _CONSUMED[kind] = _CONSUMED.get(kind, 0) + max(furthest, data["requests"] + 2 * CONNECTIONS)
    return phase


def drain(port: int = 0) -> float:
    """Wait until the server has finished the requests wrk left in flight, the worker has sent
    the e-mails the phase queued and the sealer has sealed its audit entries, so that no phase
    pays for the one before. Returns the seconds waited (reported as background catch-up). The probe
    goes to ``port`` (default: the bench's granian at ``PORT``)."""
    from django.db import connection

    started = time.monotonic()
    quiet = 0
    with connection.cursor() as cursor:
        while time.monotonic() - started < DRAIN_TIMEOUT and quiet < 3:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            busy = cursor.fetchone()[0]
            if BACKGROUND:
                cursor.execute(
                    "SELECT (SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', "
                    "'RUNNING')) + (SELECT count(*) FROM audit_auditevent WHERE seq IS NULL) "
                    "+ (SELECT count(*) FROM exchange_accesslogentry WHERE seq IS NULL)"
                )
                busy += cursor.fetchone()[0]
            if not busy:
                probe = time.monotonic()
                with contextlib.suppress(OSError):
                    http_request("GET", "/bench/baseline/read/1", port=port)
                busy = time.monotonic() - probe > 0.05
            quiet = 0 if busy else quiet + 1
            time.sleep(0.1)
    connection.close()
    return time.monotonic() - started


def percentile(histogram: list[list[int]], fraction: float) -> float:
    """The latency (ms) at ``fraction`` of a merged (microseconds, count) histogram."""
    total = sum(count for _value, count in histogram)
    if not total:
        return 0.0
    rank = fraction * total
    seen = 0
    for value, count in sorted(histogram):
        seen += count
        if seen >= rank:
            return value / 1000
    return sorted(histogram)[-1][0] / 1000


def summarise(phases: list[Phase]) -> dict[str, dict[str, Any]]:
    by_kind: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        mine = [p for p in phases if p.kind == kind]
        merged: dict[int, int] = {}
        for phase in mine:
            for value, count in phase.histogram:
                merged[value] = merged.get(value, 0) + count
        histogram = [[v, c] for v, c in merged.items()]
        seconds = sum(p.seconds for p in mine)
        requests = sum(p.requests for p in mine)
        errors = sum(p.errors for p in mine)
        statuses: dict[str, int] = {}
        for phase in mine:
            for status, count in phase.statuses.items():
                statuses[status] = statuses.get(status, 0) + count
        by_kind[kind] = {
            "requests": requests,
            "seconds": round(seconds, 2),
            "rps": round(requests / seconds, 1) if seconds else 0.0,
            "p50_ms": round(percentile(histogram, 0.50), 2),
            "p95_ms": round(percentile(histogram, 0.95), 2),
            "p99_ms": round(percentile(histogram, 0.99), 2),
            "errors": errors,
            "error_rate": round(errors / requests, 4) if requests else 1.0,
            "exhausted": sum(p.exhausted for p in mine),
            "statuses": statuses,
            "settle_seconds": round(sum(p.settle_seconds for p in mine), 2),
            "per_round_rps": [round(p.rps, 1) for p in mine],
            "apart": sum(p.apart for p in mine),
        }
    return by_kind


def results_document(
    by_kind: dict[str, dict[str, Any]], queries: dict[str, Any], meta: dict[str, Any], login_seconds: list[float]
) -> dict[str, Any]:
    k = by_kind

    def ratio(a: float, b: float) -> float:
        return round(a / b, 3) if b else 0.0

    submit = k["submit"]
    doc: dict[str, Any] = {
        "submit_rps": submit["rps"],
        "baseline_insert_rps": k["baseline_insert"]["rps"],
        "submit_vs_baseline": ratio(submit["rps"], k["baseline_insert"]["rps"]),
        "case_read_rps": k["case_read"]["rps"],
        "baseline_read_rps": k["baseline_read"]["rps"],
        "case_read_vs_baseline": ratio(k["case_read"]["rps"], k["baseline_read"]["rps"]),
        "my_cases_rps": k["my_cases"]["rps"],
        "search_rps": k["search"]["rps"],
        "my_cases_p95_ms": k["my_cases"]["p95_ms"],
        "search_p95_ms": k["search"]["p95_ms"],
        "baseline_read_p95_ms": k["baseline_read"]["p95_ms"],
        "my_cases_p95_vs_read_p95": ratio(k["my_cases"]["p95_ms"], k["baseline_read"]["p95_ms"]),
        "search_p95_vs_read_p95": ratio(k["search"]["p95_ms"], k["baseline_read"]["p95_ms"]),
        "floor_write_rps": k["floor_write"]["rps"],
        "floor_write_vs_baseline": ratio(k["floor_write"]["rps"], k["baseline_insert"]["rps"]),
        "submit_vs_floor": ratio(submit["rps"], k["floor_write"]["rps"]),
        "floor_read_rps": k["floor_read"]["rps"],
        "floor_read_vs_baseline": ratio(k["floor_read"]["rps"], k["baseline_read"]["rps"]),
        "case_read_vs_floor": ratio(k["case_read"]["rps"], k["floor_read"]["rps"]),
        "exchange_rps": k["exchange"]["rps"],
        "exchange_vs_baseline_read": ratio(k["exchange"]["rps"], k["baseline_read"]["rps"]),
        "exchange_p99_ms": k["exchange"]["p99_ms"],
        "exchange_p99_vs_read_p99": ratio(k["exchange"]["p99_ms"], k["baseline_read"]["p99_ms"]),
        "display_p95_vs_floor_read_p95": ratio(k["display"]["p95_ms"], k["floor_read"]["p95_ms"]),
        "display_304_p95_vs_floor_read_p95": ratio(k["display_304"]["p95_ms"], k["floor_read"]["p95_ms"]),
        statistics_phase.TARGET[0]: ratio(k[statistics_phase.KIND]["p95_ms"], k["floor_read"]["p95_ms"]),
        # Submits per second including the time the worker and sealer needed afterwards to catch up
        # with the e-mail tasks and audit entries the submits queued.
        "book_slot_rps": k[booking.KIND]["rps"],
        "book_slot_taken": k[booking.KIND]["apart"],
        "book_slot_vs_floor_write": ratio(k[booking.KIND]["rps"], k["floor_write"]["rps"]),
        "review_rps": k[review.KIND]["rps"],
        "review_vs_floor_write": ratio(k[review.KIND]["rps"], k["floor_write"]["rps"]),
        "submit_rps_sustained": round(submit["requests"] / (submit["seconds"] + submit["settle_seconds"]), 1)
        if submit["seconds"]
        else 0.0,
    }
    for kind, stats in k.items():
        for p in ("p50", "p95", "p99"):
            doc[f"{kind}_{p}_ms"] = stats[f"{p}_ms"]
    doc["queries_per_request"] = {kind: q["queries"] for kind, q in queries.items()}
    doc["phases"] = k
    doc["targets"] = {
        name: {"target": target, "actual": doc[name], "met": _met(name, doc[name], target)}
        for name, target, _text in TARGETS
    }
    doc["setup"] = {
        "phase_seconds": PHASE_SECONDS,
        "rounds": ROUNDS,
        "warmup_seconds": WARMUP_SECONDS,
        "connections": CONNECTIONS,
        "load_generator": f"wrk, {WRK_THREADS} threads, loopback",
        "server": f"granian WSGI, {WEB_WORKERS} workers x {BLOCKING_THREADS} blocking threads",
        "background": "db_worker + audit_sealer running" if BACKGROUND else "none",
        "applicants": meta["sizes"]["applicants"],
        "dataset": meta["sizes"],
        "dataset_counts": meta.get("counts", {}),
        "cpu_count": os.cpu_count(),
        "browser_login_seconds": [round(s, 3) for s in login_seconds],
    }
    return doc


def _met(name: str, actual: float, target: float) -> bool:
    return actual <= target if name.endswith("_p95") else actual >= target


def print_table(by_kind: dict[str, dict[str, Any]], doc: dict[str, Any], queries: dict[str, Any]) -> None:
    say("")
    header = (
        f"{'phase':<40} {'requests':>9} {'rps':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'SQL':>4}"
    )
    say(header)
    say("-" * len(header))
    for kind, (title, _expect) in KINDS.items():
        s = by_kind[kind]
        say(
            f"{title:<40} {s['requests']:>9} {s['rps']:>8.1f} {s['p50_ms']:>8.2f} {s['p95_ms']:>8.2f} "
            f"{s['p99_ms']:>8.2f} {s['errors']:>7} {queries[kind]['queries']:>4}"
        )
    say("")
    say(
        f"submit, sustained (incl. {by_kind['submit']['settle_seconds']:.1f} s waiting for the worker and sealer to catch up): "
        f"{doc['submit_rps_sustained']} rps"
    )
    say("")
    for name, target, text in TARGETS:
        actual = doc[name]
        comparison = "<=" if name.endswith("_p95") else ">="
        verdict = "met" if _met(name, actual, target) else "TARGET MISSED"
        say(f"{verdict:<14} {name} = {actual:.3f} (target {comparison} {target}; {text})")
    say("")
    for name, text in FLOORS:
        say(f"{'reference':<14} {name} = {doc[name]:.3f} ({text})")


def main() -> int:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    t0 = time.monotonic()
    say("== Data set")
    meta = generate.ensure()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    say("== Preparing applicants, drafts and sessions")
    applicants, extra = prepare(meta)
    extra["booking"] = booking.prepare()
    say(
        f"  {len(extra['booking']['slots'])} free slots of {extra['booking']['item']} at {extra['booking']['centres']} centres"
    )
    extra.update(display.prepare())
    if not ONLY or statistics_phase.KIND in ONLY:
        extra.update(statistics_phase.fill(say))
    else:  # the fact tables' catch-up takes minutes at 1 M cases (and half an hour at 10 M): only when measured
        extra["statistics_path"] = statistics_phase.PATH
    extra["review"] = review.prepare(applicants)
    say(f"  {sum(len(n) for n in extra['review']['cases'].values())} closed, unrated own cases to rate")
    say("== SQL queries per request (in-process, CaptureQueriesContext)")
    queries = count_queries(applicants, extra) | display.count_queries(extra) | statistics_phase.count_queries(extra)
    for kind, q in queries.items():
        say(f"  {kind:<16} {q['queries']:>3} queries: " + "; ".join(q["statements"]))
    stack = Stack()
    phases: list[Phase] = []
    try:
        say(
            f"== Starting granian ({WEB_WORKERS} workers x {BLOCKING_THREADS} threads) on {BASE}"
            + (", db_worker and audit_sealer" if BACKGROUND else "")
        )
        stack.start()
        password = os.environ.get("BENCH_PASSWORD", generate.BENCH_PASSWORD_DEFAULT)
        login_seconds = [browser_login(a.username, password) for a in applicants[-4:]]
        say(f"  logged in through the login form: {', '.join(f'{s:.2f} s' for s in login_seconds)} per login")
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(fetch_csrf, applicants))
        say(
            f"  CSRF token fetched from the review page for {len(applicants)} sessions "
            f"({time.monotonic() - started:.1f} s)"
        )
        paths = write_lines(applicants, extra)
        say(f"== Warm-up ({WARMUP_SECONDS} s per kind)")
        for kind in ONLY or KINDS:
            run_wrk(kind, paths[kind], WARMUP_SECONDS, 0)
            drain()
        for round_no in range(1, ROUNDS + 1):
            say(f"== Round {round_no} of {ROUNDS} ({PHASE_SECONDS} s per phase, {CONNECTIONS} connections)")
            for kind in ONLY or KINDS:
                stack.check()
                phase = run_wrk(kind, paths[kind], PHASE_SECONDS, round_no)
                phase.settle_seconds = drain()
                phases.append(phase)
                say(
                    f"  {kind:<16} {phase.requests:>7} requests  {phase.rps:>8.1f} rps  errors {phase.errors}"
                    + (f"  (settled after {phase.settle_seconds:.1f} s)" if phase.settle_seconds > 1 else "")
                )
    finally:
        stack.stop()
    doubles = booking.double_bookings()
    say(
        f"== Appointments after the run: {doubles['booked']} booked, {doubles['duplicate_places']} places held twice, "
        f"{doubles['slots_over_capacity']} slots over capacity"
    )
    by_kind = summarise(phases)
    doc = results_document(by_kind, queries, meta, login_seconds)
    doc["queries"] = queries
    doc["double_bookings"] = doubles
    doc["setup"]["total_seconds"] = round(time.monotonic() - t0, 1)
    print_table(by_kind, doc, queries)
    if RAW_PHASES:
        doc["raw_phases"] = [asdict(phase) for phase in phases]
    RESULTS.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"\nWrote {RESULTS.relative_to(ROOT) if RESULTS.is_relative_to(ROOT) else RESULTS}")
    failed = [kind for kind, s in by_kind.items() if s["error_rate"] > MAX_ERROR_RATE or s["exhausted"]]
    if ONLY:
        failed = [kind for kind in failed if kind in ONLY]
    if failed:
        say(f"RUN FAILED: more than {MAX_ERROR_RATE:.0%} bad responses (or drafts ran out) in: {', '.join(failed)}")
        return 1
    if doubles["duplicate_places"] or doubles["slots_over_capacity"]:
        say("RUN FAILED: double bookings in the database after the book_slot phase")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
