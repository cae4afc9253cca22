"""Base settings: every value that varies per deployment comes from a documented env var.

``tongban.conf.production`` hardens these for a public deployment; tests override a few in
``tests/conftest.py``. Run ``manage.py settings_doc`` for the list of variables.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import dj_database_url

from tongban.conf import limits
from tongban.conf.env import EnvError, env, env_list
from tongban.conf.logging import logging_config

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(env("TONGBAN_VAR_DIR", str(BASE_DIR / "var"), "Directory for local state: SQLite, keys, media, mail."))

SECRET_KEY = env(
    "SECRET_KEY",
    "insecure-local-development-key-change-me-in-production-0123456789",
    "Django's secret key; production refuses to start without a real one.",
)
DEBUG = env("DEBUG", False, "Show Django's debug pages. Never true in production.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"], "Host names this deployment answers to.")
PUBLIC_BASE_URL = env(
    "PUBLIC_BASE_URL",
    "http://127.0.0.1:8000",
    "Absolute base URL of the public site, used in links in e-mail, QR codes and sitemaps.",
)
CITY_NAME_ZH = env("TONGBAN_CITY_NAME_ZH", "通办市", "The city's name in Chinese, shown in the portal.")
CITY_NAME_EN = env("TONGBAN_CITY_NAME_EN", "Tongban City", "The city's name in English, shown in the portal.")
CITY_REGION_CODE = env(
    "TONGBAN_CITY_REGION_CODE",
    "31",  # the demo city's districts are Shanghai's (310101 Huangpu, 310104 Xuhui, 310115 Pudong)
    "Leading digits of the city's region code (2 for a municipality such as Shanghai's 31, 4 for a "
    "prefecture-level city such as Shenzhen's 4403): offices and service centres must be in its "
    "districts. Empty: any district of the national region table.",
)
if CITY_REGION_CODE and not re.fullmatch(r"\d{2}|\d{4}", CITY_REGION_CODE):
    raise EnvError(f"TONGBAN_CITY_REGION_CODE must be empty, 2 or 4 digits, got {CITY_REGION_CODE!r}")
HELPDESK_PHONE = env("TONGBAN_HELPDESK_PHONE", "12345", "The citizens' service hotline shown on every page.")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "django_countries",
    "ninja",  # the API's documentation page from its bundled files, not a CDN (ADR 0028)
    # Tongban's bounded contexts, bottom layer first (see docs/architecture.md).
    "tongban.core",
    "tongban.audit",
    "tongban.identity",
    "tongban.catalogue",
    "tongban.notifications",
    "tongban.certificates",
    "tongban.exchange",
    "tongban.forms",
    "tongban.cases",
    "tongban.service_centres",
    "tongban.reviews",
    "tongban.opendata",
    "tongban.statistics",
    "tongban.portal",
    "tongban.backoffice",
    "tongban.api",
    "tongban.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tongban.core.headers.SecurityHeadersMiddleware",  # CSP, Permissions-Policy, no-store (ADR 0028)
    "tongban.core.replica.ReplicaMiddleware",  # replica reads, read-your-writes cookie (ADR 0048)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongban.core.i18n.LanguagePrefixMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "tongban.identity.middleware.AccountMiddleware",  # Django's, with the account fetched with the session
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tongban.identity.middleware.StaffIdleMiddleware",  # ends a back-office session left idle
    "tongban.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongban.core.context_processors.site",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}",
    "Database URL: sqlite:///path (embedded default) or postgres://user@host:port/name.",
)
DB_POOL_MAX = env("DB_POOL_MAX", 8, "PostgreSQL connection pool size per process (x workers < max_connections).")
DB_PREPARED_STATEMENTS = env(
    "DB_PREPARED_STATEMENTS",
    True,
    "PostgreSQL: server-side binding with prepared statements (plans reused per connection). "
    "Turn off behind PgBouncer < 1.21 in transaction mode.",
)
TEST_DB_NAME = env(
    "TEST_DB_NAME",
    "test_tongban_" + hashlib.sha1(str(BASE_DIR).encode(), usedforsecurity=False).hexdigest()[:10],
    "Name of the PostgreSQL test database; unique per checkout so parallel runs never collide.",
)


def database_from_url(url: str) -> dict[str, Any]:
    """Build a Django DATABASES entry: WAL + full sync on SQLite, a connection pool on PostgreSQL."""
    config: dict[str, Any] = dict(dj_database_url.parse(url))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if config["NAME"] and config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # WAL keeps readers and the writer apart; synchronous=FULL makes every acknowledged
            # commit durable across a power loss; IMMEDIATE avoids lock-upgrade deadlocks.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    else:
        config["ENGINE"] = "django.db.backends.postgresql"
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"pool": {"min_size": 1, "max_size": DB_POOL_MAX, "timeout": 10}}
        if DB_PREPARED_STATEMENTS:
            # Repeated queries are planned once per connection instead of on every request.
            config["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
    config["TEST"] = {"NAME": TEST_DB_NAME if config["ENGINE"].endswith("postgresql") else None}
    return config


DATABASES = {"default": database_from_url(DATABASE_URL)}

# --- Reads from a streaming replica (tongban.core.replica; ADR 0048) ------------------------------
DATABASE_REPLICA_URL = env(
    "DATABASE_REPLICA_URL",
    "",
    "PostgreSQL hot standby for reads that may be a little stale (catalogue, search, centres, public "
    "statistics, open data) and a person's own pages after their writes replayed; empty: no replica.",
)
REPLICA_MAX_LAG_SECONDS = env(
    "REPLICA_MAX_LAG_SECONDS", 5.0, "Replica reads fall back to the primary when the replica lags more than this."
)
REPLICA_PROBE_SECONDS = env(
    "REPLICA_PROBE_SECONDS", 1.0, "Seconds a process trusts its last probe of the replica's health and lag."
)
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_url(DATABASE_REPLICA_URL)
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise EnvError("DATABASE_REPLICA_URL must be a postgres:// URL")
    # A stopped replica is noticed in two seconds, never waited on for the pool's ten.
    DATABASES["replica"]["OPTIONS"]["connect_timeout"] = 2
    DATABASES["replica"]["OPTIONS"]["pool"]["timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["tongban.core.replica.ReplicaRouter"]
# Where the replica may serve reads: public pages by view name (fnmatch patterns) may be a little
# stale; a person's own pages (portal routes after the language prefix) read their own writes.
# Firms' spaces stay on the primary: a power revoked by the firm must end access at once.
REPLICA_STALE_VIEWS = [
    "portal:services",
    "portal:service",
    "portal:search",
    "portal:agencies",
    "portal:centres",
    "portal:centre",
    "portal:statistics",
    "portal:statistics_chart_*",
    "portal:satisfaction",
    "opendata:*",
    "opendata_catalog",
    "sitemap",
]
REPLICA_OWN_ROUTES = ["my/"]
REPLICA_OWN_EXCLUDED_ROUTES = ["my/firms/"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Identity and login ---------------------------------------------------------------------
AUTH_USER_MODEL = "identity.Account"
AUTHENTICATION_BACKENDS = [
    "tongban.identity.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
# Limits on login, registration, password reset, TOTP and /verify/ (core.ratelimit; ADR 0025),
# the trusted proxies that give the client's address, and staff session timing.
RATE_LIMITS = dict(limits.DEFAULT_RATE_LIMITS)
RATE_LIMIT_STORE = limits.RATE_LIMIT_STORE
TRUSTED_PROXY_COUNT = limits.TRUSTED_PROXY_COUNT
LOGIN_DELAY_MAX_MINUTES = limits.LOGIN_DELAY_MAX_MINUTES
LOGIN_BLOCK_MINUTES = limits.LOGIN_BLOCK_MINUTES
LOGIN_ATTACK_MINUTES = limits.LOGIN_ATTACK_MINUTES
LOGIN_CODE_MINUTES = limits.LOGIN_CODE_MINUTES
LOGIN_CODE_TRIES = limits.LOGIN_CODE_TRIES
KNOWN_DEVICE_DAYS = limits.KNOWN_DEVICE_DAYS
STAFF_IDLE_MINUTES = limits.STAFF_IDLE_MINUTES
REAUTH_MINUTES = limits.REAUTH_MINUTES
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Tongban", "Issuer name shown in staff authenticator apps.")
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

REDIS_URL = env(
    "REDIS_URL",
    "",
    "Redis for the shared cache (sessions are then read from it) and, with TASKS_BACKEND=rq, background work. "
    "Empty: a per-process memory cache and sessions read from the database.",
)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "tongban.core.cache.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions live in the database and are read through the shared cache: a logout anywhere
    # ends the session everywhere, and a request costs no session query. Once signed in, the
    # session key names the account, so session and account come in one round trip (ADR 0018).
    SESSION_ENGINE = "tongban.identity.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env("SESSION_COOKIE_AGE", 60 * 60 * 8, "Seconds a login session lasts.")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "tongban.core.error_views.csrf_failure"

# --- Languages and time ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
FILE_STORAGE = env(
    "FILE_STORAGE", "filesystem", "Where uploaded files go: filesystem (MEDIA_ROOT) or s3 (an S3-compatible store)."
)
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if FILE_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET", "tongban", "S3 bucket for uploaded files."),
            "endpoint_url": env("S3_ENDPOINT_URL", "", "S3 endpoint for non-AWS stores (MinIO, Ceph...).") or None,
            "access_key": env("S3_ACCESS_KEY", "", "S3 access key id."),
            "secret_key": env("S3_SECRET_KEY", "", "S3 secret access key."),
            "region_name": env("S3_REGION", "us-east-1", "S3 region."),
            "addressing_style": env("S3_ADDRESSING_STYLE", "path", "S3 addressing style: path or virtual."),
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
# Uploaded files are encrypted at rest around whichever backend is configured (ADR 0029).
STORAGES["default"] = {
    "BACKEND": "tongban.core.storage.EncryptedStorage",
    "OPTIONS": {
        "backend": STORAGES["default"]["BACKEND"],
        "options": STORAGES["default"].get("OPTIONS", {}),
        "accept_plaintext": env(
            "FILES_ACCEPT_PLAINTEXT",
            False,
            "Read uploaded files stored before encryption at rest, until `manage.py data_rekey` has encrypted them.",
        ),
    },
}

# --- Input limits (ADR 0027) ----------------------------------------------------------------
FORMS_LINE_MAX_CHARS = env(
    "FORMS_LINE_MAX_CHARS", 500, "Most characters a one-line form field holds when its schema sets no maxLength."
)
FORMS_TEXT_MAX_CHARS = env(
    "FORMS_TEXT_MAX_CHARS", 4000, "Most characters any form field holds, whatever its schema says (multi-line text)."
)
FORMS_LIST_MAX_ITEMS = env("FORMS_LIST_MAX_ITEMS", 100, "Most choices a list field of a form holds.")
FORMS_OPEN_DRAFTS_PER_PERSON = env(
    "FORMS_OPEN_DRAFTS_PER_PERSON", 50, "Most draft applications one person may have open at once."
)

# --- Signing keys ---------------------------------------------------------------------------
SIGNING_KEYS_FILE = env(
    "SIGNING_KEYS_FILE",
    str(VAR_DIR / "keys" / "signing-keys.jwks.json"),
    "JWK Set file holding the platform's Ed25519 signing keys (never in the repository).",
)
SIGNING_KEYS_JSON = env(
    "SIGNING_KEYS_JSON", "", "The key ring as JSON, instead of a file (e.g. from a secrets manager)."
)

# --- Data keys: personal data at rest (ADR 0029) ----------------------------------------------
DATA_KEYS_FILE = env(
    "DATA_KEYS_FILE",
    str(VAR_DIR / "keys" / "data-keys.json"),
    "JSON file holding the data-key ring: the keys personal data is encrypted with and the lookup (HMAC) keys.",
)
DATA_KEYS_JSON = env(
    "DATA_KEYS_JSON", "", "The data-key ring as JSON, instead of a file (e.g. from a secrets manager)."
)
DATA_CIPHER = env(
    "DATA_CIPHER", "AES-GCM", "Cipher new personal data is encrypted with: AES-GCM (AES-256) or SM4-GCM (GB/T 32907)."
)
DATA_LOOKUP_HMAC = env(
    "DATA_LOOKUP_HMAC",
    "HMAC-SHA256",
    "HMAC of the lookup columns (equality search on encrypted numbers): HMAC-SHA256 or HMAC-SM3 (GB/T 32905).",
)

# --- Data exchange --------------------------------------------------------------------------
EXCHANGE_PLATFORM_AGENCY = env(
    "EXCHANGE_PLATFORM_AGENCY",
    "big-data",
    "Code of the agency the platform itself reads registries as (identity verification).",
)
EXCHANGE_HTTP_PROVIDERS = env(
    "EXCHANGE_HTTP_PROVIDERS",
    "",
    "JSON list of other agencies' REST data providers (see tongban.exchange.providers.http).",
)

# --- Background work ------------------------------------------------------------------------
TASKS_BACKEND = env(
    "TASKS_BACKEND",
    "django_tasks_db.DatabaseBackend",
    "django-tasks backend: django_tasks_db.DatabaseBackend or django_tasks_rq.RQBackend.",
)
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default"]}}
TASKS_REDIS_URL = env(
    "TASKS_REDIS_URL",
    "",
    "Redis for the task queue with TASKS_BACKEND=django_tasks_rq.RQBackend. Empty: REDIS_URL's server, "
    "database 5 (never the cache's database, which a cache clear flushes), else redis://127.0.0.1:6379/5.",
)


def redis_url_with_db(url: str, db: int) -> str:
    """The same Redis server as ``url`` (host, credentials, TLS or socket), database ``db``."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "db"]
    if parts.scheme == "unix":  # the database is a query parameter (kept as unix:///path)
        return f"unix://{parts.netloc}{parts.path}?{urlencode([*query, ('db', str(db))])}"
    return parts._replace(path=f"/{db}", query=urlencode(query)).geturl()


