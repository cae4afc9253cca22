"""The applicant's page of one case: the history says what a supplement request asked for, by
name, in the page's language — never the event's raw data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.world import World
from tongban.cases.models import Case
from tongban.cases.services import case_act
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db


def _act(w: World, case: Case, action: str, **kwargs: object) -> Case:
    case.refresh_from_db()
    return case_act(
        case=case,
        action=action,
        expected_version=case.lock_version,
        account=w.officer.account,
        actor=w.actor,
        now=timezone.now(),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("language", "material", "heading"), [("en", "Passport copy", "Asked for:"), ("zh", "护照", "要求补充：")]
)
def test_history_names_what_a_supplement_request_asked_for(
    world: World, login_person: Callable[[Client, Account], None], language: str, material: str, heading: str
) -> None:
    case = world.submitted_case()
    for action in ("accept", "start_review"):
        case = _act(world, case, action)
    _act(world, case, "request_supplement", materials=["passport"], items=["A clearer scan of page 2 <b>"])
    client = Client()
    assert world.hr.account is not None
    login_person(client, world.hr.account)
    html = client.get(f"/{language}/my/cases/{case.number}/").content.decode()
    history = html[html.index('<ol class="timeline">') : html.index("</ol>", html.index('<ol class="timeline">'))]
    assert heading in history and f"<li>{material}</li>" in history
    assert "<li>A clearer scan of page 2 &lt;b&gt;</li>" in history  # the officer's text, escaped
    assert "('items'" not in html and "materials" not in history  # no raw event data
    assert 'datetime="' in history and "+08:00" in history  # times in the city's zone
