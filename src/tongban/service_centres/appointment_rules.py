"""Pure rules of appointments: the booking code and its alphabet, the no-show block, the booking
window (lead time and horizon) and which appointments are due a reminder or a no-show mark.

No database, no clock: callers pass ``now`` and what they read.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

#: Booking-code characters: upper-case letters and digits without those read alike
#: (0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V).
CODE_ALPHABET = "ACEFHJKMNPRTWXY3479"
CODE_LENGTH = 8  # 19^8 ≈ 1.7e10 codes


def booking_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """A fresh booking code (its uniqueness is the database's unique constraint's)."""
    return "".join(choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """A code as typed: upper case, without spaces or hyphens."""
    return "".join(ch for ch in raw.upper() if ch not in " -\u3000")


def no_show_blocked_until(
    no_show_ends: Iterable[datetime], *, now: datetime, limit: int, window_days: int, block_days: int
) -> datetime | None:
    """When booking is allowed again for a person whose no-shows ended at ``no_show_ends``: with at
    least ``limit`` of them in the last ``window_days``, ``block_days`` after the latest one; None
    when the person may book now (fewer no-shows, or the block is over). ``limit`` 0 turns it off."""
    if limit <= 0:
        return None
    since = now - timedelta(days=window_days)
    counted = sorted(end for end in no_show_ends if since <= end <= now)
    if len(counted) < limit:
        return None
    until = counted[-1] + timedelta(days=block_days)
    return until if until > now else None


def bookable_range(today: date, *, horizon_days: int) -> tuple[date, date]:
    """The first and last day a slot may be booked on (today counts; lead time cuts today's)."""
    return today, today + timedelta(days=horizon_days)


def earliest_start(now: datetime, *, lead_minutes: int) -> datetime:
    """The earliest slot start that may still be booked, cancelled or moved."""
    return now + timedelta(minutes=lead_minutes)


def no_show_cutoff(now: datetime, *, after_minutes: int) -> datetime:
    """Appointments still booked that ended before this are no-shows."""
    return now - timedelta(minutes=after_minutes)
