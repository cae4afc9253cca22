"""Delivery of a paper result, in Chromium (issue 16, ADR 0040): the foreign HR manager changes
the delivery of her employee's residence permit from post to pickup at a centre with an
exit-entry window, in English, on a phone-sized window; then the agency marks it ready, and the
centre's clerk hands it over after checking the legal representative's document. Checked with
axe-core on the way."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_work_permit_journey import log_in, new_page
from tongban.cases.models import Case
from tongban.core.actors import Actor
from tongban.demo import data
from tongban.demo.loader import load
from tongban.identity.models import Account
from tongban.service_centres.delivery.services import delivery_choose
from tongban.service_centres.models import Delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_hr_manager_changes_the_residence_permit_s_delivery_to_pickup(live_server, browser: Browser) -> None:
    load()
    case = Case.objects.get(item__code="fw-residence-permit")
    emma_account = Account.objects.get(username=data.HR_MANAGER.username)
    delivery_choose(  # she first asked for post
        case=case,
        person=emma_account.person,
        account=emma_account,
        method="post",
        recipient="MARTIN Lucas",
        address="1 Century Avenue, Pudong",
        phone="13800000000",
        now=timezone.now(),
        actor=Actor.system("tests"),
    )
    base = live_server.url
    emma = new_page(browser)
    emma.set_viewport_size({"width": 390, "height": 844})
    log_in(emma, base, "emma.schmidt")
    emma.goto(f"{base}/en/my/cases/{case.number}/")
    card = emma.locator("section#delivery")
    expect(card).to_contain_text("By post")
    assert_accessible(emma)
    card.get_by_role("link", name="Change how you receive the result").click()
    expect(emma.get_by_role("heading", name="Delivery of the result")).to_be_visible()
    assert_accessible(emma)
    emma.get_by_label("Pickup at a service centre").check()
    emma.get_by_label("Service centre (for pickup)").select_option(label="International Talent Service Centre")
    emma.get_by_role("button", name="Save").click()
    card = emma.locator("section#delivery")
    expect(card).to_contain_text("Pickup at a service centre")
    expect(card).to_contain_text("International Talent Service Centre")
    expect(card).to_contain_text("Waiting for the result")
    delivery = Delivery.objects.get(case=case)
    assert delivery.method == "pickup" and delivery.centre is not None and delivery.centre.code == "international"
