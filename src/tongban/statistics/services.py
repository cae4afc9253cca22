"""The catch-up: the only writer of the fact tables (ADR 0043, docs/statistics.md).

It reads each source table by id from its watermark, in batches, and adds what the rows count
to the fact tables; each batch is one transaction that also moves the watermark, so a crash
loses the batch whole and the next run redoes it — safe to run twice, resumable. It never runs
in a submit transaction and never scans a whole table: every read is by primary key (a range
above the watermark, a few looked-up ids).

Sources:

- ``case_events`` (cases' append-only history): a status step moves a case from one
  ``CaseFact`` row to another; the submit step counts the case's materials; the step that
  completes a case adds its ``CompletionFact`` (working days, visits before it, timing).
- ``access_log`` (the exchange's access log): ``ExchangeFact``.
- ``persons``, ``firms``, ``reviews``, ``tickets`` (new rows) and ``audit`` (the audit stream: which person, firm,
  review, rectification ticket or queue ticket changed): those rows are re-derived — what was
  counted for them (``Counted``) is taken back and their current contribution added.
- The catalogue is small: its current month is recounted whole on every run.

Ids are handed out before commit, so a row with a lower id may become visible after a higher
one was read: the ids skipped below the watermark are kept as gaps and looked at again until
they appear, or are given up as rolled back after ``STATISTICS_GAP_SECONDS``. Batches of all
streams take one lock (the ``catch_up`` watermark row), so runs from the scheduler and the
command never interleave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Q

from tongban.audit.models import AuditEvent
from tongban.cases.models import Case, CaseEvent, CaseMaterial
from tongban.catalogue.models import ServiceItem
from tongban.core.calendar import get_work_calendar
from tongban.core.deadlines import local_date
from tongban.exchange.models import AccessLogEntry
from tongban.identity.models import Firm, Person
from tongban.reviews.models import Rectification, Review
from tongban.service_centres.models import Ticket, Visit
from tongban.statistics import definitions as d
from tongban.statistics.models import FACT_TABLES, CatalogueFact, Counted, Watermark

LOCK = "catch_up"
CASE_FIELDS = ("id", "submitted_at", "agency_id", "item_id", "channel", "statutory_due_on")
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class Stream:
    name: str
    model: type[models.Model]
    fields: tuple[str, ...]
    handle: Callable[[list[dict[str, Any]], d.Delta], None]


# --- what each source row counts -------------------------------------------------------------


def _case_events(rows: list[dict[str, Any]], delta: d.Delta) -> None:
    cases = {row["id"]: row for row in Case.objects.filter(pk__in={r["case_id"] for r in rows}).values(*CASE_FIELDS)}
    submitted = [r["case_id"] for r in rows if r["action"] == "submit"]
    completed = [r for r in rows if d.completes(from_status=r["from_status"], to_status=r["to_status"])]
    for row in rows:
        case = cases[row["case_id"]]
        if row["from_status"]:
            d.add(delta, d.case_status(case, row["from_status"]), -1)
        if row["to_status"]:
            d.add(delta, d.case_status(case, row["to_status"]))
    if submitted:
        for case_id, source in CaseMaterial.objects.filter(case_id__in=submitted).values_list("case_id", "source"):
            d.add(delta, d.material(cases[case_id], source))
    if completed:
        visits: dict[int, list[datetime]] = defaultdict(list)
        for case_id, at in Visit.objects.filter(case_id__in={r["case_id"] for r in completed}).values_list(
            "case_id", "at"
        ):
            visits[case_id].append(at)
        calendar = get_work_calendar()
        for row in completed:
            case = cases[row["case_id"]]
            d.add(delta, d.completion(case, completed_at=row["at"], visits_at=visits[case["id"]], calendar=calendar))


def _access_log(rows: list[dict[str, Any]], delta: d.Delta) -> None:
    for row in rows:
        d.add(delta, d.exchange_read(row))


PERSON_FIELDS = ("id", "account_id", "id_type", "verification_level", "created_at")
FIRM_FIELDS = ("id", "firm_type", "verification_level", "created_at")
REVIEW_FIELDS = (
    "id",
    "created_at",
    "agency_id",
    "item_id",
    "centre_id",
    "channel",
    "level",
    "rectification__id",
    "rectification__answered_on_time",
)
TICKET_FIELDS = ("id", "issued_at", "first_called_at", "centre_id")

#: Mutable sources re-derived by id: their rows and what one row counts.
DERIVED: dict[str, tuple[type[models.Model], tuple[str, ...], Callable[[dict[str, Any]], list[d.Contribution]]]] = {
    "person": (Person, PERSON_FIELDS, d.person),
    "firm": (Firm, FIRM_FIELDS, d.firm),
    "review": (Review, REVIEW_FIELDS, d.review),
    "ticket": (Ticket, TICKET_FIELDS, d.ticket),
}


def _rederive(kind: str, ids: Iterable[int], delta: d.Delta) -> None:
    """Take back what was counted for these rows and count them as they are now."""
    wanted = set(ids)
    if not wanted:
        return
    model, fields, derive = DERIVED[kind]
    now = {row["id"]: d.as_json(derive(row)) for row in model._default_manager.filter(pk__in=wanted).values(*fields)}
    counted = {row.object_id: row for row in Counted.objects.filter(kind=kind, object_id__in=wanted)}
    created, changed = [], []
    for object_id in sorted(wanted):
        new = now.get(object_id, [])
        row = counted.get(object_id)
        old = row.facts if row is not None else []
        if old == new:
            continue
        for contribution in d.from_json(old):
            d.add(delta, contribution, -1)
        for contribution in d.from_json(new):
            d.add(delta, contribution)
        if row is None:
            created.append(Counted(kind=kind, object_id=object_id, facts=new))
        else:
            row.facts = new
            changed.append(row)
    Counted.objects.bulk_create(created)
    Counted.objects.bulk_update(changed, ["facts"])


def _new_rows(kind: str) -> Callable[[list[dict[str, Any]], d.Delta], None]:
    def handle(rows: list[dict[str, Any]], delta: d.Delta) -> None:
        _rederive(kind, (row["id"] for row in rows), delta)

    return handle


def _audit(rows: list[dict[str, Any]], delta: d.Delta) -> None:
    dirty: dict[str, set[int]] = defaultdict(set)
    usccs: set[str] = set()
    rectifications: set[int] = set()
    for row in rows:
        kind, key = row["object_type"], str(row["object_id"])
        if kind == "firm":
            usccs.add(key)
        elif kind in ("person", "review", "ticket", "rectification") and key.isdigit():
            (rectifications if kind == "rectification" else dirty[kind]).add(int(key))
    if usccs:
        dirty["firm"].update(Firm.objects.filter(uscc__in=usccs).values_list("pk", flat=True))
    if rectifications:
        dirty["review"].update(Rectification.objects.filter(pk__in=rectifications).values_list("review_id", flat=True))
    for kind, ids in dirty.items():
        _rederive(kind, ids, delta)


STREAMS = (
    Stream("case_events", CaseEvent, ("id", "case_id", "action", "from_status", "to_status", "at"), _case_events),
    Stream("access_log", AccessLogEntry, ("id", "at", "resource", "outcome"), _access_log),
    Stream("persons", Person, ("id",), _new_rows("person")),
    Stream("firms", Firm, ("id",), _new_rows("firm")),
    Stream("reviews", Review, ("id",), _new_rows("review")),
    Stream("tickets", Ticket, ("id",), _new_rows("ticket")),
    Stream("audit", AuditEvent, ("id", "object_type", "object_id"), _audit),
)


# --- the fact tables ---------------------------------------------------------------------------


def _apply(delta: d.Delta) -> None:
    """Add the batch's deltas to the fact tables: one upsert per row, additive."""
    by_table: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for (table, dims), counters in delta.items():
        if any(counters):
            by_table[table].append((*dims, *counters))
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, rows in sorted(by_table.items()):
            model = FACT_TABLES[table]
            name = qn(model._meta.db_table)
            columns = (*model.DIMENSIONS, *model.COUNTERS)
            adds = ", ".join(f"{qn(c)} = {name}.{qn(c)} + EXCLUDED.{qn(c)}" for c in model.COUNTERS)
            cursor.executemany(
                f"INSERT INTO {name} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608 (names are ours)
                f"VALUES ({', '.join(['%s'] * len(columns))}) "
                f"ON CONFLICT ({', '.join(qn(c) for c in model.DIMENSIONS)}) DO UPDATE SET {adds}",
                sorted(rows),
            )


