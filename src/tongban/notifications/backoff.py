"""When a failed delivery is tried again: exponential back-off, pure (takes ``now``)."""

from __future__ import annotations

from datetime import datetime, timedelta


def next_attempt_at(*, attempts: int, now: datetime, base_seconds: float, cap_seconds: float) -> datetime:
    """After the ``attempts``-th failed try (1, 2, …): ``base · 2^(attempts-1)`` seconds, at most
    ``cap`` — 30 s, 1 min, 2 min, 4 min … with a 30-second base."""
    if attempts < 1:
        raise ValueError("attempts counts the failed tries: 1 or more")
    delay = min(base_seconds * 2 ** min(attempts - 1, 30), cap_seconds)
    return now + timedelta(seconds=delay)


def gives_up(*, attempts: int, max_attempts: int) -> bool:
    """True when ``attempts`` failed tries are all a delivery gets."""
    return attempts >= max_attempts
