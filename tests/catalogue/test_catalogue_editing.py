"""Catalogue editing: versions (a case keeps its own), who may edit, publishing, points, calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import StaffRoleFactory
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.catalogue.models import PointsFactor, PointsOption, PointsTable, ServiceVersion, Topic
from tongban.catalogue.selectors import published_version
from tongban.catalogue.services import service_version_draft, service_version_update
from tongban.core.calendar import get_work_calendar
from tongban.core.models import CalendarDay, CalendarYear
from tongban.forms.services import service_version_publish_with_form
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


FLAGS = ("for_individuals", "for_firms", "for_foreigners", "fully_online", "four_eyes")


def draft_form_data(client: Client, code: str, **changes: Any) -> dict[str, Any]:
    """The draft editor's form as the browser posts it back, with ``changes``: unticked boxes are
    left out, as a browser leaves them out."""
    form = client.get(f"/en/backoffice/catalogue/{code}/").context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(changes)
    return {name: value for name, value in data.items() if name not in FLAGS or value}


def test_editing_makes_a_new_version_and_cases_keep_theirs(client: Client, world: World, login_staff: Login) -> None:
    case = world.submitted_case()
    admin = StaffRoleFactory(agency=world.version.item.agency, agency_admin=True)
    login_staff(client, admin.account)
    code = world.version.item.code
    assert client.post(f"/en/backoffice/catalogue/{code}/draft/").status_code == 302
    draft = ServiceVersion.objects.get(item=world.version.item, status="draft")
    assert draft.number == 2 and draft.form_definition.schema == world.version.form_definition.schema
    data = draft_form_data(client, code, name_en="Work permit (new rules)", promised_limit_workdays=4, topics=[])
    response = client.post(f"/en/backoffice/catalogue/{code}/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    # The public still sees version 1 until the draft is published.
    assert published_version(code=code).number == 1
    assert "Work permit (new rules)" not in Client().get(f"/en/services/{code}/").content.decode()
    client.post(f"/en/backoffice/catalogue/{code}/publish/")
    assert published_version(code=code).number == 2
    assert "Work permit (new rules)" in Client().get(f"/en/services/{code}/").content.decode()
    case.refresh_from_db()
    assert case.version.number == 1  # the open case keeps the version it was made under
    assert AuditEvent.objects.filter(action="catalogue.version_published", object_id=code).exists()


def test_the_draft_editor_names_every_problem_in_one_round(client: Client, world: World, login_staff: Login) -> None:
    admin = StaffRoleFactory(agency=world.version.item.agency, agency_admin=True)
    login_staff(client, admin.account)
    code = world.version.item.code
    client.post(f"/en/backoffice/catalogue/{code}/draft/")
    nobody = dict.fromkeys(FLAGS, False)  # nobody may apply
    data = draft_form_data(
        client, code, name_en="", statutory_limit_workdays=5, promised_limit_workdays=9, topics=[], **nobody
    )
    response = client.post(f"/en/backoffice/catalogue/{code}/", data)
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert set(errors) >= {"name_en", "promised_limit_workdays", "for_individuals"}, errors
    assert len(errors["name_en"]) == 1  # said once, not as "required" and "both languages"
    draft = ServiceVersion.objects.get(item=world.version.item, status="draft")
    assert draft.name_en == world.version.name_en  # nothing saved


def test_topics_are_saved_with_the_draft_and_recorded(client: Client, world: World, login_staff: Login) -> None:
    topic = Topic.objects.create(code="moving-house", name_zh="搬家", name_en="Moving house")
    admin = StaffRoleFactory(agency=world.version.item.agency, agency_admin=True)
    login_staff(client, admin.account)
    code = world.version.item.code
    client.post(f"/en/backoffice/catalogue/{code}/draft/")
    data = draft_form_data(client, code, topics=[topic.pk])
    assert client.post(f"/en/backoffice/catalogue/{code}/", data).status_code == 302
    draft = ServiceVersion.objects.get(item=world.version.item, status="draft")
    assert list(draft.topics.values_list("code", flat=True)) == ["moving-house"]
    event = AuditEvent.objects.filter(action="catalogue.version_updated", object_id=code).latest("id")
    assert event.data["topics"] == ["moving-house"]


def test_only_operators_and_the_agencys_admins_edit(client: Client, world: World, login_staff: Login) -> None:
    code = world.version.item.code
    for role in (world.officer, StaffRoleFactory(agency_admin=True)):  # an officer; another agency's admin
        staff = Client()
        login_staff(staff, role.account)
        assert staff.post(f"/en/backoffice/catalogue/{code}/draft/").status_code == 403
        assert staff.get(f"/en/backoffice/catalogue/{code}/").status_code == 403
    assert not ServiceVersion.objects.filter(item=world.version.item, status="draft").exists()
    operator = StaffRoleFactory(city_operator=True)
    login_staff(client, operator.account)
    assert client.post(f"/en/backoffice/catalogue/{code}/draft/").status_code == 302


def test_publishing_needs_both_languages(world: World) -> None:
    draft = service_version_draft(item=world.version.item, editor=world.actor, actor=world.actor)
    with pytest.raises(ValidationError) as excinfo:
        service_version_update(version=draft, content={"name_en": "  "}, editor=world.actor, actor=world.actor)
    assert "name_en" in excinfo.value.message_dict


def test_operator_edits_points(client: Client, world: World, login_staff: Login) -> None:
    table = PointsTable.objects.create(code="work-permit", name_zh="积分", name_en="Points")
    factor = PointsFactor.objects.create(table=table, code="education", name_zh="学历", name_en="Education")
    option = PointsOption.objects.create(factor=factor, code="master", label_zh="硕士", label_en="Master", points=15)
    operator = StaffRoleFactory(city_operator=True)
    login_staff(client, operator.account)
    response = client.post("/en/backoffice/catalogue/points/work-permit/", {f"option-{option.pk}": "16"})
    assert response.status_code == 302
    option.refresh_from_db()
    assert option.points == 16
    event = AuditEvent.objects.get(action="catalogue.points_changed")
    assert event.data == {"factor": "education", "option": "master", "from": 15, "to": 16}
    officer = Client()
    login_staff(officer, world.officer.account)
    assert (
        officer.post("/en/backoffice/catalogue/points/work-permit/", {f"option-{option.pk}": "99"}).status_code == 403
    )


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_refused_point_value_is_shown_at_its_box_and_nothing_is_saved(
    client: Client, login_staff: Login, language: str
) -> None:
    """A wrong value among many: the page comes back with the error next to that box (and in the
    summary, linked), every typed value kept, and nothing saved, not even the good changes."""
    table = PointsTable.objects.create(code="work-permit", name_zh="积分", name_en="Points")
    factor = PointsFactor.objects.create(table=table, code="education", name_zh="学历", name_en="Education")
    master = PointsOption.objects.create(factor=factor, code="master", label_zh="硕士", label_en="Master", points=15)
    doctor = PointsOption.objects.create(factor=factor, code="doctor", label_zh="博士", label_en="Doctorate", points=20)
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    url = f"/{language}/backoffice/catalogue/points/work-permit/"
    for bad, message in (
        ("abc", {"en": "Points are whole numbers.", "zh": "分值须为整数"}),
        ("500", {"en": "Points are between 0 and 100.", "zh": "分值应在0至100之间"}),
    ):
        response = client.post(url, {f"option-{master.pk}": "16", f"option-{doctor.pk}": bad})
        assert response.status_code == 400
        page = response.content.decode()
        assert f'id="option-{doctor.pk}-error"' in page and message[language] in page
        assert f'value="{bad}"' in page and f'aria-describedby="option-{doctor.pk}-error"' in page
        assert 'value="16"' in page  # the good value typed is kept too
        assert f'href="#option-{doctor.pk}"' in page
        master.refresh_from_db()
        assert master.points == 15 and not AuditEvent.objects.filter(action="catalogue.points_changed").exists()


def test_operator_updates_the_calendar_and_deadlines_follow(client: Client, login_staff: Login) -> None:
    operator = StaffRoleFactory(city_operator=True)
    login_staff(client, operator.account)
    monday = date(2031, 3, 3)
    assert get_work_calendar().is_workday(monday)
    response = client.post(
        "/en/backoffice/calendar/", {"day": "2031-03-03", "kind": "holiday", "name_zh": "测试", "name_en": "Test"}
    )
    assert response.status_code == 302
    assert not get_work_calendar().is_workday(monday)
    assert AuditEvent.objects.filter(action="catalogue.calendar_day_set", object_id="2031-03-03").exists()
    page = client.get("/en/backoffice/calendar/?year=2031").content.decode()
    assert "does not know 2031 yet" in page
    response = client.post("/en/backoffice/calendar/2031-03-03/remove/", follow=True)
    assert "2031-03-03 is removed from the calendar" in response.content.decode()  # said, as adding is
    assert get_work_calendar().is_workday(monday)
    removed = AuditEvent.objects.get(action="catalogue.calendar_day_removed", object_id="2031-03-03")
    assert removed.data == {"kind": "holiday", "name_zh": "测试", "name_en": "Test", "source": "operator"}
    # marking a year complete comes back to that year, and says which
    response = client.post("/en/backoffice/calendar/years/2031/complete/")
    assert response.status_code == 302 and response["Location"].endswith("/calendar/?year=2031")
    assert "2031 is marked complete." in client.get(response["Location"]).content.decode()
    chinese = client.get("/zh/backoffice/calendar/?year=2031").content.decode()
    assert '<th scope="col">名称</th>' in chinese and "姓名" not in chinese


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_calendar_refuses_what_names_no_day_or_year_and_records_nothing(
    client: Client, login_staff: Login, language: str
) -> None:
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    base = f"/{language}/backoffice/calendar"
    assert client.post(f"{base}/2031-03-04/remove/").status_code == 404  # a date the calendar has no entry for
    assert client.post(f"{base}/not-a-date/remove/").status_code == 404
    assert client.post(f"{base}/years/987654/complete/").status_code == 404
    assert client.post(f"{base}/years/1999/complete/").status_code == 404
    assert client.get(f"{base}/?year=99999").status_code == 200  # shows this year instead
    page = client.post(f"{base}/", {"day": "2201-01-01", "kind": "holiday", "name_zh": "测试", "name_en": "Test"})
    assert page.status_code == 200
    assert {"en": "Choose a date from 2000 to 2100.", "zh": "请选择2000年至2100年之间的日期。"}[
        language
    ] in page.content.decode()
    assert not CalendarDay.objects.filter(day__year__gt=2100).exists()
    assert not CalendarYear.objects.filter(year__in=(987654, 1999)).exists()
    assert not AuditEvent.objects.filter(action__startswith="catalogue.calendar").exists()


def test_search_results_follow_a_publication(client: Client, world: World, django_capture_on_commit_callbacks) -> None:
    code = world.version.item.code
    assert "Test service" in client.get("/en/services/", {"q": "test service"}).content.decode()
    draft = service_version_draft(item=world.version.item, editor=world.actor, actor=world.actor)
    service_version_update(version=draft, content={"name_en": "Renamed permit"}, editor=world.actor, actor=world.actor)
    with django_capture_on_commit_callbacks(execute=True):
        service_version_publish_with_form(version=draft, editor=world.actor, actor=world.actor, now=timezone.now())
    html = client.get("/en/services/", {"q": "renamed"}).content.decode()
    assert "Renamed permit" in html and f"/en/services/{code}/" in html
    # The page cached for the old name is not served any more: the old name is gone from it.
    assert "Test service test-permit" not in client.get("/en/services/", {"q": "test service"}).content.decode()


def test_a_repeated_search_is_served_from_the_cached_page_body(client: Client, world: World) -> None:
    first = client.get("/en/services/", {"q": "test service"}).content.decode()
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/en/services/", {"q": "test service"}).content.decode()
    assert again == first and "Test service" in again
    assert not [q for q in captured.captured_queries if "catalogue_" in q["sql"] or "identity_agency" in q["sql"]]
    # Another spelling of the same search shares the results but echoes what was typed.
    assert 'value="TEST service"' in client.get("/en/services/", {"q": "TEST service"}).content.decode()
    # The other language has its own body.
    zh = client.get("/zh/services/", {"q": "test service"}).content.decode()
    assert (
        f'href="/zh/services/{world.version.item.code}/"' in zh
        and f'href="/en/services/{world.version.item.code}/"' not in zh
    )