def _ensure_marks() -> None:
    for name in (LOCK, *(stream.name for stream in STREAMS)):
        if not Watermark.objects.filter(stream=name).exists():
            try:
                with transaction.atomic():
                    Watermark.objects.create(stream=name)
            except IntegrityError:  # another run created it first
                pass


def _ranges(ids: list[int], seen: str) -> list[list[Any]]:
    """Sorted ids as ``[low, high, seen]`` ranges of consecutive ids."""
    out: list[list[Any]] = []
    for value in ids:
        if out and out[-1][1] == value - 1:
            out[-1][1] = value
        else:
            out.append([value, value, seen])
    return out


def _missing(low: int, high: int, present: set[int], seen: str) -> list[list[Any]]:
    """The ranges of ids in ``low..high`` not in ``present``."""
    out: list[list[Any]] = []
    start = low
    for value in sorted(v for v in present if low <= v <= high):
        if value > start:
            out.append([start, value - 1, seen])
        start = value + 1
    if start <= high:
        out.append([start, high, seen])
    return out


def _batch(stream: Stream, *, now: datetime, size: int, progress: Progress | None) -> int:
    """One transaction: read the gaps and the next ``size`` rows, add what they count, move the
    watermark. Returns how many new rows (above the watermark) it read."""
    with transaction.atomic():
        Watermark.objects.select_for_update().get(stream=LOCK)
        mark = Watermark.objects.select_for_update().get(stream=stream.name)
        manager = stream.model._default_manager
        rows: list[dict[str, Any]] = []
        gaps: list[list[Any]] = []
        if mark.gaps:
            where = Q()
            for low, high, _seen in mark.gaps:
                where |= Q(pk__gte=low, pk__lte=high)
            found = list(manager.filter(where).order_by("pk").values(*stream.fields))
            rows += found
            present = {row["id"] for row in found}
            expired = (now - timedelta(seconds=int(settings.STATISTICS_GAP_SECONDS))).isoformat()
            for low, high, seen in mark.gaps:
                if seen >= expired:
                    gaps += _missing(low, high, present, seen)
        new = list(manager.filter(pk__gt=mark.last_id).order_by("pk").values(*stream.fields)[:size])
        if new:
            gaps += _missing(mark.last_id + 1, new[-1]["id"], {row["id"] for row in new}, now.isoformat())
            mark.last_id = new[-1]["id"]
        rows += new
        if rows:
            delta: d.Delta = {}
            stream.handle(rows, delta)
            _apply(delta)
        if rows or gaps != mark.gaps:
            mark.gaps = sorted(gaps)
            mark.rows += len(rows)
            mark.updated_at = now
            mark.save(update_fields=["last_id", "gaps", "rows", "updated_at"])
        if progress is not None:
            progress(stream.name, len(rows))
    return len(new)


