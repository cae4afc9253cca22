"""``make bench-scale``: does a page cost the same when the database holds ten times more? (issue 18)

    DJANGO_SETTINGS_MODULE=bench.settings uv run python -m bench.scale

Runs ``make bench``'s own driver (``bench.run``, one round per run) on the data set of each size
(``BENCH_SCALE_CASES``, default ``1000000,10000000``: ``tongban_bench`` and ``tongban_bench_10m``,
made by ``bench.generate`` if missing), alternating the sizes over ``BENCH_SCALE_ROUNDS`` [2]
rounds in the order A B, B A, A B … so that a drift of the machine during the run does not favour
one size. Each run starts its own stack, sessions and drafts, warms up, then runs every phase once.

For each phase it merges the rounds of one size (wrk's full latency histograms, as ``make bench``
merges its rounds) and reports its **ratio to the floor** at each size, measured in the same run:

* the floors themselves: ``floor_write`` rps / bare insert rps, ``floor_read`` rps / bare read rps;
* the writes (submit, book_slot, review): rps / ``floor_write`` rps;
* the reads (case page, firm's cases, search, exchange, call display, statistics): rps /
  ``floor_read`` rps;
* the bare views have no ratio (they are what the floors are measured against; the bare read reads
  a table that does not grow, so its change is the machine's).

The change is (ratio at the larger size / ratio at the smaller) − 1. **Target: every phase's
ratio at the largest size within 25 % of its ratio at the smallest** (|change| ≤ 0.25), printed
``met`` or ``TARGET MISSED`` per phase. Results go to ``bench/results-scale.json`` (ignored by
git), each run's own results beside it under ``var/bench/scale/``.

Knobs: ``BENCH_SCALE_CASES``, ``BENCH_SCALE_ROUNDS`` [2], ``BENCH_SCALE_KINDS`` [every phase but
``statistics``, whose fact tables take half an hour to fill at 10 M cases], and every knob of
``make bench`` (``BENCH_PHASE_SECONDS``, ``BENCH_WARMUP_SECONDS``, …), passed through. Exits
non-zero only when a run failed, not when the target is missed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import booking, generate, review, run  # noqa: E402
from bench import statistics as statistics_phase  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_SCALE_CASES", "1000000,10000000").split(",") if n]
ROUNDS = int(os.environ.get("BENCH_SCALE_ROUNDS", "2"))
TOLERANCE = 0.25
DEFAULT_KINDS = [kind for kind in run.KINDS if kind != statistics_phase.KIND]
KINDS = [k for k in os.environ.get("BENCH_SCALE_KINDS", ",".join(DEFAULT_KINDS)).split(",") if k]
RESULTS = ROOT / "bench" / "results-scale.json"
RUN_DIR = ROOT / "var" / "bench" / "scale"

#: What each phase is measured against: (reference kind, what is compared).
WRITES = ("submit", booking.KIND, review.KIND)
READS = ("case_read", "my_cases", "search", "exchange", "display", "display_304", statistics_phase.KIND)
REFERENCE = {
    "floor_write": "baseline_insert",
    "floor_read": "baseline_read",
    **dict.fromkeys(WRITES, "floor_write"),
    **dict.fromkeys(READS, "floor_read"),
}


def say(message: str = "") -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def order(round_no: int) -> list[int]:
    """The sizes of one round: A B in odd rounds, B A in even ones."""
    return SIZES if round_no % 2 else list(reversed(SIZES))


def size_env(cases: int) -> dict[str, str]:
    """The environment of a run on the data set of ``cases`` cases (its own database)."""
    env = dict(os.environ)
    env["BENCH_CASES"] = str(cases)
    env.pop("BENCH_DATABASE_URL", None)  # each size its own database (generate.default_database_name)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def ensure_data_set(cases: int) -> float:
    """Make (or reuse) the data set of ``cases`` cases; the seconds it took."""
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--no-statistics"], cwd=ROOT, env=size_env(cases), check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"generating the data set of {cases} cases failed")
    return time.monotonic() - started


def one_run(cases: int, round_no: int) -> tuple[dict[str, Any], int, float]:
    """One round of every phase on one size, by ``bench.run``; (its results, exit status, seconds)."""
    label = generate.size_label(cases)
    out = RUN_DIR / f"{label}-round{round_no}.json"
    out.unlink(missing_ok=True)
    env = size_env(cases)
    env.update(
        {"BENCH_ROUNDS": "1", "BENCH_KINDS": ",".join(KINDS), "BENCH_RESULTS": str(out), "BENCH_RAW_PHASES": "1"}
    )
    started = time.monotonic()
    completed = subprocess.run([sys.executable, "-m", "bench.run"], cwd=ROOT, env=env, check=False)
    seconds = time.monotonic() - started
    if not out.exists():
        raise SystemExit(f"the run on {label} (round {round_no}) wrote no results (exit status {completed.returncode})")
    return json.loads(out.read_text(encoding="utf-8")), completed.returncode, seconds


def phases_of(doc: dict[str, Any], round_no: int) -> list[run.Phase]:
    phases = []
    for raw in doc["raw_phases"]:
        phase = run.Phase(**raw)
        phase.round = round_no
        phases.append(phase)
    return phases


def ratio_of(kind: str, stats: dict[str, dict[str, Any]]) -> float | None:
    """The phase's throughput over its reference's, measured in the same run(s)."""
    reference = REFERENCE.get(kind)
    if reference is None or not stats[reference]["rps"]:
        return None
    return float(stats[kind]["rps"]) / float(stats[reference]["rps"])


def compare(per_size: dict[int, list[run.Phase]]) -> dict[str, Any]:
    """Per phase: rps, p95 and ratio to the floor at each size (rounds merged), the ratio of each
    round, and the change from the smallest size to the largest."""
    small, large = min(SIZES), max(SIZES)
    merged = {cases: run.summarise(phases) for cases, phases in per_size.items()}
    per_round: dict[int, dict[int, dict[str, dict[str, Any]]]] = {}
    for cases, phases in per_size.items():
        for round_no in sorted({p.round for p in phases}):
            per_round.setdefault(cases, {})[round_no] = run.summarise([p for p in phases if p.round == round_no])
    table: dict[str, Any] = {}
    for kind in KINDS:
        row: dict[str, Any] = {"reference": REFERENCE.get(kind), "sizes": {}}
        for cases in SIZES:
            stats = merged[cases]
            ratio = ratio_of(kind, stats)
            row["sizes"][generate.size_label(cases)] = {
                "rps": stats[kind]["rps"],
                "p95_ms": stats[kind]["p95_ms"],
                "errors": stats[kind]["errors"],
                "ratio": None if ratio is None else round(ratio, 3),
                "ratio_per_round": [
                    None if (r := ratio_of(kind, s)) is None else round(r, 3) for s in per_round[cases].values()
                ],
                "rps_per_round": [s[kind]["rps"] for s in per_round[cases].values()],
            }
        a, b = row["sizes"][generate.size_label(small)], row["sizes"][generate.size_label(large)]
        if a["ratio"] and b["ratio"] is not None:
            change = b["ratio"] / a["ratio"] - 1
            row["change"] = round(change, 3)
            row["met"] = abs(change) <= TOLERANCE
        else:  # the bare views: their own rps change, for information
            row["rps_change"] = round(b["rps"] / a["rps"] - 1, 3) if a["rps"] else None
        table[kind] = row
    return table


def print_table(table: dict[str, Any]) -> None:
    labels = [generate.size_label(c) for c in SIZES]
    say("")
    head = f"{'phase':<16} {'against':<16}" + "".join(f" {'rps ' + x:>11} {'ratio ' + x:>11}" for x in labels)
    head += f" {'change':>8}  verdict"
    say(head)
    say("-" * len(head))
    for kind, row in table.items():
        line = f"{kind:<16} {row['reference'] or '-':<16}"
        for label in labels:
            cell = row["sizes"][label]
            ratio = "-" if cell["ratio"] is None else f"{cell['ratio']:.3f}"
            line += f" {cell['rps']:>11.1f} {ratio:>11}"
        if "change" in row:
            line += f" {row['change']:>+8.1%}  {'met' if row['met'] else 'TARGET MISSED'}"
        elif row.get("rps_change") is not None:
            line += f" {row['rps_change']:>+8.1%}  (bare view: rps change)"
        say(line)
    say("")
    for kind, row in table.items():
        rounds = "; ".join(
            f"{label}: " + ", ".join("-" if r is None else f"{r:.3f}" for r in cell["ratio_per_round"])
            for label, cell in row["sizes"].items()
        )
        if row["reference"]:
            say(f"  {kind:<16} ratio per round  {rounds}")


def git_commit() -> str:
    completed = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    return completed.stdout.strip()


def main() -> int:
    if len(SIZES) < 2:
        raise SystemExit("BENCH_SCALE_CASES needs at least two sizes, e.g. 1000000,10000000")
    unknown = [k for k in KINDS if k not in run.KINDS]
    if unknown:
        raise SystemExit(f"unknown phases in BENCH_SCALE_KINDS: {', '.join(unknown)}")
    missing = {REFERENCE[k] for k in KINDS if k in REFERENCE} - set(KINDS)
    if missing:
        raise SystemExit(f"BENCH_SCALE_KINDS needs the references too: {', '.join(sorted(missing))}")
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    started_at = datetime.now(UTC)
    t0 = time.monotonic()
    generated = {}
    for cases in SIZES:
        say(f"=== Data set of {cases:,} cases ({generate.default_database_name(cases)})")
        generated[generate.size_label(cases)] = round(ensure_data_set(cases), 1)
    per_size: dict[int, list[run.Phase]] = {cases: [] for cases in SIZES}
    runs = []
    failed = False
    for round_no in range(1, ROUNDS + 1):
        for cases in order(round_no):
            label = generate.size_label(cases)
            say(f"=== Round {round_no} of {ROUNDS}: {label} ({cases:,} cases)")
            doc, status, seconds = one_run(cases, round_no)
            per_size[cases].extend(phases_of(doc, round_no))
            failed = failed or status != 0
            runs.append(
                {
                    "round": round_no,
                    "size": label,
                    "cases": cases,
                    "exit_status": status,
                    "seconds": round(seconds, 1),
                    "results": str((RUN_DIR / f"{label}-round{round_no}.json").relative_to(ROOT)),
                    "dataset_counts": doc["setup"].get("dataset_counts", {}),
                    "queries_per_request": doc.get("queries_per_request", {}),
                }
            )
    table = compare(per_size)
    print_table(table)
    checked = {kind: row for kind, row in table.items() if "met" in row}
    all_met = all(row["met"] for row in checked.values())
    small, large = generate.size_label(min(SIZES)), generate.size_label(max(SIZES))
    say("")
    say(
        f"{'met' if all_met else 'TARGET MISSED':<14} every phase's ratio to its floor at {large} within "
        f"{TOLERANCE:.0%} of its ratio at {small}"
        + ("" if all_met else f" (missed: {', '.join(k for k, r in checked.items() if not r['met'])})")
    )
    doc = {
        "target": f"every phase's ratio at {large} within {TOLERANCE:.0%} of its ratio at {small}",
        "all_met": all_met,
        "phases": table,
        "runs": runs,
        "setup": {
            "sizes": SIZES,
            "rounds": ROUNDS,
            "order": [[generate.size_label(c) for c in order(r)] for r in range(1, ROUNDS + 1)],
            "kinds": KINDS,
            "phase_seconds": run.PHASE_SECONDS,
            "warmup_seconds": run.WARMUP_SECONDS,
            "connections": run.CONNECTIONS,
            "generate_seconds": generated,
            "started_at": started_at.isoformat(timespec="seconds"),
            "total_seconds": round(time.monotonic() - t0, 1),
            "commit": git_commit(),
            "cpu_count": os.cpu_count(),
        },
    }
    RESULTS.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"\nWrote {RESULTS.relative_to(ROOT)}")
    if failed:
        say("RUN FAILED: at least one run failed (see its output above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
