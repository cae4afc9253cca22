"""Case numbers are unique by constraint; a clash of the random part draws another number inside
the same transaction (no savepoint: the INSERT skips a taken number), a clash every time is refused
with nothing written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone

from tests.world import World
from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.services import submit
from tongban.core.errors import ConflictError
from tongban.forms.models import Application, ApplicationStatus
from tongban.forms.services import application_start

pytestmark = pytest.mark.django_db


def _draft(world: World) -> Application:
    application = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application)
    return application


def test_a_taken_number_draws_another(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = world.submitted_case().number
    numbers: Iterator[str] = iter([taken, taken, "TB20261127ZZZZZZ"])
    monkeypatch.setattr(submit, "new_case_number", lambda now: next(numbers))
    application = _draft(world)
    case = services.case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())
    assert case.number == "TB20261127ZZZZZZ"
    assert Case.objects.get(application=application).pk == case.pk
    assert Case.objects.filter(number=taken).count() == 1
    assert case.events.count() >= 1 and case.parties.exists()  # the rest of the transaction went on


def test_a_number_taken_every_time_is_refused_and_nothing_is_written(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = world.submitted_case().number
    monkeypatch.setattr(submit, "new_case_number", lambda now: taken)
    application = _draft(world)
    cases_before = Case.objects.count()
    with pytest.raises(ConflictError):
        services.case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())
    assert Case.objects.count() == cases_before
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
