"""Limits on password guessing at login, through ``core.ratelimit``: nobody can lock anybody out.

* **Per user name and client**: after ``login.name_client`` failures (5) that client must wait
  before trying that user name again — one minute, doubling with each further failure, at most
  ``LOGIN_DELAY_MAX_MINUTES``. Other clients, the owner's among them, are not slowed.
* **Per user name, all clients**: over ``login.account`` failed attempts (10 in 15 minutes; an
  attempt refused because its client must wait counts too) the account
  is *under attack* (renewed by each further failure, ``LOGIN_ATTACK_MINUTES``): a login with the
  right password from a device without the account's known-device cookie (signed, set at each
  successful login) must also give a one-time code e-mailed to the account. The owner's own
  devices log in as usual.
* **Spraying**: a client whose failures name more than ``login.client_names`` distinct user names
  (10 in 10 minutes) is refused for ``LOGIN_BLOCK_MINUTES``; the 11th name is refused before its
  password is tried. A network (/24, /64) over ``login.network`` failures likewise.

Refused requests are cheap (no password hash) and leave no trail; the moments a delay starts, an
account comes under attack, or a client or network is blocked are audited. ADR 0025 says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from tongban.audit.services import audit_record
from tongban.core import ratelimit
from tongban.core.actors import Actor
from tongban.core.masking import mask_identifier
from tongban.identity.models import Account

#: The first wait after ``login.name_client`` failures; it doubles with each further failure.
FIRST_DELAY_SECONDS = 60
KNOWN_DEVICE_SALT = "tongban.identity.known-device"


@dataclass(frozen=True)
class Refusal:
    """A login attempt refused before (or after) its password was checked, and for how long."""

    reason: str  # "delay", "spraying", "client_blocked", "network_blocked"
    retry_after: int

    @property
    def message(self) -> str:
        wait = ratelimit.wait_text(self.retry_after)
        if self.reason == "delay":
            return _(
                "Too many failed logins for this user name from your device. For your account's safety, wait "
                "%(wait)s before trying again. Other devices are not affected."
            ) % {"wait": wait}
        return _(
            "Too many failed logins from your connection, for several user names. Wait %(wait)s before trying again."
        ) % {"wait": wait}


def normalise_username(username: str) -> str:
    """User names are compared case-insensitively and without surrounding spaces."""
    return username.strip().lower()[:150]


def _name_seen() -> ratelimit.Limit:
    """Marks a user name as already failed from a client, for the spraying count's window."""
    window = ratelimit.get_limit("login.client_names").window_seconds
    return ratelimit.Limit(name="login.name_seen", hits=1, window_seconds=window)


def _audit(events: list[tuple[str, dict[str, object]]], *, username: str, client: str) -> None:
    if not events:
        return
    account = Account.objects.filter(username=username).only("pk", "username").first()
    with transaction.atomic():
        for action, data in events:
            audit_record(
                action=action,
                actor=Actor.anonymous(ip=client, label=account.username if account else mask_identifier(username[:64])),
                object_type="account" if account else "",
                object_id=account.pk if account else "",
                data=data,
            )


def login_refusal(*, username: str, client: str, network: str, now: datetime | None = None) -> Refusal | None:
    """Whether to refuse this attempt before its password is checked, and for how long."""
    username = normalise_username(username)
    wait = ratelimit.blocked_for("login.client_blocked", client, now=now)
    if wait:
        return Refusal("client_blocked", wait)
    wait = ratelimit.blocked_for("login.network_blocked", network, now=now)
    if wait:
        return Refusal("network_blocked", wait)
    names = ratelimit.check("login.client_names", client, now=now)
    if not names.allowed and ratelimit.check(_name_seen(), f"{client}|{username}", now=now).count == 0:
        seconds = settings.LOGIN_BLOCK_MINUTES * 60
        ratelimit.block("login.client_blocked", client, seconds=seconds, now=now)
        _audit(
            [("identity.login_client_blocked", {"names": names.count, "seconds": seconds})],
            username=username,
            client=client,
        )
        return Refusal("spraying", seconds)
    wait = ratelimit.blocked_for("login.delay", f"{username}|{client}", now=now)
    return Refusal("delay", wait) if wait else None


