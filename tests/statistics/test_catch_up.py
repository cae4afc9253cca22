"""The catch-up against a full recount: correct for a small world, idempotent (run twice = the
same facts), resumable after a batch that failed half-way, and exact under edits."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.statistics.conftest import act, small_world
from tests.world import World
from tongban.statistics.models import CaseFact, CompletionFact, PartyFact, WaitFact, Watermark
from tongban.statistics.recount import recount, stored_facts
from tongban.statistics.services import facts_catch_up

pytestmark = pytest.mark.django_db


def test_catch_up_equals_a_full_recount(world: World) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now(), batch_size=3)
    now = timezone.now()
    assert stored_facts(now=now) == recount(now=now)
    city = {"agency_id": 0, "item_id": 0}  # the roll-up rows of the whole city
    statuses = dict(CaseFact.objects.filter(n__gt=0, **city).values_list("status", "n"))
    assert sum(statuses.values()) == 6
    assert statuses["approved"] == 2
    completions = list(CompletionFact.objects.filter(**city).values_list("visits", "n"))
    assert sum(n for v, n in completions if v == 0) == 2
    assert sum(n for v, n in completions if v == 1) == 1
    assert CaseFact.objects.filter(item_id=world.version.item_id, status="approved").get().n == 2
    assert WaitFact.objects.get().minutes == 17
    assert PartyFact.objects.filter(kind="firm").exists()


def test_running_twice_changes_nothing(world: World) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now())
    first = stored_facts(now=timezone.now())
    read = facts_catch_up(now=timezone.now())
    assert set(read.values()) == {0}
    assert stored_facts(now=timezone.now()) == first


def test_new_steps_move_counts_and_match_the_recount(world: World) -> None:
    cases = small_world(world)
    facts_catch_up(now=timezone.now())
    act(world, cases[4], "accept")
    world.submitted_case()
    facts_catch_up(now=timezone.now())
    now = timezone.now()
    assert stored_facts(now=now) == recount(now=now)


class CrashError(Exception):
    pass


def test_a_batch_that_fails_half_way_counts_nothing_and_the_next_run_resumes(world: World) -> None:
    small_world(world)
    calls = []

    def fail_on_the_third_batch(stream: str, rows: int) -> None:
        calls.append(stream)
        if len(calls) == 3:  # its facts are written, its watermark not yet committed
            raise CrashError

    with pytest.raises(CrashError):
        facts_catch_up(now=timezone.now(), batch_size=4, progress=fail_on_the_third_batch)
    assert Watermark.objects.get(stream="case_events").last_id > 0  # two batches were kept
    facts_catch_up(now=timezone.now(), batch_size=4)
    now = timezone.now()
    assert stored_facts(now=now) == recount(now=now)


def test_stopping_after_some_batches_resumes_where_it_stopped(world: World) -> None:
    small_world(world)
    facts_catch_up(now=timezone.now(), batch_size=2, max_batches=1)
    assert stored_facts(now=timezone.now()) != recount(now=timezone.now())
    facts_catch_up(now=timezone.now(), batch_size=2)
    now = timezone.now()
    assert stored_facts(now=now) == recount(now=now)


def test_the_command_catches_up(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    small_world(world)
    out = StringIO()
    call_command("statistics_catch_up", stdout=out)
    assert "case_events: " in out.getvalue()
    now = timezone.now()
    assert stored_facts(now=now) == recount(now=now)


def test_the_scheduler_runs_the_catch_up_every_few_minutes(world: World) -> None:
    from datetime import timedelta

    from tongban.core import schedule
    from tongban.statistics.tasks import catch_up

    (job,) = [job for job in schedule.jobs() if job.name == "statistics.catch_up"]
    assert job.every == timedelta(minutes=3) and job.task is catch_up
    small_world(world)
    assert catch_up.call(slot="") > 0
    assert catch_up.call(slot="") == 0  # safe to run twice
    now = timezone.now()
    assert stored_facts(now=now) == recount(now=now)


def test_an_edited_rating_moves_its_count_and_its_ticket_is_counted(world: World) -> None:
    from tongban.cases.models import Case
    from tongban.core.actors import Actor
    from tongban.reviews import services as reviews
    from tongban.statistics.models import ReviewFact

    cases = small_world(world)
    decided = Case.objects.get(pk=cases[0].pk)  # approved
    actor = Actor.system("tests")
    review = reviews.review_submit(
        account=world.hr.account, target=decided, level=5, reasons=[], comment="", actor=actor, now=timezone.now()
    )
    facts_catch_up(now=timezone.now())
    assert dict(ReviewFact.objects.filter(n__gt=0).values_list("level", "n")) == {5: 1}
    reviews.review_edit(
        review=review, account=world.hr.account, level=1, reasons=[], comment="", actor=actor, now=timezone.now()
    )
    facts_catch_up(now=timezone.now())
    row = ReviewFact.objects.get(n__gt=0)
    assert (row.level, row.n, row.tickets) == (1, 1, 1)  # moved, not added; level 1 opened a ticket
    now = timezone.now()
    assert stored_facts(now=now) == recount(now=now)
