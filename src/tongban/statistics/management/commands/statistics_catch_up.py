"""``manage.py statistics_catch_up``: bring the fact tables up to date now (what the scheduled
task does), printing how many source rows each stream read."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tongban.statistics.services import facts_catch_up


class Command(BaseCommand):
    help = "Bring the statistics fact tables up to date with the case history and the audit streams."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=None, help="Source rows per transaction.")
        parser.add_argument("--verbose-progress", action="store_true", help="Print every batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(stream: str, rows: int) -> None:
            if options["verbose_progress"]:
                self.stdout.write(f"{stream}: {rows}")

        read = facts_catch_up(now=timezone.now(), batch_size=options["batch_size"], progress=progress)
        for stream, rows in read.items():
            self.stdout.write(f"{stream}: {rows} new rows")
