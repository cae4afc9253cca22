"""``audit_verify`` and ``exchange_verify`` on long chains: time per entry, full and ``--since``.

    BENCH_CASES=10000000 DJANGO_SETTINGS_MODULE=bench.settings uv run python -m bench.chain \\
        --entries 1000000 [--more 10000]

In the bench database of the size ``BENCH_CASES`` names (``bench.generate``), for each stream (the
audit trail and the exchange's access log):

1. appends ``--entries`` unsealed entries set-based (``INSERT … SELECT`` over
   ``generate_series``; rows shaped like a submit's audit entry and an exchange read's log entry);
2. seals them with the sealer's own ``seal_pending`` (timed: the sealer's cost per entry);
3. runs the real command in full (``audit_verify --stream audit`` / ``exchange_verify``) and
   times it; it records a verified mark (ADR 0047);
4. appends ``--more`` entries, seals them, and runs the command with ``--since last`` (timed).

Prints and writes ``var/bench/chain-<database>.json``: entries, seconds, entries per second and
microseconds per entry for each step. Run it when nothing else writes to that database (not
during ``make bench`` / ``make bench-scale``: their sealer would seal the appended rows).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AUDIT_INSERT = """
INSERT INTO audit_auditevent (occurred_at, action, actor_kind, actor_id, actor_label, acting_for, power_id,
                              object_type, object_id, ip, data, prev_hash, entry_hash)
SELECT now() - make_interval(secs => (%(n)s - g)::double precision / 10), 'case.submitted', 'account',
       1000 + g %% 100000, 'bench.p' || lpad((g %% 100000)::text, 6, '0'), 'firm:91310000MA1FL' || (g %% 20000),
       g %% 20000, 'case', 'TB20261207' || lpad(g::text, 8, '0'), '127.0.0.1',
       jsonb_build_object('service', 'si-enrolment', 'status', 'closed', 'number', 'TB20261207' || lpad(g::text, 8, '0')),
       '', ''
FROM generate_series(1, %(n)s::bigint) g
"""
ACCESS_INSERT = """
INSERT INTO exchange_accesslogentry (at, consumer, actor_kind, actor_id, actor_label, subject_kind, subject_ref,
                                     resource, fields, purpose, basis, case_number, outcome, reason,
                                     prev_hash, entry_hash)
SELECT now() - make_interval(secs => (%(n)s - g)::double precision / 10), 'bench-consumer', 'account',
       1000 + g %% 100000, 'bench.p' || lpad((g %% 100000)::text, 6, '0'), 'person',
       'person:' || md5(g::text)::uuid, 'population-record', '["name", "birth_date"]'::jsonb, 'bench-purpose',
       'grant', '', 'answered', '', '', ''
FROM generate_series(1, %(n)s::bigint) g
"""
STREAMS = {
    # stream: (table, insert, management command and its arguments)
    "audit": ("audit_auditevent", AUDIT_INSERT, ("audit_verify", "--stream", "audit")),
    "access": ("exchange_accesslogentry", ACCESS_INSERT, ("exchange_verify",)),
}


def say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def step(name: str, entries: int, seconds: float) -> dict[str, Any]:
    result = {
        "step": name,
        "entries": entries,
        "seconds": round(seconds, 2),
        "entries_per_second": round(entries / seconds) if seconds else None,
        "us_per_entry": round(seconds * 1e6 / entries, 1) if entries else None,
    }
    say(
        f"  {name:<22} {entries:>10,} entries {seconds:>9.2f} s  "
        f"{result['entries_per_second'] or 0:>9,} /s  {result['us_per_entry'] or 0:>7} µs each"
    )
    return result


def measure(stream: str, entries: int, more: int) -> list[dict[str, Any]]:
    from django.core.management import call_command
    from django.db import connection

    from tongban.audit.services import seal_pending

    table, insert, command = STREAMS[stream]
    say(f"== {stream} ({table})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a constant table name
        before = cursor.fetchone()[0]
    results = []
    for label, n, since in (("", entries, None), (" (more)", more, "last")):
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(insert, {"n": n})
            cursor.execute(f"ANALYZE {table}")
        results.append(step("insert" + label, n, time.monotonic() - started))
        started = time.monotonic()
        sealed = seal_pending(stream)
        results.append(step("seal" + label, sealed, time.monotonic() - started))
        out = io.StringIO()
        args = [*command, *(["--since", since] if since else [])]
        started = time.monotonic()
        call_command(*args, stdout=out)
        seconds = time.monotonic() - started
        report = out.getvalue().strip()
        verified = [line for line in report.splitlines() if "verified" in line and "entries" in line]
        say("    " + "\n    ".join(report.splitlines()))
        read = int(verified[0].split(" verified ")[1].split(" ")[0]) if verified else 0
        result = step(("verify --since last" if since else "verify (full)"), read, seconds)
        result["command"] = " ".join(["manage.py", *args])
        results.append(result)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), pg_total_relation_size(%s), pg_relation_size(%s), pg_indexes_size(%s) FROM {table}",  # noqa: S608
            [table, table, table],
        )
        rows, total, heap, indexes = cursor.fetchone()
    results.append(
        {
            "step": "size",
            "rows_before": before,
            "rows": rows,
            "total_bytes": total,
            "heap_bytes": heap,
            "index_bytes": indexes,
            "bytes_per_row": round(total / rows) if rows else None,
        }
    )
    say(f"  size: {rows:,} rows, {total / 2**20:,.0f} MiB ({heap / 2**20:,.0f} heap + {indexes / 2**20:,.0f} indexes)")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries appended per stream")
    parser.add_argument("--more", type=int, default=10_000, help="entries appended before --since last")
    parser.add_argument("--stream", action="append", choices=sorted(STREAMS), help="only this stream")
    args = parser.parse_args(argv)
    import django

    django.setup()
    from django.conf import settings

    database = settings.DATABASES["default"]["NAME"]
    say(f"chain timing in {database}: {args.entries:,} entries per stream, then {args.more:,} more")
    doc: dict[str, Any] = {"database": database, "entries": args.entries, "more": args.more, "streams": {}}
    for stream in args.stream or list(STREAMS):
        doc["streams"][stream] = measure(stream, args.entries, args.more)
    out = ROOT / "var" / "bench" / f"chain-{database}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    say(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
