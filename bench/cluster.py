"""``make bench-cluster``: the submit and case-page phases through the load balancer (issue 18).

    scripts/uv.sh run python -m bench.cluster          # start, measure, check, stop
    scripts/uv.sh run python -m bench.cluster stop     # stop what a killed run left behind

On one two-core machine the cluster cannot be faster than one node: what this shows is that it
stays correct under load and what its overhead costs. In one run it:

1. starts a cluster of its own with ``scripts/cluster.py``'s ``Cluster`` and ``Starter`` (state in
   ``BENCH_CLUSTER_STATE_DIR``, default ``var/bench/cluster/``; ports from
   ``BENCH_CLUSTER_PORT_BASE``, default 19000, so a ``make cluster`` on 18000 is never touched):
   PostgreSQL primary + streaming replica, the two Redis, S3; then ``bench.generate`` makes (or
   reuses) the data set of ``BENCH_CASES`` cases (default 1 M, as ``make bench``) in the primary,
   instead of the demo city; then the RQ workers, the sealer, the scheduler, the two web nodes and
   HAProxy. Every Django process runs with the cluster's environment (``Cluster.django_env``) and
   ``DJANGO_SETTINGS_MODULE=bench.cluster_settings`` (the bench's URLs and floor views);
2. starts the **single node** beside it: one granian as ``make bench`` starts it (``bench.run``'s
   ``Stack``: ``BENCH_WEB_WORKERS`` x ``BENCH_BLOCKING_THREADS``) on base + 40, with the same
   environment and the same primary, replica, Redis, RQ workers and sealer, so that only the web
   tier differs: one process group reached directly, or two nodes behind HAProxy;
3. prepares the sessions and drafts as ``make bench`` does (``bench.run.prepare``), warms both up,
   then runs ``floor_write``, ``submit``, ``floor_read``, ``case_read`` on the single node and through
   the balancer in turn, ``BENCH_ROUNDS`` rounds, alternating which goes first (S C, C S, …) so a
   drifting machine favours neither. Every submit line is sent once in the whole run. After each
   phase it waits until the RQ queue is empty, the sealer has sealed, PostgreSQL is quiet and the
   target answers a probe fast again;
4. checks the database: every submit answered with its 302 made exactly one case with exactly one
   ``cases.case_submitted`` audit entry, no case was made without a submitted draft, and at most
   the requests cut off at the end of a phase (one per connection) or answered with an error made
   a case nobody was told about; then ``manage.py audit_verify`` on the primary;
5. prints a table (per phase and target: rps, p95, the ratio to the floor of the same path measured
   through the same target, and cluster / single) and writes ``bench/results-cluster.json``;
6. stops the single node and the whole cluster, also on failure, Ctrl-C or SIGTERM (the data stays
   in the state directory for the next run).

Knobs: ``BENCH_CASES``, ``BENCH_CLUSTER_STATE_DIR``, ``BENCH_CLUSTER_PORT_BASE``, and ``make
bench``'s ``BENCH_PHASE_SECONDS``, ``BENCH_ROUNDS``, ``BENCH_WARMUP_SECONDS``,
``BENCH_CONNECTIONS``, ``BENCH_WEB_WORKERS``, ``BENCH_BLOCKING_THREADS``, ``BENCH_START_SECONDS``;
``CLUSTER_WEB_WORKERS`` sizes the nodes as for ``make cluster``. Exits non-zero when the run
failed: more than 1 % bad responses in a phase, drafts ran out, a process died, the submissions
do not add up, or the audit chain does not verify.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts import cluster as cluster_script  # noqa: E402

if TYPE_CHECKING:
    from bench.run import Applicant, Phase, Stack

#: The phases measured on both targets, each with the floor of its path (None: it is a floor).
FLOOR_OF: dict[str, str | None] = {
    "floor_write": None,
    "submit": "floor_write",
    "floor_read": None,
    "case_read": "floor_read",
}
KINDS = tuple(FLOOR_OF)
TARGETS = ("single", "cluster")
SETTINGS = "bench.cluster_settings"
STATE_DIR = Path(os.environ.get("BENCH_CLUSTER_STATE_DIR") or ROOT / "var" / "bench" / "cluster")
PORT_BASE = int(os.environ.get("BENCH_CLUSTER_PORT_BASE") or 19000)
SINGLE_OFFSET = 40
RESULTS = ROOT / "bench" / "results-cluster.json"


def say(message: str = "") -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------------------------
# The cluster: scripts/cluster.py's, on its own ports and state, holding the bench database


class BenchCluster(cluster_script.Cluster):
    """``make cluster``'s cluster, with the bench database and the bench settings."""

    def __init__(self, state_dir: Path, base: int, database: str) -> None:
        super().__init__(state_dir)
        self.base = base
        self.ports = {name: base + offset for name, offset in cluster_script.OFFSETS.items()}
        self.ports["balancer"] = base + 80
        self.ports["single"] = base + SINGLE_OFFSET
        self.state["ports"] = self.ports
        self.database = database

    def db_url(self, which: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.ports['pg_' + which]}/{self.database}"

    def django_env(self, *, web: bool = False) -> dict[str, str]:
        environ = super().django_env(web=web)
        environ.update(
            DJANGO_SETTINGS_MODULE=SETTINGS,
            BENCH_DATABASE_URL=self.db_url("primary"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH", "")])),
        )
        return environ


def check_cluster(c: BenchCluster) -> None:
    for name, entry in c.state["pids"].items():
        if not cluster_script.alive(entry):
            raise SystemExit(f"{name} of the cluster died; see {c.logs / (name + '.log')}")


def wait_for_nodes(c: BenchCluster, seconds: float = 60) -> float:
    """Wait until HAProxy sends requests to both nodes. A phase through the balancer starts only
    with both in its rotation: a node whose health check failed (``/healthz`` reads the database
    and must answer within 5 s on two shared cores) comes back after two passing checks."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if sorted(cluster_script.servers_up(c)) == list(cluster_script.WEB_NODES):
            return time.monotonic() - started
        time.sleep(0.25)
    raise SystemExit(f"HAProxy did not have both web nodes up within {seconds:.0f} s; see {c.logs}/balancer.log")


def wait_for_replica(c: BenchCluster, seconds: float = 300) -> float:
    """Wait until the replica has replayed everything the primary has written so far."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(c.db_url("primary"), autocommit=True) as primary:
        row = primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    with psycopg.connect(c.db_url("replica"), autocommit=True) as replica:
        while time.monotonic() - started < seconds:
            done = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [row[0]]).fetchone()
            if done and done[0]:
                return time.monotonic() - started
            time.sleep(0.25)
    raise SystemExit(f"the replica did not catch up with the primary within {seconds:.0f} s")


