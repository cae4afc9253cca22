"""Download my data: the personal-data export (core.personal_data) through My space — every
registered context's part, only the signed-in person's data, audited, a constant number of
queries, and a page in both languages for signed-in persons only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import FirmFactory, PersonFactory, PowerFactory
from tests.querycount import assert_queries_flat
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.cases.models import CaseParty
from tongban.core import personal_data
from tongban.exchange.models import AccessLogEntry
from tongban.forms.services import application_start
from tongban.identity.models import Account, Person
from tongban.notifications.services import message_send

pytestmark = pytest.mark.django_db

LoginPerson = Callable[[Client, Account], None]
URL = "/en/my/personal-data.json"
SECTIONS = {"person", "firms_and_powers", "drafts", "cases", "certificates", "data_exchange", "inbox"}


def _access(person: Person, resource: str = "population") -> None:
    AccessLogEntry.objects.create(
        at=timezone.now(),
        consumer="police",
        actor_kind="system",
        subject_kind="person",
        subject_ref=f"person:{person.public_id}",
        resource=resource,
        fields=["name"],
        purpose="test-permit",
        basis="case",
        outcome="answered",
    )


def _message(person: Person, subject: str) -> None:
    assert person.account is not None
    message_send(recipient=person.account, render=lambda: (subject, "Body"), now=timezone.now())


def _download(client: Client) -> dict[str, Any]:
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)  # type: ignore[no-any-return]


def test_every_context_adds_its_part() -> None:
    assert set(personal_data.sections()) >= SECTIONS


def test_the_export_holds_the_persons_data_from_every_context(
    client: Client, login_person: LoginPerson, world: World
) -> None:
    case = world.submitted_case()
    draft = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    _access(world.hr)
    _message(world.hr, "About your case")
    stranger = PersonFactory()
    _access(stranger, resource="stranger-only")
    _message(stranger, "For the stranger only")

    login_person(client, world.hr.account)
    document = _download(client)

    assert document["schema"] == personal_data.SCHEMA == "tongban.personal-data/1"
    sections = document["sections"]
    assert set(sections) == set(personal_data.sections())
    assert sections["person"]["id_number"] == world.hr.id_number
    assert sections["person"]["account"]["username"] == world.hr.account.username
    assert [power["firm"]["uscc"] for power in sections["firms_and_powers"]["powers"]] == [world.firm.uscc]
    (row,) = [row for row in sections["cases"] if row["number"] == case.number]
    assert row["role"] == "applicant" and row["firm"] == world.firm.uscc
    assert "data" not in row  # applied for the firm: its content is the firm's
    assert [d["public_id"] for d in sections["drafts"]] == [str(draft.public_id)]
    assert [a["resource"] for a in sections["data_exchange"]["accesses"]] == ["population"]
    assert "About your case" in [m["subject_en"] for m in sections["inbox"]]
    text = json.dumps(document, ensure_ascii=False)
    for other in (stranger.id_number, str(stranger.public_id), "stranger-only", "For the stranger only"):
        assert other not in text
    event = AuditEvent.objects.get(action="identity.personal_data_exported")
    assert event.object_id == str(world.hr.public_id) and event.actor_id == world.hr.account.pk


def test_a_person_concerned_by_a_case_gets_its_content_and_history(
    client: Client, login_person: LoginPerson, world: World
) -> None:
    case = world.submitted_case()
    CaseParty.objects.get_or_create(case=case, person=world.engineer)
    assert world.engineer.account is not None
    login_person(client, world.engineer.account)
    (row,) = _download(client)["sections"]["cases"]
    assert (row["number"], row["role"]) == (case.number, "concerned")
    assert row["data"]["passport_number"] == world.engineer.id_number
    assert row["history"][0]["action"] == "submit"
    assert {m["material"] for m in row["materials"]} == {"passport"}


def test_queries_do_not_grow_with_the_rows(client: Client, login_person: LoginPerson, world: World) -> None:
    world.submitted_case()
    application_start(person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now())
    _access(world.hr)
    _message(world.hr, "One")
    login_person(client, world.hr.account)

    def add_rows() -> None:
        world.submitted_case()
        application_start(
            person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
        )
        PowerFactory(grantee=world.hr, firm=FirmFactory(), area="foreign_staff")
        for n in range(3):
            _access(world.hr, resource=f"r{n}")
            _message(world.hr, f"More {n}")

    _few, many = assert_queries_flat(client, URL, add_rows, at_most=25)
    assert len(json.loads(many.content)["sections"]["cases"]) == 2


@pytest.mark.parametrize(("language", "title"), [("en", "Download my data"), ("zh", "下载我的数据")])
def test_the_page_in_both_languages(client: Client, login_person: LoginPerson, language: str, title: str) -> None:
    person = PersonFactory()
    login_person(client, person.account)
    response = client.get(f"/{language}/my/personal-data/")
    assert response.status_code == 200
    page = response.content.decode()
    assert title in page and personal_data.SCHEMA in page
    assert f"/{language}/my/personal-data.json" in page
    assert "/my/personal-data/" in client.get(f"/{language}/my/").content.decode()


@pytest.mark.parametrize("path", ["/en/my/personal-data/", URL])
def test_sign_in_is_required(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not AuditEvent.objects.filter(action="identity.personal_data_exported").exists()
