"""The self-hosted login challenge for an account under attack (``identity.login_limits``): after
the right password from a device the account has not logged in from, a one-time six-digit code is
e-mailed to the account, valid ``LOGIN_CODE_MINUTES``, for at most ``LOGIN_CODE_TRIES`` tries.

The code itself is never stored: the browser's session keeps a keyed hash of it
(:class:`LoginCode`), and tries are counted per code in ``core.ratelimit`` (atomic, so parallel
requests with one session get no extra tries). Sending, passing, failing and "no e-mail address"
are audited; the e-mail goes out through the background worker after commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from tongban.audit.services import audit_record
from tongban.core import ratelimit
from tongban.core.actors import Actor
from tongban.core.clock import now as clock_now
from tongban.identity import emails
from tongban.identity.models import Account

_SALT = "tongban.identity.login-code"


@dataclass(frozen=True)
class LoginCode:
    """What the session keeps of a code sent: whose, its keyed hash, and when it ends."""

    account_id: int
    digest: str
    expires_at: float

    def as_dict(self) -> dict[str, object]:
        return {"account_id": self.account_id, "digest": self.digest, "expires_at": self.expires_at}

    @classmethod
    def from_dict(cls, data: object) -> LoginCode | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(int(data["account_id"]), str(data["digest"]), float(data["expires_at"]))
        except (KeyError, TypeError, ValueError):
            return None


def _digest(account_id: int, code: str) -> str:
    return salted_hmac(_SALT, f"{account_id}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def login_code_send(*, account: Account, actor: Actor, now: datetime | None = None) -> LoginCode | None:
    """E-mail a new code to the account (after commit) and return what the session keeps; None if
    the account has no e-mail address (audited: the person is told to ask a service centre) or
    ``login.code_sent`` codes went out within its window already."""
    moment = now or clock_now()
    if not account.email:
        audit_record(action="identity.login_code_unavailable", actor=actor, object_type="account", object_id=account.pk)
        return None
    if not ratelimit.hit("login.code_sent", str(account.pk), now=moment).allowed:
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.LOGIN_CODE_MINUTES
    audit_record(
        action="identity.login_code_sent",
        actor=actor,
        object_type="account",
        object_id=account.pk,
        data={"minutes": minutes},
    )
    emails.send_login_code(account=account, code=code, minutes=minutes)
    return LoginCode(account.pk, _digest(account.pk, code), moment.timestamp() + minutes * 60)


def _tries() -> ratelimit.Limit:
    return ratelimit.Limit("login.code_tries", settings.LOGIN_CODE_TRIES, settings.LOGIN_CODE_MINUTES * 60)


@transaction.atomic
def login_code_check(*, sent: LoginCode, code: str, actor: Actor, now: datetime | None = None) -> bool | None:
    """Check a typed code: True if right (the caller then forgets it: single use), False if wrong,
    None if the code has expired or its tries are used up (a new login sends a new one)."""
    moment = now or clock_now()
    if moment.timestamp() >= sent.expires_at:
        return None
    if not ratelimit.hit(_tries(), sent.digest, now=moment).allowed:
        return None
    right = constant_time_compare(_digest(sent.account_id, code.strip()), sent.digest)
    audit_record(
        action="identity.login_code_passed" if right else "identity.login_code_failed",
        actor=actor,
        object_type="account",
        object_id=sent.account_id,
    )
    return right
