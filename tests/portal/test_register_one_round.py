"""Registration lists every problem in one round: the form's own required-field errors together
with the identity service's checks (document number, user name, names, password), not one round
per problem; nothing is written while any is left."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.identity.models import Account, Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "wrong_check", "bad_user_name", "required", "common"),
    [
        ("en", "check character is wrong", "Use 3 to 64 letters", "This field is required.", "too common"),
        ("zh", "校验位有误", "3至64位", "此项为必填项。", "太常见"),
    ],
)
def test_every_problem_in_one_round(
    client: Client, language: str, wrong_check: str, bad_user_name: str, required: str, common: str
) -> None:
    response = client.post(
        f"/{language}/register/",
        {
            "id_type": "resident_id",
            "id_number": "310104199003071230",  # wrong check character
            "name": "",  # required for resident ID holders (a service rule, not the form's)
            "username": "-x",  # bad format
            "email": "",  # the form's required check
            "password": "password123",
            "password_again": "password123",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    for text in (wrong_check, bad_user_name, required, common):
        assert text in html, text
    errors = response.context["form"].errors
    assert set(errors) >= {"id_number", "name", "username", "email", "password"}
    assert not Account.objects.exists() and not Person.objects.exists()


def test_a_correct_registration_still_opens_the_account(client: Client) -> None:
    response = client.post(
        "/en/register/",
        {
            "id_type": "passport",
            "id_number": "K7654321",
            "nationality": "DE",
            "name": "",
            "latin_name": "MUELLER Anna",
            "username": "anna.mueller",
            "email": "anna@example.org",
            "password": "Lantern-Orchid-1987",
            "password_again": "Lantern-Orchid-1987",
        },
    )
    assert response.status_code == 302
    assert Person.objects.with_id_number("K7654321").get().account.username == "anna.mueller"
