"""The authentication backend: Django's model backend, loading the signed-in account (with its
person) through the shared cache, so that a signed-in request costs no user query.

Every request of a signed-in user needs their account and person; Zulip's answer, which we
follow, is to keep them in the shared cache and drop the entry whenever the row changes. The
race of a request that read the old row just before a write commits and puts it in the cache just
after is closed with a *tombstone*: a write puts a short-lived marker in the entry (when it saves
and again after its transaction commits), readers never overwrite an entry (``cache.add``) and do
not cache while the marker is there. So a deactivated account or a changed password takes effect
on the next request, as without the cache (see docs/adr/0015-hot-pages.md).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

from tongban.identity.models import Account

#: How long a loaded account stays in the cache at most.
ACCOUNT_CACHE_SECONDS = 300
#: How long a write keeps readers from caching the account again (longer than any request).
TOMBSTONE_SECONDS = 30
_TOMBSTONE = "changed"


#: The account's cache entry as the session store fetched it together with the session (key,
#: value), set by ``identity.middleware`` only while it asks Django for the request's user.
prefetched_entry: ContextVar[tuple[str, Any] | None] = ContextVar("prefetched_account_entry", default=None)


def account_cache_key(account_id: Any) -> str:
    return f"identity:account:{account_id}"


def forget_account(account_id: Any) -> None:
    """The account or its person changed: readers go to the database until the write is done."""
    key = account_cache_key(account_id)
    cache.set(key, _TOMBSTONE, TOMBSTONE_SECONDS)
    transaction.on_commit(lambda: cache.set(key, _TOMBSTONE, TOMBSTONE_SECONDS))


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Account | None:
        key = account_cache_key(user_id)
        prefetched = prefetched_entry.get()
        # Fetched with the session in the same round trip (identity.sessions), or read now.
        cached = prefetched[1] if prefetched is not None and prefetched[0] == key else cache.get(key)
        if isinstance(cached, Account):
            account = cached
        else:
            try:
                account = Account.objects.select_related("person").get(pk=user_id)
            except Account.DoesNotExist:
                return None
            if cached is None:  # no write in flight: keep it (never over a tombstone)
                cache.add(key, account, ACCOUNT_CACHE_SECONDS)
        return account if self.user_can_authenticate(account) else None
