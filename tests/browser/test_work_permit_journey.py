"""The work-permit journey in English, in Chromium: the foreign HR manager applies for a new
employee, saves a draft, resumes on another device, submits; an officer requests a supplement;
she supplies it; the supervisor approves; she sees the decision."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfWriter

from tests.browser.conftest import assert_accessible, watch_policy
from tests.conftest import current_totp
from tongban.cases.models import Case
from tongban.demo.data import DEMO_PASSWORD
from tongban.demo.loader import load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf(label: str) -> dict[str, object]:
    writer = PdfWriter()
    writer.add_blank_page(width=300, height=300)
    writer.add_metadata({"/Title": label})
    buffer = io.BytesIO()
    writer.write(buffer)
    return {"name": f"{label}.pdf", "mimeType": "application/pdf", "buffer": buffer.getvalue()}


def new_page(browser: Browser) -> Page:
    """A page in a context of its own (another person at another device), watched for violations of
    the security policy like the ``page`` fixture's; the context is closed when the test ends."""
    page = watch_policy(browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})).new_page()
    page.set_default_timeout(15_000)
    return page


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/en/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if "/login/verify/" in page.url:
        device = TOTPDevice.objects.get(user__username=username)
        page.get_by_label("Code from your authenticator app").fill(current_totp(device))
        page.get_by_role("button", name="Continue").click()


def officer_does(page: Page, base: str, number: str, button: str, fill: dict[str, str] | None = None) -> None:
    page.goto(f"{base}/en/backoffice/cases/{number}/")
    form = page.locator("form.action-form").filter(has=page.get_by_role("button", name=button, exact=True))
    for label, value in (fill or {}).items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Done")


