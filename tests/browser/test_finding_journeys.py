"""Finding things, in Chromium, in both languages (issue 19): from a section page to a service's
guide in one click, a paper certificate verified by typing its number, search finding services by
everyday words and saying what was searched for, and the "How to use Tongban" guide from the
header's Help — every page checked with axe-core and the Content-Security-Policy watch."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, watch_policy
from tests.browser.test_journeys import log_in
from tongban.demo.flows import WORK_PERMIT_NUMBER
from tongban.demo.loader import load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def typed_like_on_paper(number: str) -> str:
    """The number as a person copies it from paper: small letters, groups of four."""
    lower = number.lower()
    return " ".join(lower[i : i + 4] for i in range(0, len(lower), 4))


def test_finding_things_in_english_on_a_desktop(live_server, page: Page) -> None:
    load()
    base = live_server.url

    # A foreign HR manager, signed in, reaches the work-permit guide from the International section.
    log_in(page, base, "emma.schmidt")
    page.goto(f"{base}/en/international/")
    assert_accessible(page)
    page.get_by_role("link", name="Foreigner's work permit (Notification and permit)").click()
    expect(page).to_have_url(re.compile(r"/en/services/fw-work-permit/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Foreigner's work permit")

    # Search by everyday words, from the home page: "social insurance", "business license".
    page.goto(f"{base}/en/")
    page.get_by_role("searchbox").fill("social insurance")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Results for “social insurance”")).to_be_visible()
    expect(page.get_by_role("link", name="Social security enrolment of a new employee")).to_be_visible()
    expect(page.get_by_role("link", name="Ending an employee's social security enrolment")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Search services").fill("business license")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Food business licence")).to_be_visible()

    # A landlord verifies a paper certificate: from the footer, by typing its number.
    visitor = watch_policy(page.context.browser.new_context(locale="en-GB")).new_page()
    visitor.goto(f"{base}/en/")
    visitor.get_by_role("contentinfo").get_by_role("link", name="Verify a certificate").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Verify a certificate")
    assert_accessible(visitor)
    visitor.get_by_label("Certificate number").fill("WP20")
    visitor.get_by_role("button", name="Verify the number").click()
    expect(visitor.get_by_role("alert")).to_contain_text("This is not a certificate number")
    expect(visitor.get_by_label("Certificate number")).to_have_value("WP20")
    assert_accessible(visitor)
    visitor.get_by_label("Certificate number").fill(typed_like_on_paper(WORK_PERMIT_NUMBER))
    visitor.get_by_role("button", name="Verify the number").click()
    expect(visitor).to_have_url(re.compile(rf"/en/verify/{WORK_PERMIT_NUMBER}/$"))
    expect(visitor.get_by_role("status")).to_contain_text("Valid")
    expect(visitor.get_by_text("Foreigner's Work Permit").first).to_be_visible()
    assert_accessible(visitor)

    # The guide, from the header's Help.
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Help").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("How to use Tongban")
    assert_accessible(visitor)
    visitor.get_by_role("link", name="Verify a certificate").first.click()
    expect(visitor.get_by_role("figure")).to_be_visible()
    expect(visitor.get_by_role("img", name=re.compile("number printed on a certificate"))).to_be_visible()
    assert_accessible(visitor)
    visitor.context.close()


def test_finding_things_in_chinese_on_a_phone(live_server, phone: Page) -> None:
    load()
    base = live_server.url
    page = phone

    # From the International section to a guide, in one tap.
    page.goto(f"{base}/zh/international/")
    assert_accessible(page)
    page.locator(".card-services").get_by_role("link", name="外国人工作类居留许可", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/zh/services/fw-residence-permit/$"))

    # 社保 finds what 社会保险 finds, and the unemployment benefit.
    page.goto(f"{base}/zh/")
    page.get_by_role("searchbox").fill("社保")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("heading", name="“社保”的搜索结果")).to_be_visible()
    for name in ("社会保险参保登记（员工增员）", "社会保险减员", "失业保险金申领"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page)

    # A paper certificate verified by its number, typed in small letters with spaces.
    page.goto(f"{base}/zh/")
    page.get_by_role("contentinfo").get_by_role("link", name="证照核验").click()
    page.get_by_role("textbox", name="证照编号").fill(typed_like_on_paper(WORK_PERMIT_NUMBER))
    page.get_by_role("button", name="核验编号").click()
    expect(page).to_have_url(re.compile(rf"/zh/verify/{WORK_PERMIT_NUMBER}/$"))
    expect(page.get_by_role("status")).to_contain_text("有效")
    assert_accessible(page)

    # The guide, from the footer.
    page.get_by_role("contentinfo").get_by_role("link", name="通办使用指南").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("通办使用指南")
    page.get_by_role("link", name="代表企业办事").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("代表企业办事")
    assert_accessible(page)
