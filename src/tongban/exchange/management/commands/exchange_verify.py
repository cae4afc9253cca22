"""Seal the access log's pending entries, then check its hash chain and signed checkpoints.

The access log is the ``access`` stream of the audit mechanism: the same sealer, chain and
checkpoint signatures as the audit trail. Exits with status 1 when the chain is broken, naming
each problem (an entry changed, removed or re-ordered; a checkpoint that does not verify).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.audit.services import seal_pending, verify_stream
from tongban.exchange.models import AccessLogEntry


class Command(BaseCommand):
    help = "Seal pending access-log entries and verify the access log's chain and signed checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-seal", action="store_true", help="Verify without sealing pending entries.")

    def handle(self, *args: Any, **options: Any) -> None:
        stream = AccessLogEntry.STREAM
        if not options["no_seal"]:
            sealed = seal_pending(stream)
            self.stdout.write(f"access log: sealed {sealed} pending entries")
        report = verify_stream(stream)
        self.stdout.write(
            f"access log: {'OK' if report.ok else 'BROKEN'} — {report.sealed} sealed entries, head seq "
            f"{report.head_seq}, {report.checkpoints} signed checkpoints, {report.pending} pending"
            + (f", pruned through seq {report.pruned_through}" if report.pruned_through else "")
        )
        for problem in report.problems:
            self.stdout.write(f"  {problem}")
        if not report.ok:
            raise CommandError("the access log failed verification")
