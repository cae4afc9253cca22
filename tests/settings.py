"""Test settings: base settings with a throw-away key ring and tasks run inline."""

import json
import tempfile
from pathlib import Path

from tongban.conf.base import *  # noqa: F403
from tongban.conf.base import STORAGES
from tongban.core.keyring import new_private_jwk

SIGNING_KEYS_JSON = json.dumps({"keys": [new_private_jwk()]})
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
