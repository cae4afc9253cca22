"""A document number as people type it finds the person wherever staff or a firm look one up by hand.

Chinese input methods left in full-width mode type ``１１０１…``, and numbers are often copied with
hyphens or spaces between their parts. ``identity.idnumbers.normalise`` folds all of these; the
clerk's window and the firm's power grant used to upper-case and drop ASCII spaces only, so such a
number found nobody (issue 14).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import FirmFactory, PersonFactory, StaffRoleFactory
from tongban.identity.models import Account, IdType, Power

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]

#: ASCII digits and letters to their full-width forms (U+FF10…, U+FF21…, U+FF41…).
FULL_WIDTH = str.maketrans(
    {char: chr(ord(char) + 0xFEE0) for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}
)


def full_width(number: str) -> str:
    """``110105…`` as a full-width input method types it: ``１１０１０５…``."""
    return number.translate(FULL_WIDTH)


def full_width_with_hyphens(number: str) -> str:
    """A resident ID split into region, birth date and sequence by full-width hyphens: ``３１０１０４－１９８５…``."""
    return full_width(f"{number[:6]}-{number[6:14]}-{number[14:]}").replace("-", "－")


def hyphens_and_spaces(number: str) -> str:
    """ASCII hyphens, and an ideographic space (U+3000), as a number is copied from a document."""
    return f"{number[:6]}-{number[6:14]}\u3000{number[14:]}"


TYPINGS = [full_width, full_width_with_hyphens, hyphens_and_spaces]


@pytest.mark.parametrize("typed", TYPINGS, ids=lambda typing: typing.__name__)
def test_a_resident_id_typed_at_the_window_finds_the_person(
    client: Client, login_staff: Login, typed: Callable[[str], str]
) -> None:
    clerk = StaffRoleFactory(clerk=True)
    person = PersonFactory()
    login_staff(client, clerk.account)
    response = client.get("/en/backoffice/people/verify/", {"id_number": typed(person.id_number)})
    assert response.status_code == 200
    assert response.context["person"] == person
    assert "No registered person" not in response.content.decode()


def test_a_passport_number_typed_in_full_width_lower_case_at_the_window_finds_the_person(
    client: Client, login_staff: Login
) -> None:
    clerk = StaffRoleFactory(clerk=True)
    person = PersonFactory(
        account=None, id_type=IdType.PASSPORT, id_number="ZX9876543", nationality="FR", latin_name="DURAND Claire"
    )
    login_staff(client, clerk.account)
    response = client.get("/en/backoffice/people/verify/", {"id_number": full_width("zx 9876543"), "nationality": "FR"})
    assert response.status_code == 200
    assert response.context["person"] == person


@pytest.mark.parametrize("typed", TYPINGS, ids=lambda typing: typing.__name__)
def test_a_resident_id_typed_for_a_power_grant_finds_the_staff_member(
    client: Client, login_person: Login, typed: Callable[[str], str]
) -> None:
    firm = FirmFactory()
    staff = PersonFactory()
    login_person(client, firm.legal_representative.account)
    expires = (timezone.localdate() + timedelta(days=90)).isoformat()
    response = client.post(
        f"/en/my/firms/{firm.uscc}/staff/",
        {"id_number": typed(staff.id_number), "area": "tax", "expires_on": expires},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Power.objects.filter(firm=firm, grantee=staff, area="tax").exists()