if not TASKS_REDIS_URL:
    TASKS_REDIS_URL = redis_url_with_db(REDIS_URL, 5) if REDIS_URL else "redis://127.0.0.1:6379/5"
if TASKS_BACKEND == "django_tasks_rq.RQBackend":
    # Workers: manage.py rqworker --job-class django_tasks_rq.Job default (see docs/adr/0014).
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL}}
    # The job class that runs django-tasks Tasks, also for a worker started without --job-class;
    # the queue class gives a task's jobs its registered timeout and Retry (ADR 0050).
    RQ = {"JOB_CLASS": "django_tasks_rq.Job", "QUEUE_CLASS": "tongban.core.rq.Queue"}
SCHEDULER_INTERVAL_SECONDS = env(
    "SCHEDULER_INTERVAL_SECONDS",
    30.0,
    "Longest the scheduler (manage.py scheduler) sleeps between looking for due jobs.",
)

AUDIT_SEAL_INTERVAL_SECONDS = env(
    "AUDIT_SEAL_INTERVAL_SECONDS", 2.0, "How often the sealer chains newly committed audit entries."
)

# --- Retention (core.retention; docs/personal-data.md) -------------------------------------
# Days each kind of record is kept; 0 keeps it for ever. Applied daily by the "retention" job.
RETENTION = {
    "abandoned_drafts": env(
        "RETENTION_DRAFT_DAYS", 180, "Days a draft (or a deleted draft) untouched since is kept with its uploads."
    ),
    "closed_case_materials": env(
        "RETENTION_CASE_MATERIAL_DAYS",
        1825,
        "Days the uploaded files of a closed case are kept after it closed; the case and its history stay.",
    ),
    "sessions": env("RETENTION_SESSION_DAYS", 1, "Days an expired login session is kept after it expired."),
    "audit_segments": env(
        "RETENTION_AUDIT_DAYS",
        3650,
        "Days the audit trail is kept: older whole checkpointed segments are pruned behind a signed anchor.",
    ),
    "access_log_segments": env(
        "RETENTION_ACCESS_LOG_DAYS",
        1825,
        "Days the data-exchange access log is kept: older whole checkpointed segments are pruned behind a signed anchor.",
    ),
    "scheduled_runs": env("RETENTION_SCHEDULED_RUN_DAYS", 30, "Days the scheduler remembers the periods it ran."),
}
RETENTION_BATCH_SIZE = env("RETENTION_BATCH_SIZE", 500, "Records deleted per transaction by the retention job.")
RETENTION_DAILY_AT = env(
    "RETENTION_DAILY_AT", "03:30", "Local time (HH:MM, TIME_ZONE) at which the daily retention job is enqueued."
)

