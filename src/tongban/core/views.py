"""Operational endpoints: ``/healthz`` for load balancers and orchestrators.

With a replica configured, ``/healthz`` also reports it (configured, lag, in use or fallen back);
a replica that is down or lagging does not fail the check, as every page then reads from the
primary (ADR 0048): a load balancer must not take web nodes out for it."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tongban.core.replica import replica_status


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with ``{"status": "ok", "database": "ok"}`` (and ``"replica": {...}`` when one is
    configured), or 503 naming what is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "error": exc.__class__.__name__}, status=503
        )
    body: dict[str, object] = {"status": "ok", "database": "ok", "vendor": connection.vendor}
    replica = replica_status()
    if replica is not None:
        body["replica"] = replica
    return JsonResponse(body)
