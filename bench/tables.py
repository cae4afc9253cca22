"""Table sizes, index depths and the hot queries' plans on a bench database (ADR 0051, docs/scaling.md).

    BENCH_CASES=10000000 DJANGO_SETTINGS_MODULE=bench.settings uv run python -m bench.tables [--samples 200]

On the bench database of the size ``BENCH_CASES`` names (``bench.generate``), with plain psycopg:

* per table of the case and chain data: rows (exact), heap, indexes and TOAST bytes, bytes per row,
  and bytes per case over all of them;
* per index of the largest append-only tables: size and B-tree depth (``pgstatindex``; the
  ``pgstattuple`` extension is created in the bench database if missing);
* per hot query on those tables: ``EXPLAIN (ANALYZE, BUFFERS)`` over ``--samples`` random keys —
  the index used, no sequential scan of a big table, median and p95 execution time, buffers
  touched per execution.

Prints a table and writes ``var/bench/tables-<database>.json``. Read-only apart from the extension
and a ``SET`` per session; run it when the database is quiet (not during a benchmark).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402

#: The tables of a case and of the two chains, with what one case brings of each.
TABLES = (
    "cases_case",
    "cases_caseevent",
    "cases_caseparty",
    "forms_application",
    "audit_auditevent",
    "exchange_accesslogentry",
    "identity_person",
    "identity_account",
)
#: The largest append-only tables (ADR 0051): their indexes' depth.
APPEND_ONLY = ("cases_caseevent", "audit_auditevent", "exchange_accesslogentry")

#: (name, SQL with one %s, SQL that lists candidate keys) — the statements the hot pages and the
#: chain tools send to these tables (ordering and limits as in the code).
QUERIES = (
    (
        "case history (case page)",
        "SELECT id, at, action, from_status, to_status FROM cases_caseevent WHERE case_id = %s ORDER BY id",
        "SELECT id FROM cases_case TABLESAMPLE SYSTEM (1) LIMIT 5000",
    ),
    (
        "case by number (case page)",
        "SELECT id, status FROM cases_case WHERE number = %s",
        "SELECT number FROM cases_case TABLESAMPLE SYSTEM (1) LIMIT 5000",
    ),
    (
        "firm's newest 21 cases",
        "SELECT id, number, status FROM cases_case WHERE firm_id = %s ORDER BY id DESC LIMIT 21",
        "SELECT DISTINCT firm_id FROM cases_case TABLESAMPLE SYSTEM (1) WHERE firm_id IS NOT NULL LIMIT 5000",
    ),
    (
        "person's newest 21 cases",
        "SELECT id, number, status FROM cases_case WHERE applicant_id = %s ORDER BY submitted_at DESC LIMIT 21",
        "SELECT applicant_id FROM cases_case TABLESAMPLE SYSTEM (1) LIMIT 5000",
    ),
    (
        "audit entries of a case",
        (
            "SELECT id, action, occurred_at FROM audit_auditevent WHERE object_type = 'case' AND object_id = %s "
            "ORDER BY id"
        ),
        "SELECT object_id FROM audit_auditevent TABLESAMPLE SYSTEM (1) WHERE object_type = 'case' LIMIT 5000",
    ),
    (
        "who used my data (50 newest)",
        (
            "SELECT id, at, consumer, resource FROM exchange_accesslogentry WHERE subject_ref = %s "
            "ORDER BY id DESC LIMIT 50"
        ),
        "SELECT subject_ref FROM exchange_accesslogentry TABLESAMPLE SYSTEM (1) LIMIT 5000",
    ),
    (
        "verifier batch (2,000 by seq)",
        "SELECT * FROM audit_auditevent WHERE seq > %s ORDER BY seq LIMIT 2000",
        "SELECT seq FROM audit_auditevent TABLESAMPLE SYSTEM (1) WHERE seq IS NOT NULL LIMIT 5000",
    ),
    (
        "sealer batch (pending by id)",
        "SELECT * FROM audit_auditevent WHERE seq IS NULL AND id > %s ORDER BY id LIMIT 2000",
        "SELECT 0",
    ),
)


def say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def sizes(cur: psycopg.Cursor[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for table in TABLES:
        rows = cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]  # noqa: S608
        total, heap, indexes, toast = cur.execute(
            "SELECT pg_total_relation_size(c.oid), pg_relation_size(c.oid), pg_indexes_size(c.oid), "
            "coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) FROM pg_class c WHERE c.oid = %s::regclass",
            [table],
        ).fetchone()  # type: ignore[misc]
        out[table] = {
            "rows": rows,
            "total_bytes": total,
            "heap_bytes": heap,
            "index_bytes": indexes,
            "toast_bytes": toast,
            "bytes_per_row": round(total / rows) if rows else None,
        }
    return out


def index_depths(cur: psycopg.Cursor[Any]) -> dict[str, Any]:
    cur.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
    out: dict[str, Any] = {}
    for table in APPEND_ONLY:
        for (name,) in cur.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table]
        ).fetchall():
            level, size, leaves = cur.execute(
                "SELECT tree_level, index_size, leaf_pages FROM pgstatindex(%s)", [name]
            ).fetchone()  # type: ignore[misc]
            out[name] = {"table": table, "depth": level + 1, "bytes": size, "leaf_pages": leaves}
    return out


def _walk(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes.extend(_walk(child))
    return nodes


def explain(cur: psycopg.Cursor[Any], samples: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rng = random.Random(7)  # noqa: S311 - reproducible samples, not secrets
    for name, query, keys_sql in QUERIES:
        keys = [row[0] for row in cur.execute(keys_sql).fetchall()]
        if not keys:
            out[name] = {"skipped": "no rows"}
            continue
        times, planning, buffers, scans = [], [], [], set()
        for key in (rng.choice(keys) for _ in range(samples)):
            doc = cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query, [key]).fetchone()[0][0]  # type: ignore[index]
            times.append(doc["Execution Time"])
            planning.append(doc["Planning Time"])
            plan = doc["Plan"]
            buffers.append(plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0))
            for node in _walk(plan):
                if "Scan" in node["Node Type"]:
                    scans.add(f"{node['Node Type']} {node.get('Index Name') or node.get('Relation Name', '')}".strip())
        times.sort()
        out[name] = {
            "query": query,
            "samples": samples,
            "scans": sorted(scans),
            "median_ms": round(statistics.median(times), 3),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 3),
            "planning_median_ms": round(statistics.median(planning), 3),
            "buffers_median": statistics.median(buffers),
            "seq_scan": any(s.startswith("Seq Scan") for s in scans),
        }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args(argv)
    url = generate.database_url()
    database = url.rsplit("/", 1)[-1]
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SET jit = off")
        doc: dict[str, Any] = {"database": database, "sizes": sizes(cur)}
        cases = doc["sizes"]["cases_case"]["rows"]
        say(f"== {database}: {cases:,} cases")
        for table, s in doc["sizes"].items():
            say(
                f"  {table:<26} {s['rows']:>12,} rows {s['total_bytes'] / 2**20:>9,.0f} MiB "
                f"(heap {s['heap_bytes'] / 2**20:,.0f}, indexes {s['index_bytes'] / 2**20:,.0f}, "
                f"toast {s['toast_bytes'] / 2**20:,.0f})  {s['bytes_per_row'] or 0:>6} B/row"
            )
        per_case = ("cases_case", "cases_caseevent", "cases_caseparty", "forms_application")
        doc["bytes_per_case"] = round(sum(doc["sizes"][t]["total_bytes"] for t in per_case) / cases) if cases else None
        say(f"  bytes per case (case, history, parties, application; with indexes): {doc['bytes_per_case']:,}")
        doc["indexes"] = index_depths(cur)
        for name, s in doc["indexes"].items():
            say(f"  index {name:<44} depth {s['depth']}  {s['bytes'] / 2**20:>8,.0f} MiB")
        doc["queries"] = explain(cur, args.samples)
        for name, q in doc["queries"].items():
            if "skipped" in q:
                say(f"  {name:<32} skipped ({q['skipped']})")
                continue
            say(
                f"  {name:<32} median {q['median_ms']:>7.3f} ms  p95 {q['p95_ms']:>7.3f} ms  "
                f"planning {q['planning_median_ms']:.3f} ms  buffers {q['buffers_median']:>5}  {', '.join(q['scans'])}"
            )
    out = ROOT / "var" / "bench" / f"tables-{database}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    say(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
