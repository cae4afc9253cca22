"""The statistics page's charts: one SVG per section, drawn from the same selector rows as the
table beside it, with the page's filters, in the page's language; answered from the cache by
revision (ETag, 304), never from a cases table; and the page shows each in an ``<img>`` with an
alt text in its language."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import AgencyFactory
from tests.statistics.conftest import small_world
from tests.world import World
from tongban.conf.limits import DEFAULT_RATE_LIMITS
from tongban.portal.views import statistics_charts
from tongban.portal.views.statistics_charts import SECTIONS, chart_data
from tongban.statistics import selectors
from tongban.statistics.services import facts_catch_up

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _texts(svg: bytes) -> list[str]:
    return [unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode())]


def _images(page: str) -> dict[str, str]:
    """The page's chart images: src → alt."""
    return {
        unescape(src): unescape(alt)
        for src, alt in re.findall(r'<img class="chart" src="([^"]+)" alt="([^"]+)">', page)
    }


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_section_s_chart_is_an_svg_of_the_table_s_numbers(client: Client, world: World, language: str) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now())
    page = client.get(f"/{language}/statistics/").content.decode()
    images = _images(page)
    # every section with figures has its chart (satisfaction: no ratings in the small world)
    expected = {f"/{language}/statistics/charts/{s.replace('_', '-')}.svg" for s in SECTIONS if s != "satisfaction"}
    assert set(images) == expected
    filters = selectors.filters_from({}, now=timezone.now())
    lang = "zh-hans" if language == "zh" else "en"
    for section in SECTIONS:
        url = f"/{language}/statistics/charts/{section.replace('_', '-')}.svg"
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        data = chart_data(section, filters, lang)
        texts = _texts(response.content)
        assert data.title in texts, "the title, in the page's language"
        for label in data.labels:
            assert label in texts
        for series in data.series if len(data.series) > 1 else ():
            assert series.name in texts, "the legend"
    # the numbers the charts draw are the selector rows the tables show
    months = selectors.monthly(filters)
    by_month = chart_data("by_month", filters, lang)
    assert by_month.labels == [row.month.strftime("%Y-%m") for row in months]
    assert [list(s.values) for s in by_month.series] == [
        [row.submitted for row in months],
        [row.completions.completed for row in months],
    ]
    assert sum(by_month.series[0].values) == 6 and sum(by_month.series[1].values) == 3
    agencies = chart_data("by_agency", filters, lang)
    agency = world.version.item.agency
    assert agencies.labels == [agency.name_zh if lang == "zh-hans" else agency.name_en]
    assert [list(s.values) for s in agencies.series] == [[6], [3]]
    waits = chart_data("waiting", filters, lang)
    rows = selectors.waiting_times(filters)
    assert [list(s.values) for s in waits.series] == [[r.mean_minutes for r in rows], [r.p90_minutes for r in rows]]
    assert waits.series[1].values == [17]  # the one ticket waited 17 minutes
    registrations = chart_data("registrations", filters, lang)
    assert registrations.series[0].values == [r.persons for r in selectors.registrations(filters)]
    channels = chart_data("by_channel", filters, lang)
    assert channels.series[0].values == [r.submitted for r in selectors.by_channel(filters)]


@pytest.mark.parametrize(
    ("language", "alt"),
    [
        ("en", "Bar chart of cases submitted and completed per month; the figures are in the table below."),
        ("zh", "柱状图：每月提交和办结的办件数；具体数字见下表。"),
    ],
)
def test_the_page_shows_each_chart_with_an_alt_text_in_its_language(
    client: Client, world: World, language: str, alt: str
) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now())
    images = _images(client.get(f"/{language}/statistics/").content.decode())
    assert images[f"/{language}/statistics/charts/by-month.svg"] == alt
    assert all(text.strip() for text in images.values())
    assert len(set(images.values())) == len(images), "each chart says what it shows"


