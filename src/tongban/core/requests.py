"""Helpers that turn an HTTP request into the explicit values services take."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from tongban.core.actors import Actor


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the entry a trusted proxy added to X-Forwarded-For."""
    proxies: int = settings.AXES_IPWARE_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    remote = request.META.get("REMOTE_ADDR")
    return str(remote) if remote else None


def actor_from_request(request: HttpRequest) -> Actor:
    """The signed-in account (or an anonymous visitor) with the client's IP address."""
    user = getattr(request, "user", None)
    ip = client_ip(request)
    if user is not None and user.is_authenticated:
        return Actor(kind="account", account_id=user.pk, label=user.get_username(), ip=ip)
    return Actor.anonymous(ip=ip)
