"""Test settings: base settings with a throw-away key ring and tasks run inline."""

import json
import tempfile
from pathlib import Path

from tongban.conf.base import *  # noqa: F403
from tongban.conf.base import STORAGES
from tongban.core.crypto import new_ring
from tongban.core.keyring import new_private_jwk

SIGNING_KEYS_JSON = json.dumps({"keys": [new_private_jwk()]})
DATA_KEYS_JSON = json.dumps(new_ring())  # an active key of each cipher and lookup HMAC
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="tongban-test-media-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="tongban-test-static-"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Every request any test makes is checked: a transaction that changes an audited table must write
# its audit entry (tests/audit_guard.py).
MIDDLEWARE = ["tests.audit_guard.AuditedWritesMiddleware", *MIDDLEWARE]  # noqa: F405

# The test client is 127.0.0.1 for everyone: limits high enough that no other test is throttled.
# Tests of the limits restore the real ones: override_settings(RATE_LIMITS=DEFAULT_RATE_LIMITS).
RATE_LIMITS = {name: (100_000, window) for name, (_hits, window) in RATE_LIMITS.items()}  # noqa: F405
