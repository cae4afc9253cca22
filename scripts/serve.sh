#!/usr/bin/env bash
# Serve Tongban: granian (WSGI) for the web, the django-tasks database worker for background
# work, the audit sealer and the scheduler of periodic jobs. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
WEB_WORKERS="${WEB_WORKERS:-2}"
BLOCKING_THREADS="${BLOCKING_THREADS:-8}"
run() { scripts/uv.sh run "$@"; }

pids=()
cleanup() { trap - EXIT INT TERM; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

run python manage.py db_worker --queue-name default --interval 1 & pids+=($!)
run python manage.py audit_sealer & pids+=($!)
run python manage.py scheduler & pids+=($!)
echo "Tongban is serving at http://127.0.0.1:${PORT}/  (Ctrl-C stops it)"
run granian --interface wsgi --host 127.0.0.1 --port "$PORT" --workers "$WEB_WORKERS" \
  --blocking-threads "$BLOCKING_THREADS" --no-ws tongban.wsgi:application & pids+=($!)
wait -n "${pids[@]}"
