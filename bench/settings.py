"""Settings for ``make bench``: the app's base settings on a dedicated PostgreSQL database.

* ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/tongban_bench``, or
  ``tongban_bench_<size>`` when ``BENCH_CASES`` asks for another size than 1 M): a database the
  bench creates and drops itself — never the test database, never your data.
* ``ROOT_URLCONF = "bench.urls"``: the app's URLs plus the two bare baseline views.
* The ``bench`` app (the baseline table) is installed here only.
* Background work as the app normally runs it: django-tasks' database backend, so a submit
  enqueues its e-mail task for real; e-mail itself goes to memory (locmem).
* Signing keys and data keys (personal data encrypted at rest, ADR 0029) come from files the
  generator writes under ``var/bench/``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bench.generate import default_database_url
from tongban.conf.base import *  # noqa: F403
from tongban.conf.base import INSTALLED_APPS, VAR_DIR, database_from_url
from tongban.conf.env import env
from tongban.conf.logging import logging_config

BENCH_DATABASE_URL = env(
    "BENCH_DATABASE_URL",
    default_database_url(),
    "PostgreSQL database the benchmark creates, fills and drops itself (make bench).",
)
_BENCH_DATABASE = urlsplit(BENCH_DATABASE_URL).path.lstrip("/")
# Each data set's keys beside it: its ciphertexts need the keys it was generated under.
BENCH_VAR_DIR = VAR_DIR / "bench" if _BENCH_DATABASE == "tongban_bench" else VAR_DIR / "bench" / _BENCH_DATABASE

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
DATABASES = {"default": database_from_url(BENCH_DATABASE_URL)}
# The production configuration: prepared statements are on by default in tongban.conf.base
# (DB_PREPARED_STATEMENTS); sessions are read through Redis when REDIS_URL is set, which
# `make bench` does (the city-scale deployment in docs/deployment.md runs Redis).

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

SIGNING_KEYS_FILE = str(BENCH_VAR_DIR / "signing-keys.jwks.json")
SIGNING_KEYS_JSON = ""
DATA_KEYS_FILE = str(BENCH_VAR_DIR / "data-keys.json")
DATA_KEYS_JSON = ""
STATIC_ROOT = BENCH_VAR_DIR / "static"
MEDIA_ROOT = BENCH_VAR_DIR / "media"

LOGGING = logging_config(level="WARNING", json=False)

# The book_slot phase (bench/booking.py): 1,024 people book as fast as they can, so the booking
# throttles and the per-person cap of future appointments are off; the place constraint is not.
RATE_LIMITS = {**RATE_LIMITS, "appointment.account": (10**9, 3600), "appointment.client": (10**9, 3600)}  # noqa: F405
APPOINTMENT_MAX_FUTURE = 10**6

# Data sets of several sizes share the Redis server (make bench-scale): the same account ids and
# catalogue revisions mean different rows in each database, so each keeps its own cache keys.
if _BENCH_DATABASE != "tongban_bench" and "default" in CACHES:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = _BENCH_DATABASE  # noqa: F405