def login_failed(*, username: str, client: str, network: str, now: datetime | None = None) -> Refusal | None:
    """Count a failed login against every limit; the wait it imposes on this client, if any."""
    username = normalise_username(username)
    events: list[tuple[str, dict[str, object]]] = []
    refusal = None
    per_client = ratelimit.hit("login.name_client", f"{username}|{client}", now=now)
    delay = ratelimit.progressive_delay(
        per_client.count,
        threshold=ratelimit.get_limit("login.name_client").hits,
        first_seconds=FIRST_DELAY_SECONDS,
        max_seconds=settings.LOGIN_DELAY_MAX_MINUTES * 60,
    )
    if delay:
        ratelimit.block("login.delay", f"{username}|{client}", seconds=delay, now=now)
        events.append(("identity.login_delayed", {"failures": per_client.count, "seconds": delay}))
        refusal = Refusal("delay", delay)
    _account_pressure(username, events, now=now)
    if ratelimit.hit(_name_seen(), f"{client}|{username}", now=now).count == 1:  # a new name from this client
        names = ratelimit.hit("login.client_names", client, now=now)
        if not names.allowed:
            seconds = settings.LOGIN_BLOCK_MINUTES * 60
            ratelimit.block("login.client_blocked", client, seconds=seconds, now=now)
            events.append(("identity.login_client_blocked", {"names": names.count, "seconds": seconds}))
            refusal = Refusal("spraying", seconds)
    per_network = ratelimit.hit("login.network", network, now=now)
    if not per_network.allowed:
        seconds = settings.LOGIN_BLOCK_MINUTES * 60
        ratelimit.block("login.network_blocked", network, seconds=seconds, now=now)
        if per_network.first_refusal:
            events.append(("identity.login_network_blocked", {"network": network, "seconds": seconds}))
        refusal = refusal or Refusal("network_blocked", seconds)
    _audit(events, username=username, client=client)
    return refusal


def login_delayed(*, username: str, client: str, now: datetime | None = None) -> None:
    """An attempt refused because this client must wait still counts against the account: guessing
    from one client is an attack on the account too (its password was not checked)."""
    username = normalise_username(username)
    events: list[tuple[str, dict[str, object]]] = []
    _account_pressure(username, events, now=now)
    _audit(events, username=username, client=client)


def _account_pressure(username: str, events: list[tuple[str, dict[str, object]]], *, now: datetime | None) -> None:
    """One more failed (or delayed) attempt on the account from anywhere; over ``login.account``
    the account is under attack, and each further attempt keeps it so."""
    per_account = ratelimit.hit("login.account", username, now=now)
    was_attacked = under_attack(username=username, now=now)
    if not per_account.allowed or was_attacked:
        ratelimit.block("login.under_attack", username, seconds=settings.LOGIN_ATTACK_MINUTES * 60, now=now)
        if not was_attacked:
            events.append(("identity.account_under_attack", {"attempts": per_account.count}))


def login_succeeded(*, username: str, client: str) -> None:
    """The right password (and any challenge): this client's failures for this name are forgotten."""
    username = normalise_username(username)
    ratelimit.reset("login.name_client", f"{username}|{client}")
    ratelimit.reset("login.delay", f"{username}|{client}")


def under_attack(*, username: str, now: datetime | None = None) -> bool:
    """True while the account's failed logins from all clients are over ``login.account``."""
    return ratelimit.blocked_for("login.under_attack", normalise_username(username), now=now) > 0


# --- The known-device cookie ---------------------------------------------------------------------


def _cookie_name(account: Account) -> str:
    return f"tongban_device_{account.pk}"


def is_known_device(request: HttpRequest, account: Account) -> bool:
    """The browser has logged in to this account before (the signed cookie names the account)."""
    value = request.get_signed_cookie(
        _cookie_name(account), default=None, salt=KNOWN_DEVICE_SALT, max_age=settings.KNOWN_DEVICE_DAYS * 86400
    )
    return value == str(account.pk)


def remember_device(response: HttpResponseBase, account: Account) -> None:
    """Set (or renew) the account's known-device cookie on a successful login's response."""
    response.set_signed_cookie(
        _cookie_name(account),
        str(account.pk),
        salt=KNOWN_DEVICE_SALT,
        max_age=settings.KNOWN_DEVICE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    )
