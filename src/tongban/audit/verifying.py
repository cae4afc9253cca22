"""The shared body of ``audit_verify`` and ``exchange_verify``: seal, verify (in full or from a
signed start, ``--since``), report entries and time, record the verified mark (ADR 0047)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from tongban.audit.services import Since, record_verified, seal_pending, verify_stream


def parse_since(value: str) -> int | str:
    """``--since last`` or ``--since <seq>`` (a position, 1 or more)."""
    if value == "last":
        return value
    try:
        seq = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected 'last' or a sequence number") from None
    if seq < 1:
        raise argparse.ArgumentTypeError("a sequence number starts at 1")
    return seq


def verify_and_report(
    stream: str, *, label: str, since: Since, seal: bool, record: bool, write: Callable[[str], None]
) -> bool:
    """Run one stream's verification and write its report lines; True when it verified."""
    if seal:
        sealed = seal_pending(stream)
        if sealed:
            write(f"{label}: sealed {sealed} pending entries")
    started = time.monotonic()
    report = verify_stream(stream, since=since)
    elapsed = time.monotonic() - started
    if report.refused:
        write(f"{label}: REFUSED — the incremental start cannot be trusted")
        for problem in report.problems:
            write(f"  {label}: {problem}")
        return False
    status = "OK" if report.ok else "BROKEN"
    scope = f"from seq {report.start_seq}" + (f" ({report.started_from})" if report.started_from else "")
    write(
        f"{label}: {status} — {report.sealed} sealed entries, head seq {report.head_seq}, "
        f"{report.checkpoints} signed checkpoints, {report.pending} pending"
        + (f", pruned through seq {report.pruned_through}" if report.pruned_through else "")
    )
    rate = report.sealed / elapsed if elapsed > 0 else 0.0
    write(f"{label}: verified {report.sealed} entries {scope} in {elapsed:.3f} s ({rate:,.0f} entries/s)")
    for problem in report.problems:
        write(f"  {label}: {problem}")
    if record and (mark := record_verified(report)) is not None:
        write(f"{label}: verified mark recorded at seq {mark.seq}")
    return report.ok
