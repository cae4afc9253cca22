"""Officers fetch data about a case's parties through the exchange; it is kept with the case, shown
on the case page with its source, and the read is in the subject's access log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.exchange.test_exchange import grant, population
from tests.factories import AgencyFactory, PersonFactory, StaffRoleFactory
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.cases.models import CaseData
from tongban.cases.selectors import case_fetch_options
from tongban.cases.services import case_act, case_fetch_data
from tongban.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from tongban.exchange.models import AccessLogEntry, PopulationRecord
from tongban.exchange.models import DataResource as PopulationResource
from tongban.identity.models import Account, Person

Login = Callable[[Client, Account], None]


def on_record(person: Person) -> None:
    PopulationRecord.objects.create(
        id_type=person.id_type,
        id_number=person.id_number,
        nationality=str(person.nationality),
        name=person.name,
        latin_name=person.latin_name,
        birth_date=date(1991, 9, 3),
        sex="M",
    )


@pytest.fixture
def granted(world: World) -> World:
    resource = population(AgencyFactory())
    grant(world.version.item.agency, resource, world.version.item.code, ["latin_name", "birth_date"])
    on_record(world.engineer)
    return world


def fetch(world: World, case: Any, subject: str, account: Account | None = None) -> CaseData:
    return case_fetch_data(
        case=case,
        resource_code="population.record",
        subject_ref=subject,
        account=account or world.officer.account,
        actor=world.actor,
        now=timezone.now(),
    )


def test_officer_fetches_data_about_the_person_concerned(granted: World, client: Client, login_staff: Login) -> None:
    world = granted
    case = world.submitted_case()
    engineer_ref = f"person:{world.engineer.public_id}"
    options = {(o.grant.resource.code, o.party.ref) for o in case_fetch_options(case=case, now=timezone.now())}
    assert ("population.record", engineer_ref) in options
    assert ("population.record", f"person:{world.hr.public_id}") in options  # the applicant is a party too
    row = fetch(world, case, engineer_ref)
    assert row.outcome == "answered" and row.values == {
        "latin_name": world.engineer.latin_name,
        "birth_date": "1991-09-03",
    }
    assert row.source == "population registry" and row.fetched_by == world.officer.account
    entry = AccessLogEntry.objects.get(pk=row.access_log_id)
    assert (entry.subject_ref, entry.case_number, entry.basis, entry.purpose) == (
        engineer_ref,
        case.number,
        "case",
        world.version.item.code,
    )
    assert AuditEvent.objects.filter(action="cases.data_fetched", object_id=case.number).exists()
    login_staff(client, world.officer.account)
    page = client.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    assert "Data from other agencies" in page and "Population registry record" in page
    # dates in the page's language, each party by its role in the case, the source by its agency
    assert "Date of birth" in page and "Sept. 3, 1991" in page and "1991-09-03" not in page
    owner = PopulationResource.objects.get(code="population.record").owner
    assert f"Source: {owner.name_en}" in page
    assert f"Fetch Population registry record (Employee: {world.engineer.display_name})</button>" in page
    hr_name = world.hr.display_name
    assert f"Fetch Population registry record (Handling it for the firm: {hr_name})</button>" in page
    assert f"Population registry record — Employee: {world.engineer.display_name}</h3>" in page
    chinese = client.get(f"/zh/backoffice/cases/{case.number}/").content.decode()
    assert "1991年9月3日" in chinese and "人口登记信息 — 外籍员工：" in chinese
    posted = client.post(
        f"/en/backoffice/cases/{case.number}/fetch/",
        {"resource": "population.record", "subject": engineer_ref},
        follow=True,
    )
    assert "Fetched through the data exchange." in posted.content.decode()
    assert CaseData.objects.filter(case=case).count() == 2


def test_someone_who_is_not_a_party_cannot_be_fetched(granted: World) -> None:
    world = granted
    case = world.submitted_case()
    stranger = PersonFactory()
    on_record(stranger)
    with pytest.raises(PermissionDeniedError):
        fetch(world, case, f"person:{stranger.public_id}")
    assert not AccessLogEntry.objects.filter(subject_ref=f"person:{stranger.public_id}", outcome="answered").exists()


def test_only_officers_of_the_case_fetch_and_not_after_it_is_closed(granted: World) -> None:
    world = granted
    case = world.submitted_case()
    engineer_ref = f"person:{world.engineer.public_id}"
    other_agency_officer = StaffRoleFactory().account
    with pytest.raises(NotFoundError):
        fetch(world, case, engineer_ref, account=other_agency_officer)
    case = case_act(
        case=case,
        action="withdraw",
        expected_version=case.lock_version,
        person=world.hr,
        actor=world.actor,
        now=timezone.now(),
        reason="Changed plans",
    )
    with pytest.raises(ConflictError):
        fetch(world, case, engineer_ref)


def test_without_a_grant_for_the_service_nothing_is_offered_or_fetched(world: World) -> None:
    population(AgencyFactory())
    case = world.submitted_case()
    assert case_fetch_options(case=case, now=timezone.now()) == []
    with pytest.raises(ConflictError):
        fetch(world, case, f"person:{world.engineer.public_id}")
