"""Login, logout, failed logins and requests refused by a rate limit go into the audit trail; a changed account or
person drops the cached session user (identity.backends).

Also the signals identity sends so that higher contexts can follow the city's structure without
identity importing them: ``agency_renamed`` (the catalogue rebuilds the search text of the
agency's services).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver
from django.http import HttpRequest

from tongban.audit.services import audit_record
from tongban.core import ratelimit
from tongban.core.actors import Actor
from tongban.core.masking import mask_identifier
from tongban.core.requests import client_ip
from tongban.identity.backends import forget_account
from tongban.identity.models import Account, Person

#: Sent by ``identity.services.structure.agency_update`` inside its transaction, after the row is saved,
#: when the agency's Chinese or English name changed; with ``agency`` (the updated row) and
#: ``before`` (the changed name fields and their old values). Receivers write in the same
#: transaction, so a failing receiver rolls the rename back.
agency_renamed = Signal()


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Account, **kwargs: Any) -> None:
    audit_record(
        action="identity.login_succeeded",
        actor=Actor(kind="account", account_id=user.pk, label=user.username, ip=_ip(request)),
        object_type="account",
        object_id=user.pk,
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Account | None, **kwargs: Any) -> None:
    if user is None:
        return
    audit_record(
        action="identity.logout",
        actor=Actor(kind="account", account_id=user.pk, label=user.username, ip=_ip(request)),
        object_type="account",
        object_id=user.pk,
    )


def _known_account(username: str) -> Account | None:
    return Account.objects.filter(username=username.strip().lower()).only("pk", "username").first()


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))
    account = _known_account(username)
    audit_record(
        action="identity.login_failed",
        # An unknown name may be a mistyped password: keep only its last characters.
        actor=Actor.anonymous(ip=_ip(request), label=account.username if account else mask_identifier(username[:64])),
        object_type="account" if account else "",
        object_id=account.pk if account else "",
    )


@receiver(ratelimit.limit_reached)
def _limit_reached(sender: Any, limit: str, key: str, client: str, **kwargs: Any) -> None:
    """The first refused request of a window (registration, password reset, TOTP, /verify/ look-ups):
    once per window, not once per refused request, so that refusing costs an attacker no trail."""
    with transaction.atomic():
        audit_record(
            action="identity.rate_limited",
            actor=Actor.anonymous(ip=client),
            data={"limit": limit, "key": "" if key == client else mask_identifier(key[:64])},
        )


@receiver(post_save, sender=Account)
@receiver(post_delete, sender=Account)
def _account_changed(sender: Any, instance: Account, **kwargs: Any) -> None:
    forget_account(instance.pk)


@receiver(post_save, sender=Person)
@receiver(post_delete, sender=Person)
def _person_changed(sender: Any, instance: Person, **kwargs: Any) -> None:
    if instance.account_id is not None:
        forget_account(instance.account_id)
