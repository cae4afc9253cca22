"""Helpers that turn an HTTP request into the explicit values services take."""

from __future__ import annotations

from django.http import HttpRequest

from tongban.core.actors import Actor
from tongban.core.ratelimit import client_address

#: The largest page number a list accepts: beyond it nothing is shown (and no database takes an
#: offset that large).
MAX_PAGE = 1000


def page_number(request: HttpRequest) -> int:
    """``?page=`` as a page number from 1 to ``MAX_PAGE``; anything else (missing, not a number,
    out of range) is page 1 or the last page allowed."""
    raw = request.GET.get("page", "")
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return min(max(1, int(raw[:6])), MAX_PAGE)


def key_before(request: HttpRequest) -> int | None:
    """``?before=`` as a row id to list from (keyset paging), or None: only a positive integer
    that fits a database's BIGINT counts."""
    raw = request.GET.get("before", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value < 2**63 else None


def posted_int(request: HttpRequest, name: str) -> int | None:
    """A posted whole number that fits a database integer column (a row id, a lock version), or
    None if the field is missing or anything else."""
    raw = request.POST.get(name, "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    return int(raw)


def posted_lock_version(request: HttpRequest) -> int:
    """The ``lock_version`` a form was rendered with; a missing or mangled one is -1, which no
    case has, so the action is refused as "the case changed" instead of failing."""
    value = posted_int(request, "lock_version")
    return -1 if value is None else value


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (``core.ratelimit.client_address``: ``TRUSTED_PROXY_COUNT``, ADR 0025)."""
    return client_address(request)


def actor_from_request(request: HttpRequest) -> Actor:
    """The signed-in account (or an anonymous visitor) with the client's IP address."""
    user = getattr(request, "user", None)
    ip = client_ip(request)
    if user is not None and user.is_authenticated:
        return Actor(kind="account", account_id=user.pk, label=user.get_username(), ip=ip)
    return Actor.anonymous(ip=ip)
