"""Seal what is pending, then check every stream's hash chain and signed checkpoints.

Exits with status 1 if any stream is broken, naming each problem.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.audit import streams
from tongban.audit.services import seal_pending, verify_stream


class Command(BaseCommand):
    help = "Seal pending audit entries and verify the hash chains and signed checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stream", action="append", help="Only this stream (repeatable).")
        parser.add_argument("--no-seal", action="store_true", help="Verify without sealing pending entries.")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["stream"] or streams.names()
        broken = 0
        for name in names:
            if not options["no_seal"]:
                sealed = seal_pending(name)
                if sealed:
                    self.stdout.write(f"{name}: sealed {sealed} pending entries")
            report = verify_stream(name)
            status = "OK" if report.ok else "BROKEN"
            self.stdout.write(
                f"{name}: {status} — {report.sealed} sealed entries, head seq {report.head_seq}, "
                f"{report.checkpoints} signed checkpoints, {report.pending} pending"
                + (f", pruned through seq {report.pruned_through}" if report.pruned_through else "")
            )
            for problem in report.problems:
                self.stdout.write(f"  {name}: {problem}")
            broken += 0 if report.ok else 1
        if broken:
            raise CommandError(f"{broken} audit stream(s) failed verification")
