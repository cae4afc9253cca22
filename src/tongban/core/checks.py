"""System checks: a deployment without a usable signing-key ring or data-key ring must not start silently."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from tongban.core.crypto import DataKeyError, get_data_keyring
from tongban.core.keyring import KeyRingError, get_keyring


@register(Tags.security, deploy=True)
def check_signing_keys(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    try:
        get_keyring()
    except KeyRingError as exc:
        return [Error(str(exc), id="tongban.E001", hint="Run `manage.py keyring_generate`.")]
    return []


@register(Tags.security, deploy=True)
def check_data_keys(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    try:
        ring = get_data_keyring()
        ring.active_key()
        ring.active_lookup_key()
    except DataKeyError as exc:
        return [Error(str(exc), id="tongban.E002", hint="Run `manage.py keyring_generate` (ADR 0029).")]
    return []
