"""Test doubles of an SMS gateway (the contract of ``notifications.sms.base``).

``FailingGateway`` fails on demand: set ``FailingGateway.failures`` to the number of sends that
fail (``permanent`` for a refusal retrying cannot help); every successful send is kept in ``sent``.

``HeldGateway`` is the demo's file gateway (its outbox is ``SMS_FAKE_FILE``, one line per text that
went out) that a test can hold at the door: while the file named by the environment variable
``TONGBAN_TEST_SMS_HOLD`` exists, a send writes its process id beside it (``<hold>.held``) and
waits before anything goes out — a send stopped in the middle, for another process (a worker
subprocess) whose gateway the test cannot reach in memory."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import ClassVar

from tongban.notifications.sms.base import GatewayError, SmsGateway
from tongban.notifications.sms.fake import FileGateway


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


class HeldGateway(FileGateway):
    name = "test-held"

    def send(self, *, phone: str, text: str, reference: str) -> str:
        hold = Path(os.environ.get("TONGBAN_TEST_SMS_HOLD", "/nonexistent/hold"))
        if hold.exists():
            hold.with_name(hold.name + ".held").write_text(f"{os.getpid()} {reference}")
            while hold.exists():
                time.sleep(0.05)
        return super().send(phone=phone, text=text, reference=reference)
