"""Settings for abuse limits: the named rate limits ``tongban.core.ratelimit`` counts against, the
login delays and blocks, the trusted proxies in front of the app, and staff session timing.

Each named limit is one environment variable ``RATE_LIMIT_<NAME>`` written ``hits/seconds`` (at
most ``hits`` in a window of ``seconds``), documented like every other setting
(``manage.py settings_doc``). Why these limits and how the client address is trusted:
docs/adr/0025-abuse-limits-and-the-client-address.md.
"""

from __future__ import annotations

import re

from tongban.conf.env import EnvError, env

_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def parse_rate(name: str, raw: str) -> tuple[int, int]:
    """``"10/600"`` as ``(10, 600)``: at most 10 hits in 600 seconds; both at least 1."""
    match = _RATE.fullmatch(raw)
    if match is None or int(match.group(1)) < 1 or int(match.group(2)) < 1:
        raise EnvError(f"{name} must be written hits/seconds with both at least 1 (e.g. 10/600), got {raw!r}")
    return int(match.group(1)), int(match.group(2))


def _rate(limit: str, default: str, help_text: str) -> tuple[int, int]:
    variable = "RATE_LIMIT_" + re.sub(r"\W", "_", limit).upper()
    return parse_rate(variable, env(variable, default, help_text + " Written hits/seconds."))


#: The named limits, as (hits, window in seconds). Keys are the names callers pass to
#: ``core.ratelimit``; tests replace the values (tests/settings.py) and restore these.
DEFAULT_RATE_LIMITS: dict[str, tuple[int, int]] = {
    "login.name_client": _rate(
        "login.name_client",
        "5/3600",
        "Failed logins for one user name from one client before that client must wait (1 minute, doubling "
        "with each further failure up to LOGIN_DELAY_MAX_MINUTES); other clients are not affected.",
    ),
    "login.account": _rate(
        "login.account",
        "10/900",
        "Failed logins for one user name from all clients before the account is under attack: a login from "
        "a device without the account's known-device cookie then also needs a code e-mailed to the account.",
    ),
    "login.client_names": _rate(
        "login.client_names",
        "10/600",
        "Distinct user names that may fail to log in from one client (password spraying); one more and the "
        "client is refused for LOGIN_BLOCK_MINUTES.",
    ),
    "login.network": _rate(
        "login.network",
        "100/600",
        "Failed logins from one network (IPv4 /24, IPv6 /64); more and the network is refused for LOGIN_BLOCK_MINUTES.",
    ),
    "login.code_sent": _rate(
        "login.code_sent", "5/3600", "Login codes e-mailed to one account (an account under attack)."
    ),
    "register.client": _rate("register.client", "10/3600", "Registration attempts from one client."),
    "password_reset.client": _rate("password_reset.client", "10/3600", "Password-reset requests from one client."),
    "password_reset.email": _rate(
        "password_reset.email",
        "3/3600",
        "Password-reset e-mails to one address (beyond it the page is the same, but nothing is sent).",
    ),
    "totp.account": _rate(
        "totp.account",
        "10/900",
        "Second-factor codes tried for one staff account (besides django-otp's own delay after a wrong code).",
    ),
    "totp.client": _rate("totp.client", "30/900", "Second-factor codes tried from one client, all accounts."),
    "appointment.account": _rate(
        "appointment.account",
        "20/3600",
        "Appointment bookings, cancellations and moves posted by one account (stops one account hoarding slots).",
    ),
    "appointment.client": _rate(
        "appointment.client",
        "60/3600",
        "Appointment bookings, cancellations and moves posted from one client address, all accounts (stops bots).",
    ),
    "verify.client": _rate(
        "verify.client", "60/60", "Public certificate look-ups (/verify/ pages, status and JWS) from one client."
    ),
    "ticket.client": _rate(
        "ticket.client",
        "120/600",
        "Queue tickets taken at a centre's kiosk page or from a booking code, from one client (a kiosk in "
        "the hall is one client: allow a busy morning).",
    ),
    "statistics.chart": _rate(
        "statistics.chart",
        "120/600",
        "Statistics charts drawn for one client (only charts not yet drawn for the current figures count).",
    ),
    "reviews.helpfulness": _rate(
        "reviews.helpfulness",
        "30/3600",
        'Anonymous "was this page helpful?" answers from one client address (reviews; the address is not stored).',
    ),
}

TRUSTED_PROXY_COUNT = env(
    "TRUSTED_PROXY_COUNT",
    0,
    "Reverse proxies (load balancers) in front of the app that each append the address they saw to "
    "X-Forwarded-For. 0: the client is REMOTE_ADDR. N: the N-th address from the right.",
)
RATE_LIMIT_STORE = env(
    "RATE_LIMIT_STORE",
    "",
    "Where rate-limit counters live: 'cache' (the shared Redis cache) or 'database' (a small table). "
    "Empty: the cache when REDIS_URL is set, else the database (shared by every worker process).",
)
LOGIN_DELAY_MAX_MINUTES = env(
    "LOGIN_DELAY_MAX_MINUTES", 15, "The longest wait imposed on one client for one user name after failed logins."
)
LOGIN_BLOCK_MINUTES = env(
    "LOGIN_BLOCK_MINUTES", 15, "How long a client (spraying) or a network that failed too often is refused."
)
LOGIN_ATTACK_MINUTES = env(
    "LOGIN_ATTACK_MINUTES",
    15,
    "How long an account stays under attack after its last failed login once it crossed RATE_LIMIT_LOGIN_ACCOUNT.",
)
LOGIN_CODE_MINUTES = env("LOGIN_CODE_MINUTES", 10, "How long an e-mailed login code is valid.")
LOGIN_CODE_TRIES = env("LOGIN_CODE_TRIES", 5, "Wrong tries of one e-mailed login code before it is void.")
KNOWN_DEVICE_DAYS = env(
    "KNOWN_DEVICE_DAYS", 365, "How long the signed known-device cookie, set at each successful login, lasts."
)
STAFF_IDLE_MINUTES = env("STAFF_IDLE_MINUTES", 30, "A back-office session unused for longer ends at its next request.")
REAUTH_MINUTES = env(
    "REAUTH_MINUTES",
    10,
    "Sensitive staff actions (roles, second-factor resets, revocations, grant decisions) need a TOTP code "
    "entered within this many minutes.",
)
