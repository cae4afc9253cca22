"""Production settings: base plus the hardening ``manage.py check --deploy`` asks for."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from tongban.conf.base import *
from tongban.conf.env import env
from tongban.conf.logging import logging_config

if "SECRET_KEY" not in os.environ:
    raise ImproperlyConfigured("Set SECRET_KEY (50+ random characters) for production.")

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT", True, "Redirect plain HTTP to HTTPS.")
SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS", 31_536_000, "HSTS max-age in seconds.")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if env("BEHIND_TLS_PROXY", False, "Trust X-Forwarded-Proto from the reverse proxy that terminates TLS."):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
LOGGING = logging_config(level=env("LOG_LEVEL", "INFO", "Root log level."), json=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend", "Django e-mail backend.")
