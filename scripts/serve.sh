#!/usr/bin/env bash
# Serve Tongban: granian (WSGI) for the web, the django-tasks database worker for background
# work, the audit sealer and the scheduler of periodic jobs. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
# Sized to the machine so granian has nothing to warn about: at most one worker per core, and at
# most 2 x cores + 1 Python threads per worker (granian's own limit), 8 at most — the PostgreSQL
# pool per process (DB_POOL_MAX, 8), so a thread never waits for a connection, and pool x workers
# (16 with 2 workers, + the task worker and the sealer) stays well under max_connections (100).
# Backpressure: a worker takes on only as many requests as it has threads; the rest wait in the
# socket queue rather than in Python.
CPUS="$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)"
WEB_WORKERS="${WEB_WORKERS:-$(( CPUS < 2 ? CPUS : 2 ))}"
MAX_THREADS=$(( 2 * CPUS + 1 ))
BLOCKING_THREADS="${BLOCKING_THREADS:-$(( MAX_THREADS < 8 ? MAX_THREADS : 8 ))}"
run() { scripts/uv.sh run "$@"; }

pids=()
cleanup() { trap - EXIT INT TERM; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

run python manage.py db_worker --queue-name default --interval 1 & pids+=($!)
run python manage.py audit_sealer & pids+=($!)
run python manage.py scheduler & pids+=($!)
echo "Tongban is serving at http://127.0.0.1:${PORT}/  (Ctrl-C stops it)"
run granian --interface wsgi --host 127.0.0.1 --port "$PORT" --workers "$WEB_WORKERS" \
  --blocking-threads "$BLOCKING_THREADS" --backpressure "$BLOCKING_THREADS" --no-ws tongban.wsgi:application \
  & pids+=($!)
wait -n "${pids[@]}"