def test_work_permit_from_draft_to_decision(live_server, browser: Browser) -> None:
    load()
    base = live_server.url
    emma = new_page(browser)
    log_in(emma, base, "emma.schmidt")

    emma.goto(f"{base}/en/services/?q=work+permit")
    emma.get_by_role("link", name="Foreigner's work permit", exact=False).first.click()
    assert_accessible(emma)
    emma.get_by_role("button", name="Start the application").click()

    # Employer: the firm's name and code come from its registration record and are locked.
    expect(emma.get_by_label("Employer name")).to_have_value("莱茵精密机械（上海）有限公司")
    expect(emma.get_by_text("From the firm's registration record").first).to_be_visible()
    emma.get_by_label("Contact person").fill("Emma Schmidt")
    emma.get_by_label("Contact phone").fill("+86 21 5555 0100")
    emma.get_by_role("button", name="Save and continue").click()

    # Employee: save a draft half-way and stop.
    emma.get_by_label("Name (as in the passport)").fill("MARTIN Lucas")
    emma.get_by_label("Passport number").fill("19FR83472")
    emma.get_by_role("button", name="Save", exact=True).click()
    expect(emma.get_by_role("status").first).to_contain_text("Saved")
    assert_accessible(emma)
    emma.context.close()

    # Resume on another device.
    emma = new_page(browser)
    log_in(emma, base, "emma.schmidt")
    emma.goto(f"{base}/en/my/cases/")
    emma.get_by_role("link", name="Foreigner's work permit", exact=False).first.click()
    expect(emma.get_by_label("Name (as in the passport)")).to_have_value("MARTIN Lucas")
    emma.get_by_label("Nationality").select_option(label="France")
    emma.get_by_label("Date of birth").fill("1991-04-12")
    emma.get_by_label("E-mail address").fill("lucas.martin@example.fr")
    emma.get_by_role("button", name="Save and continue").click()

    emma.get_by_label("Job title").fill("Senior mechanical engineer")
    emma.get_by_label("Planned start date").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    emma.get_by_label("Contract length (months)").fill("36")
    emma.get_by_label("Annual salary before tax (yuan)").fill("480000")
    emma.get_by_role("group", name=re.compile("Months a year")).get_by_label(re.compile("9 months", re.I)).first.check()
    emma.get_by_role("button", name="Save and continue").click()

    emma.get_by_role("group", name="Highest degree").get_by_label(re.compile("Master", re.I)).check()
    emma.get_by_label("Years of relevant work experience").fill("8")
    emma.get_by_label("Chinese proficiency").select_option("hsk3")
    emma.get_by_role("group", name=re.compile("top 200")).get_by_label("Yes").check()
    emma.get_by_role("group", name=re.compile("Fortune")).get_by_label("No").check()
    emma.get_by_role("button", name="Save and continue").click()

    for field in emma.locator("input[type=file]").all():
        field.set_input_files(pdf(field.get_attribute("name") or "file"))
    emma.get_by_role("button", name="Upload and continue").click()
    expect(emma.get_by_role("heading", level=1)).to_have_text("Check and submit")
    expect(emma.get_by_role("heading", name=re.compile(r"Points: \d+ — category [ABC]"))).to_be_visible()
    expect(emma.locator("dd", has_text=re.compile(r"^France$"))).to_have_count(1)  # the name, not "FR"
    assert_accessible(emma)
    chinese = emma.url.replace("/en/", "/zh/")
    emma.goto(chinese)
    expect(emma.locator("dd", has_text=re.compile(r"^法国$"))).to_have_count(1)
    emma.goto(chinese.replace("/zh/", "/en/"))
    emma.get_by_role("button", name="Submit the application").click()
    expect(emma.get_by_role("status").first).to_contain_text("Your case number is")
    case = Case.objects.filter(item__code="fw-work-permit").latest("id")  # the demo city holds an older one
    assert (
        case.firm is not None
        and case.power is not None
        and case.parties.filter(person__latin_name="MARTIN Lucas").exists()
    )

    # The officer accepts, reviews and asks for a clearer passport copy.
    officer = new_page(browser)
    log_in(officer, base, "officer.science")
    officer.goto(f"{base}/en/backoffice/cases/")
    expect(officer.get_by_role("link", name=case.number)).to_be_visible()
    officer_does(officer, base, case.number, "Accept")
    officer_does(officer, base, case.number, "Start the review")
    officer.goto(f"{base}/en/backoffice/cases/{case.number}/")
    form = officer.locator("form.action-form").filter(has=officer.get_by_role("button", name="Request a supplement"))
    form.get_by_label("Passport photo page").check()
    form.get_by_label("Other information needed (one per line)").fill("The data page must be readable.")
    form.get_by_role("button", name="Request a supplement").click()
    expect(officer.get_by_role("status").first).to_contain_text("Done")
    assert_accessible(officer)

    # She supplies it.
    emma.goto(f"{base}/en/my/cases/{case.number}/")
    expect(emma.get_by_text("Supplement requested").first).to_be_visible()
    expect(emma.get_by_text("The data page must be readable.").first).to_be_visible()
    expect(emma.locator("ol.timeline")).to_contain_text("Asked for:")  # the history names it too
    expect(emma.locator("ol.timeline")).to_contain_text("Passport photo page")
    emma.locator("section").filter(has_text="Supply what was asked").locator("input[type=file]").first.set_input_files(
        pdf("passport-clear")
    )
    emma.get_by_role("button", name="Send").click()
    expect(emma.get_by_role("status").first).to_contain_text("Sent")

    # The case is back under review by itself; the officer proposes approval; the supervisor
    # decides (four eyes).
    officer_does(officer, base, case.number, "Propose approval")
    supervisor = new_page(browser)
    log_in(supervisor, base, "supervisor.science")
    officer_does(supervisor, base, case.number, "Approve")

    emma.goto(f"{base}/en/my/cases/{case.number}/")
    expect(emma.get_by_text("Your application was approved.")).to_be_visible()
    assert_accessible(emma)
    emma.goto(f"{base}/en/my/messages/")
    expect(emma.get_by_role("link", name=f"Case {case.number} approved")).to_be_visible()
