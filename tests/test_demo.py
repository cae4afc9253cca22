"""The demo city loads through the services, twice without duplicates, with a verifiable trail."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongban.audit.models import AuditEvent
from tongban.audit.services import seal_pending, verify_stream
from tongban.demo.loader import firm_uscc, load
from tongban.identity.models import Account, Agency, Firm, Person, Power, ServiceCentre, StaffRole, VerificationLevel
from tongban.identity.permissions import acting_authority

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    models = (Account, Person, Firm, Power, Agency, ServiceCentre, StaffRole, AuditEvent)
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
