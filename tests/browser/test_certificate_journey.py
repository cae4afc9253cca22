"""The e-certificate journey in English, in Chromium: the approved work permit is in the firm's
wallet, the residence-permit application attaches it without an upload (and prefills its number),
and the public verification page says it is valid — checked with axe-core on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_work_permit_journey import log_in, new_page
from tongban.demo.flows import WORK_PERMIT_NUMBER
from tongban.demo.loader import firm_uscc, load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_work_permit_reused_for_the_residence_permit_and_verified(live_server, browser: Browser) -> None:
    load()
    base = live_server.url
    emma = new_page(browser)
    log_in(emma, base, "emma.schmidt")

    # The approved work permit is in the firm's wallet.
    emma.goto(f"{base}/en/my/firms/{firm_uscc()}/certificates/")
    row = emma.get_by_role("row").filter(has_text=WORK_PERMIT_NUMBER)
    expect(row).to_contain_text("MARTIN Lucas")
    expect(row).to_contain_text("Valid")
    assert_accessible(emma)
    emma.get_by_role("link", name="Foreigner's Work Permit").first.click()
    expect(emma.get_by_role("link", name="Download the PDF")).to_be_visible()

    # Applying for his residence permit: the work permit is attached, its number prefilled.
    emma.goto(f"{base}/en/services/fw-residence-permit/")
    expect(emma.get_by_text("The government may already hold")).to_be_visible()
    emma.get_by_role("button", name="Start the application").click()
    emma.get_by_label("Name (as in the passport)").fill("MARTIN Lucas")
    emma.get_by_label("Passport number").fill("19FR83472")
    emma.get_by_label("Nationality").select_option(label="France")
    emma.get_by_label("Date of birth").fill("1991-04-12")
    emma.get_by_role("button", name="Save and continue").click()
    expect(emma.get_by_label("Work permit number")).to_have_value(WORK_PERMIT_NUMBER)
    expect(emma.get_by_text("From an e-certificate the government issued").first).to_be_visible()
    emma.get_by_label("Home address in the city").fill("88 Century Avenue, Pudong")
    emma.get_by_label("District").select_option("310115")
    emma.get_by_label("Length of stay requested").select_option("1y_to_3y")
    emma.get_by_role("button", name="Save and continue").click()
    expect(emma.get_by_role("heading", level=1)).to_have_text("Materials")
    held = emma.locator(".field.held").filter(has_text="Foreigner's work permit")
    expect(held).to_contain_text("Held by the government — you need not upload it.")
    expect(held).to_contain_text(WORK_PERMIT_NUMBER)
    expect(emma.locator("input[name='material_work-permit']")).to_have_count(0)
    assert_accessible(emma)

    # Anyone can check the certificate, in English, without logging in.
    public = new_page(browser)
    public.goto(f"{base}/verify/{WORK_PERMIT_NUMBER}")
    expect(public.locator("html")).to_have_attribute("lang", "en")
    expect(public.get_by_role("status")).to_contain_text("Valid")
    expect(public.get_by_text("Foreigner's Work Permit").first).to_be_visible()
    expect(public.get_by_text("Passport number")).to_have_count(0)  # not a public field
    assert_accessible(public)
    public.get_by_role("navigation", name="Language").get_by_role("link", name="简体中文").click()
    expect(public).to_have_url(re.compile(rf"/zh/verify/{WORK_PERMIT_NUMBER}"))
    expect(public.get_by_role("status")).to_contain_text("有效")
