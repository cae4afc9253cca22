"""Prefill source ``account``: the contact details of the applicant's account."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.forms.prefill.base import PrefillContext, PrefillSource, register


class AccountSource(PrefillSource):
    code = "account"
    label = _("From your account")
    attributes = frozenset({"email", "phone"})

    def read(self, context: PrefillContext, attributes: tuple[str, ...]) -> dict[str, Any]:
        account = context.person.account
        if account is None:  # a person recorded at a window, who has not opened an account yet
            return {}
        values = {"email": account.email, "phone": account.phone}
        return {name: values[name] for name in attributes if name in values}


register(AccountSource())
