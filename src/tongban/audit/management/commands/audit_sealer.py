"""The background sealer: every few seconds, chain newly committed entries of every stream."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from tongban.audit import streams
from tongban.audit.services import seal_pending


class Command(BaseCommand):
    help = "Run the audit sealer loop (or one pass with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Seal once and exit.")
        parser.add_argument("--interval", type=float, default=None, help="Seconds between passes.")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"] or settings.AUDIT_SEAL_INTERVAL_SECONDS
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            close_old_connections()
            for name in streams.names():
                sealed = seal_pending(name)
                if sealed:
                    self.stdout.write(f"{name}: sealed {sealed}")
            if options["once"] or stopping:
                return
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.1)
