"""Certificates go only to persons whose identity was verified (ADR 0027): the approval of a case
whose certificate would name a self-registered person is refused, and the officer's case page says
so before the decision."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.certificates.test_issuing import with_certificate
from tests.world import World
from tongban.cases.models import Case
from tongban.cases.services import case_act
from tongban.certificates.models import Certificate
from tongban.core.errors import ConflictError
from tongban.identity.models import Account, Person, VerificationLevel

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def _step(world: World, case: Case, action: str, account: Account) -> Case:
    case.refresh_from_db()
    return case_act(
        case=case,
        action=action,
        expected_version=case.lock_version,
        account=account,
        actor=world.actor,
        now=timezone.now(),
    )


def test_no_certificate_for_a_self_registered_holder_and_the_officer_is_told_first(
    world: World, login_staff: Login
) -> None:
    with_certificate(world)
    Person.objects.filter(pk=world.engineer.pk).update(verification_level=VerificationLevel.SELF_REGISTERED)
    case = world.submitted_case()
    for action in ("accept", "start_review", "propose_approval"):
        case = _step(world, case, action, world.officer.account)
    officer = Client()
    login_staff(officer, world.supervisor.account)
    page = officer.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    assert "has not had their identity verified" in page and world.engineer.display_name in page
    with pytest.raises(ConflictError) as refused:
        _step(world, case, "approve", world.supervisor.account)
    assert refused.value.code == "holder_not_verified"
    case.refresh_from_db()
    assert case.status == "awaiting_approval" and not Certificate.objects.filter(case_number=case.number).exists()
    # Verified at a window (or against the registry), the same approval goes through.
    Person.objects.filter(pk=world.engineer.pk).update(verification_level=VerificationLevel.IN_PERSON_VERIFIED)
    assert (
        "has not had their identity verified"
        not in officer.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    )
    case = _step(world, case, "approve", world.supervisor.account)
    assert Certificate.objects.get(case_number=case.number).holder_person_id == world.engineer.pk
