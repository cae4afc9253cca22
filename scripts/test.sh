#!/usr/bin/env bash
# Run the whole suite on SQLite, then on PostgreSQL (TEST_POSTGRES_URL). With CI=true a missing
# PostgreSQL or Chromium fails the run instead of being skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export DJANGO_SETTINGS_MODULE=tests.settings
[ -f node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund --silent

echo "== Test suite on SQLite"
env -u DATABASE_URL scripts/uv.sh run pytest -n "${TEST_WORKERS:-2}" --dist loadgroup "$@"

echo "== Test suite on PostgreSQL ($TEST_POSTGRES_URL)"
if scripts/uv.sh run python scripts/db_reachable.py "$TEST_POSTGRES_URL"; then
  DATABASE_URL="$TEST_POSTGRES_URL" scripts/uv.sh run pytest -n "${TEST_WORKERS:-2}" --dist loadgroup "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $TEST_POSTGRES_URL and CI=true: failing." >&2
  exit 1
else
  echo "SKIPPED: PostgreSQL is not reachable at $TEST_POSTGRES_URL (set TEST_POSTGRES_URL, or CI=true to fail)." >&2
fi
