import cProfile
import io
import pstats
import time

import pytest
from django.test import Client

from tests.world import World

pytestmark = pytest.mark.django_db


def test_prof(world: World, login_person, settings):
    settings.DEBUG = False
    c = Client()
    login_person(c, world.hr.account)
    case = world.submitted_case()
    url = f"/en/my/cases/{case.number}/"
    for _ in range(20):
        c.get(url)
    t = time.perf_counter()
    n = 200
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(n):
        c.get(url)
    pr.disable()
    print("per request ms", (time.perf_counter() - t) / n * 1000)
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(45)
    print(s.getvalue()[:9000])