# --- Appointments (service_centres.appointments; docs/service-centres.md, ADR 0037) ------------
APPOINTMENT_MAX_FUTURE = env(
    "APPOINTMENT_MAX_FUTURE", 3, "Future appointments one person may hold at once (booked, not yet started)."
)
APPOINTMENT_HORIZON_DAYS = env("APPOINTMENT_HORIZON_DAYS", 30, "How many days ahead a slot may be booked.")
APPOINTMENT_LEAD_MINUTES = env(
    "APPOINTMENT_LEAD_MINUTES", 60, "A slot can be booked, cancelled or moved until this many minutes before it starts."
)
APPOINTMENT_NO_SHOW_AFTER_MINUTES = env(
    "APPOINTMENT_NO_SHOW_AFTER_MINUTES",
    60,
    "An appointment still booked (nobody arrived) this many minutes after its slot ended is marked a no-show.",
)
APPOINTMENT_NO_SHOW_LIMIT = env(
    "APPOINTMENT_NO_SHOW_LIMIT",
    3,
    "No-shows within APPOINTMENT_NO_SHOW_WINDOW_DAYS after which a person may not book for a while.",
)
APPOINTMENT_NO_SHOW_WINDOW_DAYS = env(
    "APPOINTMENT_NO_SHOW_WINDOW_DAYS", 90, "The period (days back from now) in which no-shows are counted."
)
APPOINTMENT_NO_SHOW_BLOCK_DAYS = env(
    "APPOINTMENT_NO_SHOW_BLOCK_DAYS", 30, "Days after the last counted no-show during which booking is refused."
)
APPOINTMENT_REMINDERS_AT = env(
    "APPOINTMENT_REMINDERS_AT",
    "18:00",
    "Local time (HH:MM, TIME_ZONE) at which the day-before reminders of the next day's appointments are sent.",
)

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend",
    "Django e-mail backend; the demo writes mail to files under var/mail.",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env("EMAIL_HOST", "localhost", "SMTP host for the smtp backend.")
