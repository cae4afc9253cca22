"""Applying through the real pages: search, guide, start, steps with Save/Next, uploads, review,
submit (twice), and the case pages — with every URL checked against someone else's session."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import PersonFactory, PowerFactory
from tests.services import pdf_upload
from tests.world import World
from tongban.cases.models import Case
from tongban.forms.models import Application
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def start(client: Client, world: World) -> str:
    response = client.post(f"/en/services/{world.version.item.code}/apply/", {"as": world.firm.uscc})
    assert response.status_code == 302
    application = Application.objects.filter(person=world.hr, status="draft").latest("id")
    return f"/en/applications/{application.public_id}"


def test_search_and_guide(client: Client, world: World) -> None:
    html = client.get("/zh/services/", {"q": "测试事项"}).content.decode()
    assert world.version.name_zh in html
    html = client.get("/en/services/", {"q": "test SERVICE", "audience": "firms"}).content.decode()
    assert world.version.name_en in html
    assert world.version.name_en not in client.get("/en/services/", {"audience": "individuals"}).content.decode()
    guide = client.get(f"/en/services/{world.version.item.code}/")
    assert guide.status_code == 200
    assert "We promise 5 working days (the law allows 10)." in guide.content.decode()
    assert client.get("/en/services/no-such-service/").status_code == 404


def test_apply_save_resume_upload_and_submit(client: Client, world: World, login_person: Login) -> None:
    login_person(client, world.hr.account)
    guide = client.get(f"/en/services/{world.version.item.code}/").content.decode()
    assert f'value="{world.firm.uscc}"' in guide  # she may apply for the firm she holds the power for
    base = start(client, world)
    page = client.get(f"{base}/employer/").content.decode()
    assert world.firm.name_zh in page and "From the firm&#x27;s registration record" in page and "readonly" in page
    # A forged value for the authoritative field is ignored.
    client.post(f"{base}/employer/", {"employer": "Forged Ltd", "intent": "next"})
    response = client.post(
        f"{base}/employee/", {"employee_name": "MARTIN Lucas", "annual_salary": "lots", "intent": "next"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'value="lots"' in html and 'aria-invalid="true"' in html
    response = client.post(
        f"{base}/employee/",
        {
            "employee_name": "MARTIN Lucas",
            "passport_number": world.engineer.id_number,
            "nationality": "FR",
            "annual_salary": "480000",
            "education": "master",
            "intent": "next",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("/family/")
    # Resume later, on another device: the same account lands on the step where she stopped.
    other_device = Client()
    login_person_again = other_device.post(
        "/en/login/", {"username": world.hr.account.username, "password": "Correct-Horse-Battery-9"}
    )
    assert login_person_again.status_code == 302
    assert other_device.get(base + "/")["Location"].endswith("/family/")
    client.post(f"{base}/family/", {"has_family": "no", "intent": "next"})
    bad = SimpleUploadedFile("passport.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(f"{base}/materials/", {"material_passport": bad, "intent": "next"})
    assert response.status_code == 400 and "not a PDF, JPEG or PNG" in response.content.decode()
    response = client.post(f"{base}/materials/", {"material_passport": pdf_upload(), "intent": "next"})
    assert response.status_code == 302 and response["Location"].endswith("/review/")
    review = client.get(f"{base}/review/").content.decode()
    assert "MARTIN Lucas" in review and "Submit the application" in review
    first = client.post(f"{base}/submit/")
    second = client.post(f"{base}/submit/")  # a double click
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert first["Location"] == second["Location"] == f"/en/my/cases/{case.number}/"
    assert case.data["employer"] == world.firm.name_zh
    page = client.get(f"/en/my/cases/{case.number}/").content.decode()
    assert case.number in page and "Submitted" in page


def test_autosave_request(client: Client, world: World, login_person: Login) -> None:
    login_person(client, world.hr.account)
    base = start(client, world)
    response = client.post(f"{base}/employee/", {"employee_name": "MARTIN"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.json()["saved"] is True
    assert Application.objects.get().data["employee_name"] == "MARTIN"


def test_nobody_else_reaches_the_application_or_case(client: Client, world: World, login_person: Login) -> None:
    case = world.submitted_case()
    draft_client = Client()
    login_person(draft_client, world.hr.account)
    base = start(draft_client, world)
    stranger = PersonFactory()
    login_person(client, stranger.account)
    for url in (f"{base}/", f"{base}/employer/", f"{base}/review/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/submit/").status_code == 404
    assert client.post(f"{base}/delete/").status_code == 404
    for url in (f"/en/my/cases/{case.number}/", f"/en/my/cases/{case.number}/files/1/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/en/my/cases/{case.number}/withdraw/", {"lock_version": case.lock_version}).status_code == 404
    case.refresh_from_db()
    assert case.status == "submitted"
    assert client.get(f"/en/my/firms/{world.firm.uscc}/cases/").status_code == 404


def test_person_concerned_and_firm_views(client: Client, world: World, login_person: Login) -> None:
    case = world.submitted_case()
    login_person(client, world.engineer.account)
    mine = client.get("/en/my/cases/").content.decode()
    assert case.number in mine
    page = client.get(f"/en/my/cases/{case.number}/").content.decode()
    assert "Withdraw the application" not in page and "This case concerns you" in page
    hr = Client()
    login_person(hr, world.hr.account)
    assert case.number in hr.get(f"/en/my/firms/{world.firm.uscc}/cases/").content.decode()
    page = hr.get(f"/en/my/cases/{case.number}/").content.decode()
    assert "Withdraw the application" in page
    upload = case.application.uploads.get()
    file_response = hr.get(f"/en/my/cases/{case.number}/files/{upload.pk}/")
    assert file_response.status_code == 200 and file_response["Content-Type"] == "application/pdf"
    assert b"".join(file_response.streaming_content).startswith(b"%PDF")


def test_inbox_shows_the_notice(client: Client, world: World, login_person: Login) -> None:
    case = world.submitted_case()
    login_person(client, world.hr.account)
    inbox = client.get("/en/my/messages/").content.decode()
    assert f"Application {case.number} received" in inbox
    message_id = re.search(r"/en/my/messages/(\d+)/", inbox).group(1)
    assert case.number in client.get(f"/en/my/messages/{message_id}/").content.decode()
    assert "/en/my/messages/" in client.get("/en/my/").content.decode()


def test_my_cases_lists_the_firm_s_cases_for_staff_with_the_power(
    client: Client, world: World, login_person: Login, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    """My cases shows the cases of each firm the person acts for, in the areas of their powers:
    the HR manager sees the work permit she filed for the firm; a colleague whose power is for
    social security only does not; the legal representative sees every area."""
    case = world.submitted_case()
    login_person(client, world.hr.account)
    with django_assert_max_num_queries(12):  # one query per firm, not per case
        page = client.get("/en/my/cases/").content.decode()
    firm_name = world.firm.name_en or world.firm.name_zh
    assert case.number in page and firm_name in page
    assert f'href="/en/my/firms/{world.firm.uscc}/cases/"' in page
    assert "concerns you" not in page  # her firm's case is the firm's, not one that concerns her
    chinese = client.get("/zh/my/cases/").content.decode()
    assert case.number in chinese and world.firm.name_zh in chinese and "的最新办件" in chinese

    colleague = PowerFactory(firm=world.firm, area="social_security").grantee
    other = Client()
    login_person(other, colleague.account)
    page = other.get("/en/my/cases/").content.decode()
    assert firm_name in page and case.number not in page  # the firm, with no case in her area

    legal = Client()
    login_person(legal, world.firm.legal_representative.account)
    assert case.number in legal.get("/en/my/cases/").content.decode()


def test_the_review_page_names_and_links_what_is_missing(client: Client, world: World, login_person: Login) -> None:
    """ "Before you can submit" names each missing answer by its label and links to the field on
    its own step (a radio group to its first option), then each missing upload; in Chinese with
    the Chinese colon."""
    login_person(client, world.hr.account)
    base = start(client, world)
    page = client.get(f"{base}/review/").content.decode()
    summary = page[page.index("Before you can submit") :]
    summary = summary[: summary.index("</ul>")]
    assert f'<a href="{base}/employee/#f-passport_number">Passport number: This field is required.</a>' in summary
    assert f'<a href="{base}/family/#f-has_family-1">Accompanying family?: This field is required.</a>' in summary
    assert f'<a href="{base}/materials/#material_passport">' in summary
    # in the order of the form: the employee's name before the degree, the uploads last
    assert summary.index("Name:") < summary.index("Accompanying family?:") < summary.index("#material_passport")
    chinese = client.get(base.replace("/en/", "/zh/") + "/review/").content.decode()
    assert "护照号码：此项为必填项。" in chinese


def test_the_guide_offers_the_drafts_already_started(client: Client, world: World, login_person: Login) -> None:
    """Pressing "Start" again is not the only way back: the guide lists the drafts of this service
    to continue, and My space counts every draft, not only the five it names."""
    login_person(client, world.hr.account)
    guide = f"/en/services/{world.version.item.code}/"
    assert "Continue where you left off" not in client.get(guide).content.decode()
    bases = [start(client, world) for _ in range(6)]
    page = client.get(guide).content.decode()
    assert "Continue where you left off" in page
    assert page.count('href="/en/applications/') == 5 and f'href="{bases[-1]}/"' in page  # the newest first
    assert "Or start a new one" in page and "Start the application" in page
    my_space = client.get("/en/my/").content.decode()
    assert "You have 6 drafts." in my_space and 'href="/en/my/cases/">all drafts</a>' in my_space
    assert "继续" in client.get(guide.replace("/en/", "/zh/")).content.decode()


def test_error_summaries_use_the_chinese_colon_in_chinese(client: Client, world: World, login_person: Login) -> None:
    login_person(client, world.hr.account)
    base = start(client, world).replace("/en/", "/zh/")
    page = client.post(f"{base}/employee/", {"intent": "next"}).content.decode()
    assert "姓名：此项为必填项。" in page and "姓名: " not in page
    english = client.post(base.replace("/zh/", "/en/") + "/employee/", {"intent": "next"}).content.decode()
    assert "Name: This field is required." in english
    register = Client().post("/zh/register/", {"username": ""}).content.decode()  # a Django form summary too
    assert "：此项为必填项。" in register
