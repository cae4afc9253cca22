"""The strict Content-Security-Policy in Chromium (ADR 0028): the pages the every-page walk does
not open (the API's documentation, a staff member's first login with its QR code, the public
verification pages) and a few it does, in both languages, load without the browser blocking
anything or complaining in the console about the page's policies. The walk
(tests/browser/test_every_page.py) checks the same on every portal and back-office page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import policy_console, policy_violations, watch_policy
from tests.factories import PASSWORD, StaffRoleFactory
from tests.urlwalk import office_keys
from tests.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _nothing_blocked(page: Page, said: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    blocked = policy_violations(page)
    assert not blocked, f"{page.url}: blocked:\n" + "\n".join(blocked)
    assert not said, f"{page.url}: the console says:\n" + "\n".join(said)


def _open(page: Page, url: str) -> None:
    said = policy_console(page)
    response = page.goto(url)
    assert response is not None and response.status in (200, 404), f"{url}: {response and response.status}"
    assert response.headers["content-security-policy"] == POLICY, url
    _nothing_blocked(page, said)


def test_public_pages_in_both_languages_need_nothing_the_policy_blocks(
    live_server: Any, browser: Browser, world: World
) -> None:
    number = office_keys(world)["certificate"]
    context = watch_policy(browser.new_context(locale="en-GB"))
    page = context.new_page()
    try:
        for language in ("en", "zh"):
            for path in ("", "services/", f"services/{world.version.item.code}/", "login/", "register/", "verify/"):
                _open(page, f"{live_server.url}/{language}/{path}")
            _open(page, f"{live_server.url}/{language}/verify/{number}/")
            _open(page, f"{live_server.url}/{language}/verify/NOSUCH0000/")  # the 404 page too
        _open(page, f"{live_server.url}/verify/{number}")
    finally:
        context.close()


def test_the_api_documentation_is_served_from_the_platform(live_server: Any, browser: Browser, world: World) -> None:
    """Swagger UI from django-ninja's bundled files (``ninja`` is an installed app), no CDN."""
    context = watch_policy(browser.new_context(locale="en-GB"))
    page = context.new_page()
    try:
        _open(page, f"{live_server.url}/api/v1/docs")
        expect(page.get_by_text("Tongban API").first).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_first_staff_login_shows_its_qr_code_under_the_policy(
    live_server: Any, browser: Browser, world: World, language: str
) -> None:
    """The authenticator QR code is an inline SVG with presentation attributes, no style."""
    account = StaffRoleFactory(city_operator=True).account
    context = watch_policy(browser.new_context(locale="en-GB"))
    page = context.new_page()
    said = policy_console(page)
    try:
        page.goto(f"{live_server.url}/{language}/login/")
        page.locator("#id_username").fill(account.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(f"/{language}/login/authenticator/$"))
        expect(page.locator("main .card svg")).to_be_visible()
        _nothing_blocked(page, said)
        assert page.locator("main .card").bounding_box()["width"] <= 22 * 16 + 1  # type: ignore[index]
    finally:
        context.close()
