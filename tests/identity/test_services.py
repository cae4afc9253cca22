"""Identity services: registration, verification levels, powers, staff roles — each audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import (
    PASSWORD,
    AccountFactory,
    AgencyOfficeFactory,
    FirmFactory,
    PersonFactory,
    PowerFactory,
    StaffRoleFactory,
    resident_id_number,
)
from tongban.audit.models import AuditEvent
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.identity.models import IdType, Person, ServiceArea, StaffRole, VerificationLevel
from tongban.identity.services import (
    account_profile_update,
    person_register,
    person_verify_in_person,
    power_grant,
    power_revoke,
    staff_role_grant,
    staff_role_revoke,
)

pytestmark = pytest.mark.django_db


def register(actor: Actor, **overrides: str) -> Person:
    values = {
        "username": "new.user",
        "password": PASSWORD,
        "email": "new@example.org",
        "id_type": IdType.RESIDENT_ID,
        "id_number": resident_id_number(),
        "name": "李四",
        "actor": actor,
    }
    values.update(overrides)
    return person_register(**values)


def test_register_resident_starts_self_registered_and_is_audited(system_actor: Actor) -> None:
    person = register(system_actor)
    assert person.verification_level == VerificationLevel.SELF_REGISTERED
    assert person.nationality == "CN" and person.birth_date is not None
    assert person.account is not None and person.account.check_password(PASSWORD)
    assert person.account.password.startswith("argon2")
    event = AuditEvent.objects.get(action="identity.person_registered")
    assert event.object_id == str(person.pk) and event.actor_id == person.account.pk


def test_register_foreigner_by_passport(system_actor: Actor) -> None:
    person = register(
        system_actor, id_type="passport", id_number="c4j7 kx2m9", nationality="DE", name="", latin_name="SCHMIDT Emma"
    )
    assert (person.id_type, person.id_number, person.nationality, person.name) == (
        "passport",
        "C4J7KX2M9",
        "DE",
        "SCHMIDT Emma",
    )


def test_permanent_residence_id_takes_nationality_from_the_number(system_actor: Actor) -> None:
    from stdnum.cn import ric

    body = "931276198506010" + "01"  # Shanghai, Germany (276)
    person = register(system_actor, id_number=body + ric.calc_check_digit(body + "0"), name="MUELLER Hans")
    assert person.id_type == IdType.FOREIGN_PERMANENT_ID and person.nationality == "DE"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "310104199003071230"}, "id_number"),
        ({"id_type": "passport", "id_number": "AB12345", "nationality": "", "latin_name": "X Y"}, "nationality"),
        ({"id_type": "passport", "id_number": "AB12345", "nationality": "CN", "latin_name": "X Y"}, "nationality"),
        ({"id_type": "passport", "id_number": "AB12345", "nationality": "DE", "latin_name": ""}, "latin_name"),
        ({"username": "a"}, "username"),
        ({"password": "123"}, "password"),
        ({"name": "李\x00四"}, "name"),
    ],
)
def test_register_refuses_bad_input_with_a_field_error(
    system_actor: Actor, overrides: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        register(system_actor, **overrides)
    assert field in excinfo.value.error_dict
    assert not Person.objects.exists()


def test_same_document_cannot_register_twice(system_actor: Actor) -> None:
    number = resident_id_number()
    register(system_actor, id_number=number)
    with pytest.raises(ValidationError) as excinfo:
        register(system_actor, id_number=number.lower(), username="other.user")
    assert "id_number" in excinfo.value.error_dict


def test_only_a_clerk_raises_the_level_in_person_and_it_is_recorded(system_actor: Actor) -> None:
    person = PersonFactory()
    officer = StaffRoleFactory().account
    with pytest.raises(PermissionDeniedError):
        person_verify_in_person(person=person, clerk=officer, document="passport", actor=system_actor)
    clerk_role = StaffRoleFactory(clerk=True)
    person_verify_in_person(person=person, clerk=clerk_role.account, document="original ID card", actor=system_actor)
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.IN_PERSON_VERIFIED
    event = AuditEvent.objects.get(action="identity.person_verified_in_person")
    assert event.data["from_level"] == 1 and event.data["to_level"] == 3
    assert event.data["service_centre"] == clerk_role.service_centre.code


def test_profile_update_records_changed_fields_only(system_actor: Actor) -> None:
    account = AccountFactory(email="a@example.org")
    account_profile_update(
        account=account, email="b@example.org", phone="", preferred_language="zh-hans", actor=system_actor
    )
    event = AuditEvent.objects.get(action="identity.profile_updated")
    assert event.data == {"fields": ["email"]}


def test_power_grant_and_revoke(system_actor: Actor) -> None:
    firm = FirmFactory()
    staff = PersonFactory()
    now = timezone.now()
    power = power_grant(
        firm=firm,
        grantee=staff,
        area=ServiceArea.TAX,
        expires_at=now + timedelta(days=10),
        granted_by=firm.legal_representative,
        actor=system_actor,
        now=now,
    )
    granted = AuditEvent.objects.get(action="identity.power_granted")
    assert granted.acting_for == f"firm:{firm.uscc}" and granted.object_id == str(power.pk)
    with pytest.raises(ConflictError):
        power_grant(
            firm=firm,
            grantee=staff,
            area=ServiceArea.TAX,
            expires_at=now + timedelta(days=5),
            granted_by=firm.legal_representative,
            actor=system_actor,
            now=now,
        )
    power_revoke(power=power, revoked_by=firm.legal_representative, reason="left the firm", actor=system_actor, now=now)
    power.refresh_from_db()
    assert power.revoked_at == now and not power.is_active(now)
    assert AuditEvent.objects.get(action="identity.power_revoked").data["reason"] == "left the firm"
    with pytest.raises(ConflictError):
        power_revoke(power=power, revoked_by=firm.legal_representative, reason="", actor=system_actor, now=now)


def test_only_the_legal_representative_grants_and_revokes(system_actor: Actor) -> None:
    firm = FirmFactory()
    power = PowerFactory(firm=firm, area=ServiceArea.FOREIGN_STAFF)
    holder = power.grantee
    now = timezone.now()
    with pytest.raises(PermissionDeniedError):  # even a staff member holding powers cannot delegate
        power_grant(
            firm=firm,
            grantee=PersonFactory(),
            area=ServiceArea.TAX,
            expires_at=now + timedelta(days=1),
            granted_by=holder,
            actor=system_actor,
            now=now,
        )
    with pytest.raises(PermissionDeniedError):
        power_revoke(power=power, revoked_by=holder, reason="", actor=system_actor, now=now)


@pytest.mark.parametrize(("days", "field"), [(-1, "expires_on"), (0, "expires_on"), (3 * 366 + 1, "expires_on")])
def test_power_expiry_must_be_in_the_future_and_at_most_three_years(system_actor: Actor, days: int, field: str) -> None:
    firm = FirmFactory()
    now = timezone.now()
    with pytest.raises(ValidationError) as excinfo:
        power_grant(
            firm=firm,
            grantee=PersonFactory(),
            area=ServiceArea.TAX,
            expires_at=now + timedelta(days=days),
            granted_by=firm.legal_representative,
            actor=system_actor,
            now=now,
        )
    assert field in excinfo.value.error_dict


def test_staff_roles_city_operator_and_agency_admin(system_actor: Actor) -> None:
    now = timezone.now()
    admin = StaffRoleFactory(agency_admin=True)
    other_agency_admin = StaffRoleFactory(agency_admin=True)
    newcomer = AccountFactory()
    with pytest.raises(ValidationError):  # an officer needs an office of the agency
        staff_role_grant(
            account=newcomer, role="officer", agency=admin.agency, granted_by=admin.account, actor=system_actor, now=now
        )
    office = AgencyOfficeFactory(agency=admin.agency)
    role = staff_role_grant(
        account=newcomer,
        role="officer",
        agency=admin.agency,
        office=office,
        granted_by=admin.account,
        actor=system_actor,
        now=now,
    )
    with pytest.raises(PermissionDeniedError):  # an admin of another agency cannot touch it
        staff_role_revoke(staff_role=role, revoked_by=other_agency_admin.account, actor=system_actor, now=now)
    with pytest.raises(PermissionDeniedError):  # and cannot grant roles in someone else's agency
        staff_role_grant(
            account=newcomer,
            role="supervisor",
            agency=admin.agency,
            granted_by=other_agency_admin.account,
            actor=system_actor,
            now=now,
        )
    with pytest.raises(PermissionDeniedError):  # an agency admin cannot make city operators
        staff_role_grant(account=newcomer, role="city_operator", granted_by=admin.account, actor=system_actor, now=now)
    operator = StaffRoleFactory(city_operator=True)
    staff_role_grant(
        account=newcomer,
        role="clerk",
        service_centre=StaffRoleFactory(clerk=True).service_centre,
        granted_by=operator.account,
        actor=system_actor,
        now=now,
    )
    staff_role_revoke(staff_role=role, revoked_by=admin.account, actor=system_actor, now=now)
    assert StaffRole.objects.filter(account=newcomer, revoked_at__isnull=True).count() == 1
    actions = list(AuditEvent.objects.filter(action__startswith="identity.staff_role").values_list("action", flat=True))
    assert actions == ["identity.staff_role_granted", "identity.staff_role_granted", "identity.staff_role_revoked"]
