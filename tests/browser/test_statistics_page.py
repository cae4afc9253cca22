"""The public statistics page in Chromium: in English on a desktop and in Chinese on a 360-pixel
phone, accessible (axe-core, no CSP violation), nothing scrolling sideways, and the filter form
working without JavaScript (a GET that keeps the choices); every chart image loads (its SVG is
drawn: naturalWidth > 0) with the page's filters, in both languages."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from tests.browser.conftest import assert_accessible
from tests.statistics.conftest import small_world
from tests.world import World
from tongban.statistics.services import facts_catch_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_charts_load(page: Page) -> None:
    """Every chart on the page is an image the browser decoded, with an alt text, as wide as it
    may be and no wider than the viewport."""
    images = page.locator("img.chart")
    assert images.count() >= 5
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.chart')].every(img => img.complete && img.naturalWidth > 0)"
    )
    for index in range(images.count()):
        image = images.nth(index)
        assert (image.get_attribute("alt") or "").strip()
        assert image.evaluate("img => img.getBoundingClientRect().width <= document.documentElement.clientWidth")


def test_the_statistics_page_in_english_and_on_a_phone_in_chinese(
    live_server, world: World, page: Page, phone: Page
) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now())
    page.goto(f"{live_server.url}/en/statistics/")
    assert page.locator("h1").inner_text() == "Government services in figures"
    assert_charts_load(page)
    assert_accessible(page)
    page.select_option("#period", "12m")
    page.select_option("#agency", str(world.version.item.agency_id))
    page.click("button[type=submit]")
    assert "period=12m" in page.url
    assert page.locator("#service").count() == 1  # the agency's services, once it is chosen
    assert "period=12m" in page.locator("img.chart").first.get_attribute("src")
    assert_charts_load(page)
    assert_accessible(page)
    phone.goto(f"{live_server.url}/zh/statistics/")
    assert phone.locator("h1").inner_text() == "政务服务数据"
    assert_charts_load(phone)
    assert_accessible(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
