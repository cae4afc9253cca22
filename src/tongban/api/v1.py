"""API version 1. Thin: each operation calls one selector or service; errors have one shape."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema

from tongban.core.errors import DomainError

api = NinjaAPI(
    title="Tongban API",
    version="1",
    description="The JSON API of Tongban, the one-stop government services platform.",
    urls_namespace="api-v1",
)


class ErrorOut(Schema):
    code: str
    message: str


class StatusOut(Schema):
    status: str
    api_version: str
    database: str


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"code": exc.code, "message": str(exc.message)}, status=exc.status)


@api.get("/status", response=StatusOut, summary="Service status", tags=["meta"])
def status(request: HttpRequest) -> StatusOut:
    return StatusOut(status="ok", api_version="1", database=connection.vendor)
