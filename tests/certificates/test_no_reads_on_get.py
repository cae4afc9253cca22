"""Issue 15: no GET reads another agency's data or writes anything. The once-only lookups (held
certificates standing in for materials, values prefilled from a certificate) are made by the save
of the step that names the person concerned, once, under the person who saved; every page of the
draft and the review page show the stored result."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from tests.certificates.test_issuing import approve, granted, with_certificate
from tests.factories import FirmFactory
from tests.services import LAYOUT, SCHEMA, make_service
from tests.world import World
from tongban.certificates.models import Certificate
from tongban.exchange.models import AccessLogEntry, Consent, DataResource
from tongban.forms.models import Application, HeldCertificate
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_draft_pages_read_nothing_and_the_save_reads_once(client: Client, world: World, login_person: Login) -> None:
    certificate_type = with_certificate(world)
    work_permit = Certificate.objects.get(case_number=approve(world, world.submitted_case()).number)
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["permit_number"] = {"type": "string", "maxLength": 24}
    layout = copy.deepcopy(LAYOUT)
    layout["steps"][1]["fields"].append("permit_number")
    layout["fields"]["permit_number"] = {
        "label": {"zh": "工作许可证号", "en": "Work permit number"},
        "prefill": "certificate.test-permit.number",
        "authoritative": True,
    }
    granted(world, "residence")
    residence = make_service(
        code="residence",
        agency=world.version.item.agency,
        schema=schema,
        layout=layout,
        materials=[
            {"code": "passport", "name_zh": "护照", "name_en": "Passport", "required": True},
            {
                "code": "permit",
                "name_zh": "工作许可",
                "name_en": "Work permit",
                "required": True,
                "certificate_type": certificate_type,
            },
        ],
    )
    login_person(client, world.hr.account)
    assert client.post("/en/services/residence/apply/", {"as": world.firm.uscc}).status_code == 302
    application = Application.objects.get(person=world.hr, version=residence)
    base = f"/en/applications/{application.public_id}"
    reads = AccessLogEntry.objects.filter(resource="certificate.test-permit")
    before = reads.count()
    assert client.post(f"{base}/employer/", {"intent": "next"}).status_code == 302
    assert reads.count() == before  # nobody named yet: nothing to look up
    employee = {
        "employee_name": "MARTIN Lucas",
        "passport_number": world.engineer.id_number,
        "nationality": "FR",
        "annual_salary": "480000",
        "education": "master",
        "intent": "next",
    }
    assert client.post(f"{base}/employee/", employee).status_code == 302
    made = list(reads.filter(id__gt=0).order_by("-id")[:2])
    assert reads.count() == before + 2  # the material and the prefilled number: one read each
    assert {entry.actor_label for entry in made} == {world.hr.display_name}
    assert all(entry.subject_ref == f"person:{world.engineer.public_id}" for entry in made)
    assert client.post(f"{base}/employee/", {**employee, "intent": "save"}).status_code == 302
    assert reads.count() == before + 2  # the same person named again: no new read
    assert client.post(f"{base}/family/", {"has_family": "no", "intent": "next"}).status_code == 302
    assert reads.count() == before + 2
    assert HeldCertificate.objects.get(application=application).certificate == work_permit

    counts = row_counts()
    log = AccessLogEntry.objects.count()
    for step in ("employer", "employee", "family", "materials", "review"):
        response = client.get(f"{base}/{step}/")
        assert response.status_code == 200, step
    assert AccessLogEntry.objects.count() == log
    assert row_counts() == counts
    materials = client.get(f"{base}/materials/").content.decode()
    assert "Held by the government — you need not upload it." in materials and work_permit.number in materials
    review = client.get(f"{base}/review/").content.decode()
    assert work_permit.number in review
    assert row_counts() == counts


def test_typing_a_passport_number_fetches_nobody_s_certificate(
    client: Client, world: World, login_person: Login
) -> None:
    """Another firm names the engineer: without a relation the platform can confirm (an earlier
    certificate issued on that firm's application, or the engineer's consent), nothing is read."""
    certificate_type = with_certificate(world)
    approve(world, world.submitted_case())  # the engineer's work permit, on world.firm's application
    granted(world, "residence5")
    residence = make_service(
        code="residence5",
        agency=world.version.item.agency,
        materials=[
            {
                "code": "permit",
                "name_zh": "工作许可",
                "name_en": "Work permit",
                "required": True,
                "certificate_type": certificate_type,
            },
        ],
    )
    other_firm = FirmFactory(foreign_invested=True)
    snoop = other_firm.legal_representative
    login_person(client, snoop.account)
    assert client.post("/en/services/residence5/apply/", {"as": other_firm.uscc}).status_code == 302
    application = Application.objects.get(person=snoop, version=residence)
    base = f"/en/applications/{application.public_id}"
    about_engineer = AccessLogEntry.objects.filter(subject_ref=f"person:{world.engineer.public_id}")
    before = about_engineer.count()
    employee = {
        "employee_name": "MARTIN Lucas",
        "passport_number": world.engineer.id_number,
        "nationality": "FR",
        "annual_salary": "480000",
        "education": "master",
        "intent": "next",
    }
    assert client.post(f"{base}/employee/", employee).status_code == 302
    assert about_engineer.count() == before  # not fetched, not even asked
    assert not HeldCertificate.objects.filter(application=application).exists()
    page = client.get(f"{base}/materials/").content.decode()
    assert 'name="material_permit"' in page and "upload it" in page
    # With the engineer's consent to the agency for this service, a draft's save makes the lookup.
    now = timezone.now()
    Consent.objects.create(
        person=world.engineer,
        consumer=world.version.item.agency,
        resource=DataResource.objects.get(code="certificate.test-permit"),
        purpose="residence5",
        given_at=now,
        expires_at=now + timedelta(days=30),
    )
    assert client.post("/en/services/residence5/apply/", {"as": other_firm.uscc}).status_code == 302
    second = Application.objects.filter(person=snoop, version=residence).latest("id")
    assert client.post(f"/en/applications/{second.public_id}/employee/", employee).status_code == 302
    assert HeldCertificate.objects.filter(application=second).exists()
