"""The clerk's window screen: call → recall → finish with a case records the times and the visit;
no-show; transfer to another window and back to the queue; another centre's clerk gets 404 and
an officer is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import StaffRoleFactory
from tests.service_centres.queueworld import QueueWorld, make_queue_world
from tests.world import World
from tongban.identity.models import Account
from tongban.service_centres.models import Ticket, TicketStatus, Visit
from tongban.service_centres.ticket_selectors import case_visits
from tongban.service_centres.ticket_services import ticket_from_booking, ticket_issue

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]
URL = "/en/backoffice/window/"


@pytest.fixture
def qw(db) -> QueueWorld:
    return make_queue_world()


def post(client: Client, qw: QueueWorld, action: str, **data: object) -> str:
    response = client.post(URL, {"window": qw.comprehensive.pk, "action": action, **data})
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"]).content.decode()


def test_call_recall_finish_with_a_case_records_times_and_the_visit(
    client: Client, login_staff: Login, qw: QueueWorld, world: World
) -> None:
    case = world.submitted_case()
    appointment = qw.appoint(world.hr)
    ticket_from_booking(centre=qw.centre, code=appointment.code, source="kiosk", actor=qw.actor, now=timezone.now())
    login_staff(client, qw.clerk)
    page = client.get(URL).content.decode()
    assert "Choose your window" in page and "Call the next ticket" not in page  # two windows: choose
    page = client.get(URL, {"window": qw.comprehensive.pk}).content.decode()
    assert "1 person is waiting at the centre." in page and "Call the next ticket" in page
    page = post(client, qw, "call")
    ticket = Ticket.objects.get()
    assert "At the window: A001" in page and appointment.code in page and ticket.status == TicketStatus.CALLED
    post(client, qw, "recall", ticket=ticket.pk)
    ticket.refresh_from_db()
    assert ticket.calls == 2
    page = post(client, qw, "finish", ticket=ticket.pk, cases=f" {case.number} ")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE and ticket.finished_at and ticket.first_called_at
    assert ticket.first_called_at >= ticket.issued_at and ticket.finished_at >= ticket.called_at
    assert case_visits(case) == 1 and "Done: A001." in page
    page = post(client, qw, "call")
    assert "Nobody is waiting for this window." in page


def test_a_case_of_someone_else_is_not_recorded(
    client: Client, login_staff: Login, qw: QueueWorld, world: World
) -> None:
    case = world.submitted_case()
    ticket_from_booking(centre=qw.centre, code=qw.appoint().code, source="kiosk", actor=qw.actor, now=timezone.now())
    login_staff(client, qw.clerk)
    post(client, qw, "call")
    ticket = Ticket.objects.get()
    for typed in (case.number, "NO-SUCH-CASE"):
        page = post(client, qw, "finish", ticket=ticket.pk, cases=typed)
        assert "Record only cases of the person served on this ticket." in page
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED and not Visit.objects.exists()


def test_no_show_transfer_and_issue(client: Client, login_staff: Login, qw: QueueWorld) -> None:
    login_staff(client, qw.clerk)
    post(client, qw, "issue")
    post(client, qw, "issue")
    first, second = Ticket.objects.order_by("number")
    assert first.source == "clerk" and first.label == "B001"
    post(client, qw, "call")
    post(client, qw, "no_show", ticket=first.pk)
    first.refresh_from_db()
    assert first.status == TicketStatus.NO_SHOW
    post(client, qw, "call")
    page = post(client, qw, "transfer", ticket=second.pk, to=qw.single.pk)
    second.refresh_from_db()
    assert second.status == TicketStatus.WAITING and second.for_window == qw.single
    assert "Call the next ticket" in page
    assert "Nobody is waiting for this window." in post(client, qw, "call")  # it waits for window 2
    response = client.post(URL, {"window": qw.single.pk, "action": "call"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.window == qw.single and second.status == TicketStatus.CALLED
    client.post(URL, {"window": qw.single.pk, "action": "transfer", "ticket": second.pk, "to": "queue"})
    second.refresh_from_db()
    assert second.status == TicketStatus.WAITING and second.for_window is None


def test_another_centres_clerk_and_an_officer_are_refused(client: Client, login_staff: Login, qw: QueueWorld) -> None:
    ticket = ticket_issue(centre=qw.centre, source="kiosk", actor=qw.actor, now=timezone.now())
    stranger = StaffRoleFactory.create(clerk=True).account
    login_staff(client, stranger)
    assert client.get(URL, {"window": qw.comprehensive.pk}).status_code == 404
    assert client.post(URL, {"window": qw.comprehensive.pk, "action": "call"}).status_code == 404
    assert (
        client.post(URL, {"window": qw.comprehensive.pk, "action": "no_show", "ticket": ticket.pk}).status_code == 404
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING
    officer = Client()
    login_staff(officer, StaffRoleFactory.create().account)
    assert officer.get(URL).status_code == 403


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_chosen_window_is_remembered_until_changed_or_left(
    client: Client, login_staff: Login, qw: QueueWorld, language: str
) -> None:
    url = f"/{language}/backoffice/window/"
    login_staff(client, qw.clerk)
    call = "Call the next ticket" if language == "en" else "呼叫下一位"
    assert call not in client.get(url).content.decode()  # two windows: choose one
    client.get(url, {"window": qw.single.pk})
    page = client.get(url).content.decode()  # no ?window=: the session remembers window 2
    assert call in page and f'name="window" value="{qw.single.pk}"' in page
    assert ("Change window" if language == "en" else "更换窗口") in page
    client.post(url, {"window": qw.comprehensive.pk, "action": "issue"})  # acting at window 1 chooses it
    assert f'name="window" value="{qw.comprehensive.pk}"' in client.get(url).content.decode()
    response = client.post(url, {"window": qw.comprehensive.pk, "action": "leave"})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert call not in page and ("Choose your window" if language == "en" else "选择您的窗口") in page


def test_a_remembered_window_that_closed_or_is_elsewhere_is_forgotten(
    client: Client, login_staff: Login, qw: QueueWorld
) -> None:
    login_staff(client, qw.clerk)
    client.get(URL, {"window": qw.single.pk})
    qw.single.active = False
    qw.single.save(update_fields=["active"])
    page = client.get(URL).content.decode()  # one open window left: it is the clerk's
    assert f'name="window" value="{qw.comprehensive.pk}"' in page
    assert client.session["backoffice.window"] == qw.comprehensive.pk
    elsewhere = make_queue_world("queue-elsewhere")
    session = client.session
    session["backoffice.window"] = elsewhere.comprehensive.pk
    session.save()
    qw.single.active = True
    qw.single.save(update_fields=["active"])
    page = client.get(URL).content.decode()  # another centre's window: forgotten, not shown
    assert "Call the next ticket" not in page and "Choose your window" in page
    assert "backoffice.window" not in client.session
