"""What a back-office session remembers about its use: when it was last used (for the idle
timeout, ``STAFF_IDLE_MINUTES``) and when its holder last entered a TOTP code (for sensitive
actions, ``REAUTH_MINUTES``). Both are Unix times in the session; a staff session is one that
passed its second factor (django-otp's device key is in it).

The last use is written at most once a minute, so a busy officer's requests do not each write
their session. ``StaffIdleMiddleware`` (``identity.middleware``) ends an idle session;
``backoffice.decorators.reauth_required`` asks for a fresh code.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY

LAST_SEEN_KEY = "tongban_staff_seen"
REAUTH_KEY = "tongban_reauth_at"
#: The last use is rewritten only when it is older than this.
SEEN_RESOLUTION_SECONDS = 60


def is_staff_session(session: SessionBase) -> bool:
    return DEVICE_ID_SESSION_KEY in session


def staff_session_started(request: HttpRequest, *, now: float | None = None) -> None:
    """A staff login completed with a TOTP code: the session is in use, and the code is fresh."""
    moment = int(now if now is not None else time.time())
    request.session[LAST_SEEN_KEY] = moment
    request.session[REAUTH_KEY] = moment


def idle_seconds(session: SessionBase, *, now: float) -> float | None:
    """Seconds since the session was last used, or None if it never recorded a use."""
    seen = session.get(LAST_SEEN_KEY)
    return now - seen if isinstance(seen, (int, float)) else None


def is_idle_too_long(session: SessionBase, *, now: float) -> bool:
    idle = idle_seconds(session, now=now)
    return idle is not None and idle > settings.STAFF_IDLE_MINUTES * 60


def touch(session: SessionBase, *, now: float) -> None:
    """Record a use, but write the session at most once a minute."""
    idle = idle_seconds(session, now=now)
    if idle is None or idle >= SEEN_RESOLUTION_SECONDS:
        session[LAST_SEEN_KEY] = int(now)


def reauth_recorded(request: HttpRequest, *, now: float | None = None) -> None:
    """A TOTP code was entered again just now."""
    request.session[REAUTH_KEY] = int(now if now is not None else time.time())


def reauth_is_fresh(request: HttpRequest, *, now: float | None = None) -> bool:
    """A code was entered within the last ``REAUTH_MINUTES``."""
    at = request.session.get(REAUTH_KEY)
    moment = now if now is not None else time.time()
    return isinstance(at, (int, float)) and 0 <= moment - at <= settings.REAUTH_MINUTES * 60
