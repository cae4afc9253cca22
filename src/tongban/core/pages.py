"""Pages whose HTML is reused when the data they show has not changed (content-addressed pages).

A page rendered with :func:`render_keyed` is stored in the shared cache under a digest of
*everything it is rendered from*: the template, the code and translations deployed (the release),
the language, the full path, and the context the view passes — which the view reads fresh from the
database on every request. The same data gives the same key and the same HTML; changed data gives
another key. Nothing has to be invalidated, so there is no invalidation to forget: a stale page
cannot be served, because a page is only ever found again by the data it was made from.

What the view must do: pass a context of plain data only (str, int, bool, None, dates, Decimal,
tuples/NamedTuples, lists, dicts of these) — :func:`render_keyed` refuses anything else (a model
instance's ``repr`` does not show its fields, so it could not be part of the key). It still runs
every permission check itself, before calling this: the cache saves rendering, never a check.

Per request and never cached: the CSRF token (the page is rendered with a placeholder that each
response replaces with the request's own token) and flash messages (a request with a message
waiting renders the page normally). The page frame's account links only depend on being signed in;
views that render a page for signed-in users only (``person_required``) may use this.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache as shared_cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation

#: Stands in for the CSRF token in stored HTML (letters only: ``{% csrf_token %}`` escapes nothing).
CSRF_PLACEHOLDER = "tongbanCsrfPlaceholderWillBeReplacedPerRequest"
#: How long a stored page stays (from when it was stored); the key, not this, decides whether a
#: page is current.
TIMEOUT_SECONDS = 600

_PACKAGE = Path(__file__).resolve().parents[1]


@cache
def release() -> str:
    """A digest of what the HTML of a page depends on besides its data: the code, templates and
    translations deployed (names, sizes, modification times of the package's .py, .html, .txt and
    .mo files — URL patterns and template tags are code), Django's version, and the site settings
    the page frame shows. Computed once per process; a deployment or a settings change starts new
    processes, whose pages get new keys."""
    digest = hashlib.blake2b(digest_size=12)
    roots = [_PACKAGE, *(Path(path) for path in settings.LOCALE_PATHS if not Path(path).is_relative_to(_PACKAGE))]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".mo"):
                stat = path.stat()
                digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    site = (django.get_version(), settings.CITY_NAME_ZH, settings.CITY_NAME_EN, settings.HELPDESK_PHONE)
    digest.update(repr(site).encode())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if isinstance(value, Decimal):
        return ["decimal", str(value)]
    raise TypeError(f"render_keyed: {type(value).__name__} is not plain data; pass the values the page shows")


def page_key(template_name: str, context: Mapping[str, Any], *, path: str, language: str) -> str:
    """The cache key of a page: a digest of everything its HTML is made from."""
    material = json.dumps(
        [release(), template_name, language, path, context], default=_plain, sort_keys=True, ensure_ascii=False
    )
    return "page:" + hashlib.blake2b(material.encode(), digest_size=20).hexdigest()


def render_keyed(request: HttpRequest, template_name: str, context: dict[str, Any]) -> HttpResponse:
    """``render(request, template_name, context)``, reusing the HTML made before from the same data."""
    if len(get_messages(request)):  # a flash message shows once: this response is not reusable
        return HttpResponse(render_to_string(template_name, context, request))
    key = page_key(template_name, context, path=request.get_full_path(), language=translation.get_language() or "")
    html: str | None = shared_cache.get(key)
    if html is None:
        html = render_to_string(template_name, {**context, "csrf_token": CSRF_PLACEHOLDER}, request)
        shared_cache.set(key, html, TIMEOUT_SECONDS)
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
