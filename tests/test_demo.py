"""The demo city loads through the services, twice without duplicates, with a verifiable trail."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongban.audit.models import AuditEvent
from tongban.audit.services import seal_pending, verify_stream
from tongban.cases.services import case_submit
from tongban.catalogue.models import ServiceVersion, VersionStatus, Workflow
from tongban.certificates.models import Certificate
from tongban.certificates.selectors import person_wallet
from tongban.core.actors import Actor
from tongban.demo.loader import firm_uscc, load
from tongban.forms.services import application_save_step, application_start
from tongban.identity.models import Account, Agency, Firm, Person, Power, ServiceCentre, StaffRole, VerificationLevel
from tongban.identity.permissions import acting_authority
from tongban.service_centres.models import OpeningException, OpeningHours, Window, WindowScope

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    models = (Account, Person, Firm, Power, Agency, ServiceCentre, StaffRole, AuditEvent, OpeningHours, Window)
    return tuple(model.objects.count() for model in models)


def test_demo_loads_once_and_again_without_duplicates(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_load")
    first = counts()
    call_command("demo_load")
    assert counts() == first
    out = capsys.readouterr().out
    assert "emma.schmidt" in out and "otpauth://totp/" in out


def test_demo_city_shape() -> None:
    load()
    assert Agency.objects.count() >= 5 and ServiceCentre.objects.count() >= 3
    firm = Firm.objects.get(uscc=firm_uscc())
    assert firm.firm_type == "foreign_invested"
    emma = Person.objects.get(account__username="emma.schmidt")
    assert acting_authority(person=emma, firm=firm, area="foreign_staff", now=timezone.now()).power is not None
    assert acting_authority(person=emma, firm=firm, area="social_security", now=timezone.now()).power is not None
    assert Person.objects.get(account__username="lucas.martin").id_type == "passport"
    assert Person.objects.get(account__username="chen.wei").verification_level == VerificationLevel.IN_PERSON_VERIFIED
    roles = set(StaffRole.objects.values_list("role", flat=True))
    assert roles == {"officer", "supervisor", "agency_admin", "clerk", "city_operator"}
    seal_pending("audit")
    assert verify_stream("audit").ok


def test_demo_centres_have_hours_a_closure_and_windows_in_two_districts() -> None:
    load()
    centres = ServiceCentre.objects.all()
    assert centres.count() >= 5
    assert len({centre.district for centre in centres}) == 2
    for centre in centres:
        assert OpeningHours.objects.filter(centre=centre).exists()
        assert OpeningException.objects.filter(centre=centre, closed=True).exists()
        assert Window.objects.filter(centre=centre, active=True).exists()
    assert Window.objects.filter(scope=WindowScope.COMPREHENSIVE).exists()
    assert Window.objects.filter(scope=WindowScope.SERVICES, services__code="si-enrolment").exists()
    assert Window.objects.filter(scope=WindowScope.AGENCIES, agencies__code="exit-entry").exists()


def test_every_demo_service_delivers_the_document_it_promises() -> None:
    """Issue 19: the social-security record print closed at once and produced nothing. Every
    instant service now names the document it delivers (publishing refuses one that does not), and
    the print, filed by the engineer, is a signed record in his wallet and on the case."""
    load()
    instant = ServiceVersion.objects.filter(status=VersionStatus.PUBLISHED, workflow=Workflow.INSTANT)
    assert instant.exists()
    assert [v.item.code for v in instant.select_related("item") if v.certificate_type_id is None] == []

    engineer = Person.objects.get(account__username="lucas.martin")
    version = instant.get(item__code="si-contribution-record")
    actor = Actor.system("tests")
    moment = timezone.now()
    application = application_start(person=engineer, version=version, firm=None, actor=actor, now=moment)
    for step, posted in (
        ("insured", {"applicant_name": "MARTIN Lucas"}),
        ("record", {"period_from": "2025-01", "period_to": "2025-12", "insurance_types": ["pension", "medical"]}),
    ):
        _values, errors = application_save_step(
            application=application, step_key=step, posted=posted, person=engineer, now=moment
        )
        assert errors == {}, errors
    case = case_submit(application=application, person=engineer, actor=actor, now=moment)
    assert case.status == "closed"
    record = Certificate.objects.get(case_number=case.number)
    assert record.certificate_type.code == "si-contribution-record" and record.holder_person == engineer
    assert record.jws and record.fields["from"] == "2025-01" and record in person_wallet(person=engineer)
