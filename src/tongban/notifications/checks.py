"""System checks of the sending settings (ADR 0050): an RQ job timeout RQ can tell from a dead
run, and a claim lease longer than a live send may take."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from tongban.core.rq import MAX_TIMEOUT_SECONDS


@register()
def check_send_timeouts(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    timeout, stale = settings.NOTIFY_JOB_TIMEOUT_SECONDS, settings.NOTIFY_STALE_SECONDS
    errors: list[CheckMessage] = []
    if not 0 < timeout <= MAX_TIMEOUT_SECONDS:
        errors.append(
            Error(
                f"NOTIFY_JOB_TIMEOUT_SECONDS is {timeout}; it must be 1-{MAX_TIMEOUT_SECONDS}",
                hint="Above 30 s RQ may declare a send abandoned while it still runs (ADR 0050).",
                id="notifications.E001",
            )
        )
    if stale <= timeout:
        errors.append(
            Error(
                f"NOTIFY_STALE_SECONDS ({stale}) must be longer than NOTIFY_JOB_TIMEOUT_SECONDS ({timeout})",
                hint="A shorter lease lets the sweep send a delivery whose send is still running (ADR 0050).",
                id="notifications.E002",
            )
        )
    return errors
