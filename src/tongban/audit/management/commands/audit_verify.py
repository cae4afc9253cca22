"""Seal what is pending, then check every stream's hash chain and signed checkpoints.

``--since last`` starts after the stream's last verified mark, ``--since <seq>`` after the latest
signed statement below that position; either is checked by its signature first (ADR 0047). Reports
the entries verified and the time taken. Exits with status 1 if any stream is broken or its
incremental start is refused, naming each problem.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.audit import streams
from tongban.audit.verifying import parse_since, verify_and_report


class Command(BaseCommand):
    help = "Seal pending audit entries and verify the hash chains and signed checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stream", action="append", help="Only this stream (repeatable).")
        parser.add_argument("--no-seal", action="store_true", help="Verify without sealing pending entries.")
        parser.add_argument(
            "--since", type=parse_since, help="'last' (the last verified mark) or a sequence number: verify from there."
        )
        parser.add_argument("--no-record", action="store_true", help="Do not record a verified mark.")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["stream"] or streams.names()
        broken = 0
        for name in names:
            ok = verify_and_report(
                name,
                label=name,
                since=options["since"],
                seal=not options["no_seal"],
                record=not options["no_record"],
                write=self.stdout.write,
            )
            broken += 0 if ok else 1
        if broken:
            raise CommandError(f"{broken} audit stream(s) failed verification")
