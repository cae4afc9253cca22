"""The dashboards (ADR 0046): a small world whose figures are known — cases overdue, due soon and
neither, paused and finished ones that do not count, officers' open cases, tickets waited for —
shown right to the city operator (every agency and centre) and to an agency administrator (their
agency only); everyone else refused; a fixed number of queries however many rows."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from tests.factories import AgencyFactory, AgencyOfficeFactory, ServiceCentreFactory, StaffRoleFactory
from tests.querycount import assert_queries_flat
from tests.world import World
from tongban.cases.models import Case
from tongban.cases.workload_selectors import due_figures_by_agency, due_figures_by_office, open_cases_assigned
from tongban.core.calendar import get_work_calendar
from tongban.core.deadlines import local_date
from tongban.forms.models import Application
from tongban.identity.models import Account, Agency, AgencyOffice, ServiceCentre, StaffRole
from tongban.service_centres.models import Ticket, TicketStatus
from tongban.service_centres.queue import percentile, wait_summary
from tongban.service_centres.ticket_selectors import waits_on

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]
_numbers = itertools.count(1)


def make_case(
    world: World,
    office: AgencyOffice,
    status: str,
    *,
    statutory: date | None = None,
    promised: date | None = None,
    assigned: Account | None = None,
) -> Case:
    """A case of ``office``'s agency in ``status`` with the given stored due dates (set directly:
    the dashboards read what the lifecycle stored)."""
    application = Application.objects.create(person=world.hr, version=world.version, status="submitted")
    return Case.objects.create(
        number=f"DASH{next(_numbers):08d}",
        application=application,
        version=world.version,
        item=world.version.item,
        area="foreign_staff",
        agency=office.agency,
        office=office,
        applicant=world.hr,
        status=status,
        submitted_at=timezone.now(),
        statutory_due_on=statutory,
        promised_due_on=promised,
        assigned_to=assigned,
    )


def make_ticket(centre: ServiceCentre, *, waited: int | None, day: date | None = None) -> Ticket:
    """A ticket issued at ``centre`` (today) and first called after ``waited`` minutes (None: waiting)."""
    issued = timezone.now() - timedelta(hours=1)
    return Ticket.objects.create(
        centre=centre,
        day=day or local_date(timezone.now()),
        letter="B",
        number=next(_numbers),
        source="kiosk",
        status=TicketStatus.WAITING if waited is None else TicketStatus.DONE,
        issued_at=issued,
        first_called_at=None if waited is None else issued + timedelta(minutes=waited),
    )


@dataclass
class Dash:
    agency: Agency
    other: Agency
    district: AgencyOffice
    busy: StaffRole
    idle: StaffRole
    centre: ServiceCentre
    quiet: ServiceCentre


@pytest.fixture
def dash(world: World) -> Dash:
    """Agency A (the world's): city office 2 overdue (one of them assigned to the busy officer), 2
    due soon (one past its promised date within its statutory one), 1 on track, 1 without dates
    yet; a paused and an approved case past their dates that do not count; district office 1 due
    soon. The busy officer holds 3 open cases (one paused) and a finished one; agency B: 1 overdue.
    Centre: waits 5, 10, 30 minutes today, 2 waiting, a long wait yesterday; another centre quiet."""
    today = local_date(timezone.now())
    calendar = get_work_calendar()
    soon, later = calendar.add_workdays(today, 2), calendar.add_workdays(today, 3)
    past, far = today - timedelta(days=1), today + timedelta(days=60)
    city = world.officer.office
    assert city is not None
    agency = city.agency
    district = AgencyOfficeFactory.create(agency=agency, district=True)
    busy = world.officer
    idle = StaffRoleFactory.create(agency=agency, office=district)
    make_case(world, city, "under_review", statutory=past, promised=past, assigned=busy.account)
    make_case(world, city, "accepted", statutory=past, promised=past)
    make_case(world, city, "resubmitted", statutory=far, promised=soon, assigned=busy.account)
    make_case(world, city, "awaiting_approval", statutory=far, promised=past)
    make_case(world, city, "under_review", statutory=far, promised=later)
    make_case(world, city, "submitted")
    make_case(world, city, "supplement_requested", statutory=past, promised=past, assigned=busy.account)
    make_case(world, city, "approved", statutory=past, promised=past, assigned=busy.account)
    make_case(world, district, "accepted", statutory=far, promised=today)
    other = AgencyFactory.create(code="other-bureau", name_en="Other Bureau", name_zh="其他局")
    make_case(world, AgencyOfficeFactory.create(agency=other), "accepted", statutory=past, promised=past)
    centre = ServiceCentreFactory.create(code="busy-centre", name_en="Busy Centre", name_zh="繁忙中心")
    quiet = ServiceCentreFactory.create(code="quiet-centre", name_en="Quiet Centre", name_zh="安静中心")
    for waited in (5, 10, 30, None, None):
        make_ticket(centre, waited=waited)
    make_ticket(centre, waited=300, day=today - timedelta(days=1))
    return Dash(agency, other, district, busy, idle, centre, quiet)


def test_the_figures_of_the_small_world(dash: Dash, world: World) -> None:
    today = local_date(timezone.now())
    until = get_work_calendar().add_workdays(today, 2)
    by_agency = due_figures_by_agency(agency_ids=None, today=today, until=until)
    assert (by_agency[dash.agency.pk].running, by_agency[dash.agency.pk].overdue) == (7, 2)
    assert by_agency[dash.agency.pk].due_soon == 3 and by_agency[dash.other.pk].overdue == 1
    assert set(due_figures_by_agency(agency_ids=[dash.other.pk], today=today, until=until)) == {dash.other.pk}
    by_office = due_figures_by_office(agency_id=dash.agency.pk, today=today, until=until)
    assert by_office[dash.district.pk].due_soon == 1 and by_office[dash.district.pk].running == 1
    assert world.officer.office_id is not None and by_office[world.officer.office_id].due_soon == 2
    load = open_cases_assigned(account_ids=[dash.busy.account_id, dash.idle.account_id], agency_id=dash.agency.pk)
    assert load == {dash.busy.account_id: 3}
    waits = waits_on(centre_ids=[dash.centre.pk, dash.quiet.pk], day=today)
    busy = waits[dash.centre.pk]
    assert (busy.waiting, busy.called, busy.mean_minutes, busy.p90_minutes) == (2, 3, 15, 30)
    assert waits[dash.quiet.pk].called == 0 and waits[dash.quiet.pk].mean_minutes is None


def test_wait_summary_and_percentile_are_pure() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9) == 9.0
    assert percentile([4.0], 0.9) == 4.0
    summary = wait_summary(waiting=1, waits=[timedelta(minutes=1), timedelta(seconds=150)])
    assert (summary.called, summary.mean_minutes, summary.p90_minutes) == (2, 2, 3)  # 1.75 → 2, 2.5 → 3
    assert wait_summary(waiting=0, waits=[]).p90_minutes is None


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_city_operator_sees_every_agency_and_centre(
    client: Client, login_staff: Login, dash: Dash, language: str
) -> None:
    login_staff(client, StaffRoleFactory.create(city_operator=True).account)
    home = client.get(f"/{language}/backoffice/").content.decode()
    assert f'href="/{language}/backoffice/dashboard/"' in home
    page = client.get(f"/{language}/backoffice/dashboard/").content.decode()
    en = language == "en"
    for name in (dash.agency.name_en, "Other Bureau", "Busy Centre", "Quiet Centre"):
        assert (
            name
            if en
            else {"Other Bureau": "其他局", "Busy Centre": "繁忙中心", "Quiet Centre": "安静中心"}.get(
                name, dash.agency.name_zh
            )
        ) in page
    row = page[page.index(f"/{language}/backoffice/dashboard/agencies/{dash.agency.code}/") :]
    row = row[: row.index("</tr>")]
    assert '<span class="tag tag-bad">2</span>' in row and '<span class="tag tag-warn">3</span>' in row
    assert "<td>7</td>" in row
    centre = page[page.index("繁忙中心" if not en else "Busy Centre") :]
    centre = centre[: centre.index("</tr>")]
    assert "<td>2</td><td>3</td><td>15</td><td>30</td>" in centre
    assert "<caption>" in page and 'scope="col"' in page and 'scope="row"' in page
    assert ("Waiting times per service centre today" if en else "今日各服务中心等候时间") in page


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_agency_administrator_sees_only_her_agency(
    client: Client, login_staff: Login, dash: Dash, language: str
) -> None:
    admin = StaffRoleFactory.create(agency_admin=True, agency=dash.agency).account
    login_staff(client, admin)
    page = client.get(f"/{language}/backoffice/dashboard/").content.decode()
    assert "/backoffice/dashboard/agencies/other-bureau/" not in page and "Busy Centre" not in page
    assert f"/{language}/backoffice/dashboard/agencies/{dash.agency.code}/" in page
    page = client.get(f"/{language}/backoffice/dashboard/agencies/{dash.agency.code}/").content.decode()
    officers = page[page.index("officers-title") :]
    busy = officers[officers.index(escape(str(dash.busy.account))) :]
    assert busy[: busy.index("</tr>")].endswith("<td>3</td>")
    idle = officers[officers.index(escape(str(dash.idle.account))) :]
    assert idle[: idle.index("</tr>")].endswith("<td>0</td>")
    assert ("Workload per officer" if language == "en" else "各经办人员工作量") in page
    district = page[page.index(dash.district.name_en if language == "en" else dash.district.name_zh) :]
    assert '<span class="tag tag-warn">1</span>' in district[: district.index("</tr>")]
    assert client.get(f"/{language}/backoffice/dashboard/agencies/other-bureau/").status_code == 403
    assert client.get(f"/{language}/backoffice/dashboard/agencies/no-such-agency/").status_code == 404


def test_others_are_refused(client: Client, login_staff: Login, dash: Dash, world: World) -> None:
    for role in (
        world.officer,
        world.supervisor,
        StaffRoleFactory.create(clerk=True),
        StaffRoleFactory.create(agency_admin=True, agency=dash.other),
    ):
        client.logout()
        login_staff(client, role.account)
        expected = 200 if role.agency_id == dash.other.pk else 403
        assert client.get("/en/backoffice/dashboard/").status_code == expected
        assert client.get(f"/en/backoffice/dashboard/agencies/{dash.agency.code}/").status_code == 403
        home = client.get("/en/backoffice/").content.decode()
        assert ('href="/en/backoffice/dashboard/"' in home) == (expected == 200)


def test_the_pages_run_a_fixed_number_of_queries(client: Client, login_staff: Login, dash: Dash, world: World) -> None:
    login_staff(client, StaffRoleFactory.create(city_operator=True).account)
    today = local_date(timezone.now())

    def more() -> None:
        for number in range(3):
            agency = AgencyFactory.create()
            office = AgencyOfficeFactory.create(agency=agency)
            make_case(world, office, "accepted", statutory=today, promised=today)
            centre = ServiceCentreFactory.create()
            make_ticket(centre, waited=number)
            make_ticket(centre, waited=None)
        make_case(world, dash.district, "under_review", statutory=today, promised=today, assigned=dash.idle.account)
        StaffRoleFactory.create(agency=dash.agency, office=dash.district)
        AgencyOfficeFactory.create(agency=dash.agency, district=True, district_code="310115")

    assert_queries_flat(client, "/en/backoffice/dashboard/", more, at_most=12)
    assert_queries_flat(client, f"/en/backoffice/dashboard/agencies/{dash.agency.code}/", more, at_most=14)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_the_counts_read_only_the_partial_index(dash: Dash) -> None:
    """The selectors' grouped counts match the index's condition and read only its columns: with
    sequential and bitmap scans off (the test tables are tiny), PostgreSQL answers them from
    ``cases_running_due`` alone (an index-only scan), never from the cases table."""
    today = local_date(timezone.now())
    with CaptureQueriesContext(connection) as captured:
        due_figures_by_agency(agency_ids=None, today=today, until=today)
        due_figures_by_agency(agency_ids=[dash.agency.pk], today=today, until=today)
        due_figures_by_office(agency_id=dash.agency.pk, today=today, until=today)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using cases_running_due" in plan, plan
