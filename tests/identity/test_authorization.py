"""Who may act for a firm: checked on every request, so expiry and revocation work at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import FirmFactory, PersonFactory, PowerFactory
from tests.querycount import assert_queries_flat
from tongban.core.errors import NotFoundError, PermissionDeniedError
from tongban.identity.models import Account, Power, ServiceArea
from tongban.identity.permissions import acting_authority, firm_access

pytestmark = pytest.mark.django_db


def test_legal_representative_acts_in_every_area_without_a_grant() -> None:
    firm = FirmFactory()
    for area in ServiceArea.values:
        authority = acting_authority(person=firm.legal_representative, firm=firm, area=area, now=timezone.now())
        assert authority.power is None


def test_staff_acts_only_in_granted_area() -> None:
    power = PowerFactory(area=ServiceArea.SOCIAL_SECURITY)
    now = timezone.now()
    assert acting_authority(person=power.grantee, firm=power.firm, area="social_security", now=now).power == power
    with pytest.raises(PermissionDeniedError):
        acting_authority(person=power.grantee, firm=power.firm, area="tax", now=now)


def test_power_for_one_firm_gives_nothing_for_another() -> None:
    power = PowerFactory()
    with pytest.raises(PermissionDeniedError):
        acting_authority(person=power.grantee, firm=FirmFactory(), area=power.area, now=timezone.now())
    with pytest.raises(NotFoundError):
        firm_access(person=power.grantee, uscc=FirmFactory().uscc, now=timezone.now())


@pytest.mark.parametrize("trait", ["expired", "revoked"])
def test_expired_or_revoked_power_does_not_work(trait: str) -> None:
    power = PowerFactory(**{trait: True})
    with pytest.raises(PermissionDeniedError):
        acting_authority(person=power.grantee, firm=power.firm, area=power.area, now=timezone.now())


def test_power_expires_at_the_instant() -> None:
    power = PowerFactory()
    assert acting_authority(
        person=power.grantee, firm=power.firm, area=power.area, now=power.expires_at - timedelta(seconds=1)
    )
    with pytest.raises(PermissionDeniedError):
        acting_authority(person=power.grantee, firm=power.firm, area=power.area, now=power.expires_at)


def test_unknown_area_is_refused() -> None:
    firm = FirmFactory()
    with pytest.raises(PermissionDeniedError):
        acting_authority(person=firm.legal_representative, firm=firm, area="everything", now=timezone.now())


# --- The same rules through every URL of the firm's space -------------------------------


def firm_urls(uscc: str, power_id: int) -> dict[str, str]:
    return {
        "space": f"/en/my/firms/{uscc}/",
        "area_tax": f"/en/my/firms/{uscc}/areas/tax/",
        "area_social": f"/en/my/firms/{uscc}/areas/social_security/",
        "staff": f"/en/my/firms/{uscc}/staff/",
    }


def test_stranger_gets_nothing_by_any_url(client: Client, login_person: Callable[[Client, Account], None]) -> None:
    power = PowerFactory()
    stranger = PersonFactory()
    login_person(client, stranger.account)
    for url in firm_urls(power.firm.uscc, power.pk).values():
        assert client.get(url).status_code == 404, url
    response = client.post(f"/en/my/firms/{power.firm.uscc}/powers/{power.pk}/revoke/")
    assert response.status_code == 404
    power.refresh_from_db()
    assert power.revoked_at is None


def test_staff_member_reaches_only_their_area(client: Client, login_person: Callable[[Client, Account], None]) -> None:
    power = PowerFactory(area=ServiceArea.SOCIAL_SECURITY)
    login_person(client, power.grantee.account)
    urls = firm_urls(power.firm.uscc, power.pk)
    assert client.get(urls["space"]).status_code == 200
    assert client.get(urls["area_social"]).status_code == 200
    assert client.get(urls["area_tax"]).status_code == 403
    assert client.get(urls["staff"]).status_code == 403
    assert client.post(urls["staff"], {"id_number": "X", "area": "tax", "expires_on": "2030-01-01"}).status_code == 403
    assert client.post(f"/en/my/firms/{power.firm.uscc}/powers/{power.pk}/revoke/").status_code == 403


def test_revocation_stops_the_next_request(client: Client, login_person: Callable[[Client, Account], None]) -> None:
    power = PowerFactory(area=ServiceArea.SOCIAL_SECURITY)
    url = f"/en/my/firms/{power.firm.uscc}/areas/social_security/"
    login_person(client, power.grantee.account)
    assert client.get(url).status_code == 200
    legal_rep = Client()
    login_person(legal_rep, power.firm.legal_representative.account)
    assert legal_rep.post(f"/en/my/firms/{power.firm.uscc}/powers/{power.pk}/revoke/").status_code == 302
    assert client.get(url).status_code == 404  # no power left at all: the firm is not even visible


def test_legal_representative_grants_through_the_page(
    client: Client, login_person: Callable[[Client, Account], None]
) -> None:
    firm = FirmFactory()
    staff = PersonFactory(foreigner=True)
    login_person(client, firm.legal_representative.account)
    expires = (timezone.localdate() + timedelta(days=90)).isoformat()
    response = client.post(
        f"/en/my/firms/{firm.uscc}/staff/",
        {
            "id_number": staff.id_number.lower(),
            "nationality": staff.nationality.code,
            "area": "foreign_staff",
            "expires_on": expires,
        },
    )
    assert response.status_code == 302
    assert acting_authority(person=staff, firm=firm, area="foreign_staff", now=timezone.now()).power is not None


def test_grant_form_shows_errors_and_keeps_input(
    client: Client, login_person: Callable[[Client, Account], None]
) -> None:
    firm = FirmFactory()
    login_person(client, firm.legal_representative.account)
    response = client.post(
        f"/en/my/firms/{firm.uscc}/staff/", {"id_number": "NOBODY123", "area": "tax", "expires_on": "2020-01-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html and "No registered person" in html
    assert 'value="NOBODY123"' in html and 'aria-invalid="true"' in html


def test_grant_form_lists_every_problem_in_one_round(
    client: Client, login_person: Callable[[Client, Account], None]
) -> None:
    """The unknown person, the missing area and the too distant expiry together — not one per try."""
    firm = FirmFactory()
    login_person(client, firm.legal_representative.account)
    far = (timezone.localdate() + timedelta(days=5 * 366)).isoformat()
    response = client.post(f"/en/my/firms/{firm.uscc}/staff/", {"id_number": "NOBODY123", "expires_on": far})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "No registered person" in errors["id_number"][0]
    assert errors["area"] == ["This field is required."]
    assert errors["expires_on"] == ["A power can be granted for at most three years."]
    staff = PersonFactory(account=None)
    response = client.post(
        f"/en/my/firms/{firm.uscc}/staff/",
        {"id_number": staff.id_number, "area": "tax", "expires_on": "2020-01-01"},
    )
    errors = response.context["form"].errors
    assert errors["id_number"] == ["This person has no account yet; ask them to register first."]
    assert errors["expires_on"] == ["The expiry date must be in the future."]
    assert not Power.objects.filter(firm=firm).exists()


def test_staff_page_queries_do_not_grow_with_powers(
    client: Client, login_person: Callable[[Client, Account], None]
) -> None:
    firm = FirmFactory()
    login_person(client, firm.legal_representative.account)
    url = f"/en/my/firms/{firm.uscc}/staff/"
    PowerFactory.create_batch(2, firm=firm)

    def add_rows() -> None:
        PowerFactory.create_batch(15, firm=firm)
        PowerFactory.create_batch(5, firm=firm, revoked=True)

    html = assert_queries_flat(client, url, add_rows, at_most=10).many.content.decode()
    assert html.count('class="button button-danger"') == 17


def test_of_two_live_powers_in_one_area_the_longer_lasting_is_the_basis() -> None:
    now = timezone.now()
    short = PowerFactory(area=ServiceArea.SOCIAL_SECURITY, expires_at=now + timedelta(days=3))
    longer = PowerFactory(
        firm=short.firm, grantee=short.grantee, area=ServiceArea.SOCIAL_SECURITY, expires_at=now + timedelta(days=90)
    )
    PowerFactory(firm=short.firm, grantee=short.grantee, area=ServiceArea.TAX, expires_at=now + timedelta(days=900))
    authority = acting_authority(person=short.grantee, firm=short.firm, area="social_security", now=now)
    assert authority.power == longer
    assert (
        acting_authority(
            person=short.grantee, firm=short.firm, area="social_security", now=now + timedelta(days=4)
        ).power
        == longer
    )


def test_person_by_identifier_tells_resident_ids_from_passports() -> None:
    from tongban.identity.selectors import person_by_identifier

    resident = PersonFactory()
    foreigner = PersonFactory(foreigner=True, nationality="FR")
    assert person_by_identifier(id_number=resident.id_number) == resident
    assert person_by_identifier(id_number=resident.id_number, nationality="FR") == resident
    found = person_by_identifier(id_number=foreigner.id_number, nationality="FR")
    assert found == foreigner and found.account == foreigner.account  # the account comes along
    assert person_by_identifier(id_number=foreigner.id_number) is None  # a passport needs its country
    assert person_by_identifier(id_number=foreigner.id_number, nationality="DE") is None
    assert person_by_identifier(id_number="no-such-number", nationality="FR") is None
