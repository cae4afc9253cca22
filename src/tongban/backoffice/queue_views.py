"""The clerk's window screen (ADR 0038): choose one's window, call the next ticket, recall it,
mark it as not come, transfer it to another window or back to the centre's queue, finish it
(optionally with the case numbers served, which records the visits), and issue a walk-in ticket. After "Finish" the screen shows the visitor's rating invitation
(``window_rating``).

One URL: the window is chosen with ``?window=<id>`` (GET) or the posted ``window`` and remembered
in the session, so that a clerk with several windows chooses once; the remembered window is checked
against the clerk's open windows on every request (a window closed, removed or of a centre the
clerk no longer works at is forgotten), and "Leave this window" forgets it. A clerk sees and acts
only at the windows of their own centre (another centre's window or ticket: 404)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.backoffice import window_rating
from tongban.backoffice.decorators import staff_account, staff_required
from tongban.cases.models import Case
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.errors import PermissionDeniedError
from tongban.core.requests import actor_from_request, posted_int
from tongban.core.web import domain_errors
from tongban.identity.models import StaffRoleKind
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import has_role
from tongban.service_centres.models import Ticket, TicketSource, Window
from tongban.service_centres.ticket_selectors import clerk_windows, ticket_at_window, waiting_count
from tongban.service_centres.ticket_services import (
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_transfer,
)

#: Case numbers as typed: separated by spaces, commas or new lines.
_SEPARATORS = re.compile(r"[\s,，;；]+")
ACTIONS = ("call", "recall", "no_show", "transfer", "finish", "issue", "leave")
#: The session key of the window the clerk chose (its id).
WINDOW_KEY = "backoffice.window"


def _minutes(delta: timedelta | None) -> int | None:
    return None if delta is None else max(0, int(delta.total_seconds() // 60))


def _screen_url(window: Window) -> str:
    return f"{reverse('backoffice:window_screen')}?window={window.pk}"


@require_http_methods(["GET", "POST"])
@staff_required
def window_screen(request: StaffRequest) -> HttpResponse:
    if not has_role(request.staff_roles, StaffRoleKind.CLERK):
        raise PermissionDeniedError(_("Only service-centre clerks work at a window."))
    windows = list(clerk_windows(staff_account(request)))
    if request.method == "POST":
        return _act(request, windows)
    chosen = request.GET.get("window", "")
    window = next((each for each in windows if str(each.pk) == chosen), None)
    if chosen and window is None:
        raise Http404
    if window is None:
        window = _remembered(request, windows)
    if window is None and len(windows) == 1:
        window = windows[0]
    if window is not None:
        _remember(request, window)
    context: dict[str, object] = {"windows": windows, "window": window}
    if window is not None:
        context.update(window_rating.invitation(request, window))
        moment = now()
        current = ticket_at_window(window, day=local_date(moment))
        context.update(
            current=current,
            waiting=waiting_count(centre_id=window.centre_id, day=local_date(moment)),
            waited=_minutes(current.first_called_at - current.issued_at)
            if current and current.first_called_at
            else None,
            serving=_minutes(moment - current.called_at) if current and current.called_at else None,
            others=[each for each in windows if each.centre_id == window.centre_id and each.pk != window.pk],
        )
    return render(request, "backoffice/window_screen.html", context)


def _remembered(request: StaffRequest, windows: list[Window]) -> Window | None:
    """The window remembered in the session if it is still one of the clerk's open windows;
    otherwise it is forgotten."""
    stored = request.session.get(WINDOW_KEY)
    if stored is None:
        return None
    window = next((each for each in windows if each.pk == stored), None)
    if window is None:
        del request.session[WINDOW_KEY]
    return window


def _remember(request: StaffRequest, window: Window) -> None:
    if request.session.get(WINDOW_KEY) != window.pk:
        request.session[WINDOW_KEY] = window.pk


def _act(request: StaffRequest, windows: list[Window]) -> HttpResponse:
    window = next((each for each in windows if each.pk == posted_int(request, "window")), None)
    action = request.POST.get("action", "")
    if window is None or action not in ACTIONS:
        raise Http404
    if action == "leave":
        request.session.pop(WINDOW_KEY, None)
        messages.info(request, _("You left window %(number)s. Choose a window to work at.") % {"number": window.number})
        return redirect(reverse("backoffice:window_screen"))
    _remember(request, window)
    clerk, actor, moment = staff_account(request), actor_from_request(request), now()
    if action == "call":
        with domain_errors(request) as done:
            called = ticket_call_next(window=window, clerk=clerk, actor=actor, now=moment)
        if done:
            if called is None:
                messages.info(request, _("Nobody is waiting for this window."))
            else:
                messages.success(request, _("Called %(ticket)s.") % {"ticket": called.label})
        return redirect(_screen_url(window))
    if action == "issue":
        with domain_errors(request) as done:
            issued = ticket_issue(centre=window.centre, source=TicketSource.CLERK, clerk=clerk, actor=actor, now=moment)
        if done:
            messages.success(request, _("Ticket %(ticket)s issued.") % {"ticket": issued.label})
        return redirect(_screen_url(window))
    ticket = Ticket.objects.filter(pk=posted_int(request, "ticket") or 0, centre_id=window.centre_id).first()
    if ticket is None:
        raise Http404
    with domain_errors(request) as done:
        if action == "recall":
            ticket_recall(ticket=ticket, clerk=clerk, actor=actor, now=moment)
        elif action == "no_show":
            ticket_no_show(ticket=ticket, clerk=clerk, actor=actor, now=moment)
        elif action == "transfer":
            target = request.POST.get("to", "")
            to_window = next(
                (each for each in windows if str(each.pk) == target and each.centre_id == window.centre_id), None
            )
            if target != "queue" and to_window is None:
                raise Http404
            ticket_transfer(ticket=ticket, to_window=to_window, clerk=clerk, actor=actor, now=moment)
        else:
            numbers = [number for number in _SEPARATORS.split(request.POST.get("cases", "").strip()) if number]
            cases = list(Case.objects.filter(number__in=numbers))
            if len(cases) != len(set(numbers)):  # the same answer as for another person's case
                messages.error(request, _("Record only cases of the person served on this ticket."))
                return redirect(_screen_url(window))
            ticket_finish(ticket=ticket, cases=cases, clerk=clerk, actor=actor, now=moment)
            window_rating.remember_finished(request, ticket)
    if done:
        messages.success(request, _("Done: %(ticket)s.") % {"ticket": ticket.label})
    return redirect(_screen_url(window))
