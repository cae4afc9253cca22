"""The authentication backend: Django's model backend, loading the account's person with it so
that a signed-in request costs one query for the user instead of two."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from tongban.identity.models import Account


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Account | None:
        account = Account.objects.select_related("person").filter(pk=user_id).first()
        return account if account is not None and self.user_can_authenticate(account) else None
