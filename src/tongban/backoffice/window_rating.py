"""The rating invitation on the clerk's window screen (reviews, 好差评): after "Finish", the screen
shows the visitor the address of their visit's rating page and its QR code to scan with their
phone (the page asks them to sign in; only the ticket's person may rate it).

Only a ticket with a person is invited (an anonymous walk-in cannot rate). The finished ticket is
remembered in the session for the next view of the screen, once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tongban.core.qr import qr_svg
from tongban.service_centres.models import Ticket, TicketStatus, Window

SESSION_KEY = "window_rating_invite"


def remember_finished(request: HttpRequest, ticket: Ticket) -> None:
    """Invite the visitor of a ticket just finished, on the screen's next view."""
    if ticket.person_id is not None:
        request.session[SESSION_KEY] = ticket.pk


def rating_url(ticket: Ticket, language: str) -> str:
    """The visit's rating page, absolute, in the visitor's language."""
    with translation.override(language):
        path = reverse("portal:visit_rating", args=[ticket.pk])
    return f"{str(settings.PUBLIC_BASE_URL).rstrip('/')}{path}"


def invitation(request: HttpRequest, window: Window) -> dict[str, Any]:
    """``rating_invitation`` for the screen's template (the ticket, the address, the QR code), or
    nothing; the remembered ticket is forgotten once shown."""
    pk = request.session.pop(SESSION_KEY, None)
    if not isinstance(pk, int):
        return {}
    ticket = (
        Ticket.objects.filter(pk=pk, centre_id=window.centre_id, status=TicketStatus.DONE, person__isnull=False)
        .select_related("appointment")
        .first()
    )
    if ticket is None:
        return {}
    language = ticket.appointment.language if ticket.appointment else settings.LANGUAGE_CODE
    url = rating_url(ticket, language)
    return {
        "rating_invitation": {
            "ticket": ticket,
            "url": url,
            "qr_svg": qr_svg(url, title=_("QR code of the rating page of visit %(ticket)s") % {"ticket": ticket.label}),
        }
    }
