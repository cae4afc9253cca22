"""Seeing one's own results, in Chromium, in English and Chinese (issue 19): a firm's staff member
finds in My space what she must do (the supplement asked on the firm's case), and a decided case
leads to its certificate (the applicant's case page → the certificate → its download) — checked
with axe-core on the way."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_work_permit_journey import log_in, new_page
from tongban.cases.models import Case
from tongban.cases.services import case_act
from tongban.core.actors import Actor
from tongban.demo.flows import WORK_PERMIT_NUMBER
from tongban.demo.loader import load
from tongban.identity.models import StaffRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def supplement_asked(case: Case) -> None:
    """An officer of the case's office accepts the firm's residence-permit case and asks for more."""
    officer = StaffRole.objects.filter(role="officer", office=case.office, revoked_at__isnull=True).first()
    assert officer is not None
    for action, extra in (("accept", {}), ("start_review", {}), ("request_supplement", {"items": ["A newer photo"]})):
        case.refresh_from_db()
        case_act(
            case=case,
            action=action,
            expected_version=case.lock_version,
            account=officer.account,
            actor=Actor.system("tests"),
            now=timezone.now(),
            **extra,
        )


def test_a_firm_s_staff_member_sees_what_she_must_do_in_my_space(live_server, browser: Browser) -> None:
    load()
    case = Case.objects.get(item__code="fw-residence-permit")
    supplement_asked(case)
    base = live_server.url
    emma = new_page(browser)
    log_in(emma, base, "emma.schmidt")

    emma.goto(f"{base}/en/my/")
    to_do = emma.locator("section").filter(has=emma.get_by_role("heading", name="What I must do"))
    expect(to_do).to_contain_text(case.number)
    expect(to_do).to_contain_text("Supply what the agency asked for")
    expect(emma.get_by_text("You have no applications yet.")).to_have_count(0)
    assert_accessible(emma)
    to_do.get_by_role("link").filter(has_text=case.number).click()
    expect(emma.get_by_role("heading", name="Supply what was asked")).to_be_visible()
    expect(emma.get_by_text("Next: supply what the agency asked for.")).to_be_visible()

    emma.goto(f"{base}/zh/my/")
    to_do = emma.locator("section").filter(has=emma.get_by_role("heading", name="待我办理"))
    expect(to_do).to_contain_text(case.number)
    expect(to_do).to_contain_text("按要求补正材料")
    assert_accessible(emma)

    emma.goto(f"{base}/en/my/cases/")
    row = emma.get_by_role("row").filter(has_text=case.number)
    expect(row).to_contain_text("Paused until the supplement is sent")


def test_a_decided_case_leads_to_its_certificate(live_server, browser: Browser) -> None:
    load()
    case = Case.objects.get(item__code="fw-work-permit", status="approved")
    base = live_server.url
    emma = new_page(browser)
    log_in(emma, base, "emma.schmidt")

    emma.goto(f"{base}/en/my/cases/")
    emma.get_by_role("link", name=case.number).first.click()
    result = emma.locator("section").filter(has=emma.get_by_role("heading", name="Result"))
    expect(result).to_contain_text(WORK_PERMIT_NUMBER)
    expect(result).to_contain_text("Valid")
    assert_accessible(emma)
    with emma.expect_download() as download:
        result.get_by_role("link", name="Download (PDF)").click()
    assert download.value.suggested_filename == f"{WORK_PERMIT_NUMBER}.pdf"
    result.get_by_role("link", name="Foreigner's Work Permit").click()
    expect(emma.get_by_role("heading", level=1)).to_have_text("Foreigner's Work Permit")
    crumbs = emma.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.get_by_role("link", name="Certificates")).to_have_attribute(
        "href", f"/en/my/firms/{case.firm.uscc}/certificates/"
    )

    emma.goto(f"{base}/zh/my/cases/{case.number}/")
    result = emma.locator("section").filter(has=emma.get_by_role("heading", name="办理结果"))
    expect(result).to_contain_text(WORK_PERMIT_NUMBER)
    assert_accessible(emma)
    with emma.expect_download() as download:
        result.get_by_role("link", name="下载（PDF）").click()
    assert download.value.suggested_filename == f"{WORK_PERMIT_NUMBER}.pdf"
