"""Exit 0 if the PostgreSQL server at the URL given answers, 1 otherwise (used by scripts/test.sh)."""

import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except psycopg.OperationalError as exc:
    sys.stderr.write(f"cannot connect: {exc}".strip() + "\n")
    sys.exit(1)
