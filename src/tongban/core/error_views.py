"""The platform's own error pages (400, 403, 404, 500 and a refused CSRF check), in the page's
language and in the site's layout, instead of Django's bare English defaults (whose CSRF page
also carries an inline style that the content security policy blocks).

The 500 page renders a standalone template without a request context: whatever failed (the
database, a context processor) must not fail the error page too.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _


def _page(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "tongban/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        status=400,
        title=_("This cannot be done"),
        message=_("The request could not be understood. Check the address, or go back and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        status=403,
        title=_("You cannot do this"),
        message=_("You do not have permission to open this page. If you think you should, contact the help desk."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        status=404,
        title=_("Page not found"),
        message=_("There is no page at this address. It may have moved, or the address may be mistyped."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid security token (expired page, blocked cookies, another site)."""
    return _page(
        request,
        status=403,
        title=_("The form could not be sent"),
        message=_(
            "For your security the form was refused: the page was open too long, or your browser "
            "blocks cookies. Nothing was saved. Go back, reload the page and send it again."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(
        loader.get_template("tongban/500.html").render({"helpdesk_phone": settings.HELPDESK_PHONE})
    )
