"""The back office's form editor in Chromium: a city operator drafts a new version of a demo
service, breaks its form, reads every problem in the error summary, fixes it and sees the
preview change; each page checked with axe-core, in English and Chinese."""

from __future__ import annotations

import json
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import log_in
from tests.conftest import current_totp
from tongban.demo.loader import load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SERVICE = "si-enrolment"


def test_operator_changes_a_form_in_the_browser(live_server, page: Page) -> None:
    load()
    base = live_server.url
    log_in(page, base, "operator.city")
    page.get_by_label("Code from your authenticator app").fill(
        current_totp(TOTPDevice.objects.get(user__username="operator.city"))
    )
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{base}/en/backoffice/catalogue/{SERVICE}/")
    page.get_by_role("button", name="Start a new draft version").click()
    page.get_by_role("link", name="The draft's application form: see and change it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Application form")
    expect(page.get_by_role("heading", name="What applicants see")).to_be_visible()
    assert_accessible(page)

    layout = json.loads(page.get_by_label("Layout (JSON)").input_value())
    field = next(iter(layout["fields"]))
    layout["fields"][field]["label"]["en"] = ""
    page.get_by_label("Layout (JSON)").fill(json.dumps(layout, ensure_ascii=False, indent=2))
    page.get_by_label("Schema (JSON)").fill('{"type": "object",')
    page.get_by_role("button", name="Save the form in the draft").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("This is not valid JSON")
    assert_accessible(page)

    expect(page.get_by_label("Schema (JSON)")).to_have_value('{"type": "object",')  # kept as typed
    page.goto(f"{base}/en/backoffice/catalogue/{SERVICE}/form/")  # start again from the saved draft
    page.get_by_label("Layout (JSON)").fill(json.dumps(layout, ensure_ascii=False, indent=2))
    page.get_by_role("button", name="Save the form in the draft").click()
    expect(page.locator(".error-summary")).to_contain_text(f"layout.fields.{field}.label.en")
    assert_accessible(page)

    layout["fields"][field]["label"]["en"] = "Name of the new employee"
    page.get_by_label("Layout (JSON)").fill(json.dumps(layout, ensure_ascii=False, indent=2))
    page.get_by_role("button", name="Save the form in the draft").click()
    expect(page.get_by_role("status")).to_contain_text("The form is saved in the draft")
    expect(page.get_by_role("cell", name="Name of the new employee")).to_be_visible()

    page.get_by_role("navigation", name="Language").get_by_role("link", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page).to_have_url(re.compile(f"/zh/backoffice/catalogue/{SERVICE}/form/$"))
    expect(page.get_by_role("heading", name="申请人看到的内容")).to_be_visible()
    assert_accessible(page)

    # On a phone the page does not scroll sideways: the text areas fit, wide tables scroll inside.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
