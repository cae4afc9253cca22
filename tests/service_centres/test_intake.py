"""Window intake (全市通办, 帮办; issue 16, ADR 0039): a clerk serving a called ticket finds the
visitor by the document shown (typed in any form), files on the visitor's behalf for any service
the window's scope takes — the same form, uploads and submission as online, channel ``window``,
the clerk and centre recorded — and the agency decides the case in its back office as any other.
A clerk sees nobody else's drafts or cases (404, logged where the person reads it) and never
decides a case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.certificates.test_issuing import approve
from tests.factories import PersonFactory, StaffRoleFactory
from tests.service_centres.desk import Desk, serving_clerk
from tests.services import make_service, pdf_upload
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.cases.models import Case, CaseAction, CaseChannel, CaseEvent
from tongban.cases.services import case_act
from tongban.cases.workflow import Status
from tongban.core.errors import NotFoundError, PermissionDeniedError
from tongban.exchange.models import AccessLogEntry
from tongban.forms.models import Application, ApplicationChannel
from tongban.forms.services import application_start
from tongban.identity.models import Account, VerificationLevel
from tongban.service_centres.models import Appointment, Ticket, Visit, WindowScope

pytestmark = pytest.mark.django_db

Login = Callable[[Client, Account], None]


def _clerk_client(desk: Desk, login_staff: Login) -> Client:
    client = Client()
    login_staff(client, desk.clerk)
    return client


def _file_at_window(client: Client, world: World, *, language: str = "en") -> Case:
    """The clerk starts the world's service for the HR manager acting for her firm, fills it,
    uploads the scanned passport and submits it once she confirmed the contents."""
    response = client.post(
        f"/{language}/backoffice/visit/start/", {"service": world.version.item.code, "acting_for": world.firm.uscc}
    )
    assert response.status_code == 302, response.content.decode()[:800]
    application = Application.objects.get(person=world.hr, status="draft", channel="window")
    base = f"/{language}/backoffice/visit/applications/{application.public_id}"
    steps: tuple[tuple[str, dict[str, str]], ...] = (
        ("employer", {}),
        (
            "employee",
            {
                "employee_name": "MARTIN Lucas",
                "passport_number": world.engineer.id_number,
                "nationality": str(world.engineer.nationality),
                "annual_salary": "480000",
                "education": "master",
            },
        ),
        ("family", {"has_family": "no"}),
    )
    for step, posted in steps:
        response = client.post(f"{base}/{step}/", {**posted, "intent": "next"})
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    response = client.post(f"{base}/materials/", {"material_passport": pdf_upload(), "intent": "next"})
    assert response.status_code == 302, response.content.decode()[:2000]
    refused = client.post(f"{base}/submit/", {})  # not yet confirmed by the applicant
    assert refused.status_code == 302 and not Case.objects.filter(application=application).exists()
    response = client.post(f"{base}/submit/", {"confirmed": "on"})
    assert response.status_code == 302, response.content.decode()[:800]
    case = Case.objects.get(application=application)
    assert response["Location"].endswith(f"/backoffice/visit/cases/{case.number}/")
    receipt = client.get(response["Location"])  # printed for the applicant to sign
    assert receipt.status_code == 200 and case.number in receipt.content.decode()
    return case


# --- Finding the visitor ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        lambda n: "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in n),  # full-width digits
        lambda n: f"{n[:6]}-{n[6:14]}-{n[14:]}",  # hyphens
        lambda n: f" {n[:6]} {n[6:14]} {n[14:]} ".lower(),  # spaces, a lower-case x
    ],
)
def test_the_visitor_is_found_by_the_number_typed_in_any_form_and_verified_in_person(
    login_staff: Login, typed: Callable[[str], str]
) -> None:
    visitor = PersonFactory()
    desk = serving_clerk(None)
    client = _clerk_client(desk, login_staff)
    found = client.post("/en/backoffice/visit/", {"intent": "find", "id_number": typed(visitor.id_number)})
    assert visitor.name in found.content.decode()  # shown for the clerk to compare with the document
    desk.ticket.refresh_from_db()
    assert desk.ticket.person_id is None  # finding binds nothing
    unchecked = client.post(
        "/en/backoffice/visit/",
        {"intent": "identify", "id_number": typed(visitor.id_number), "document": "ID card"},
    )
    assert unchecked.status_code == 400
    response = client.post(
        "/en/backoffice/visit/",
        {"intent": "identify", "id_number": typed(visitor.id_number), "document": "ID card", "checked": "on"},
    )
    assert response.status_code == 302
    desk.ticket.refresh_from_db()
    visitor.refresh_from_db()
    assert desk.ticket.person_id == visitor.pk
    assert visitor.verification_level == VerificationLevel.IN_PERSON_VERIFIED
    assert AuditEvent.objects.filter(
        action="service_centres.visitor_identified", object_id=str(desk.ticket.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="identity.person_verified_in_person", object_id=str(visitor.pk)).exists()


def test_a_clerk_without_a_called_ticket_finds_nobody(login_staff: Login) -> None:
    visitor = PersonFactory()
    role = StaffRoleFactory(clerk=True)
    client = Client()
    login_staff(client, role.account)
    page = client.get("/en/backoffice/visit/").content.decode()
    assert "You are not serving a ticket now" in page
    response = client.post("/en/backoffice/visit/", {"intent": "find", "id_number": visitor.id_number})
    assert visitor.name not in response.content.decode()


# --- Filing at the window, deciding in the agency ---------------------------------------------------


def test_a_clerk_files_another_agency_s_service_at_a_comprehensive_window_and_the_agency_decides_it(
    world: World, login_staff: Login, login_person: Login
) -> None:
    desk = serving_clerk(world.hr)
    case = _file_at_window(_clerk_client(desk, login_staff), world)
    assert case.channel == CaseChannel.WINDOW
    assert case.entered_by == desk.clerk and case.entered_at_centre == desk.centre
    assert case.applicant == world.hr and case.firm == world.firm and case.power == world.power
    assert case.application.channel == ApplicationChannel.WINDOW and case.application.entered_by == desk.clerk
    submitted = CaseEvent.objects.get(case=case, action=CaseAction.SUBMIT)
    assert submitted.data["channel"] == "window" and submitted.data["centre"] == desk.centre.code
    assert submitted.data["confirmed_by_applicant"] is True
    audit = AuditEvent.objects.get(action="cases.case_submitted", object_id=case.number)
    assert audit.actor_id == desk.clerk.pk and audit.data["channel"] == "window"
    assert Visit.objects.filter(ticket=desk.ticket, case=case).exists()
    # The responsible agency works it like any other case, in its own back office.
    officer = Client()
    login_staff(officer, world.officer.account)
    assert case.number in officer.get("/en/backoffice/cases/").content.decode()
    approve(world, case)
    case.refresh_from_db()
    assert case.status == Status.APPROVED
    # The applicant sees it in "My cases" at once.
    applicant = Client()
    assert world.hr.account is not None
    login_person(applicant, world.hr.account)
    assert case.number in applicant.get("/en/my/cases/").content.decode()


def test_a_window_whose_scope_excludes_the_service_is_refused(world: World, login_staff: Login) -> None:
    other = make_service(code="other-permit")
    desk = serving_clerk(world.hr, scope=WindowScope.SERVICES, services=(other.item,))
    client = _clerk_client(desk, login_staff)
    page = client.get("/en/backoffice/visit/").content.decode()
    assert other.item.code in page and f'value="{world.version.item.code}"' not in page
    response = client.post(
        "/en/backoffice/visit/start/", {"service": world.version.item.code, "acting_for": world.firm.uscc}
    )
    assert response.status_code == 403
    assert not Application.objects.filter(person=world.hr).exists()


def test_an_agency_window_takes_its_agency_s_services(world: World, login_staff: Login) -> None:
    desk = serving_clerk(world.hr, scope=WindowScope.AGENCIES, agencies=(world.version.item.agency,))
    case = _file_at_window(_clerk_client(desk, login_staff), world)
    assert case.channel == CaseChannel.WINDOW


def test_a_firm_s_case_at_the_window_needs_the_visitor_s_power(world: World, login_staff: Login) -> None:
    stranger = PersonFactory()
    desk = serving_clerk(stranger)
    client = _clerk_client(desk, login_staff)
    response = client.post(
        "/en/backoffice/visit/start/", {"service": world.version.item.code, "acting_for": world.firm.uscc}
    )
    assert response.status_code == 403
    assert not Application.objects.filter(person=stranger).exists()
    # A power revoked while the draft is open stops the window as it stops the portal.
    desk_hr = serving_clerk(world.hr)
    hr_clerk = _clerk_client(desk_hr, login_staff)
    hr_clerk.post("/en/backoffice/visit/start/", {"service": world.version.item.code, "acting_for": world.firm.uscc})
    application = Application.objects.get(person=world.hr)
    world.power.revoked_at = timezone.now()
    world.power.save(update_fields=["revoked_at"])
    assert hr_clerk.get(f"/en/backoffice/visit/applications/{application.public_id}/employer/").status_code == 403


# --- Online and window as one -----------------------------------------------------------------------


def test_a_draft_started_online_is_finished_at_the_window(world: World, login_staff: Login) -> None:
    draft = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(draft, skip_upload=True)
    desk = serving_clerk(world.hr)
    client = _clerk_client(desk, login_staff)
    listing = client.get("/en/backoffice/visit/").content.decode()
    assert f"/backoffice/visit/applications/{draft.public_id}/" in listing and "started online" in listing
    resume = client.get(f"/en/backoffice/visit/applications/{draft.public_id}/")
    assert resume.status_code == 302
    base = f"/en/backoffice/visit/applications/{draft.public_id}"
    assert client.post(f"{base}/materials/", {"material_passport": pdf_upload(), "intent": "next"}).status_code == 302
    assert client.post(f"{base}/submit/", {"confirmed": "on"}).status_code == 302
    case = Case.objects.get(application=draft)
    draft.refresh_from_db()
    assert case.channel == CaseChannel.WINDOW and case.entered_by == desk.clerk
    assert draft.channel == ApplicationChannel.WINDOW and draft.entered_at_centre == desk.centre


def test_a_case_filed_at_the_window_is_supplemented_online_by_the_applicant(
    world: World, login_staff: Login, login_person: Login
) -> None:
    desk = serving_clerk(world.hr)
    case = _file_at_window(_clerk_client(desk, login_staff), world)
    for action, extra in (("accept", {}), ("start_review", {}), ("request_supplement", {"materials": ["passport"]})):
        case.refresh_from_db()
        case = case_act(
            case=case,
            action=action,
            expected_version=case.lock_version,
            account=world.officer.account,
            actor=world.actor,
            now=timezone.now(),
            **extra,
        )
    applicant = Client()
    assert world.hr.account is not None
    login_person(applicant, world.hr.account)
    response = applicant.post(
        f"/en/my/cases/{case.number}/supplement/",
        {"material_passport": pdf_upload("clearer.pdf"), "lock_version": case.lock_version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status in (Status.RESUBMITTED, Status.UNDER_REVIEW)
    assert CaseEvent.objects.filter(case=case, action=CaseAction.RESUBMIT, actor_account=world.hr.account).exists()


# --- Access: only the visitor in front of the clerk ---------------------------------------------------


def test_a_clerk_gets_nothing_of_a_person_not_being_served_and_the_attempt_is_logged(
    world: World, login_staff: Login
) -> None:
    case = world.submitted_case()
    draft = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    desk = serving_clerk(PersonFactory())  # serving someone else
    client = _clerk_client(desk, login_staff)
    assert client.get(f"/en/backoffice/visit/cases/{case.number}/").status_code == 404
    assert client.get(f"/en/backoffice/visit/applications/{draft.public_id}/employer/").status_code == 404
    assert client.post(f"/en/backoffice/visit/applications/{draft.public_id}/submit/", {}).status_code == 404
    refused = AccessLogEntry.objects.filter(subject_ref=f"person:{world.hr.public_id}", resource="window.look")
    assert {(entry.outcome, entry.fields[0]) for entry in refused} == {("refused", "case"), ("refused", "draft")}
    assert all(entry.actor_id == desk.clerk.pk for entry in refused)
    assert AuditEvent.objects.filter(action="service_centres.window_look_refused", actor_id=desk.clerk.pk).count() == 3
    # Once the ticket is finished the clerk's access ends with it.
    desk_hr = serving_clerk(world.hr)
    client_hr = _clerk_client(desk_hr, login_staff)
    assert client_hr.get(f"/en/backoffice/visit/cases/{case.number}/").status_code == 200
    desk_hr.ticket.status = "done"
    desk_hr.ticket.save(update_fields=["status"])
    assert client_hr.get(f"/en/backoffice/visit/cases/{case.number}/").status_code == 404


def test_a_clerk_never_decides_a_case(world: World, login_staff: Login) -> None:
    desk = serving_clerk(world.hr)
    client = _clerk_client(desk, login_staff)
    case = _file_at_window(client, world)
    assert client.get(f"/en/backoffice/cases/{case.number}/").status_code == 404
    response = client.post(
        f"/en/backoffice/cases/{case.number}/act/", {"action": "accept", "lock_version": case.lock_version}
    )
    assert response.status_code == 404
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        case_act(
            case=case,
            action="accept",
            expected_version=case.lock_version,
            account=desk.clerk,
            actor=world.actor,
            now=timezone.now(),
        )
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    receipt = client.get(f"/en/backoffice/visit/cases/{case.number}/").content.decode()
    assert 'name="action"' not in receipt and "accept" not in receipt.lower()


@pytest.mark.parametrize(
    ("language", "resource", "basis"),
    [
        ("en", "Your drafts and cases, seen by a service-centre clerk", "You were being served at the window"),
        ("zh", "服务中心工作人员查看了您的草稿和办件", "您当时正在窗口办理"),
    ],
)
def test_the_clerk_s_looks_appear_in_who_used_my_data(
    world: World, login_staff: Login, login_person: Login, language: str, resource: str, basis: str
) -> None:
    desk = serving_clerk(world.hr)
    case = _file_at_window(_clerk_client(desk, login_staff), world, language=language)
    applicant = Client()
    assert world.hr.account is not None
    login_person(applicant, world.hr.account)
    page = applicant.get(f"/{language}/my/data-use/").content.decode()
    assert resource in page and basis in page
    assert desk.centre.name_zh in page if language == "zh" else desk.centre.name_en in page
    assert case.number in page
    csv = b"".join(applicant.get(f"/{language}/my/data-use.csv").streaming_content).decode()
    assert resource in csv


def test_the_receipt_prints_the_case_number_in_both_languages(world: World, login_staff: Login) -> None:
    desk = serving_clerk(world.hr)
    client = _clerk_client(desk, login_staff)
    case = _file_at_window(client, world)
    english = client.get(f"/en/backoffice/visit/cases/{case.number}/").content.decode()
    chinese = client.get(f"/zh/backoffice/visit/cases/{case.number}/").content.decode()
    assert case.number in english and "Signature of the applicant" in english and "At a window" in english
    assert case.number in chinese and "申请人签名" in chinese and "回执" in chinese


def test_a_booking_names_the_visitor_but_her_document_opens_her_drafts(world: World, login_staff: Login) -> None:
    """A ticket taken with a booking code names the booking's person; the clerk still checks the
    document of whoever stands at the window before any draft or case opens (a code can be
    passed on)."""
    desk = serving_clerk(None)
    now = timezone.now()
    appointment = Appointment.objects.create(
        code="APPT0001",
        centre=desk.centre,
        item=world.version.item,
        starts_at=now,
        ends_at=now + timedelta(minutes=15),
        place=0,
        person=world.hr,
        booked_by=world.hr.account,
        created_at=now,
    )
    Ticket.objects.filter(pk=desk.ticket.pk).update(appointment=appointment, person=world.hr)
    draft = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    client = _clerk_client(desk, login_staff)
    page = client.get("/en/backoffice/visit/").content.decode()
    assert str(draft.public_id) not in page and "Find the visitor" in page
    assert f"taken with a booking by {world.hr.display_name}" in page
    assert client.get(f"/en/backoffice/visit/applications/{draft.public_id}/employer/").status_code == 404

    # Someone else's document does not make them the booking's visitor.
    other = PersonFactory()
    refused = client.post(
        "/en/backoffice/visit/",
        {"intent": "identify", "id_number": other.id_number, "document": "ID card", "checked": "on"},
    )
    assert refused.status_code == 400 and str(draft.public_id) not in refused.content.decode()

    client.post(
        "/en/backoffice/visit/",
        {"intent": "identify", "id_number": world.hr.id_number, "document": "ID card", "checked": "on"},
    )
    desk.ticket.refresh_from_db()
    assert desk.ticket.identified_at is not None and desk.ticket.person_id == world.hr.pk
    assert str(draft.public_id) in client.get("/en/backoffice/visit/").content.decode()
    assert client.get(f"/en/backoffice/visit/applications/{draft.public_id}/employer/").status_code == 200
