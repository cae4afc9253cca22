"""Seal the access log's pending entries, then check its hash chain and signed checkpoints.

The access log is the ``access`` stream of the audit mechanism: the same sealer, chain, checkpoint
signatures and incremental ``--since last`` / ``--since <seq>`` as ``audit_verify`` (ADR 0047).
Reports the entries verified and the time taken. Exits with status 1 when the chain is broken or
the incremental start is refused, naming each problem (an entry changed, removed or re-ordered; a
checkpoint or verified mark that does not verify).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.audit.verifying import parse_since, verify_and_report
from tongban.exchange.models import AccessLogEntry


class Command(BaseCommand):
    help = "Seal pending access-log entries and verify the access log's chain and signed checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-seal", action="store_true", help="Verify without sealing pending entries.")
        parser.add_argument(
            "--since", type=parse_since, help="'last' (the last verified mark) or a sequence number: verify from there."
        )
        parser.add_argument("--no-record", action="store_true", help="Do not record a verified mark.")

    def handle(self, *args: Any, **options: Any) -> None:
        ok = verify_and_report(
            AccessLogEntry.STREAM,
            label="access log",
            since=options["since"],
            seal=not options["no_seal"],
            record=not options["no_record"],
            write=self.stdout.write,
        )
        if not ok:
            raise CommandError("the access log failed verification")
