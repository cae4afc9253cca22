"""A guard the whole test suite runs under: no request may change an audited table in a transaction
that writes no audit entry.

The brief's rule — every state change of a case, certificate, grant or data access is in the
append-only audit trail, written in the same transaction — is checked on every request any test
makes (the test client, the live server behind the browser journeys), not only in the tests
written for each service. ``AuditedWritesMiddleware`` is installed in the test settings only: it
watches the SQL a request sends, groups the writes by the outermost transaction the request
opened, and fails the request (an ``AssertionError`` naming the tables and statements) when a
transaction changed an audited table and appended to no audit stream. A write outside any
transaction (autocommit) to an audited table fails too: nothing could have audited it with it.

The grouping uses Django's own transaction bookkeeping: inside a test's transaction each atomic
block the request opens is a savepoint with its own id; in transactional tests (the live server)
the outermost ``Atomic`` object stands for the transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any

from django.apps import apps
from django.db import connection
from django.http import HttpRequest, HttpResponse

#: The append-only streams (``audit.streams``): a write to one of them is the audit entry.
AUDIT_STREAM_TABLES = frozenset({"audit_auditevent", "exchange_accesslogentry"})

FACTS = "counts derived from audited rows by the statistics catch-up (ADR 0043): no business event"

#: The platform's tables whose changes are not business events, and why. Every other table of a
#: Tongban model is audited, so a model added later is audited unless it is named here.
NOT_AUDITED = {
    "audit_streamhead": "the sealer's position in each stream",
    "audit_checkpoint": "the sealer's signed checkpoints, themselves the proof of the trail",
    "audit_verifiedmark": "the verifier's signed marks of how far a stream was recomputed (ADR 0047)",
    "forms_application": "the applicant's draft, saved on every step; submitting it is the case's first event",
    "forms_upload": "a file attached to a draft; it becomes a case material (audited) on submission",
    "forms_heldcertificate": "an e-certificate named in a draft in place of an upload; part of the draft",
    "notifications_message": "the inbox copy of a notice whose event is audited; read marks",
    "notifications_delivery": "the e-mail or SMS sending of a notice whose event is audited: the worker's claim, "
    "attempts, provider reference (ADR 0041); on the live server the immediate task backend sends it inside "
    "the request that committed the notice",
    "exchange_populationrecord": "a stand-in for another agency's registry; reads are in the access log",
    "exchange_businessrecord": "a stand-in for another agency's registry; reads are in the access log",
    "exchange_socialsecurityrecord": "a stand-in for another agency's registry; reads are in the access log",
    "exchange_taxrecord": "a stand-in for another agency's registry; reads are in the access log",
    "core_scheduledrun": "the scheduler's claim of a job's period (core.schedule); the work it enqueues audits "
    "its own writes",
    "reviews_pagehelpfulness": "anonymous yes/no answers about a public page (path, answer, day): nobody's "
    "data and no business event",
    "core_ratecounter": "rate-limit counters (core.ratelimit): security counters, not business events; "
    "the refusals and challenges they cause are audited",
    "statistics_watermark": "the statistics catch-up's position in each source it counts (ADR 0043)",
    "statistics_counted": "what the statistics catch-up counted for a re-derived row (ADR 0043)",
    "statistics_partyfact": FACTS,
    "statistics_cataloguefact": FACTS,
    "statistics_casefact": FACTS,
    "statistics_completionfact": FACTS,
    "statistics_materialfact": FACTS,
    "statistics_exchangefact": FACTS,
    "statistics_reviewfact": FACTS,
    "statistics_waitfact": FACTS,
}


def _audited_tables() -> frozenset[str]:
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model.__module__.startswith("tongban.")
    }
    # accounts' second factor: its throttle and last code used are security state
    tables.add("otp_totp_totpdevice")
    return frozenset(tables - AUDIT_STREAM_TABLES - NOT_AUDITED.keys())


#: Tables whose rows are the state a citizen, an officer or an auditor relies on: a change to any
#: of them is a business event and must be audited in its transaction.
AUDITED_TABLES = _audited_tables()

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_ROLLBACK = re.compile(r'^\s*ROLLBACK\s+TO\s+SAVEPOINT\s+"?(\w+)"?', re.IGNORECASE)


@dataclass(frozen=True)
class _Write:
    """One write to an audited table or an audit stream, and the transaction it was made in."""

    unit: object
    savepoints: tuple[str | None, ...]
    stream: bool
    sql: str


class _Watch:
    """Execute wrapper recording, per transaction of one request, its audited writes.

    A write undone by ``ROLLBACK TO SAVEPOINT`` is forgotten with the savepoint, audit entries
    included: a service that fails before its audit entry leaves nothing behind to audit."""

    def __init__(self) -> None:
        self.base = len(connection.atomic_blocks)
        self.writes: list[_Write] = []
        self._autocommit = count()

    def _unit_key(self) -> object:
        depth = len(connection.atomic_blocks)
        if depth <= self.base:
            return ("autocommit", next(self._autocommit))
        outermost = connection.atomic_blocks[self.base]
        savepoint = connection.savepoint_ids[self.base - 1] if self.base >= 1 else None
        return (id(outermost), savepoint)

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        if not isinstance(sql, str):
            return result
        match = _WRITE.match(sql)
        if match:
            table = match.group(1).lower()
            if table in AUDITED_TABLES or table in AUDIT_STREAM_TABLES:
                path = tuple(connection.savepoint_ids[max(self.base - 1, 0) :])
                self.writes.append(_Write(self._unit_key(), path, table in AUDIT_STREAM_TABLES, sql[:160]))
        elif rollback := _ROLLBACK.match(sql):
            undone = rollback.group(1)
            self.writes = [write for write in self.writes if undone not in write.savepoints]
        return result

    def unaudited(self) -> list[str]:
        audited_units = {write.unit for write in self.writes if write.stream}
        return [write.sql for write in self.writes if not write.stream and write.unit not in audited_units]


@contextmanager
def audited_writes_checked(what: str) -> Iterator[None]:
    """Run the block under the watch; fail (AssertionError naming ``what`` and the statements) if
    one of its transactions changed an audited table without an audit entry."""
    watch = _Watch()
    with connection.execute_wrapper(watch):
        yield
    missing = watch.unaudited()
    if missing:
        raise AssertionError(
            f"{what} changed audited tables in a transaction with no audit entry:\n  " + "\n  ".join(missing)
        )


class AuditedWritesMiddleware:
    """Fails a request whose transaction changed an audited table without an audit entry."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audited_writes_checked(f"{request.method} {request.path}"):
            return self.get_response(request)
