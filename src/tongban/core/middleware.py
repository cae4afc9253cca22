"""Turn domain errors raised in views into the one bilingual error page (or JSON for the API)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tongban.core.errors import DomainError, NotFoundError, PermissionDeniedError


def error_title(exc: DomainError) -> str:
    if isinstance(exc, PermissionDeniedError):
        return _("You cannot do this")
    if isinstance(exc, NotFoundError):
        return _("Page not found")
    return _("This cannot be done")


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"code": exception.code, "message": str(exception.message)}, status=exception.status)
        return render(
            request,
            "tongban/error.html",
            {"title": error_title(exception), "message": exception.message},
            status=exception.status,
        )
