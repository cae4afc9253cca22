"""The scheduler: enqueue each periodic job (``core.schedule``) once per period.

Run one per node or several for availability: each period is claimed once in the database, so two
schedulers never enqueue a job twice. ``--once`` looks once and exits (for cron and tests).
"""

from __future__ import annotations

import signal
import time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from tongban.core import schedule
from tongban.core.clock import now


class Command(BaseCommand):
    help = "Run the scheduler loop (or one look with --once): enqueue each due periodic job once per period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue what is due, then exit.")
        parser.add_argument("--interval", type=float, default=None, help="Longest sleep between looks, in seconds.")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"] or settings.SCHEDULER_INTERVAL_SECONDS
        tz = ZoneInfo(settings.TIME_ZONE)
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        if not options["once"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            for name, slot in schedule.run_due(now(), tz):
                self.stdout.write(f"{name}: enqueued for {slot.isoformat()}")
            if options["once"] or stopping:
                return
            deadline = time.monotonic() + schedule.seconds_until_next(now(), tz, most=interval) + 0.05
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
            close_old_connections()  # a connection that broke while sleeping is not reused
