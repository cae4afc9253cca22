"""The bench's ``review`` phase builds its requests right (not timed: ``make bench`` times them):
it lists an applicant's own closed, unrated cases, and each of its lines is a rating form POST
that the real page answers with the expected 302 and records once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

import pytest
from bench import review as phase
from django.test import Client
from django.utils import timezone

from tests.factories import PersonFactory
from tests.world import World
from tongban.cases.models import Case
from tongban.identity.models import Account
from tongban.reviews.models import Review

pytestmark = pytest.mark.django_db


@dataclass
class Applicant:  # the fields of bench.run.Applicant the phase reads
    person_id: int
    cookie: str
    csrf_token: str
    cases: list[str]


def test_the_review_lines_rate_the_applicants_own_closed_cases_once(
    client: Client, world: World, login_person: Callable[[Client, Account], None]
) -> None:
    person = PersonFactory()
    closed = []
    for _ in range(3):
        case = world.submitted_case()
        Case.objects.filter(pk=case.pk).update(
            applicant=person, firm=None, power=None, status="closed", closed_at=timezone.now()
        )
        closed.append(case.number)
    open_case = world.submitted_case()
    Case.objects.filter(pk=open_case.pk).update(applicant=person, firm=None, power=None)
    applicant = Applicant(person.pk, "sessionid=x; csrftoken=y", "token", [])
    prepared = phase.prepare([applicant])
    assert sorted(prepared["cases"][person.pk]) == sorted(closed)  # not the open one
    spare = phase.count_requests(applicant, prepared)
    lines = phase.lines([applicant], prepared)
    assert len(lines) == 1 and len(spare) == 2
    method, path, cookie, body = lines[0].split("\t")
    assert (method, cookie) == ("POST", applicant.cookie) and path.startswith("/en/my/cases/")
    form = parse_qs(body)
    assert form["csrfmiddlewaretoken"] == ["token"] and form["action"] == ["rate"]
    login_person(client, person.account)
    response = client.post(path, {key: values for key, values in form.items() if key != "csrfmiddlewaretoken"})
    expected_status, expected_prefix = phase.EXPECT.split(":")
    assert response.status_code == int(expected_status) and response["Location"].startswith(expected_prefix)
    number = path.split("/")[4]
    assert Review.objects.get(case__number=number).level == int(form["level"][0])
    for _method, spare_path, data in spare:
        assert client.post(spare_path, data).status_code == 302
    assert Review.objects.count() == 3
