"""The data-exchange journey in English, in Chromium: the Exit-Entry officer processing Lucas's
residence permit fetches his work permit through the exchange and sees it with its source; Lucas,
logged in as himself, finds that read (and the one made when the application was submitted) in
"Who used my data", and downloads it as CSV — checked with axe-core on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_work_permit_journey import log_in, new_page
from tongban.cases.models import Case
from tongban.demo.flows import WORK_PERMIT_NUMBER
from tongban.demo.loader import load
from tongban.exchange.models import AccessLogEntry, DataResource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_fetches_the_work_permit_and_lucas_sees_who_used_his_data(live_server, browser: Browser) -> None:
    load()
    base = live_server.url
    case = Case.objects.get(item__code="fw-residence-permit", parties__person__account__username="lucas.martin")

    officer = new_page(browser)
    log_in(officer, base, "officer.exitentry")
    officer.goto(f"{base}/en/backoffice/cases/{case.number}/")
    expect(officer.get_by_role("heading", name="Data from other agencies")).to_be_visible()
    # the button says whose record it fetches: the party by its role in the case
    officer.get_by_role("button", name=re.compile(r"^Fetch Foreigner's work permit \(.+: MARTIN Lucas\)$")).click()
    expect(officer.get_by_role("status").first).to_contain_text("Fetched through the data exchange.")
    fetched = officer.locator(".fetched").filter(has_text="Foreigner's work permit")
    expect(fetched).to_contain_text(WORK_PERMIT_NUMBER)
    expect(fetched).to_contain_text("Employer")
    owner = DataResource.objects.select_related("owner").get(code="certificate.work-permit").owner
    expect(fetched).to_contain_text(f"Source: {owner.name_en}")  # the agency, in the page's language
    assert_accessible(officer)
    read = AccessLogEntry.objects.filter(case_number=case.number, basis="case").get()
    assert (read.consumer, read.resource, read.outcome) == ("exit-entry", "certificate.work-permit", "answered")

    lucas = new_page(browser)
    log_in(lucas, base, "lucas.martin")
    lucas.goto(f"{base}/en/my/")
    lucas.get_by_role("link", name="Who used my data").first.click()
    rows = lucas.get_by_role("row").filter(has_text=case.number)
    expect(rows.first).to_contain_text("Public Security Bureau, Exit-Entry Administration")
    expect(rows.first).to_contain_text("Foreigner's work permit")
    expect(rows.first).to_contain_text("Answered")
    assert_accessible(lucas)
    with lucas.expect_download() as download:
        lucas.get_by_role("link", name="Download as CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert case.number in text and "Foreigner's work permit" in text