def test_a_chart_carries_the_page_s_filters_and_draws_the_filtered_figures(client: Client, world: World) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now())
    item = world.version.item
    query = f"period=12m&agency={item.agency_id}&service={item.pk}"
    images = _images(client.get(f"/en/statistics/?{query}&junk=1").content.decode())
    url = next(src for src in images if "/by-month.svg" in src)
    assert url == f"/en/statistics/charts/by-month.svg?{query}"
    filtered = client.get(url)
    everything = client.get("/en/statistics/charts/by-month.svg")
    assert filtered["ETag"] != everything["ETag"], "the key includes the filters"
    filters = selectors.filters_from(
        {"period": "12m", "agency": str(item.agency_id), "service": str(item.pk)}, now=timezone.now()
    )
    data = chart_data("by_month", filters, "en")
    assert data.series[0].values == [row.submitted for row in selectors.monthly(filters)]
    # an agency with no cases: the chart is drawn, with nothing in it
    quiet = AgencyFactory()
    empty = client.get(f"/en/statistics/charts/by-agency.svg?agency={quiet.pk}")
    assert empty.status_code == 200 and empty["Content-Type"] == "image/svg+xml"
    # a made-up agency or service draws nothing (each filter would be a chart drawn and kept)
    assert client.get("/en/statistics/charts/by-agency.svg?agency=999999").status_code == 404
    assert client.get(f"/en/statistics/charts/by-month.svg?agency={quiet.pk}&service={item.pk}").status_code == 404


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "statistics.chart": DEFAULT_RATE_LIMITS["statistics.chart"]})
def test_charts_drawn_for_one_client_are_limited_but_drawn_ones_are_not(client: Client, world: World) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now())
    hits, _window = DEFAULT_RATE_LIMITS["statistics.chart"]
    agencies = [AgencyFactory().pk for _ in range(hits // len(SECTIONS) + 1)]
    answers = [
        client.get(f"/en/statistics/charts/{section.replace('_', '-')}.svg?agency={agency}").status_code
        for agency in agencies
        for section in SECTIONS
    ]
    assert answers[:hits] == [200] * hits and 429 in answers[hits:]
    # a chart already drawn for these figures is served from the cache, limit or not
    first = f"/en/statistics/charts/{next(iter(SECTIONS)).replace('_', '-')}.svg?agency={agencies[0]}"
    assert client.get(first).status_code == 200


def test_a_chart_is_answered_304_while_the_figures_hold_and_anew_after_a_catch_up(client: Client, world: World) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now())
    first = client.get("/en/statistics/charts/by-month.svg")
    etag = first["ETag"]
    assert client.get("/en/statistics/charts/by-month.svg", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/zh/statistics/charts/by-month.svg")["ETag"] != etag, "the key includes the language"
    facts_catch_up(now=timezone.now())  # nothing new: same revision
    assert client.get("/en/statistics/charts/by-month.svg", HTTP_IF_NONE_MATCH=etag).status_code == 304
    world.submitted_case()
    facts_catch_up(now=timezone.now())
    again = client.get("/en/statistics/charts/by-month.svg", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    assert _texts(again.content) != _texts(first.content) or again.content != first.content
    assert client.post("/en/statistics/charts/by-month.svg").status_code == 405


def test_no_chart_reads_a_cases_table(client: Client, world: World) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now())
    item = world.version.item
    for section in SECTIONS:
        url = f"/en/statistics/charts/{section.replace('_', '-')}.svg?period=12m&agency={item.agency_id}"
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        assert "cases_case" not in sql and "reviews_review" not in sql, section


def test_the_chart_key_holds_the_period_as_months() -> None:
    now = timezone.now()
    twelve = selectors.filters_from({"period": "12m"}, now=now)
    assert statistics_charts.chart_key("by_month", twelve, "en") != statistics_charts.chart_key(
        "by_month", selectors.Filters(), "en"
    )
    assert str(twelve.first_month) in statistics_charts.chart_key("by_month", twelve, "en")
