"""The contract an SMS gateway plugin fulfils: send one text to one number, say whether a failure
is worth retrying, and report its health. A real adapter (a carrier's HTTP API) is one small module
implementing it, named in ``settings.SMS_GATEWAY``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class GatewayError(Exception):
    """The gateway did not take the message. ``temporary``: try again later (timeouts, 5xx, rate
    limits); otherwise the number or the text was refused and retrying cannot help."""

    def __init__(self, message: str, *, temporary: bool = True) -> None:
        super().__init__(message)
        self.temporary = temporary


class SmsGateway(ABC):
    """One SMS provider."""

    #: Shown to operators beside each delivery.
    name: str = "sms"

    @abstractmethod
    def send(self, *, phone: str, text: str, reference: str) -> str:
        """Send ``text`` to ``phone``; return the provider's id for it. ``reference`` is ours
        (unique per delivery): a gateway that supports idempotency keys passes it on, so that a
        retry after a lost answer does not send twice. Raise :class:`GatewayError` on failure."""

    def healthy(self) -> bool:
        """Whether the provider can be reached now (for the health page)."""
        return True


@cache
def gateway() -> SmsGateway:
    """The configured gateway (one per process)."""
    cls = import_string(settings.SMS_GATEWAY)
    instance = cls()
    if not isinstance(instance, SmsGateway):
        raise TypeError(f"SMS_GATEWAY {settings.SMS_GATEWAY} is not an SmsGateway")
    return instance
