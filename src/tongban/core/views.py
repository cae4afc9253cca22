"""Operational endpoints: ``/healthz`` for load balancers and orchestrators."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with ``{"status": "ok", "database": "ok"}``, or 503 naming what is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "error": exc.__class__.__name__}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})
