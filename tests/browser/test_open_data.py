"""The open-data page in Chromium (docs/open-data.md): reached from the footer, accessible in
English at desktop width and in Chinese on a phone (nothing scrolls sideways; the field tables
scroll inside their region), and its JSON link gives the file the page describes. A chart drawn
by tongban.core.charts, served with its own sandboxing policy, shows in an <img> on a page under
the strict policy, and nothing is blocked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from playwright.sync_api import Page, Route

from tests.browser.conftest import assert_accessible, policy_violations
from tests.factories import ServiceCentreFactory
from tests.services import make_service
from tongban.core.charts import Series, bar_chart, chart_response
from tongban.opendata import registry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_open_data_page_from_the_footer_in_both_languages(live_server: Any, page: Page, phone: Page) -> None:
    make_service(code="work-permit")
    ServiceCentreFactory.create(code="hub")
    page.goto(f"{live_server.url}/en/")
    page.get_by_role("contentinfo").get_by_role("link", name="Open data").click()
    page.wait_for_url("**/en/open-data/")
    assert page.get_by_role("heading", level=1).inner_text() == "Open data"
    for dataset in registry.datasets():
        assert page.get_by_role("heading", level=2, name=dataset.title_en).is_visible()
    assert_accessible(page)
    with page.expect_response("**/en/open-data/service-catalogue.json") as answered:
        page.get_by_role("link", name="Catalogue of government services, JSON").click()
    document = json.loads(answered.value.body())
    assert [row["code"] for row in document["rows"]] == ["work-permit"]

    phone.goto(f"{live_server.url}/zh/open-data/")
    assert phone.get_by_role("heading", level=1).inner_text() == "开放数据"
    assert phone.get_by_role("link", name="政务服务事项目录（CSV）").is_visible()
    assert_accessible(phone)
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"scrolls sideways by {overflow}px"
    assert policy_violations(phone) == []


def test_a_chart_shows_in_an_img_under_the_strict_policy(live_server: Any, page: Page) -> None:
    cache.clear()
    served = chart_response(
        RequestFactory().get("/chart.svg"),
        key="test",
        revision="1",
        render=lambda: bar_chart(
            labels=["一月", "二月"], series=[Series("办件量", [3, 5])], title="办件量", lang="zh-hans"
        ),
    )

    def answer(route: Route) -> None:
        route.fulfill(status=200, body=served.content, headers=dict(served.items()))

    page.route("**/test-chart.svg", answer)
    page.goto(f"{live_server.url}/zh/open-data/")
    page.evaluate(
        """() => { const img = document.createElement('img'); img.src = '/test-chart.svg'; img.alt = '办件量';
                   img.id = 'chart'; document.querySelector('main, body').appendChild(img); }"""
    )
    page.wait_for_function("() => document.getElementById('chart').complete")
    width = page.evaluate("() => document.getElementById('chart').naturalWidth")
    assert width > 300, "the SVG was drawn"
    assert policy_violations(page) == []
