"""A foreign engineer applies for his own residence permit, in Chromium, in English and in Chinese
(issue 19, ADR 0032): the guide says the foreigner or the employer files, offers him "Myself",
the form takes his passport data from his identity record (locked) and his work permit from the
e-certificate he holds, and he reaches the submitted confirmation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_accessible, watch_policy
from tests.browser.test_work_permit_journey import pdf
from tongban.cases.models import Case
from tongban.demo.data import DEMO_PASSWORD, ENGINEER
from tongban.demo.flows import WORK_PERMIT_NUMBER
from tongban.demo.loader import load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The words of each language the journey reads and presses.
WORDS = {
    "en": {
        "locale": "en-GB",
        "user": "User name",
        "password": "Password",
        "log_in": "Log in",
        "who": "Either the person concerned, for himself or herself, or a firm",
        "myself": "Myself",
        "start": "Start the application",
        "passport": "Passport number",
        "from_identity": "From your identity record",
        "birth": "Date of birth",
        "continue": "Save and continue",
        "work_permit": "Work permit number",
        "address": "Home address in the city",
        "district": "District",
        "duration": "Length of stay requested",
        "upload": "Upload and continue",
        "submit": "Submit the application",
        "submitted": "Your case number is",
    },
    "zh": {
        "locale": "zh-CN",
        "user": "用户名",
        "password": "密码",
        "log_in": "登录",
        "who": "本人申请或者由单位代为申请均可",
        "myself": "本人",
        "start": "开始申请",
        "passport": "护照号码",
        "from_identity": "来自您的身份信息",
        "birth": "出生日期",
        "continue": "保存并继续",
        "work_permit": "外国人工作许可证编号",
        "address": "在本市居住地址",
        "district": "居住地所在区",
        "duration": "申请居留期限",
        "upload": "上传并继续",
        "submit": "提交申请",
        "submitted": "您的办件编号为",
    },
}


def _engineer_applies_himself(page: Page, base: str, language: str) -> None:
    words = WORDS[language]
    page.goto(f"{base}/{language}/login/")
    page.get_by_label(words["user"]).fill(ENGINEER.username)
    page.get_by_label(words["password"]).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=words["log_in"]).click()
    expect(page).not_to_have_url(f"{base}/{language}/login/")

    page.goto(f"{base}/{language}/services/fw-residence-permit/")
    expect(page.get_by_text(words["who"])).to_be_visible()
    myself = page.get_by_label(words["myself"], exact=True)
    expect(myself).to_be_checked()  # he acts for no firm: applying for himself is the choice
    assert_accessible(page)
    page.get_by_role("button", name=words["start"]).click()

    # His passport data come from his identity record and are locked.
    passport = page.get_by_label(words["passport"])
    expect(passport).to_have_value(ENGINEER.id_number)
    expect(passport).not_to_be_editable()
    expect(page.get_by_text(words["from_identity"]).first).to_be_visible()
    page.get_by_label(words["birth"]).fill("1991-04-12")
    assert_accessible(page)
    page.get_by_role("button", name=words["continue"]).click()

    # His work permit is read from the e-certificate he holds, not typed.
    expect(page.get_by_label(words["work_permit"])).to_have_value(WORK_PERMIT_NUMBER)
    page.get_by_label(words["address"]).fill("88 Century Avenue, Pudong")
    page.get_by_label(words["district"], exact=True).select_option("310115")
    page.get_by_label(words["duration"]).select_option("1y_to_3y")
    page.get_by_role("button", name=words["continue"]).click()

    for field in page.locator("input[type=file]").all():
        field.set_input_files(pdf(field.get_attribute("name") or "file"))
    page.get_by_role("button", name=words["upload"]).click()
    assert_accessible(page)
    page.get_by_role("button", name=words["submit"]).click()
    expect(page.get_by_role("status").first).to_contain_text(words["submitted"])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_foreign_engineer_applies_for_his_own_residence_permit(
    live_server, browser: Browser, language: str
) -> None:
    load()
    context = watch_policy(
        browser.new_context(locale=str(WORDS[language]["locale"]), viewport={"width": 1280, "height": 900})
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _engineer_applies_himself(page, live_server.url, language)
    finally:
        context.close()  # before the database is read and flushed: no request still running
    case = Case.objects.filter(item__code="fw-residence-permit", applicant__account__username=ENGINEER.username).get()
    assert case.firm is None and case.power is None
    assert case.data["passport_number"] == ENGINEER.id_number
