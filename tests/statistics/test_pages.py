"""The public statistics page: headline figures and tables from the fact tables only (never a
cases table), a constant number of queries, filters by GET, both languages; and the
satisfaction page read from the facts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.statistics.conftest import approve, small_world
from tests.world import World
from tongban.statistics.services import facts_catch_up

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_headline_figures_and_tables_in_both_languages(client: Client, world: World) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now())
    page = client.get("/en/statistics/").content.decode()
    assert "services delivered (cases)" in page
    assert '<th scope="col">Submitted</th>' in page and "<caption>Cases by month</caption>" in page
    assert world.version.item.agency.name_en in page
    assert "66.7 %</span> of completed cases needed no visit" in page  # one of three completed cases had a visit
    zh = client.get("/zh/statistics/").content.decode()
    assert 'lang="zh' in zh and world.version.item.agency.name_zh in zh
    # A header with a per-cent sign is translated too (templates double it in the msgid).
    assert "90% 在此之内（工作日）" in zh and "within (working days)" not in zh


def test_filters_by_period_agency_and_service(client: Client, world: World) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now())
    item = world.version.item
    page = client.get(f"/en/statistics/?period=12m&agency={item.agency_id}&service={item.pk}").content.decode()
    assert f'<option value="{item.agency_id}" selected>' in page and f'<option value="{item.pk}" selected>' in page
    assert 'name="service"' not in client.get("/en/statistics/").content.decode()  # an agency first
    assert '"figure">6</span> services delivered' in page
    other = client.get("/en/statistics/?period=2001&agency=999999").content.decode()
    assert '"figure">0</span> services delivered' in other
    assert client.get("/en/statistics/?period=nonsense&agency=x").status_code == 200


def test_the_page_reads_no_case_and_its_query_count_is_flat(client: Client, world: World) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now())

    def more() -> None:
        for _ in range(3):
            approve(world, world.submitted_case())
        facts_catch_up(now=timezone.now())

    def cold() -> list[str]:  # the body not cached: every figure is read
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/statistics/").status_code == 200
        return [query["sql"] for query in queries.captured_queries]

    client.get("/en/statistics/")  # warm: what is read once per process is not measured
    few = cold()
    more()
    many = cold()
    assert len(many) == len(few) <= 22, many
    # The body is kept per revision: a second view reads only the revision (the watermarks and the
    # catalogue's month); a catch-up that counts something new changes it, so the next view shows
    # the new figures.
    with CaptureQueriesContext(connection) as hit:
        client.get("/en/statistics/")
    read = " ".join(query["sql"] for query in hit.captured_queries)
    assert len(hit) == 1 and "statistics_watermark" in read and "statistics_casefact" not in read, read
    before = client.get("/en/statistics/").content
    approve(world, world.submitted_case())
    facts_catch_up(now=timezone.now())
    assert client.get("/en/statistics/").content != before
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get("/en/statistics/?period=12m")
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "cases_case" not in tables and "reviews_review" not in tables


def test_the_satisfaction_page_reads_the_facts(client: Client, settings: Any) -> None:
    settings.REVIEW_MIN_PUBLIC_COUNT = 1
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/satisfaction/").status_code == 200
    assert "reviews_review" not in " ".join(query["sql"] for query in queries.captured_queries)


def test_the_demo_city_is_counted_and_shown(client: Client) -> None:
    from django.core.management import call_command

    from tongban.statistics.recount import recount, stored_facts

    call_command("demo_load")
    now = timezone.now()
    assert stored_facts(now=now) == recount(now=now)
    page = client.get("/en/statistics/").content.decode()
    assert '"figure">0</span> services delivered' not in page and '"figure">0</span> people registered' not in page
    assert client.get("/zh/statistics/").status_code == 200
