"""A full recount of every fact table from the source tables as they are now, and the fact tables
as stored, in one shape to compare (``recount() == stored_facts()``).

The recount reads whole tables: it is for tests and for an operator's check on a small
installation, never for a page. It applies the same definitions as the catch-up
(``statistics.definitions``) to the current rows — a case counted in its current status, a
case completed at its ``decided_at`` — not to the history the catch-up reads, so a step the
catch-up missed or counted twice shows as a difference.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from tongban.cases.models import Case, CaseMaterial
from tongban.catalogue.models import ServiceItem
from tongban.core.calendar import get_work_calendar
from tongban.core.deadlines import local_date
from tongban.exchange.models import AccessLogEntry
from tongban.identity.models import Firm, Person
from tongban.reviews.models import Review
from tongban.service_centres.models import Ticket, Visit
from tongban.statistics import definitions as d
from tongban.statistics.models import FACT_TABLES, CatalogueFact
from tongban.statistics.services import CASE_FIELDS, FIRM_FIELDS, PERSON_FIELDS, REVIEW_FIELDS, TICKET_FIELDS

Facts = dict[str, dict[tuple[Any, ...], tuple[int, ...]]]


def _shape(delta: d.Delta) -> Facts:
    out: Facts = {name: {} for name in FACT_TABLES}
    for (table, dims), counters in delta.items():
        if any(counters):
            out[table][dims] = tuple(counters)
    return out


def recount(*, now: datetime) -> Facts:
    """Every fact table recounted from the current source rows (the catalogue: this month only)."""
    delta: d.Delta = {}
    cases = {row["id"]: row for row in Case.objects.values(*CASE_FIELDS, "status", "decided_at").iterator()}
    visits: dict[int, list[datetime]] = defaultdict(list)
    for case_id, at in Visit.objects.values_list("case_id", "at").iterator():
        visits[case_id].append(at)
    calendar = get_work_calendar()
    for case in cases.values():
        d.add(delta, d.case_status(case, case["status"]))
        if case["decided_at"] is not None:
            d.add(
                delta,
                d.completion(case, completed_at=case["decided_at"], visits_at=visits[case["id"]], calendar=calendar),
            )
    for case_id, source in CaseMaterial.objects.values_list("case_id", "source").iterator():
        d.add(delta, d.material(cases[case_id], source))
    for entry in AccessLogEntry.objects.values("at", "resource", "outcome").iterator():
        d.add(delta, d.exchange_read(entry))
    for model, fields, derive in (
        (Person, PERSON_FIELDS, d.person),
        (Firm, FIRM_FIELDS, d.firm),
        (Review, REVIEW_FIELDS, d.review),
        (Ticket, TICKET_FIELDS, d.ticket),
    ):
        for row in model._default_manager.values(*fields).iterator():
            for contribution in derive(row):
                d.add(delta, contribution)
    month = local_date(now).replace(day=1)
    for row in (
        ServiceItem.objects.filter(published_version__isnull=False)
        .values("agency_id")
        .annotate(n=Count("pk"), online=Count("pk", filter=Q(published_version__fully_online=True)))
        .order_by()
    ):
        delta[("catalogue", (month, row["agency_id"]))] = [row["n"], row["online"]]
    return _shape(delta)


def stored_facts(*, now: datetime) -> Facts:
    """The fact tables as stored (rows whose counters are all zero left out; the catalogue: this
    month only, as the recount cannot know past months)."""
    out: Facts = {name: {} for name in FACT_TABLES}
    month = local_date(now).replace(day=1)
    for name, model in FACT_TABLES.items():
        rows = model._default_manager.all()
        if model is CatalogueFact:
            rows = rows.filter(month=month)
        for row in rows.values_list(*model.DIMENSIONS, *model.COUNTERS).iterator():
            dims, counters = tuple(row[: len(model.DIMENSIONS)]), tuple(row[len(model.DIMENSIONS) :])
            if any(counters):
                out[name][dims] = counters
    return out
