# Tongban: the two commands a city needs (make run, make test), plus lint and bench.
# Everything a target needs is installed by the target itself (see scripts/).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
UV := scripts/uv.sh
MANAGE := $(UV) run python manage.py
export DJANGO_SETTINGS_MODULE ?= tongban.conf.base
# Links in e-mail, certificates and QR codes point at the address `make run` serves.
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: help install run serve cluster cluster-stop cluster-status test test-sqlite test-postgres lint format messages bench bench-scale bench-cluster totp clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

install:  ## Install Python dependencies from uv.lock (and uv itself if missing)
	@scripts/system-deps.sh run
	@$(UV) sync --frozen --quiet

messages: install  ## Compile the translation catalogues
	@$(MANAGE) compilemessages --ignore=.venv --verbosity 0

run: messages  ## Install, migrate SQLite, load the demo city and serve it at http://127.0.0.1:$(PORT)
	@$(MANAGE) keyring_generate
	@$(MANAGE) migrate --noinput --verbosity 0
	@$(MANAGE) calendar_seed
	@$(MANAGE) collectstatic --noinput --verbosity 0
	@$(MANAGE) demo_load
	@PORT=$(PORT) scripts/serve.sh

cluster: messages  ## Start the cluster on this machine: HAProxy, 2 web nodes, PostgreSQL primary + replica, Redis, RQ, S3 (ADR 0049)
	@$(UV) run --frozen --quiet python scripts/cluster.py start

cluster-stop:  ## Stop what `make cluster` started (its data stays in var/cluster/)
	@$(UV) run --frozen --quiet python scripts/cluster.py stop

cluster-status:  ## Show which parts of the cluster run
	@$(UV) run --frozen --quiet python scripts/cluster.py status

test: messages  ## Install what the tests need, then run the whole suite on SQLite and PostgreSQL
	@scripts/system-deps.sh test
	@scripts/test.sh

lint: install  ## ruff, ruff format --check, mypy, import-linter, makemigrations --check
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy src tests
	$(UV) run lint-imports
	$(MANAGE) makemigrations --check --dry-run --verbosity 1

format: install  ## Apply ruff's fixes and formatting
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

bench: messages  ## Benchmark on PostgreSQL (1 M cases): app pages vs bare Django views -> bench/results.json
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >&2; } || \
	  { echo "Missing wrk. Install it with:  sudo apt-get install -y wrk" >&2; exit 1; }
	@REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/3} DJANGO_SETTINGS_MODULE=bench.settings $(UV) run python -m bench.run

bench-scale: messages  ## The same phases at 1 M and 10 M cases, alternating (~20 GB of disk) -> bench/results-scale.json
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >&2; } || \
	  { echo "Missing wrk. Install it with:  sudo apt-get install -y wrk" >&2; exit 1; }
	@REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/3} DJANGO_SETTINGS_MODULE=bench.settings $(UV) run python -m bench.scale

bench-cluster: messages  ## The submit and case-page phases on one node and through HAProxy, alternating -> bench/results-cluster.json
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >&2; } || \
	  { echo "Missing wrk. Install it with:  sudo apt-get install -y wrk" >&2; exit 1; }
	@$(UV) run python -m bench.cluster

totp:  ## Print the current TOTP code of a demo staff account: make totp USER=officer.science
	@# No `install` step (system packages, sync): `make run` has set the machine up; uv runs the locked environment.
	@$(UV) run --frozen --quiet python manage.py demo_totp $(USER)

clean:  ## Remove local state (SQLite database, keys, media, mail) and the virtualenv
	rm -rf var .venv node_modules
