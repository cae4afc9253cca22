"""The ``review`` phase of ``make bench``: submitting a rating with the real form POST
(``/en/my/cases/<number>/rating/``, session cookie, CSRF cookie and token), 32 connections over
the signed-in applicants, each request rating one of the applicant's own closed cases once.

* The generator gives each applicant ``BENCH_RATEABLE_CASES`` [32] more own cases that are
  closed and not rated (``bench/generate.py``), besides their 24 own cases of every status.
* :func:`prepare` deletes the ratings (and their rectification tickets) of earlier runs — the
  bench database is the bench's own — and lists, per applicant, their own closed or decided
  cases (the case-read phase may read them too: a rated case's page costs the same).
* :func:`lines` writes one request per case, round-robin over the applicants, with the national
  five levels in a realistic mix (mostly satisfied; one in ten "dissatisfied" or "very
  dissatisfied", which also opens a rectification ticket with its notices), a reason and a short
  comment. Each line is used once: a second POST to a rated case would be an *edit*, not a
  rating (``run.py`` skips the lines earlier runs of wrk consumed, as for ``book_slot``).

A success is a 302 back to the case's rating page.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlencode

KIND = "review"
TITLE = "rate a closed case (the real rating form)"
EXPECT = "302:/en/my/cases/"
MAX_LINES = int(os.environ.get("BENCH_REVIEW_LINES", "60000"))
#: Levels in turn (5 very satisfied … 1 very dissatisfied): 9 in 10 satisfied or neutral.
LEVELS = (5, 4, 5, 5, 3, 4, 5, 2, 5, 4, 5, 5, 4, 3, 5, 4, 5, 1, 5, 4)
REASONS = {5: "fast", 4: "clear_guidance", 3: "", 2: "slow", 1: "documents_twice"}
RATEABLE = ("closed", "approved", "rejected", "not_accepted")


def path(number: str) -> str:
    return f"/en/my/cases/{number}/rating/"


def form(index: int, csrf_token: str) -> dict[str, str]:
    """The form the rating page posts: level, one reason (none for a neutral level), a comment."""
    level = LEVELS[index % len(LEVELS)]
    data = {"csrfmiddlewaretoken": csrf_token, "action": "rate", "level": str(level), "comment": f"bench {index}"}
    if REASONS[level]:
        data["reasons"] = REASONS[level]
    return data


def prepare(applicants: list[Any]) -> dict[str, Any]:
    """Forget earlier runs' ratings and list each applicant's rateable cases:
    ``{"cases": {person_id: [number, …]}}``."""
    from django.db import connection

    from tongban.cases.models import Case
    from tongban.reviews.models import Rectification, Review

    Rectification.objects.all().delete()
    Review.objects.all().delete()
    ids = [a.person_id for a in applicants]
    cases: dict[int, list[str]] = {pk: [] for pk in ids}
    rows = (
        Case.objects.filter(applicant_id__in=ids, firm__isnull=True, status__in=RATEABLE)
        .order_by("applicant_id", "-id")
        .values_list("applicant_id", "number")
    )
    for person_id, number in rows.iterator(chunk_size=5000):
        cases[person_id].append(number)
    if not connection.in_atomic_block:  # as the other phases: hold no connection during the run
        connection.close()
    return {"cases": cases}


def lines(applicants: list[Any], prepared: dict[str, Any]) -> list[str]:
    """METHOD, PATH, COOKIE, BODY lines: round-robin over the applicants, each case once."""
    out: list[str] = []
    queues = [(a, prepared["cases"].get(a.person_id, [])) for a in applicants]
    depth = max((len(numbers) for _a, numbers in queues), default=0)
    for d in range(depth):
        for a, numbers in queues:
            if d < len(numbers):
                out.append(
                    f"POST\t{path(numbers[d])}\t{a.cookie}\t{urlencode(form(len(out), a.csrf_token), doseq=True)}"
                )
                if len(out) >= MAX_LINES:
                    return out
    return out


def count_requests(applicant: Any, prepared: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """Two ratings for the in-process query count (taken from the end of the applicant's list: the
    lines use the start). The test client needs no CSRF token."""
    numbers = prepared["cases"].get(applicant.person_id, [])
    spare = [numbers.pop() for _ in range(min(2, len(numbers)))]
    return [("post", path(number), {"action": "rate", "level": "5", "reasons": "fast"}) for number in spare]
