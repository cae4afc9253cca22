"""The few-vs-many query-count check: a page's query count must not grow with its rows.

One call does what each list page's test needs::

    few, many = assert_queries_flat(client, url, add_rows, at_most=12)

It requests the page once to warm what is read once per process or session (the work calendar,
the session, the site), then with the rows the test made (few), calls ``add_rows`` to make
more, requests the page again (many), and asserts that both requests ran the same number of
queries (and no more than ``at_most``, when given). A failure lists the SQL of the second
request. The two responses come back for the test's own checks on the content.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


class FewAndMany(NamedTuple):
    """The page as it was with a few rows, and with many."""

    few: Response
    many: Response


def assert_queries_flat(
    client: Client, url: str, add_rows: Callable[[], Any], *, at_most: int | None = None
) -> FewAndMany:
    """Assert that ``url`` runs as many queries after ``add_rows`` as before (at most ``at_most``)."""
    client.get(url)  # warm: caches read once per process or session are not what is measured
    with CaptureQueriesContext(connection) as few:
        few_response = client.get(url)
    add_rows()
    with CaptureQueriesContext(connection) as many:
        many_response = client.get(url)
    sql = [query["sql"] for query in many.captured_queries]
    assert len(many) == len(few), sql
    if at_most is not None:
        assert len(many) <= at_most, sql
    return FewAndMany(few_response, many_response)
