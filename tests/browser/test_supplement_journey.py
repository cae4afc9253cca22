"""The supplement journey in Chromium, in both languages: the Exit-Entry officer asks Emma, for
Lucas's residence permit, for a clearer passport copy with a note; Emma reads what was asked and
the note on her case page, supplies it; the officer's history shows the text, and the case is
back under review without anyone pressing "start the review" again — checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_work_permit_journey import log_in, new_page, pdf
from tongban.cases.models import Case
from tongban.demo.loader import load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "en": {
        "accept": "Accept",
        "review": "Start the review",
        "request": "Request a supplement",
        "material": "Passport photo page and visa page",
        "other": "Other information needed (one per line)",
        "note": "Note to the applicant (optional)",
        "done": "Done",
        "supply": "Supply what was asked",
        "send": "Send",
        "sent": "Sent. The review continues",
        "asked": "Asked for:",
        "under_review": "Under review",
    },
    "zh": {
        "accept": "受理",
        "review": "开始审查",
        "request": "要求补正",
        "material": "护照信息页及签证页",
        "other": "其他需补充的信息（每行一项）",
        "note": "给申请人的说明（选填）",
        "done": "操作已完成",
        "supply": "补正材料",
        "send": "提交",
        "sent": "已提交。审查将继续进行",
        "asked": "要求补充：",
        "under_review": "审查中",
    },
}


def act(page: Page, base: str, language: str, number: str, button: str) -> None:
    page.goto(f"{base}/{language}/backoffice/cases/{number}/")
    form = page.locator("form.action-form").filter(has=page.get_by_role("button", name=button, exact=True))
    form.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(TEXTS[language]["done"])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_supplement_with_its_text_and_back_to_review(live_server, browser: Browser, language: str) -> None:
    load()
    base, text = live_server.url, TEXTS[language]
    case = Case.objects.get(item__code="fw-residence-permit", parties__person__account__username="lucas.martin")
    item = "页 2 须清晰可读" if language == "zh" else "Page 2 must be readable"
    note = "扫描件模糊，请重新上传。" if language == "zh" else "The scan is blurred; please upload it again."

    officer = new_page(browser)
    log_in(officer, base, "officer.exitentry")
    act(officer, base, language, case.number, text["accept"])
    act(officer, base, language, case.number, text["review"])
    officer.goto(f"{base}/{language}/backoffice/cases/{case.number}/")
    form = officer.locator("form.action-form").filter(has=officer.get_by_role("button", name=text["request"]))
    form.get_by_label(text["material"]).check()
    form.get_by_label(text["other"]).fill(item)
    form.get_by_label(text["note"]).fill(note)
    form.get_by_role("button", name=text["request"]).click()
    expect(officer.get_by_role("status").first).to_contain_text(text["done"])
    expect(officer.locator("ol.timeline")).to_contain_text(item)  # what was asked is in the record
    expect(officer.locator("ol.timeline")).to_contain_text(note)
    assert_accessible(officer)

    emma = new_page(browser)
    log_in(emma, base, "emma.schmidt")
    emma.goto(f"{base}/{language}/my/cases/{case.number}/")
    history = emma.locator("ol.timeline")
    expect(history).to_contain_text(text["asked"])
    expect(history).to_contain_text(item)
    expect(history).to_contain_text(note)
    section = emma.locator("section").filter(has_text=text["supply"])
    section.locator("input[type=file]").first.set_input_files(pdf("passport-clear"))
    assert_accessible(emma)
    emma.get_by_role("button", name=text["send"], exact=True).click()
    expect(emma.get_by_role("status").first).to_contain_text(text["sent"])

    officer.goto(f"{base}/{language}/backoffice/cases/{case.number}/")
    expect(officer.locator("dl.summary").first).to_contain_text(text["under_review"])
    expect(officer.get_by_role("button", name=text["review"], exact=True)).to_have_count(0)
    expect(officer.locator("ol.timeline")).to_contain_text(note)
    case.refresh_from_db()
    assert case.status == "under_review"
