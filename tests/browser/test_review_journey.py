"""Good/bad reviews (issue 17), in Chromium: the HR manager rates her firm's decided work permit
"very dissatisfied" from My cases; the rating becomes a rectification ticket that the science
agency's supervisor answers in the back office; she reads the answer in My ratings and rates once
more; and the public satisfaction figures change. Pages checked with axe-core on the way.

The public figures are read after :func:`refresh_public_figures` — the one place that brings them
up to date: the satisfaction page reads the statistics fact tables, which only their catch-up
task fills (every few minutes on the scheduler; here at once)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_work_permit_journey import log_in, new_page
from tongban.cases.models import Case
from tongban.demo.loader import load
from tongban.identity.models import Agency
from tongban.reviews.models import Rectification, Review
from tongban.statistics.services import facts_catch_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def refresh_public_figures() -> None:
    """Bring the public satisfaction figures up to date, as the scheduler would within minutes:
    run the statistics catch-up (``/satisfaction/`` reads only the fact tables)."""
    facts_catch_up(now=timezone.now())


def agency_row(page: Page, base: str, agency: str) -> str:
    """The agency's row of the public page ("" when it is not shown), after a refresh."""
    refresh_public_figures()
    page.goto(f"{base}/en/satisfaction/")
    row = page.get_by_role("region", name="By agency").get_by_role("row").filter(has_text=agency)
    return " ".join(row.first.inner_text().split()) if row.count() else ""


def test_a_very_dissatisfied_rating_is_answered_and_the_public_figures_change(
    live_server: Any, browser: Browser, settings: Any
) -> None:
    settings.REVIEW_MIN_PUBLIC_COUNT = 1  # one rating is enough to publish a row in this journey
    load()
    base = live_server.url
    case = Case.objects.get(item__code="fw-work-permit", status="approved")
    agency = Agency.objects.get(code="science-tech").name_en

    public = new_page(browser)
    assert agency_row(public, base, agency) == ""  # nobody rated the agency yet

    # The HR manager is invited in My cases and rates her firm's decided case.
    emma = new_page(browser)
    log_in(emma, base, "emma.schmidt")
    emma.goto(f"{base}/en/my/cases/")
    emma.locator("tr", has_text=case.number).get_by_role("link", name="Rate this service").click()
    expect(emma.get_by_role("heading", level=1)).to_have_text("Rate this service")
    assert_accessible(emma)
    emma.get_by_role("group", name="How satisfied are you?").get_by_label("Very dissatisfied").check()
    emma.get_by_label("It took too long").check()
    emma.get_by_label("Comment").fill("Nobody answered the phone for two weeks. <b>Please</b> call back.")
    emma.get_by_role("button", name="Send my rating").click()
    expect(emma.get_by_role("status").first).to_contain_text("Thank you for your rating.")
    expect(emma.get_by_text(re.compile(r"The office must answer by \d{4}-\d{2}-\d{2}\."))).to_be_visible()
    review = Review.objects.get(case=case)
    ticket = Rectification.objects.get(review=review)
    assert review.level == 1 and ticket.agency_id is not None

    # The agency's supervisor answers the ticket in the back office.
    office = new_page(browser)
    log_in(office, base, "supervisor.science")
    office.goto(f"{base}/en/backoffice/rectifications/")
    office.get_by_role("link", name=f"#{ticket.pk}").click()
    expect(office.get_by_text("<b>Please</b>", exact=False)).to_be_visible()  # shown as text, escaped
    assert_accessible(office)
    office.get_by_label("How the person was contacted and what was said").fill("Called her on Monday.")
    office.get_by_role("button", name="Record the contact").click()
    office.get_by_label("What was done (the person sees this answer)").fill(
        "The phone line of the foreign-talent desk is now staffed all day."
    )
    office.get_by_role("button", name="Answer and close").click()
    ticket.refresh_from_db()
    assert ticket.answered_at is not None and ticket.answered_on_time

    # She reads the answer in My ratings and rates once more.
    emma.goto(f"{base}/en/my/ratings/")
    expect(emma.get_by_text("now staffed all day")).to_be_visible()
    assert_accessible(emma)
    emma.get_by_role("link", name=f"Case {case.number}").click()
    emma.get_by_role("group", name=re.compile("how satisfied are you now")).get_by_label(
        "Satisfied", exact=True
    ).check()
    emma.get_by_role("button", name="Send my new rating").click()
    expect(emma.get_by_role("status").first).to_contain_text("your new rating is recorded")
    review.refresh_from_db()
    assert review.rerated_level == 4 and review.level == 1

    # The public figures now show the agency: one rating, none satisfied (the first level counts),
    # one ticket answered on time.
    row = agency_row(public, base, agency)
    assert row == f"{agency} 1 0 % 1 100 %", row
    assert "Nobody answered" not in public.content()  # comments are never published
    assert_accessible(public)
