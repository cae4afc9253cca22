"""The nationality select in Chromium, in both languages (issue 19, ADR 0035): a foreigner
registering finds her country by the name she knows (Bahamas / 巴哈马, not "Bahamas (The)"),
Hong Kong, Macao and Taiwan are not offered as nationalities, and her My space names the country
in the page's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_foreigner_registers_with_her_nationality_by_name_in_both_languages(live_server, page: Page) -> None:
    base = live_server.url
    page.goto(f"{base}/zh/register/")
    select = page.get_by_label("国籍（护照持有人填写）")
    expect(select.locator("option", has_text="巴哈马")).to_have_count(1)
    for absent in ("中国香港", "中国澳门", "中国台湾", "香港", "台湾"):
        expect(select.locator("option", has_text=absent)).to_have_count(0)
    assert_accessible(page)

    page.goto(f"{base}/en/register/")
    select = page.get_by_label("Nationality (passport holders)")
    expect(select.locator("option", has_text="Naoero")).to_have_count(0)
    expect(select.locator("option", has_text="Hong Kong")).to_have_count(0)
    expect(select.locator("option", has_text="Taiwan")).to_have_count(0)
    page.get_by_label("Foreign passport").check()
    page.get_by_label("Document number").fill("BS1234567")
    select.select_option(label="Bahamas")
    page.get_by_label("Name in Latin letters (passport holders)").fill("ROLLE Sandra")
    page.get_by_label("User name").fill("sandra.rolle")
    page.get_by_label("E-mail address").fill("sandra@example.org")
    page.get_by_label("Password", exact=True).fill("Lantern-Orchid-1987")
    page.get_by_label("Password again").fill("Lantern-Orchid-1987")
    page.get_by_role("button", name="Open the account").click()

    page.goto(f"{base}/en/my/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My space")
    expect(page.locator("dd", has_text="Bahamas")).to_have_count(1)
    assert_accessible(page)
    page.goto(f"{base}/zh/my/")
    expect(page.locator("dd", has_text="巴哈马")).to_have_count(1)
    assert_accessible(page)
