"""The security headers every response carries, set in one place (ADR 0028, docs/web.md).

* ``Content-Security-Policy`` on every HTML response: the strict :data:`CONTENT_SECURITY_POLICY`.
  Pages load script, style, images and fonts from the platform itself only; no inline script,
  inline style or ``style=`` attribute runs (templates use classes in ``site.css`` and the files
  in ``static/``); nothing may frame a page; forms post to the platform only. A view that sets
  its own policy (an upload served under a sandboxing policy) keeps it.
* ``Permissions-Policy`` on every response: no page may use the camera, microphone, location,
  payments, USB and the other powerful features listed in :data:`PERMISSIONS_POLICY`.
* ``Cache-Control: private, no-store`` on every response with personal data
  (:func:`is_personal`): whatever is answered to someone signed in (or to an API caller with
  credentials), and every path under ``/<lang>/my/``, ``/<lang>/applications/``,
  ``/<lang>/backoffice/`` and the holder's shared certificate links (``/verify/s/``), downloads of
  uploads and certificates included. Public pages answered to a visitor keep their own caching.

``Referrer-Policy: same-origin``, ``X-Content-Type-Options`` and ``X-Frame-Options`` come from
Django's settings (``conf/base.py``); HSTS and secure cookies from ``conf/production.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from tongban.core.i18n import split_prefix

#: The one policy of every HTML page. ``img-src data:`` admits the small images CSS may inline;
#: ``<script type="application/ld+json">`` and ``application/json`` blocks are data, not
#: scripts, and are not affected by ``script-src``.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: Powerful browser features no page of the platform uses, switched off for every page and frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
)
#: What a response with personal data says to every cache on its way, the browser's included.
NO_STORE = "private, no-store"
#: Paths (after the language prefix) whose every response concerns someone.
PERSONAL_PREFIXES = ("/my/", "/applications/", "/backoffice/")
#: Paths outside the language prefixes whose every response concerns someone (shared links).
PERSONAL_ROOT_PREFIXES = ("/verify/s/",)


def is_personal(request: HttpRequest) -> bool:
    """Whether the answer to this request may hold personal data, and so must never be stored."""
    language, rest = split_prefix(request.path)
    if language is not None and rest.startswith(PERSONAL_PREFIXES):
        return True
    if language is None and request.path.startswith(PERSONAL_ROOT_PREFIXES):
        return True
    if request.META.get("HTTP_AUTHORIZATION"):
        return True
    # Only a request that brought a session cookie can be signed in: no session load otherwise.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SecurityHeadersMiddleware:
    """Sets the headers above on the way out; placed right after WhiteNoise, so static files keep
    their own (long, immutable) caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if is_personal(request) and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        return response