def _catalogue(now: datetime) -> None:
    """The catalogue as it stands, as this month's ``CatalogueFact`` rows (replaced)."""
    month = local_date(now).replace(day=1)
    counts = (
        ServiceItem.objects.filter(published_version__isnull=False)
        .values("agency_id")
        .annotate(n=Count("pk"), online=Count("pk", filter=Q(published_version__fully_online=True)))
        .order_by()
    )
    with transaction.atomic():
        Watermark.objects.select_for_update().get(stream=LOCK)
        CatalogueFact.objects.filter(month=month).delete()
        CatalogueFact.objects.bulk_create(
            CatalogueFact(month=month, agency_id=row["agency_id"], n=row["n"], fully_online=row["online"])
            for row in counts
        )


def facts_catch_up(
    *, now: datetime, batch_size: int | None = None, max_batches: int | None = None, progress: Progress | None = None
) -> dict[str, int]:
    """Bring the fact tables up to date with every committed source row; returns the new rows
    read per stream. ``max_batches`` stops each stream early (the rest waits for the next run);
    ``progress`` is called inside each batch's transaction, after its facts were written."""
    size = int(batch_size or settings.STATISTICS_BATCH_SIZE)
    _ensure_marks()
    read: dict[str, int] = {}
    for stream in STREAMS:
        read[stream.name] = 0
        batches = 0
        while max_batches is None or batches < max_batches:
            count = _batch(stream, now=now, size=size, progress=progress)
            read[stream.name] += count
            batches += 1
            if count < size:
                break
    _catalogue(now)
    return read
