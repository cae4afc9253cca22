"""Turn domain errors raised in views into the one bilingual error page (or JSON for the API; a
rate-limited request's answer carries Retry-After), and answer an address (path or query string)
carrying a NUL character with that page before any view reads it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core.errors import DomainError, NotFoundError, PermissionDeniedError
from tongban.core.ratelimit import RateLimitedError

#: Why a query string with a NUL character is refused.
NUL_IN_QUERY = gettext_lazy("The address contains a character that is not allowed. Check the link and try again.")


def error_title(exc: DomainError) -> str:
    if isinstance(exc, PermissionDeniedError):
        return _("You cannot do this")
    if isinstance(exc, NotFoundError):
        return _("Page not found")
    if isinstance(exc, RateLimitedError):
        return _("Too many requests")
    return _("This cannot be done")


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A NUL character in a path or query string is never a real key, search or filter;
        # PostgreSQL refuses it in any text parameter, so it would reach the database as an error.
        # Answer it here, for every view (forms already refuse it in posted fields).
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return self.error_page(request, DomainError(NUL_IN_QUERY, code="bad_query"))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return self.error_page(request, exception) if isinstance(exception, DomainError) else None

    @staticmethod
    def error_page(request: HttpRequest, exception: DomainError) -> HttpResponse:
        response: HttpResponse
        if request.path.startswith("/api/") or request.path.endswith(".json"):
            response = JsonResponse(
                {"code": exception.code, "message": str(exception.message)}, status=exception.status
            )
        else:
            response = render(
                request,
                "tongban/error.html",
                {"title": error_title(exception), "message": exception.message},
                status=exception.status,
            )
        if isinstance(exception, RateLimitedError):
            response["Retry-After"] = str(exception.retry_after)
        return response
