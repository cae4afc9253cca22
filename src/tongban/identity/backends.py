"""The authentication backend: Django's model backend, loading the account's person with it so
that a signed-in request costs one query for the user instead of two."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from tongban.identity.models import Account


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Account | None:
        try:
            account = Account.objects.select_related("person").get(pk=user_id)
        except Account.DoesNotExist:
            return None
        return account if self.user_can_authenticate(account) else None