EMAIL_PORT = env("EMAIL_PORT", 25, "SMTP port.")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@tongban.example", "Sender of platform e-mail.")

# --- Notifications (ADR 0041) ----------------------------------------------------------------
SMS_GATEWAY = env(
    "SMS_GATEWAY",
    "tongban.notifications.sms.fake.FileGateway",
    "Dotted path of the SMS gateway class (a tongban.notifications.sms.base.SmsGateway); the demo's writes to a file.",
)
SMS_FAKE_FILE = env("SMS_FAKE_FILE", str(VAR_DIR / "sms.log"), "Where the demo's fake SMS gateway writes each text.")
NOTIFY_MAX_ATTEMPTS = env("NOTIFY_MAX_ATTEMPTS", 6, "Tries of one e-mail or SMS delivery before it is given up.")
NOTIFY_RETRY_BASE_SECONDS = env(
    "NOTIFY_RETRY_BASE_SECONDS", 30.0, "Back-off after the first failed delivery; doubled after each further one."
)
NOTIFY_RETRY_CAP_SECONDS = env("NOTIFY_RETRY_CAP_SECONDS", 3600.0, "Longest back-off between two tries of a delivery.")
REMINDERS_DAILY_AT = env(
    "REMINDERS_DAILY_AT",
    "08:00",
    "Local time (HH:MM) of the daily reminders: cases due soon, supplements, certificates.",
)
CASE_DUE_SOON_WORKDAYS = env(
    "CASE_DUE_SOON_WORKDAYS", 2, "Officers are reminded of cases promised within this many working days (or late)."
)
RECTIFICATION_DUE_SOON_WORKDAYS = env(
    "RECTIFICATION_DUE_SOON_WORKDAYS",
    1,
    "Who answers for a rectification ticket is reminded when its next deadline is within this many working days.",
)
SUPPLEMENT_REMINDER_DAYS = env(
    "SUPPLEMENT_REMINDER_DAYS", 3, "Days a supplement may wait before the applicant is reminded, and between reminders."
)
CERTIFICATE_EXPIRY_NOTICE_DAYS = env(
    "CERTIFICATE_EXPIRY_NOTICE_DAYS",
    30,
    "Days before a certificate expires that its holder is told (again in the last week).",
)
NOTIFY_STALE_SECONDS = env(
    "NOTIFY_STALE_SECONDS",
    300,
    "A delivery claimed this long ago without an outcome (its worker died) is tried again by the sweep job.",
)
NOTIFY_JOB_TIMEOUT_SECONDS = env(
    "NOTIFY_JOB_TIMEOUT_SECONDS",
    30,
    "RQ backend: seconds one e-mail or SMS send may run before its work-horse is killed (1-30; ADR 0050).",
)
NOTIFY_JOB_RETRIES = env(
    "NOTIFY_JOB_RETRIES",
    3,
    "RQ backend: times a send is run again by RQ after its worker died or it timed out (ADR 0050).",
)

