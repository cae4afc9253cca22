"""Delivery of a case's paper result (ADR 0040): the applicant side chooses pickup at a centre
that handles the service or post, and may change it until the result is ready; the agency marks
it ready and posts it with a tracking number the applicant sees; the chosen centre's clerk hands
it over only to the applicant's (or the firm's legal representative's) document. Every write is
audited; whoever is not on the case's side is told it does not exist."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.certificates.test_issuing import approve
from tests.factories import PersonFactory, PowerFactory, ServiceCentreFactory, StaffRoleFactory
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.cases.models import Case
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, NotFoundError
from tongban.identity.models import Account, ServiceCentre
from tongban.notifications.models import Message
from tongban.service_centres.delivery.selectors import posts_from
from tongban.service_centres.delivery.services import (
    delivery_choose,
    delivery_dispatch,
    delivery_hand_over,
    delivery_mark_ready,
)
from tongban.service_centres.models import Delivery, DeliveryStatus, Ticket, TicketStatus, Visit
from tongban.service_centres.services import window_save

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]
ACTOR = Actor.system("tests")


@pytest.fixture
def paper(world: World) -> World:
    world.version.paper_result = True
    world.version.save(update_fields=["paper_result"])
    return world


@pytest.fixture
def centre(paper: World) -> ServiceCentre:
    """A centre whose window takes the world's agency's services; another one that does not."""
    handling = ServiceCentreFactory.create(code="handles", name_en="Handling Centre", name_zh="办理中心")
    window_save(
        centre=handling, number="1", scope="agencies", agencies=[paper.version.item.agency], editor=ACTOR, actor=ACTOR
    )
    ServiceCentreFactory.create(code="elsewhere")
    return handling


def _choose(world: World, case: Case, **kwargs: object) -> Delivery:
    assert world.hr.account is not None
    return delivery_choose(
        case=case,
        person=world.hr,
        account=world.hr.account,
        now=timezone.now(),
        actor=ACTOR,
        **kwargs,
    )


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_choose_and_change_until_ready_then_refused(paper: World, centre: ServiceCentre) -> None:
    case = paper.submitted_case()
    delivery = _choose(paper, case, method="post", recipient="MARTIN Lucas", address="1 Test Road", phone="138")
    assert delivery.method == "post" and delivery.status == DeliveryStatus.CHOSEN
    delivery = _choose(paper, case, method="pickup", centre=centre)
    assert delivery.method == "pickup" and delivery.centre == centre and delivery.address == ""
    events = _events("service_centres.delivery_chosen")
    assert [e.data["method"] for e in events] == ["post", "pickup"]
    assert events[1].data["before"] == {"method": "post", "centre": ""}
    assert "1 Test Road" not in str(events[0].data)  # the address stays out of the trail

    with pytest.raises(ConflictError):  # not approved yet: cannot be ready
        delivery_mark_ready(case=case, account=paper.officer.account, now=timezone.now(), actor=ACTOR)
    case = approve(paper, case)
    delivery_mark_ready(case=case, account=paper.officer.account, now=timezone.now(), actor=ACTOR)
    with pytest.raises(ConflictError, match="no longer be changed"):
        _choose(paper, case, method="post", recipient="X", address="Y", phone="1")
    assert Delivery.objects.get(case=case).method == "pickup"


def test_the_address_is_encrypted_at_rest(paper: World, centre: ServiceCentre) -> None:
    from django.db import connection

    case = paper.submitted_case()
    _choose(paper, case, method="post", recipient="MARTIN Lucas", address="88 Secret Lane", phone="13800000000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT address, recipient FROM service_centres_delivery")
        address, recipient = cursor.fetchone()
    assert "Secret" not in str(address) and "MARTIN" not in str(recipient)
    assert Delivery.objects.get(case=case).address == "88 Secret Lane"


def test_only_centres_that_handle_the_service_and_only_paper_services(paper: World, centre: ServiceCentre) -> None:
    case = paper.submitted_case()
    with pytest.raises(ValidationError) as refused:
        _choose(paper, case, method="pickup", centre=ServiceCentre.objects.get(code="elsewhere"))
    assert "centre" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _choose(paper, case, method="post", recipient="", address="", phone="")
    assert "recipient" in refused.value.message_dict
    paper.version.paper_result = False
    paper.version.save(update_fields=["paper_result"])
    case.refresh_from_db()
    with pytest.raises(ConflictError, match="electronic"):
        _choose(paper, Case.objects.get(pk=case.pk), method="pickup", centre=centre)


def test_only_the_applicant_side_chooses(paper: World, centre: ServiceCentre) -> None:
    case = paper.submitted_case()
    stranger = PersonFactory.create()
    assert stranger.account is not None
    with pytest.raises(NotFoundError):
        delivery_choose(
            case=case,
            person=stranger,
            account=stranger.account,
            method="pickup",
            centre=centre,
            now=timezone.now(),
            actor=ACTOR,
        )
    colleague = PowerFactory.create(firm=paper.firm, area="foreign_staff").grantee  # another holder of the power
    delivery = delivery_choose(
        case=case,
        person=colleague,
        account=colleague.account,
        method="pickup",
        centre=centre,
        now=timezone.now(),
        actor=ACTOR,
    )
    assert delivery.chosen_by == colleague.account
    assert _events("service_centres.delivery_chosen")[0].data["centre"] == "handles"


def test_pickup_is_handed_over_only_against_the_right_document(
    paper: World, centre: ServiceCentre, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    case = paper.submitted_case()
    _choose(paper, case, method="pickup", centre=centre)
    case = approve(paper, case)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_mark_ready(case=case, account=paper.officer.account, now=timezone.now(), actor=ACTOR)
    notice = Message.objects.filter(recipient=paper.hr.account, case_number=case.number).latest("pk")
    assert "ready for pickup" in notice.subject_en and "办理中心" in notice.body_zh

    clerk = StaffRoleFactory.create(clerk=True, service_centre=centre).account
    other_clerk = StaffRoleFactory.create(clerk=True).account
    with pytest.raises(NotFoundError):
        delivery_hand_over(
            case=case, account=other_clerk, id_number=paper.hr.id_number, now=timezone.now(), actor=ACTOR
        )
    with pytest.raises(NotFoundError):
        delivery_hand_over(
            case=case, account=paper.officer.account, id_number=paper.hr.id_number, now=timezone.now(), actor=ACTOR
        )
    with pytest.raises(ValidationError, match="not the applicant"):
        delivery_hand_over(
            case=case, account=clerk, id_number=paper.engineer.id_number, now=timezone.now(), actor=ACTOR
        )
    assert Delivery.objects.get(case=case).status == DeliveryStatus.READY
    # The legal representative's number, typed with full-width digits, is accepted.
    typed = paper.firm.legal_representative.id_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    delivery = delivery_hand_over(case=case, account=clerk, id_number=typed, now=timezone.now(), actor=ACTOR)
    assert delivery.status == DeliveryStatus.HANDED_OVER and delivery.handled_by == clerk
    [event] = _events("service_centres.delivery_handed_over")
    assert event.data["collector"] == str(paper.firm.legal_representative.public_id)
    with pytest.raises(ConflictError, match="already"):
        delivery_hand_over(case=case, account=clerk, id_number=paper.hr.id_number, now=timezone.now(), actor=ACTOR)


def test_post_is_dispatched_with_its_tracking_number(
    paper: World, centre: ServiceCentre, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    case = paper.submitted_case()
    _choose(paper, case, method="post", recipient="MARTIN Lucas", address="1 Test Road", phone="13800000000")
    case = approve(paper, case)
    stranger_clerk = StaffRoleFactory.create(clerk=True).account  # at a centre that does not handle it
    with pytest.raises(NotFoundError):
        delivery_dispatch(case=case, account=stranger_clerk, tracking_number="SF1", now=timezone.now(), actor=ACTOR)
    with pytest.raises(ValidationError):
        delivery_dispatch(
            case=case, account=paper.officer.account, tracking_number="<b>", now=timezone.now(), actor=ACTOR
        )
    with django_capture_on_commit_callbacks(execute=True):
        delivery = delivery_dispatch(
            case=case, account=paper.officer.account, tracking_number=" sf 1234567890 ", now=timezone.now(), actor=ACTOR
        )
    assert delivery.status == DeliveryStatus.DISPATCHED and delivery.tracking_number == "SF1234567890"
    assert delivery.ready_at is not None
    notice = Message.objects.filter(recipient=paper.hr.account, case_number=case.number).latest("pk")
    assert "SF1234567890" in notice.body_en and "SF1234567890" in notice.body_zh
    [event] = _events("service_centres.delivery_dispatched")
    assert event.data == {"tracking_number": "SF1234567890", "by": "officer"}


def _posted_case(paper: World) -> Case:
    case = paper.submitted_case()
    _choose(paper, case, method="post", recipient="MARTIN Lucas", address="1 Test Road", phone="13800000000")
    return approve(paper, case)


def _filed_at(case: Case, centre: ServiceCentre) -> Case:
    """As window intake records it (ADR 0039): the case was entered at a window of ``centre``."""
    Case.objects.filter(pk=case.pk).update(channel="window", entered_at_centre=centre)
    return Case.objects.get(pk=case.pk)


def _served_at(case: Case, centre: ServiceCentre) -> None:
    """A ticket at ``centre`` finished on ``case`` (a visit, ADR 0038)."""
    now = timezone.now()
    ticket = Ticket.objects.create(
        centre=centre,
        day=now.date(),
        letter="B",
        number=Ticket.objects.count() + 1,
        source="kiosk",
        person=case.applicant,
        status=TicketStatus.DONE,
        issued_at=now,
        finished_at=now,
    )
    Visit.objects.create(ticket=ticket, case=case, at=now)


def test_a_clerk_posts_a_ready_result_of_a_case_filed_at_her_centre(
    paper: World, centre: ServiceCentre, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    """ADR 0040, addendum: the clerks of the centre where the case was filed post its result
    once the agency marked it ready; a centre that merely handles the service does not."""
    filed = ServiceCentreFactory.create(code="filed-here")
    case = _filed_at(_posted_case(paper), filed)
    clerk = StaffRoleFactory.create(clerk=True, service_centre=filed).account
    handling_clerk = StaffRoleFactory.create(clerk=True, service_centre=centre).account
    with pytest.raises(NotFoundError):  # not ready yet: the agency has not released it
        delivery_dispatch(case=case, account=clerk, tracking_number="EMS1", now=timezone.now(), actor=ACTOR)
    delivery_mark_ready(case=case, account=paper.officer.account, now=timezone.now(), actor=ACTOR)
    with pytest.raises(NotFoundError):  # handles the service, but the case was not filed there
        delivery_dispatch(case=case, account=handling_clerk, tracking_number="EMS1", now=timezone.now(), actor=ACTOR)
    assert posts_from([centre.pk]) == [] and [d.case for d in posts_from([filed.pk])] == [case]
    with django_capture_on_commit_callbacks(execute=True):
        delivery = delivery_dispatch(
            case=case, account=clerk, tracking_number="ems-0001", now=timezone.now(), actor=ACTOR
        )
    assert delivery.status == DeliveryStatus.DISPATCHED and delivery.handled_by == clerk
    assert delivery.tracking_number == "EMS-0001" and posts_from([filed.pk]) == []
    assert _events("service_centres.delivery_dispatched")[0].data == {"tracking_number": "EMS-0001", "by": "clerk"}
    notice = Message.objects.filter(recipient=paper.hr.account, case_number=case.number).latest("pk")
    assert "EMS-0001" in notice.body_en and "EMS-0001" in notice.body_zh


def test_a_clerk_of_a_centre_that_served_the_case_may_post_it(paper: World, centre: ServiceCentre) -> None:
    served = ServiceCentreFactory.create(code="served-here")
    case = _posted_case(paper)
    delivery_mark_ready(case=case, account=paper.officer.account, now=timezone.now(), actor=ACTOR)
    clerk = StaffRoleFactory.create(clerk=True, service_centre=served).account
    assert posts_from([served.pk]) == []
    with pytest.raises(NotFoundError):
        delivery_dispatch(case=case, account=clerk, tracking_number="SF1", now=timezone.now(), actor=ACTOR)
    _served_at(case, served)
    assert [d.case for d in posts_from([served.pk])] == [case]
    delivery_dispatch(case=case, account=clerk, tracking_number="SF1", now=timezone.now(), actor=ACTOR)
    assert Delivery.objects.get(case=case).status == DeliveryStatus.DISPATCHED


def test_a_pickup_is_not_among_the_results_to_post(paper: World, centre: ServiceCentre) -> None:
    case = paper.submitted_case()
    _choose(paper, case, method="pickup", centre=centre)
    case = _filed_at(approve(paper, case), centre)
    delivery_mark_ready(case=case, account=paper.officer.account, now=timezone.now(), actor=ACTOR)
    clerk = StaffRoleFactory.create(clerk=True, service_centre=centre).account
    assert posts_from([centre.pk]) == []
    with pytest.raises(ConflictError, match="pickup"):
        delivery_dispatch(case=case, account=clerk, tracking_number="SF1", now=timezone.now(), actor=ACTOR)


# --- the pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_applicant_chooses_on_her_case_page_and_sees_the_tracking(
    client: Client, login_person: Login, paper: World, centre: ServiceCentre, language: str
) -> None:
    case = paper.submitted_case()
    assert paper.hr.account is not None
    login_person(client, paper.hr.account)
    page = client.get(f"/{language}/my/cases/{case.number}/").content.decode()
    assert f"/{language}/my/cases/{case.number}/delivery/" in page
    form = client.get(f"/{language}/my/cases/{case.number}/delivery/").content.decode()
    assert ("Handling Centre" if language == "en" else "办理中心") in form and "elsewhere" not in form
    bad = client.post(
        f"/{language}/my/cases/{case.number}/delivery/", {"method": "post", "recipient": "MARTIN Lucas"}
    ).content.decode()
    assert (
        'value="MARTIN Lucas"' in bad and ("This field is required." if language == "en" else "此项为必填项。") in bad
    )
    response = client.post(
        f"/{language}/my/cases/{case.number}/delivery/",
        {"method": "post", "recipient": "MARTIN Lucas", "address": "1 Test Road", "phone": "13800000000"},
    )
    assert response.status_code == 302
    case = approve(paper, case)
    delivery_dispatch(case=case, account=paper.officer.account, tracking_number="SF42", now=timezone.now(), actor=ACTOR)
    page = client.get(f"/{language}/my/cases/{case.number}/").content.decode()
    assert "SF42" in page and ("Posted" if language == "en" else "已寄出") in page
    assert f"/{language}/my/cases/{case.number}/delivery/" not in page  # no longer changeable
    assert client.get(f"/{language}/my/cases/{case.number}/delivery/").status_code == 302


def test_others_get_404_on_the_delivery_pages(
    client: Client, login_person: Login, login_staff: Login, paper: World, centre: ServiceCentre
) -> None:
    case = paper.submitted_case()
    _choose(paper, case, method="pickup", centre=centre)
    stranger = PersonFactory.create()
    assert stranger.account is not None
    login_person(client, stranger.account)
    assert client.get(f"/en/my/cases/{case.number}/delivery/").status_code == 404
    assert client.post(f"/en/my/cases/{case.number}/delivery/", {"method": "post"}).status_code == 404
    client.logout()
    other_clerk = StaffRoleFactory.create(clerk=True).account
    login_staff(client, other_clerk)
    assert client.get(f"/en/backoffice/pickups/{case.number}/").status_code == 404
    assert client.get(f"/en/backoffice/cases/{case.number}/delivery/").status_code == 404
    assert case.number not in client.get("/en/backoffice/pickups/").content.decode()


def test_officer_and_clerk_pages(client: Client, login_staff: Login, paper: World, centre: ServiceCentre) -> None:
    case = paper.submitted_case()
    _choose(paper, case, method="pickup", centre=centre)
    case = approve(paper, case)
    login_staff(client, paper.officer.account)
    url = f"/en/backoffice/cases/{case.number}/delivery/"
    assert "Handling Centre" in client.get(url).content.decode()
    assert client.post(url, {"step": "ready"}).status_code == 302
    assert Delivery.objects.get(case=case).status == DeliveryStatus.READY
    client.logout()
    clerk = StaffRoleFactory.create(clerk=True, service_centre=centre).account
    login_staff(client, clerk)
    assert case.number in client.get("/en/backoffice/pickups/").content.decode()
    url = f"/en/backoffice/pickups/{case.number}/"
    page = client.post(url, {"id_number": "X1234567"}).content.decode()
    assert "do not hand over" in page and 'value="X1234567"' in page
    assert client.post(url, {"id_number": paper.hr.id_number}).status_code == 302
    assert Delivery.objects.get(case=case).status == DeliveryStatus.HANDED_OVER


def test_the_demo_hr_manager_can_switch_the_residence_permit_to_pickup() -> None:
    """The browser journey's premise: the demo residence permit is a paper result, Emma (staff
    with the power) may choose pickup at a centre with an exit-entry window, and the demo centres
    carry their levels."""
    from tongban.demo import data
    from tongban.demo.loader import load

    load()
    case = Case.objects.get(item__code="fw-residence-permit")
    assert case.version.paper_result
    emma = Account.objects.get(username=data.HR_MANAGER.username).person
    international = ServiceCentre.objects.get(code="international")
    delivery = delivery_choose(
        case=case,
        person=emma,
        account=emma.account,
        method="pickup",
        centre=international,
        now=timezone.now(),
        actor=ACTOR,
    )
    assert delivery.centre == international
    levels = dict(ServiceCentre.objects.values_list("code", "level"))
    assert (
        levels["city-centre"] == "city" and levels["xuhui-tianping"] == "community" and levels["pudong"] == "district"
    )


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_clerk_posts_on_her_pages_and_the_applicant_sees_the_tracking(
    client: Client, login_staff: Login, login_person: Login, paper: World, centre: ServiceCentre, language: str
) -> None:
    filed = ServiceCentreFactory.create(code="filed-here")
    case = _filed_at(_posted_case(paper), filed)
    clerk = StaffRoleFactory.create(clerk=True, service_centre=filed).account
    login_staff(client, clerk)
    url = f"/{language}/backoffice/posts/{case.number}/"
    assert case.number not in client.get(f"/{language}/backoffice/posts/").content.decode()
    assert client.get(url).status_code == 404  # not ready yet
    delivery_mark_ready(case=case, account=paper.officer.account, now=timezone.now(), actor=ACTOR)
    listing = client.get(f"/{language}/backoffice/posts/").content.decode()
    assert case.number in listing and ("Results to post" if language == "en" else "待寄送的结果") in listing
    page = client.get(url).content.decode()
    assert "1 Test Road" in page and ("Tracking number" if language == "en" else "快递单号") in page
    bad = client.post(url, {"tracking_number": "<b>"}).content.decode()
    assert 'value="&lt;b&gt;"' in bad and Delivery.objects.get(case=case).status == DeliveryStatus.READY
    response = client.post(url, {"tracking_number": "SF 777"})
    assert response.status_code == 302 and response["Location"] == f"/{language}/backoffice/posts/"
    assert client.get(url).status_code == 404  # posted: no longer to post
    client.logout()
    login_person(client, paper.hr.account)
    mine = client.get(f"/{language}/my/cases/{case.number}/").content.decode()
    assert "SF777" in mine and ("Posted" if language == "en" else "已寄出") in mine


def test_another_centres_clerk_and_officers_get_404_on_the_post_pages(
    client: Client, login_staff: Login, paper: World, centre: ServiceCentre
) -> None:
    filed = ServiceCentreFactory.create(code="filed-here")
    case = _filed_at(_posted_case(paper), filed)
    delivery_mark_ready(case=case, account=paper.officer.account, now=timezone.now(), actor=ACTOR)
    url = f"/en/backoffice/posts/{case.number}/"
    for account in (StaffRoleFactory.create(clerk=True, service_centre=centre).account, paper.officer.account):
        client.logout()
        login_staff(client, account)
        assert client.get(url).status_code == 404
        assert client.post(url, {"tracking_number": "SF1"}).status_code == 404
        assert case.number not in client.get("/en/backoffice/posts/").content.decode()
    assert client.get("/en/backoffice/posts/").status_code == 404  # the officer is no clerk
    assert Delivery.objects.get(case=case).status == DeliveryStatus.READY
