"""A test double of an SMS gateway that fails on demand (the contract of
``notifications.sms.base``): set ``FailingGateway.failures`` to the number of sends that fail
(``permanent`` for a refusal retrying cannot help); every successful send is kept in ``sent``."""

from __future__ import annotations

from typing import ClassVar

from tongban.notifications.sms.base import GatewayError, SmsGateway


class FailingGateway(SmsGateway):
    name = "test-double"
    failures: ClassVar[int] = 0
    permanent: ClassVar[bool] = False
    sent: ClassVar[list[tuple[str, str, str]]] = []

    @classmethod
    def reset(cls, *, failures: int = 0, permanent: bool = False) -> None:
        cls.failures, cls.permanent, cls.sent = failures, permanent, []

    def send(self, *, phone: str, text: str, reference: str) -> str:
        if FailingGateway.failures > 0:
            FailingGateway.failures -= 1
            raise GatewayError("gateway unavailable (test double)", temporary=not FailingGateway.permanent)
        FailingGateway.sent.append((phone, text, reference))
        return f"double-{len(FailingGateway.sent)}"