# --- Reviews (好差评, ADR 0042) -------------------------------------------------------------
REVIEW_EDIT_DAYS = env("REVIEW_EDIT_DAYS", 7, "Days during which a person may change a rating they gave.")
REVIEW_CONTACT_WORKDAYS = env(
    "REVIEW_CONTACT_WORKDAYS", 1, "Working days a rectification ticket's responsible has to contact the person."
)
REVIEW_RECTIFY_WORKDAYS = env(
    "REVIEW_RECTIFY_WORKDAYS", 5, "Working days a rectification ticket's responsible has to rectify and answer."
)
REVIEW_RECTIFY_COMPLEX_WORKDAYS = env(
    "REVIEW_RECTIFY_COMPLEX_WORKDAYS", 15, "Working days to rectify and answer when the ticket is marked complex."
)
REVIEW_MIN_PUBLIC_COUNT = env(
    "REVIEW_MIN_PUBLIC_COUNT", 5, "Fewest ratings an agency, service or centre needs before its row is published."
)

# --- Statistics (ADR 0043, docs/statistics.md) -------------------------------------------
STATISTICS_BATCH_SIZE = env(
    "STATISTICS_BATCH_SIZE", 5000, "Source rows the statistics catch-up reads per transaction (one batch)."
)
STATISTICS_GAP_SECONDS = env(
    "STATISTICS_GAP_SECONDS",
    3600,
    "How long the statistics catch-up waits for a row id skipped by a still-open transaction before "
    "it gives the id up as rolled back (longer than any write transaction).",
)

# --- Security headers (hardened further in production) -------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy, Permissions-Policy and no-store: tongban.core.headers (ADR 0028).
X_FRAME_OPTIONS = "DENY"

LOGGING = logging_config(
    level=env("LOG_LEVEL", "INFO", "Root log level."),
    json=env("LOG_JSON", False, "Write logs as JSON lines (for a log pipeline) instead of readable text."),
)
