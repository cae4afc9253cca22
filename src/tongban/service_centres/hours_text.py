"""Read the free-text opening hours centres had before they were structured (English text such as
"Mon–Fri 9:00–17:00, Sat 9:00–12:00"), for the data migration that replaced them. Pure module."""

from __future__ import annotations

import re
from datetime import time

#: What a centre gets whose text cannot be read: Monday to Friday, with a lunch break.
DEFAULT_WEEK: tuple[tuple[int, time, time], ...] = tuple(
    (weekday, start, end) for weekday in range(5) for start, end in ((time(9), time(12)), (time(13, 30), time(17)))
)

_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DASH = r"\s*[-–—~至]\s*"
_SEGMENT = re.compile(
    rf"^(?P<first>[a-z]{{3}})(?:{_DASH}(?P<last>[a-z]{{3}}))?\s+"
    rf"(?P<h1>\d{{1,2}}):(?P<m1>\d\d){_DASH}(?P<h2>\d{{1,2}}):(?P<m2>\d\d)$"
)


def parse_hours(text: str) -> tuple[tuple[int, time, time], ...] | None:
    """``(weekday, start, end)`` rows for ``text``, or None when any part of it cannot be read
    (the caller then falls back to :data:`DEFAULT_WEEK`). A trailing remark in brackets is
    ignored."""
    text = re.sub(r"\s*[(（].*?[)）]\s*", " ", text).strip().lower()
    if not text:
        return None
    rows: list[tuple[int, time, time]] = []
    for segment in re.split(r"\s*[,;，；]\s*", text):
        match = _SEGMENT.match(segment)
        if not match or match["first"] not in _DAYS or (match["last"] and match["last"] not in _DAYS):
            return None
        first = _DAYS[match["first"]]
        last = _DAYS[match["last"]] if match["last"] else first
        try:
            start = time(int(match["h1"]), int(match["m1"]))
            end = time(int(match["h2"]), int(match["m2"]))
        except ValueError:
            return None
        if end <= start or last < first:
            return None
        rows.extend((weekday, start, end) for weekday in range(first, last + 1))
    keys = [(weekday, start) for weekday, start, _end in rows]
    return tuple(rows) if len(keys) == len(set(keys)) else None


def week_from_text(text: str) -> tuple[tuple[int, time, time], ...]:
    """The rows to store for a centre whose English hours text was ``text``."""
    return parse_hours(text) or DEFAULT_WEEK
