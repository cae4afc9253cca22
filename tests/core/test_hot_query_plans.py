"""The hot queries are answered from their indexes (issue 18).

On the tiny test tables PostgreSQL prefers sequential scans anyway, so each test captures the real
SQL that a selector (or view) runs, then EXPLAINs it with sequential scans off inside the test's
transaction and asserts that the plan reads the expected index and no big table sequentially (a
Seq Scan left in a plan with ``enable_seqscan = off`` means there is no usable index). PostgreSQL
only: on SQLite the module is skipped with a message (``scripts/test.sh`` fails under ``CI=true``
when PostgreSQL is missing)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="query plans are PostgreSQL's: run the suite on PostgreSQL (scripts/test.sh)",
    ),
]

_READ = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)


def plans(run: Callable[[], Any], *, bitmaps: bool = True) -> list[tuple[str, str]]:
    """(SQL, plan) of every read ``run`` sends, each EXPLAINed with sequential scans off (and
    bitmap scans, which return rows out of index order, when ``bitmaps`` is False)."""
    with CaptureQueriesContext(connection) as captured:
        run()
    found: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not bitmaps:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        for query in captured.captured_queries:
            sql = query["sql"]
            if not _READ.match(sql):
                continue
            cursor.execute("EXPLAIN " + sql)
            found.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return found


def show(found: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"{sql}\n{plan}" for sql, plan in found)


def _table_of(index: str) -> str:
    """The table an index (a regular expression of its name) belongs to."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_indexes WHERE indexname ~ %s ORDER BY 1 LIMIT 1", [rf"^(?:{index})$"])
        row = cursor.fetchone()
    assert row is not None, f"there is no index {index}"
    return str(row[0])


def assert_indexed(found: list[tuple[str, str]], *indexes: str, big: tuple[str, ...]) -> None:
    """Every expected index exists and its table is read through an index, and no big table is
    read sequentially. On tables of a few test rows the planner picks among the usable indexes
    by chance (another test's rows and autovacuum change its estimates), so the named index is
    the one expected, and any index of its table is accepted: what matters at scale is that no
    hot query has to read a big table whole, which ``enable_seqscan = off`` would still show."""
    text = show(found)
    assert found, "no read was captured"
    for index in indexes:
        if re.search(rf"(Index (Only )?Scan( Backward)? using|Bitmap Index Scan on) (?:{index})\b", text):
            continue
        table = _table_of(index)
        assert re.search(
            rf"(Index (Only )?Scan( Backward)? using \w+ on {table}\b|Bitmap Heap Scan on {table}\b)", text
        ), f"{table} ({index}) is not read through an index:\n{text}"
    for table in big:
        assert not re.search(rf"Seq Scan on {table}\b", text), f"{table} is read sequentially:\n{text}"


def assert_no_sort_when(found: list[tuple[str, str]], index: str) -> None:
    """Where the plan reads through ``index``, the rows come in its order: no Sort above it (on a
    few test rows the planner may prefer another index and a sort, which says nothing at scale)."""
    for sql, plan in found:
        if re.search(rf"Index (Only )?Scan( Backward)? using (?:{index})\b", plan):
            assert "Sort" not in plan, f"{sql}\n{plan}"


#: The tables that grow with the city: none of them may be read sequentially by a hot query.
BIG = (
    "cases_case",
    "cases_caseevent",
    "cases_caseparty",
    "forms_application",
    "forms_upload",
    "identity_person",
    "identity_firm",
    "identity_power",
    "certificates_certificate",
    "service_centres_ticket",
    "service_centres_appointment",
    "exchange_grant",
    "exchange_accesslogentry",
    "exchange_populationrecord",
    "audit_auditevent",
    "catalogue_serviceversion",
    "statistics_casefact",
    "statistics_completionfact",
    "statistics_cataloguefact",
)

#: The case number's index: Django's unique index and its ``varchar_pattern_ops`` twin
#: (``…_like``) both serve ``number = %s``; the planner picks either.
CASE_NUMBER = r"cases_case_number_\w+"


def test_the_applicant_case_page_finds_the_case_by_number_and_its_history_by_case(world: Any) -> None:
    from tongban.cases.selectors import case_page_for_person

    case = world.submitted_case()
    found = plans(lambda: case_page_for_person(number=case.number, person=world.hr, now=timezone.now()))
    assert_indexed(found, CASE_NUMBER, "cases_event_case", "forms_upload_current", big=BIG)


def test_my_cases_reads_the_applicant_index_and_the_party_index(world: Any) -> None:
    from tongban.cases.selectors import cases_of_person

    world.submitted_case()
    assert_indexed(plans(lambda: cases_of_person(person=world.hr)), "cases_applicant", "cases_party_person", big=BIG)


