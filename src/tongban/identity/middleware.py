"""Django's authentication middleware, handing the backend the account entry that the session
store fetched together with the session (``identity.sessions``): one Redis round trip for both
on every signed-in request instead of two.

The hand-over lives in a context variable that is set only while Django's ``auth.get_user``
runs for this request, so no other request and no later code can see it. Everything else,
the backend check and the session hash check included, is Django's own ``auth.get_user``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

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
