"""E-mails about an account: the link to choose a password (reset, or a first password for an
account a clerk opened at the window). Sent by the background worker after commit."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template import loader
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tongban.core.tasks import send_email
from tongban.identity.models import Account


def send_password_link(*, account: Account, public_base_url: str) -> None:
    """E-mail a one-hour, single-use link to choose a password, in the account's language."""
    if not account.email:
        return
    context = {
        "user": account,
        "uid": urlsafe_base64_encode(force_bytes(account.pk)),
        "token": default_token_generator.make_token(account),
        "public_base_url": public_base_url.rstrip("/"),
    }
    with translation.override(account.preferred_language):
        subject = "".join(loader.render_to_string("registration/password_reset_subject.txt", context).splitlines())
        body = loader.render_to_string("registration/password_reset_email.txt", context)
    recipient = account.email
    transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=[recipient]))
