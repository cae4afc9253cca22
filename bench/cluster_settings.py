"""Settings for ``make bench-cluster``: ``bench.settings`` on the cluster's own backing services.

``bench.cluster`` runs every Django process of the bench cluster (the two web nodes, the single
node it is compared with, the RQ workers, the sealer, the scheduler and the driver itself) with
the environment ``scripts/cluster.py`` gives the cluster's processes (``Cluster.django_env``:
Redis cache and queue, S3, ``SECRET_KEY``, ``TONGBAN_VAR_DIR``, ``DATABASE_REPLICA_URL``, and
``TRUSTED_PROXY_COUNT=1`` on the nodes behind HAProxy), plus ``BENCH_DATABASE_URL`` naming the
bench database on the cluster's primary. ``bench.settings`` alone would drop two of those:

* its ``DATABASES`` holds only the bench database, while ``tongban.conf.base`` has already set
  ``DATABASE_ROUTERS`` to the replica router: the replica (``DATABASE_REPLICA_URL``) is added back;
* its ``TASKS`` is django-tasks' database backend (``make bench`` runs a ``db_worker``): here the
  cluster's RQ backend (``TASKS_BACKEND``, ``TASKS_REDIS_URL``) is kept, worked by its RQ workers.

Everything else (``ROOT_URLCONF = "bench.urls"`` with the floor views, the bench app, the throttles
off, the key files beside the data set, e-mail to memory) is ``bench.settings``'s.
"""

from __future__ import annotations

from bench.settings import *  # noqa: F403
from bench.settings import DATABASES
from tongban.conf import base

if "replica" in base.DATABASES:
    DATABASES = {**DATABASES, "replica": base.DATABASES["replica"]}
TASKS = base.TASKS
