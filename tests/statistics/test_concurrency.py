"""Issue 17: concurrent case traffic on PostgreSQL while the catch-up runs again and again, then
every fact table compared with a full recount: equal.

Worker threads submit cases and take them through acceptance, review and decision (two officers
racing on the same case now and then, so some steps roll back and leave holes in the id
sequences); one worker holds its submission's transaction open while others commit, so rows with
lower ids become visible after higher ones were counted — the gaps the watermarks must keep."""

from __future__ import annotations

import contextlib
import random
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.statistics.conftest import act, approve
from tests.world import World
from tongban.cases.models import Case
from tongban.core.errors import ConflictError
from tongban.statistics.models import Watermark
from tongban.statistics.recount import recount, stored_facts
from tongban.statistics.services import facts_catch_up


@pytest.mark.django_db(transaction=True)
def test_concurrent_traffic_then_every_fact_table_equals_a_full_recount(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("true parallel writers need PostgreSQL; this runs in the PostgreSQL pass")
    errors: list[BaseException] = []
    done = threading.Event()

    def lifecycle(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(4):
                if seed == 0:  # a slow submission: its ids are taken long before they are visible
                    with transaction.atomic():
                        case = world.submitted_case()
                        time.sleep(0.4)
                else:
                    case = world.submitted_case()
                choice = rng.random()
                try:
                    if choice < 0.4:
                        approve(world, case)
                    elif choice < 0.6:
                        act(world, case, "refuse_acceptance", reason="Incomplete")
                    elif choice < 0.75:
                        act(world, case, "withdraw", who="applicant")
                    else:
                        act(world, case, "accept")
                except ConflictError:
                    pass
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def race(case_id: int) -> None:
        try:
            case = Case.objects.get(pk=case_id)
            with contextlib.suppress(ConflictError):
                act(world, case, "accept")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def catch_up_again_and_again() -> None:
        try:
            while not done.is_set():
                facts_catch_up(now=timezone.now(), batch_size=3)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    contested = [world.submitted_case().pk for _ in range(3)]
    catcher = threading.Thread(target=catch_up_again_and_again)
    catcher.start()
    workers = [threading.Thread(target=lifecycle, args=(seed,)) for seed in range(4)]
    workers += [threading.Thread(target=race, args=(pk,)) for pk in contested for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    done.set()
    catcher.join()
    assert errors == []
    facts_catch_up(now=timezone.now())
    now = timezone.now()
    stored, counted = stored_facts(now=now), recount(now=now)
    assert stored == counted
    assert sum(stored["case"].values(), ()) and Case.objects.count() == 19
    assert Watermark.objects.get(stream="case_events").rows > 0