# --------------------------------------------------------------------------------------------
# Results (pure)


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def compare(stats: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """Per phase: each target's figures (rounds merged), its ratio to the floor of the same path
    measured through the same target, and the cluster's rps and p95 over the single node's.
    ``stats`` is ``{"single": summary, "cluster": summary}`` (``bench.run.summarise``'s shape)."""
    table: dict[str, Any] = {}
    for kind, floor in FLOOR_OF.items():
        row: dict[str, Any] = {"floor": floor}
        for target in TARGETS:
            s = stats[target][kind]
            row[target] = {
                "requests": s["requests"],
                "rps": s["rps"],
                "p50_ms": s["p50_ms"],
                "p95_ms": s["p95_ms"],
                "p99_ms": s["p99_ms"],
                "errors": s["errors"],
                "per_round_rps": s["per_round_rps"],
                "settle_seconds": s["settle_seconds"],
                "vs_floor": ratio(s["rps"], stats[target][floor]["rps"]) if floor else None,
            }
        row["cluster_vs_single"] = ratio(row["cluster"]["rps"], row["single"]["rps"])
        row["cluster_p95_vs_single_p95"] = ratio(row["cluster"]["p95_ms"], row["single"]["p95_ms"])
        table[kind] = row
    return table


def submissions_verdict(*, answered: int, cut: int, counts: dict[str, int]) -> dict[str, Any]:
    """Whether the submissions add up. ``answered``: submits wrk saw answered with their 302 to a
    case; ``cut``: submits that may have made a case without wrk seeing its 302 (answered with an
    error, or in flight when a phase ended: at most one per connection and phase); ``counts``:
    from the database, over the drafts prepared for this run."""
    cases = counts["cases"]
    problems = []
    if cases < answered:
        problems.append(f"{answered} submits got their 302 but only {cases} cases were made")
    if cases > answered + cut:
        problems.append(f"{cases} cases for {answered} answered submits and at most {cut} cut off")
    if counts["submitted_drafts"] != cases:
        problems.append(f"{counts['submitted_drafts']} drafts submitted but {cases} cases")
    if counts["audit_entries"] != cases or counts["audited_cases"] != cases:
        problems.append(
            f"{counts['audit_entries']} case_submitted audit entries over {counts['audited_cases']} cases "
            f"for {cases} cases"
        )
    return {"answered_302": answered, "at_most_cut": cut, **counts, "ok": not problems, "problems": problems}


def order(round_no: int) -> tuple[str, ...]:
    """The targets of one round: single then cluster in odd rounds, the other way in even ones."""
    return TARGETS if round_no % 2 else tuple(reversed(TARGETS))


def print_table(table: dict[str, Any]) -> None:
    say("")
    head = (
        f"{'phase':<12} {'floor':<12} {'single rps':>10} {'p95 ms':>8} {'vs floor':>8} "
        f"{'cluster rps':>11} {'p95 ms':>8} {'vs floor':>8} {'cluster/single':>14} {'p95 c/s':>8}"
    )
    say(head)
    say("-" * len(head))

    def cell(value: float | None, width: int) -> str:
        return f"{'-':>{width}}" if value is None else f"{value:>{width}.3f}"

    for kind, row in table.items():
        s, c = row["single"], row["cluster"]
        say(
            f"{kind:<12} {row['floor'] or '-':<12} {s['rps']:>10.1f} {s['p95_ms']:>8.1f} {cell(s['vs_floor'], 8)} "
            f"{c['rps']:>11.1f} {c['p95_ms']:>8.1f} {cell(c['vs_floor'], 8)} {cell(row['cluster_vs_single'], 14)} "
            f"{cell(row['cluster_p95_vs_single_p95'], 8)}"
        )
    say("")
    for kind, row in table.items():
        rounds = "; ".join(f"{t}: " + ", ".join(f"{r:.1f}" for r in row[t]["per_round_rps"]) for t in TARGETS)
        say(f"  {kind:<12} rps per round  {rounds}")


# --------------------------------------------------------------------------------------------
# Steps of the run (bench.run is imported here, after main() has set the cluster's environment)


def run_phase(
    c: BenchCluster, single: Stack, kind: str, lines: Path, *, seconds: int, round_no: int, base: str, port: int
) -> Phase:
    """One wrk run against ``base``, then the wait until everything it caused has settled."""
    from bench import run

    single.check()
    check_cluster(c)
    if port == c.ports["balancer"]:
        wait_for_nodes(c)
    phase = run.run_wrk(kind, lines, seconds, round_no, base=base)
    phase.settle_seconds = settle(port)
    return phase


def settle(port: int) -> float:
    """``bench.run.drain`` for the cluster: first until the RQ queue is empty (the e-mail tasks
    the submits queued are done) and the sealer has sealed every audit and access-log entry, then
    ``drain`` itself (PostgreSQL quiet, the target fast on a probe). Seconds waited."""
    import redis
    from django.conf import settings
    from django.db import connection

    from bench import run

    started = time.monotonic()
    queue = redis.Redis.from_url(settings.TASKS_REDIS_URL)
    with connection.cursor() as cursor:
        while time.monotonic() - started < run.DRAIN_TIMEOUT:
            pending = int(queue.llen("rq:queue:default")) + int(queue.zcard("rq:wip:default"))
            cursor.execute(
                "SELECT (SELECT count(*) FROM audit_auditevent WHERE seq IS NULL) "
                "+ (SELECT count(*) FROM exchange_accesslogentry WHERE seq IS NULL)"
            )
            row = cursor.fetchone()
            if not pending and row is not None and not row[0]:
                break
            time.sleep(0.1)
    connection.close()
    queue.close()
    return time.monotonic() - started + run.drain(port)


def submission_counts(applicants: list[Applicant]) -> dict[str, int]:
    """Over the drafts prepared for this run, on the primary: drafts no longer drafts, their
    cases, and the ``cases.case_submitted`` audit entries of those cases."""
    from django.db import connection

    from tongban.audit.models import AuditEvent
    from tongban.cases.models import Case
    from tongban.forms.models import Application, ApplicationStatus

    ids = [draft for a in applicants for draft in a.drafts]
    submitted = Application.objects.filter(public_id__in=ids).exclude(status=ApplicationStatus.DRAFT).count()
    numbers = list(Case.objects.filter(application__public_id__in=ids).values_list("number", flat=True))
    audit = AuditEvent.objects.filter(action="cases.case_submitted", object_id__in=numbers)
    counts = {
        "submitted_drafts": submitted,
        "cases": len(numbers),
        "audit_entries": audit.count(),
        "audited_cases": audit.values("object_id").distinct().count(),
    }
    connection.close()
    return counts


def audit_verify() -> dict[str, Any]:
    """``manage.py audit_verify`` on the primary, in the cluster's environment."""
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "audit_verify"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = (done.stdout + done.stderr).strip()
    return {"exit_status": done.returncode, "seconds": round(time.monotonic() - began, 1), "output": output[-2000:]}


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip()


# --------------------------------------------------------------------------------------------
# The run


def _terminate(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops everything as Ctrl-C does (the finally below)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] not in ("run", "stop"):
        say(__doc__ or "")
        return 2
    # bench.generate and bench.run read their knobs from the environment when imported: the
    # cluster's environment is set first, then they are imported (and Django set up) in it.
    cases = int(os.environ.get("BENCH_CASES") or 1_000_000)
    from bench import generate

    c = BenchCluster(STATE_DIR, PORT_BASE, generate.default_database_name(cases))
    if len(sys.argv) > 1 and sys.argv[1] == "stop":
        return cluster_script.stop(c)
    if c.load() and any(cluster_script.running(entry) for entry in c.state["pids"].values()):
        raise SystemExit(f"A bench cluster already runs from {c.dir}: `python -m bench.cluster stop` first")
    c.state = {"ports": c.ports, "pids": {}, "postgres": {}}
    environ = c.django_env()
    environ.update(
        BENCH_CASES=str(cases), BENCH_PORT=str(c.ports["single"]), BENCH_BACKGROUND="0", BENCH_KINDS=",".join(KINDS)
    )
    os.environ.update(environ)
    from bench import run

    signal.signal(signal.SIGTERM, _terminate)
    started_at = datetime.now(UTC)
    t0 = time.monotonic()
    single: run.Stack | None = None
    phases: dict[str, list[run.Phase]] = {target: [] for target in TARGETS}
    warmups: list[run.Phase] = []
    setup: dict[str, Any] = {}
    try:
        cluster_script.ensure_packages()
        starter = cluster_script.Starter(c)
        say(f"== Starting the bench cluster in {c.dir} (ports from {c.base})")
        starter.postgres()
        starter.redis()
        starter.s3()
        say(f"  PostgreSQL primary :{c.ports['pg_primary']}, replica :{c.ports['pg_replica']}; Redis; S3")
        say(f"== Data set ({cases:,} cases) in the cluster's primary, database {c.database}")
        began = time.monotonic()
        meta = generate.ensure()
        setup["generate_seconds"] = round(time.monotonic() - began, 1)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if not (manifest.exists() and manifest.stat().st_mtime > cluster_script.newest_static_source()):
            began = time.monotonic()
            call_command("collectstatic", interactive=False, verbosity=0)
            say(f"  static files collected ({time.monotonic() - began:.0f} s)")
        say("== Preparing applicants, drafts and sessions")
        applicants, extra = run.prepare(meta)
        setup["replica_catch_up_seconds"] = round(wait_for_replica(c), 1)
        say(f"  the replica has replayed them ({setup['replica_catch_up_seconds']} s)")
        say("== Starting the workers, the two web nodes and HAProxy")
        starter.workers()
        starter.web()
        starter.balancer()
        say(f"  balancer {c.url}, nodes :{c.ports['web1']} :{c.ports['web2']}")
        single = run.Stack(settings_module=SETTINGS, log_dir=c.logs)
        say(f"== Starting the single node ({run.WEB_WORKERS} workers x {run.BLOCKING_THREADS} threads) on {run.BASE}")
        single.start()
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(run.fetch_csrf, applicants))
        say(f"  CSRF token fetched for {len(applicants)} sessions ({time.monotonic() - began:.1f} s)")
        paths = run.write_lines(applicants, extra, KINDS)
        bases = {"single": run.BASE, "cluster": c.url}
        ports = {"single": c.ports["single"], "cluster": c.ports["balancer"]}
        say(f"== Warm-up ({run.WARMUP_SECONDS} s per kind and target)")
        for target in TARGETS:
            for kind in KINDS:
                warmups.append(
                    run_phase(
                        c,
                        single,
                        kind,
                        paths[kind],
                        seconds=run.WARMUP_SECONDS,
                        round_no=0,
                        base=bases[target],
                        port=ports[target],
                    )
                )
        for round_no in range(1, run.ROUNDS + 1):
            say(f"== Round {round_no} of {run.ROUNDS} ({run.PHASE_SECONDS} s per phase, {run.CONNECTIONS} connections)")
            for target in order(round_no):
                for kind in KINDS:
                    phase = run_phase(
                        c,
                        single,
                        kind,
                        paths[kind],
                        seconds=run.PHASE_SECONDS,
                        round_no=round_no,
                        base=bases[target],
                        port=ports[target],
                    )
                    phases[target].append(phase)
                    say(
                        f"  {target:<8} {kind:<12} {phase.requests:>7} requests  {phase.rps:>8.1f} rps  "
                        f"errors {phase.errors}"
                        + (f"  (settled after {phase.settle_seconds:.1f} s)" if phase.settle_seconds > 1 else "")
                    )
        say("== Checks in the database")
        submits = [p for p in [*warmups, *phases["single"], *phases["cluster"]] if p.kind == "submit"]
        answered = sum(p.requests - p.bad for p in submits)
        cut = sum(p.errors + run.CONNECTIONS for p in submits)
        verdict = submissions_verdict(answered=answered, cut=cut, counts=submission_counts(applicants))
        say(
            f"  submits answered 302: {answered}; cases made: {verdict['cases']}; drafts submitted: "
            f"{verdict['submitted_drafts']}; case_submitted audit entries: {verdict['audit_entries']} over "
            f"{verdict['audited_cases']} cases -> {'ok' if verdict['ok'] else 'WRONG: ' + '; '.join(verdict['problems'])}"
        )
        audit = audit_verify()
        say(f"  manage.py audit_verify: exit {audit['exit_status']} in {audit['seconds']} s: {audit['output'][-300:]}")
    except KeyboardInterrupt:
        say("Interrupted: stopping what was started")
        return 130
    except (cluster_script.ClusterError, subprocess.CalledProcessError) as error:
        say(f"FAILED: {error}")
        return 1
    finally:
        if single is not None:
            single.stop()
        say("== Stopping the bench cluster")
        cluster_script.stop(c)
    stats = {target: run.summarise(phases[target]) for target in TARGETS}
    table = compare(stats)
    print_table(table)
    doc = {
        "phases": table,
        "submissions": verdict,
        "audit_verify": audit,
        "setup": {
            **setup,
            "cases": cases,
            "database": c.database,
            "dataset": meta["sizes"],
            "dataset_counts": meta.get("counts", {}),
            "phase_seconds": run.PHASE_SECONDS,
            "rounds": run.ROUNDS,
            "order": [list(order(r)) for r in range(1, run.ROUNDS + 1)],
            "warmup_seconds": run.WARMUP_SECONDS,
            "connections": run.CONNECTIONS,
            "load_generator": f"wrk, {run.WRK_THREADS} threads, loopback",
            "single": f"granian WSGI, {run.WEB_WORKERS} workers x {run.BLOCKING_THREADS} blocking threads, direct",
            "cluster": "HAProxy -> 2 granian nodes (scripts/cluster.py), PostgreSQL primary + replica, "
            "Redis cache + queue, 2 RQ workers, sealer, scheduler, S3 (moto)",
            "shared": "both targets: the same primary, replica, Redis, RQ workers and sealer",
            "started_at": started_at.isoformat(timespec="seconds"),
            "total_seconds": round(time.monotonic() - t0, 1),
            "commit": git_commit(),
            "cpu_count": os.cpu_count(),
        },
    }
    RESULTS.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"\nWrote {RESULTS.relative_to(ROOT)}")
    every = [*phases["single"], *phases["cluster"]]
    failed = sorted(
        {
            f"{t}:{p.kind}"
            for t in TARGETS
            for p in phases[t]
            if p.exhausted or p.errors > run.MAX_ERROR_RATE * p.requests
        }
    )
    if failed or not every:
        say(f"RUN FAILED: more than {run.MAX_ERROR_RATE:.0%} bad responses (or drafts ran out) in: {', '.join(failed)}")
        return 1
    if not verdict["ok"]:
        say("RUN FAILED: the submissions do not add up in the database")
        return 1
    if audit["exit_status"] != 0:
        say("RUN FAILED: the audit chain does not verify")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
