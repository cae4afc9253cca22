"""Real journeys in Chromium, in both languages, each page checked with axe-core."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import current_totp
from tongban.demo.data import DEMO_PASSWORD
from tongban.demo.loader import firm_uscc, load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/en/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_foreign_hr_manager_in_english_then_chinese(live_server, page: Page) -> None:
    load()
    base = live_server.url
    page.goto(f"{base}/en/international/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)

    log_in(page, base, "emma.schmidt")
    expect(page.get_by_role("heading", level=1)).to_have_text("My space")
    expect(page.get_by_text("SCHMIDT Emma").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Rhein Precision Machinery (Shanghai) Co., Ltd.", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/en/my/firms/{firm_uscc()}/$"))
    areas = page.get_by_role("list").filter(has_text="Foreign staff")
    expect(areas).to_contain_text("Social security")
    expect(areas).not_to_contain_text("Tax")
    expect(page.get_by_role("link", name="Manage staff and powers")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("navigation", name="Language").get_by_role("link", name="简体中文").click()
    expect(page).to_have_url(re.compile(rf"/zh/my/firms/{firm_uscc()}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("莱茵精密机械（上海）有限公司")
    expect(page.get_by_text("外籍员工").first).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base}/en/my/firms/{firm_uscc()}/areas/tax/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do this")


def test_legal_representative_grants_and_revokes(live_server, page: Page) -> None:
    load()
    base = live_server.url
    log_in(page, base, "chen.wei")
    page.goto(f"{base}/en/my/firms/{firm_uscc()}/staff/")
    assert_accessible(page)
    page.get_by_label("Staff member's ID or passport number").fill("19FR83472")
    page.get_by_label("Nationality (passport holders only)").select_option("FR")
    page.get_by_label("Tax").check()
    page.get_by_label("Valid until (inclusive)").fill("2027-06-30")
    page.get_by_role("button", name="Grant the power").click()
    expect(page.get_by_role("status")).to_contain_text("may now act for the firm")
    row = page.get_by_role("row").filter(has_text="MARTIN Lucas")
    expect(row).to_contain_text("Tax")
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.get_by_role("status")).to_contain_text("revoked")
    assert_accessible(page)


def test_registration_errors_are_announced_and_accessible(live_server, page: Page) -> None:
    page.goto(f"{live_server.url}/zh/register/")
    page.get_by_role("button", name="完成注册").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # site.js: a keyboard or screen-reader user starts at the list of problems
    # What a screen reader reads after the field's name: its hint, then its error, each once.
    expect(page.get_by_role("textbox", name="证件号码")).to_have_accessible_description(
        re.compile(r"^按证件所载填写，空格将被忽略。\s*错误：\s*此项为必填项。$")
    )
    summary.get_by_role("link", name=re.compile("^证件号码")).click()
    expect(page.get_by_role("textbox", name="证件号码")).to_be_focused()
    assert_accessible(page)


def test_officer_needs_a_code_then_reaches_the_workbench_in_chinese(live_server, page: Page) -> None:
    load()
    base = live_server.url
    log_in(page, base, "officer.science")
    expect(page).to_have_url(re.compile("/en/login/verify/$"))
    assert_accessible(page)
    device = TOTPDevice.objects.get(user__username="officer.science")
    page.get_by_label("Code from your authenticator app").fill(current_totp(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workbench")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert_accessible(page)


def test_home_on_a_phone_without_horizontal_scrolling(live_server, phone: Page) -> None:
    phone.goto(f"{live_server.url}/")
    expect(phone).to_have_url(re.compile("/zh/$"))
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360
    assert_accessible(phone)


def test_pages_work_without_javascript(live_server, browser) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/search/?q=permit")
    expect(page.get_by_role("heading", level=2)).to_contain_text("permit")
    context.close()