def test_a_firms_cases_read_the_firm_index_in_its_order(world: Any) -> None:
    from tongban.cases.selectors import cases_of_firm

    world.submitted_case()
    found = plans(lambda: cases_of_firm(firm_id=world.firm.pk, areas=["foreign_staff"]))
    assert_indexed(found, "cases_firm_recent", big=BIG)
    assert_no_sort_when(found, "cases_firm_recent")  # the index gives the order: no sort of the firm's cases


def test_the_officer_and_supervisor_queues_read_their_queue_indexes(world: Any) -> None:
    from tongban.cases.selectors import staff_queue

    world.submitted_case()
    assert_indexed(plans(lambda: staff_queue(account=world.officer.account)), "cases_office_queue", big=BIG)
    assert_indexed(plans(lambda: staff_queue(account=world.supervisor.account)), "cases_agency_queue", big=BIG)


def test_catalogue_search_reads_the_published_versions_index(world: Any) -> None:
    from django.core.cache import cache

    from tongban.catalogue.selectors import search_page

    cache.clear()  # the page is cached: plan the statement, not the cache
    found = plans(
        lambda: search_page(query="工作许可", audience="", agency_code="", topic_code="", page=1, page_size=10)
    )
    assert_indexed(found, "catalogue_version_status", big=BIG)


def test_the_exchange_grant_check_and_log_write_read_their_indexes(world: Any) -> None:
    from tests.exchange.test_exchange import case_basis, grant, population, query, registered
    from tests.factories import AgencyFactory, PersonFactory
    from tongban.audit.services import seal_pending
    from tongban.exchange.models import AccessLogEntry

    owner, consumer = AgencyFactory(), AgencyFactory()
    resource = population(owner)
    person = PersonFactory()
    registered(person)
    grant(consumer, resource, "svc", ["name"])
    found = plans(lambda: query(consumer, person, ["name"], basis=case_basis(person)))
    assert_indexed(found, "exchange_grant_lookup", "population_unique", big=BIG)
    # The log entry is an INSERT; what reads it next is the sealer (its pending rows by the partial
    # index) and ``exchange_verify`` (keyset batches on the unique seq index).
    assert_indexed(plans(lambda: seal_pending(AccessLogEntry.STREAM)), "exchange_log_pending", big=BIG)


def test_the_audit_sealer_and_verifier_read_their_indexes(world: Any) -> None:
    from tongban.audit.services import seal_pending, verify_stream

    world.submitted_case()
    # The pending entries: the partial index of unsealed ones, or the unique seq index (seq IS NULL).
    assert_indexed(plans(lambda: seal_pending("audit")), "audit_auditevent_pending|audit_auditevent_seq_key", big=BIG)
    found = plans(lambda: verify_stream("audit", since="last"), bitmaps=False)
    assert_no_sort_when(found, r"audit_auditevent_seq_\w+")  # the keyset batches come in index order
    assert_indexed(found, r"audit_auditevent_seq_\w+", big=BIG)
    assert "OFFSET" not in show(found)


def test_certificate_verification_finds_the_certificate_by_number() -> None:
    from tongban.certificates.selectors import certificate_by_number

    found = plans(lambda: certificate_by_number(number="CERT-1"))
    assert_indexed(found, r"certificates_certificate_number_\w+", big=BIG)


def test_the_call_display_reads_the_called_tickets_index() -> None:
    from tests.factories import ServiceCentreFactory
    from tongban.core.deadlines import local_date
    from tongban.service_centres.ticket_selectors import display_calls_by_code

    centre = ServiceCentreFactory()
    found = plans(lambda: display_calls_by_code(code=centre.code, day=local_date(timezone.now())))
    assert_indexed(found, r"identity_servicecentre_code_\w+", "sc_ticket_called", big=BIG)


def test_my_appointments_read_the_person_index(world: Any) -> None:
    from tongban.service_centres.selectors import appointments_of_person

    assert_indexed(plans(lambda: list(appointments_of_person(world.hr))), "sc_appointment_person", big=BIG)


def test_the_statistics_page_reads_the_fact_roll_up_indexes(client: Any) -> None:
    """The page reads only fact tables (ADR 0043). The case, completion and catalogue facts are
    found through their roll-up keys; the party and wait facts (a row per month and kind, or per
    month, centre and minute: hundreds of rows, not millions) are summed whole for "all time"."""
    found = plans(lambda: client.get("/en/statistics/"))
    assert_indexed(found, "stat_case_rollup", "stat_completion_rollup", "stat_catalogue_key", big=BIG)
    assert not re.search(r"Seq Scan on (?!statistics_(partyfact|waitfact)\b)", show(found)), show(found)
