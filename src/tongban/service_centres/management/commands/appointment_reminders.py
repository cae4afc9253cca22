"""Send the day-before reminders of tomorrow's appointments (idempotent: each appointment is
reminded once, ``reminded_at``), and with ``--no-shows`` also mark past appointments nobody came
to. The scheduler runs the same services daily (``appointment_reminders`` job); this command is
for cron or a manual run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.core.actors import Actor
from tongban.core.clock import now
from tongban.service_centres.services import appointments_mark_no_show, appointments_remind


class Command(BaseCommand):
    help = "Send the reminders of tomorrow's appointments not reminded yet (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-shows", action="store_true", help="Also mark past appointments nobody came to.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("appointment_reminders")
        sent = appointments_remind(now=now(), actor=actor)
        self.stdout.write(f"reminders sent: {sent}")
        if options["no_shows"]:
            marked = appointments_mark_no_show(now=now(), actor=actor)
            self.stdout.write(f"no-shows marked: {marked}")
