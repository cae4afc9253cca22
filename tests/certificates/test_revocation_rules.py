"""Issue 15: revocation belongs to the issuing office, needs four eyes where the issue did, and
publishes a reason from a fixed bilingual list while the officer's own words stay internal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.certificates.test_issuing import approve, with_certificate
from tests.factories import AgencyOfficeFactory, StaffRoleFactory
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.certificates.models import Certificate
from tongban.certificates.services import certificate_revocation_confirm, certificate_revoke
from tongban.core.errors import PermissionDeniedError
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def issued(world: World) -> Certificate:
    with_certificate(world)
    return Certificate.objects.get(case_number=approve(world, world.submitted_case()).number)


def revoke(certificate: Certificate, account: Account, world: World) -> Certificate:
    return certificate_revoke(
        certificate=certificate,
        account=account,
        reason="Internal: the employer reported the contract ended",
        reason_code="conditions_not_met",
        actor=world.actor,
        now=timezone.now(),
    )


def test_a_district_officer_of_the_same_agency_can_neither_open_nor_revoke(
    client: Client, world: World, login_staff: Login
) -> None:
    certificate = issued(world)
    assert certificate.office_id == world.officer.office_id and certificate.four_eyes
    district = AgencyOfficeFactory(agency=world.version.item.agency, level="district", district_code="310115")
    district_officer = StaffRoleFactory(agency=world.version.item.agency, office=district)
    login_staff(client, district_officer.account)
    assert client.get(f"/en/backoffice/certificates/{certificate.number}/").status_code == 404
    assert certificate.number not in client.get("/en/backoffice/certificates/").content.decode()
    with pytest.raises(PermissionDeniedError):
        revoke(certificate, district_officer.account, world)
    operator = StaffRoleFactory(city_operator=True)
    with pytest.raises(PermissionDeniedError):
        revoke(certificate, operator.account, world)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None and certificate.revocation_proposed_at is None


def test_four_eyes_revocation_and_the_public_reason(client: Client, world: World) -> None:
    certificate = issued(world)
    revoke(certificate, world.officer.account, world)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None and certificate.revocation_proposed_by_id == world.officer.account_id
    assert AuditEvent.objects.filter(action="certificates.revocation_proposed", object_id=certificate.number).exists()
    assert Client().get(f"/verify/{certificate.number}.json").json()["status"] == "valid"
    other_officer = StaffRoleFactory(agency=world.version.item.agency, office=world.officer.office)
    for account in (world.officer.account, other_officer.account):  # the proposer, and another officer
        with pytest.raises(PermissionDeniedError):
            certificate_revocation_confirm(
                certificate=certificate, account=account, actor=world.actor, now=timezone.now()
            )
    certificate_revocation_confirm(
        certificate=certificate, account=world.supervisor.account, actor=world.actor, now=timezone.now()
    )
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_by_id == world.supervisor.account_id
    event = AuditEvent.objects.get(action="certificates.revoked", object_id=certificate.number)
    assert event.data["proposed_by"] == world.officer.account_id
    for language in ("en", "zh-hans"):
        page = client.get(f"/verify/{certificate.number}", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "contract ended" not in page
    assert (
        "The conditions for it are no longer met"
        in client.get(f"/verify/{certificate.number}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert (
        "已不再符合条件" in client.get(f"/zh/verify/{certificate.number}").content.decode()
        or "已不再符合条件"
        in client.get(f"/verify/{certificate.number}", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )
    data = client.get(f"/verify/{certificate.number}.json").json()
    assert data["reason"] == "conditions_not_met" and "contract" not in str(data)


def test_certificates_issued_before_the_office_was_recorded_get_it_from_their_case(world: World) -> None:
    """The backfill (cases 0007): the issuing office and the four-eyes rule come from the case, so
    the office's officers may revoke under four eyes; a certificate without a case keeps none."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("tongban.cases.migrations.0007_backfill_certificate_issuing_office")
    certificate = issued(world)
    Certificate.objects.filter(pk=certificate.pk).update(office=None, four_eyes=False)
    backfill.backfill_issuing_office(apps, None)
    certificate.refresh_from_db()
    assert certificate.office_id == world.officer.office_id and certificate.four_eyes
    Certificate.objects.filter(pk=certificate.pk).update(office=None, four_eyes=False, case_number="X-NO-SUCH-CASE")
    backfill.backfill_issuing_office(apps, None)
    certificate.refresh_from_db()
    assert certificate.office_id is None and certificate.four_eyes is False
