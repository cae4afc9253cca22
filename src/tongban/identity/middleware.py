"""Django's authentication middleware, handing the backend the account entry that the session
store fetched together with the session (``identity.sessions``): one Redis round trip for both
on every signed-in request instead of two.

The hand-over lives in a context variable that is set only while Django's ``auth.get_user``
runs for this request, so no other request and no later code can see it. Everything else,
the backend check and the session hash check included, is Django's own ``auth.get_user``.

``StaffIdleMiddleware`` ends a back-office session left unused for longer than
``STAFF_IDLE_MINUTES`` at its next request (``identity.staff_sessions``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.core.ratelimit import client_address
from tongban.identity import staff_sessions
from tongban.identity.backends import prefetched_entry


def _user(request: HttpRequest) -> Any:
    # The two ``type: ignore`` below stay: ``_cached_user`` is Django's own private attribute (its
    # ``auth.middleware.get_user`` and ``auser`` read the same one), which django-stubs does not
    # declare; a typed request class would not help, as Django makes the request.
    if not hasattr(request, "_cached_user"):
        session = request.session
        session.get(auth.SESSION_KEY)  # load the session, and with it the account's entry
        token = prefetched_entry.set(getattr(session, "prefetched_account", None))
        try:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        finally:
            prefetched_entry.reset(token)
    return request._cached_user  # type: ignore[attr-defined]


class AccountMiddleware(AuthenticationMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)  # checks the session middleware, sets request.auser
        # As Django's own middleware does: a lazy object stands in for the account (typed as the
        # account in the stubs, so the assignment needs its ignore).
        request.user = SimpleLazyObject(lambda: _user(request))  # type: ignore[assignment]


class StaffIdleMiddleware:
    """A back-office session unused for more than ``STAFF_IDLE_MINUTES`` is ended (audited) at its
    next request, which is sent to log in again; a session in use records its use at most once a
    minute. Sessions without a second factor (residents) are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if staff_sessions.is_staff_session(session):
            moment = time.time()
            if staff_sessions.is_idle_too_long(session, now=moment):
                return self._end(request)
            staff_sessions.touch(session, now=moment)
        return self.get_response(request)

    @staticmethod
    def _end(request: HttpRequest) -> HttpResponse:
        user = request.user
        with transaction.atomic():
            if user.is_authenticated:
                audit_record(
                    action="identity.session_idle_ended",
                    actor=Actor(
                        kind="account", account_id=user.pk, label=user.get_username(), ip=client_address(request)
                    ),
                    object_type="account",
                    object_id=user.pk,
                    data={"idle_minutes": settings.STAFF_IDLE_MINUTES},
                )
            auth.logout(request)
        messages.info(
            request,
            _("Your back-office session ended after %(minutes)d minutes without activity. Please log in again.")
            % {"minutes": settings.STAFF_IDLE_MINUTES},
        )
        return redirect_to_login(request.get_full_path())
