"""Settings of the RQ worker subprocesses that ``test_worker_killed`` starts: the base settings
with the RQ task backend (``TASKS_BACKEND``, ``TASKS_REDIS_URL``, ``DATABASE_URL`` pointing at the
test database, the test's key rings and gateway all come from the environment), working on the
test's own queue ``TONGBAN_TEST_RQ_QUEUE`` so that no other run's worker takes its jobs."""

import os

from tongban.conf.base import *  # noqa: F403
from tongban.conf.base import RQ_QUEUES, TASKS_BACKEND, TASKS_REDIS_URL

QUEUE = os.environ["TONGBAN_TEST_RQ_QUEUE"]
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default", QUEUE]}}
RQ_QUEUES = {**RQ_QUEUES, QUEUE: {"URL": TASKS_REDIS_URL}}
