"""Sessions whose key names the signed-in account, so that a signed-in request reads its session
and its account from Redis in one round trip.

Every signed-in page needs two things before it can do anything: the session (who is signed in)
and that person's account (still active? same password?). Both live in the shared Redis cache
(``cached_db`` sessions; ``identity.backends`` for the account), but the account's cache key is
only known once the session has been read: two round trips, one after the other, on every
signed-in request (≈ 75 µs of the ≈ 1 ms a signed-in page costs at least, measured in
``make bench``'s floor; docs/adr/0018-session-and-account-in-one-round-trip.md).

This store adds the account id to the session key once someone is signed in
(``<30 random characters>.<account id in base 36>``), so that loading the session fetches the
session and the account with one ``MGET``. The id in the key is only a hint of which account
entry to fetch along: the session's own stored user id stays the authority, and the hint is
used only when the two agree. A key that was tampered with names no session at all (the whole
key is the lookup key). Nothing about revocation changes: logging out deletes the session,
and a deactivated account or a changed password takes effect on the next request, because the
account entry (or its tombstone) is read fresh with the session every time.

Keys without the suffix (sessions of anonymous visitors, sessions made before this store)
load as ``cached_db`` loads them. A session is given a suffixed key the first time it is saved
with a user in it (at login, after Django has already rotated the key), and a suffixed key is
rotated again if the user in the session changes.

Configured as ``SESSION_ENGINE = "tongban.identity.sessions"`` with Redis
(tongban.conf.base); the account it fetched is handed to the authentication backend by
``tongban.identity.middleware.AccountMiddleware``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.utils.crypto import get_random_string
from django.utils.http import base36_to_int, int_to_base36

from tongban.identity.backends import account_cache_key

#: Random characters of a key that names its account: 36**30 ≈ 2**155 possibilities. The
#: session table's key column holds 40 characters: 30 + the dot + up to 9 base-36 digits.
RANDOM_PART = 30
MAX_ID_DIGITS = 9
SEPARATOR = "."


class PrefetchedAccount(NamedTuple):
    """The account's cache entry, fetched with the session: an account, a tombstone, or None."""

    cache_key: str
    value: Any


def account_id_in_key(session_key: str | None) -> int | None:
    """The account id a session key names, or None (an anonymous or an older key)."""
    if not session_key or len(session_key) <= RANDOM_PART + 1 or session_key[RANDOM_PART] != SEPARATOR:
        return None
    digits = session_key[RANDOM_PART + 1 :]
    if len(digits) > MAX_ID_DIGITS:
        return None
    try:
        return base36_to_int(digits)
    except ValueError:
        return None


def _id_digits(account_id: Any) -> str | None:
    """``account_id`` in base 36 as a key carries it; None when it cannot be carried."""
    try:
        number = int(account_id)
    except (TypeError, ValueError):
        return None
    digits = int_to_base36(number) if number >= 0 else ""
    return digits if 0 < len(digits) <= MAX_ID_DIGITS else None


def key_for_account(account_id: Any) -> str | None:
    """A new random session key naming ``account_id``; None when the id cannot be carried."""
    digits = _id_digits(account_id)
    return None if digits is None else get_random_string(RANDOM_PART, VALID_KEY_CHARS) + SEPARATOR + digits


class SessionStore(CachedDBStore):
    #: Set by ``load`` when the account's cache entry came with the session; read by the middleware.
    prefetched_account: PrefetchedAccount | None = None

    def _signed_in_id(self) -> Any:
        data = getattr(self, "_session_cache", None)
        return data.get(SESSION_KEY) if data else None

    def _get_new_session_key(self) -> str:
        account_id = self._signed_in_id()
        if account_id is not None:
            while True:
                key = key_for_account(account_id)
                if key is None:
                    break
                if not self.exists(key):
                    return key
        return str(super()._get_new_session_key())  # type: ignore[misc]  # Django's, not in the stubs

    def _key_names_wrong_account(self) -> bool:
        account_id = self._signed_in_id()
        if account_id is None or _id_digits(account_id) is None:
            return False
        return str(account_id_in_key(self.session_key)) != str(account_id)

    def save(self, must_create: bool = False) -> None:
        if not must_create and self.session_key is not None and self._key_names_wrong_account():
            # Signed in (or someone else now) under a key that does not name the account: move
            # the data to a new key that does, and delete the old one.
            self.cycle_key()
            return
        super().save(must_create)

    def load(self) -> dict[str, Any]:
        self.prefetched_account = None
        account_id = account_id_in_key(self.session_key)
        if account_id is None:
            return super().load()
        account_key = account_cache_key(account_id)
        try:
            found = self._cache.get_many([self.cache_key, account_key])  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001  # as cached_db: a failing cache falls back to the database
            found = {}
        data = found.get(self.cache_key)
        if data is None:
            return super().load()
        if str(data.get(SESSION_KEY)) == str(account_id):
            self.prefetched_account = PrefetchedAccount(account_key, found.get(account_key))
        return data  # type: ignore[no-any-return]
