"""Reads of the public statistics: every figure from the fact tables only (never a case), in a
fixed number of GROUP BY queries whatever the number of cases (ADR 0043, docs/statistics.md).

The public API (also what the open-data downloads use):

- :func:`filters_from` — the page's GET parameters as :class:`Filters` (period, agency, service);
- :func:`filter_choices` — the periods, agencies and services the filter form offers;
- :func:`headline` — the headline figures (:class:`Headline`);
- :func:`monthly` — the series by month (:class:`MonthFigures`);
- :func:`by_agency`, :func:`by_channel` — cases by agency and by channel;
- :func:`registrations` — registered persons and firms by month (:class:`RegistrationMonth`);
- :func:`waiting_times` — queue waiting times per centre (:class:`CentreWait`);
- :func:`satisfaction` — ratings per agency, service and centre and the monthly trend (the shape of
  ``reviews.selectors.satisfaction``), rows below ``REVIEW_MIN_PUBLIC_COUNT`` left out;
- :func:`revision` — a short string that changes whenever a catch-up run changed any figure (the
  charts' and the open-data files' cache key and ETag).

Percentiles come from the per-working-day (and per-minute) histograms of the fact tables.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection, connections, router
from django.db.models import F, Q, Sum
from django.utils import translation

from tongban.cases.models import CaseChannel
from tongban.catalogue.models import ServiceItem
from tongban.core.deadlines import SHANGHAI, local_date
from tongban.identity.models import Agency, ServiceCentre
from tongban.reviews import rules
from tongban.reviews.selectors import Month as SatisfactionMonth
from tongban.reviews.selectors import Row as SatisfactionRow
from tongban.statistics.definitions import LATE, ON_TIME
from tongban.statistics.models import (
    CaseFact,
    CatalogueFact,
    CompletionFact,
    ExchangeFact,
    MaterialFact,
    PartyFact,
    ReviewFact,
    WaitFact,
    Watermark,
)

LAST_12 = "12m"


def revision() -> str:
    """The revision of the public figures: a digest of the catch-up's watermarks (a few rows: how
    far each stream was read, its open gaps' last change) and of the catalogue facts' latest
    month (replaced on every run, one row per agency). Every fact written moves a stream's
    watermark in the same transaction, so the digest changes exactly when a figure may have."""
    # One round trip (the page's only query while its body is cached): both tables as text rows.
    watermark, catalogue = Watermark._meta.db_table, CatalogueFact._meta.db_table
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('stream')}, {quote('last_id')}, {quote('rows')}, CAST({quote('updated_at')} AS VARCHAR(40)) "  # noqa: S608 - names only
        f"FROM {quote(watermark)} UNION ALL "
        f"SELECT CAST({quote('month')} AS VARCHAR(40)), {quote('agency_id')}, {quote('n')}, "
        f"CAST({quote('fully_online')} AS VARCHAR(40)) FROM {quote(catalogue)} "
        f"WHERE {quote('month')} = (SELECT MAX({quote('month')}) FROM {quote(catalogue)}) ORDER BY 1, 2"
    )
    # Read where the figures will be read (the replica on public pages, ADR 0048): a token newer
    # than the rows would cache old figures under it.
    with connections[router.db_for_read(Watermark)].cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Filters:
    """What the page shows: a period (``""`` all time, ``"12m"`` the last twelve months, or a
    year ``"2026"``), and optionally one agency and one service item (by id)."""

    period: str = ""
    agency_id: int | None = None
    item_id: int | None = None
    first_month: date | None = None
    last_month: date | None = None

    def months(self) -> Q:
        where = Q()
        if self.first_month is not None:
            where &= Q(month__gte=self.first_month)
        if self.last_month is not None:
            where &= Q(month__lte=self.last_month)
        return where

    def cases(self) -> Q:
        """For the rolled-up tables (case, completion, material): one level of rows — the
        service's, else the agency's total (item 0), else the city's (agency 0, item 0)."""
        where = self.months()
        if self.item_id is not None:
            where &= Q(item_id=self.item_id)
            if self.agency_id is not None:
                where &= Q(agency_id=self.agency_id)
        else:
            where &= Q(item_id=0, agency_id=self.agency_id or 0)
        return where

    def agencies(self) -> Q:
        """The per-agency rows (each agency's total, or the chosen service's rows)."""
        where = self.months()
        if self.item_id is not None:
            where &= Q(item_id=self.item_id)
        else:
            where &= Q(item_id=0) & ~Q(agency_id=0)
        if self.agency_id is not None:
            where &= Q(agency_id=self.agency_id)
        return where

    def reviews(self) -> Q:
        """For the satisfaction facts (no roll-ups)."""
        where = self.months()
        if self.agency_id is not None:
            where &= Q(agency_id=self.agency_id)
        if self.item_id is not None:
            where &= Q(item_id=self.item_id)
        return where


def _month_add(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def filters_from(query: Mapping[str, str], *, now: datetime) -> Filters:
    """The filters a GET query asks for; anything not understood is left out (all time, all)."""
    period = str(query.get("period", "")).strip()
    this_month = local_date(now).replace(day=1)
    first = last = None
    if period == LAST_12:
        first, last = _month_add(this_month, -11), this_month
    elif period.isdigit() and len(period) == 4 and 2000 <= int(period) <= this_month.year:
        first, last = date(int(period), 1, 1), date(int(period), 12, 1)
    else:
        period = ""

    def number(name: str) -> int | None:
        value = str(query.get(name, "")).strip()
        return int(value) if value.isdigit() and len(value) < 12 else None

    return Filters(period, number("agency"), number("service"), first, last)


@dataclass(frozen=True)
class Choice:
    value: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Choices:
    periods: list[Choice]
    agencies: list[Choice]
    services: list[Choice]


def filters_exist(filters: Filters) -> bool:
    """Whether the filter's agency and service name real ones (a published service, of that agency
    when both are given): a chart is drawn and kept per filter, so a made-up id must not make one.
    At most two look-ups by primary key."""
    if filters.agency_id is not None and not Agency.objects.filter(pk=filters.agency_id).exists():
        return False
    if filters.item_id is not None:
        services = ServiceItem.objects.filter(pk=filters.item_id, published_version__isnull=False)
        if filters.agency_id is not None:
            services = services.filter(agency_id=filters.agency_id)
        return services.exists()
    return True


def filter_choices(*, now: datetime, agency_id: int | None = None) -> Choices:
    """The periods (the last twelve months and each year with cases), the agencies, and the
    published services of the chosen agency (none before an agency is chosen: a city has
    thousands)."""
    first = CaseFact.objects.order_by("month").values_list("month", flat=True).first()
    this_year = local_date(now).year
    years = range(this_year, (first.year if first else this_year) - 1, -1)
    periods = [Choice(LAST_12, "最近12个月", "The last 12 months")] + [Choice(str(y), f"{y}年", str(y)) for y in years]
    agencies = [Choice(str(pk), zh, en) for pk, zh, en in Agency.objects.values_list("pk", "name_zh", "name_en")]
    services = (
        [
            Choice(str(pk), zh or "", en or "")
            for pk, zh, en in ServiceItem.objects.filter(published_version__isnull=False, agency_id=agency_id)
            .order_by("code")
            .values_list("pk", "published_version__name_zh", "published_version__name_en")
        ]
        if agency_id is not None
        else []
    )
    return Choices(periods, agencies, services)


def percentile(histogram: Mapping[int, int], share: float) -> int | None:
    """The smallest value at or below which ``share`` of the histogram's counts lie."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    needed = share * total
    running = 0
    for value in sorted(histogram):
        running += histogram[value]
        if running >= needed:
            return value
    return max(histogram)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


@dataclass
class Completions:
    """Completed cases of one group: counts, timing, visits and the working-day histogram."""

    completed: int = 0
    on_time: int = 0
    with_limit: int = 0
    zero_visits: int = 0
    one_visit: int = 0
    workday_sum: int = 0
    workdays: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # empty: no percentile

    def add(self, *, workdays: int, visits: int, timing: int, n: int) -> None:
        self.completed += n
        self.workday_sum += workdays * n
        if timing in (ON_TIME, LATE):
            self.with_limit += n
            self.on_time += n if timing == ON_TIME else 0
        if visits == 0:
            self.zero_visits += n
        elif visits == 1:
            self.one_visit += n
        self.workdays[workdays] += n

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.with_limit)

    @property
    def one_stop_rate(self) -> float | None:
        """Completed with no in-person visit at all."""
        return _rate(self.zero_visits, self.completed)

    @property
    def at_most_one_visit_rate(self) -> float | None:
        return _rate(self.zero_visits + self.one_visit, self.completed)

    @property
    def mean_workdays(self) -> float | None:
        return _rate(self.workday_sum, self.completed)

    @property
    def p90_workdays(self) -> int | None:
        return percentile(self.workdays, 0.9)


def _completions(filters: Filters, *by: str) -> dict[tuple[Any, ...], Completions]:
    rows = (
        CompletionFact.objects.filter(filters.cases())
        .values(*by, "workdays", "visits", "timing")
        .annotate(total=Sum("n"))
        .order_by()
    )
    out: dict[tuple[Any, ...], Completions] = defaultdict(Completions)
    for row in rows:
        out[tuple(row[name] for name in by)].add(
            workdays=row["workdays"], visits=row["visits"], timing=row["timing"], n=row["total"]
        )
    return out


@dataclass(frozen=True)
class Headline:
    """The figures the page opens with."""

    persons: int
    firms: int
    cases: int
    completed: int
    one_stop_rate: float | None  # completed with zero visits ("one-stop online")
    at_most_one_visit_rate: float | None
    on_time_rate: float | None
    items_offered: int
    items_fully_online: int

    @property
    def fully_online_share(self) -> float | None:
        return _rate(self.items_fully_online, self.items_offered)


def headline(filters: Filters) -> Headline:
    """Registered people and firms, services delivered (cases), the one-stop share of completed
    cases and the share of service items fully online (the latest month in the period)."""
    parties = dict(
        PartyFact.objects.filter(filters.months()).values("kind").annotate(total=Sum("n")).values_list("kind", "total")
    )
    cases = CaseFact.objects.filter(filters.cases()).aggregate(total=Sum("n"))["total"] or 0
    done = _completions(filters).get((), Completions())
    catalogue = CatalogueFact.objects.all()
    if filters.last_month is not None:
        catalogue = catalogue.filter(month__lte=filters.last_month)
    if filters.agency_id is not None:
        catalogue = catalogue.filter(agency_id=filters.agency_id)
    latest = catalogue.order_by("-month").values_list("month", flat=True)[:1]
    items = catalogue.filter(month__in=latest).aggregate(n=Sum("n"), online=Sum("fully_online"))
    return Headline(
        persons=int(parties.get("person") or 0),
        firms=int(parties.get("firm") or 0),
        cases=int(cases),
        completed=done.completed,
        one_stop_rate=done.one_stop_rate,
        at_most_one_visit_rate=done.at_most_one_visit_rate,
        on_time_rate=done.on_time_rate,
        items_offered=int(items["n"] or 0),
        items_fully_online=int(items["online"] or 0),
    )


@dataclass(frozen=True)
class MonthFigures:
    """One month: cases submitted, completed (with timing, working days, visits), materials not
    asked for again (免交), and reads through the data exchange."""

    month: date
    submitted: int
    completions: Completions
    materials: int
    reused: int
    exchange_reads: int

    @property
    def reuse_rate(self) -> float | None:
        return _rate(self.reused, self.materials)


def monthly(filters: Filters) -> list[MonthFigures]:
    """The series by month (oldest first), every month with any figure."""
    submitted = dict(
        CaseFact.objects.filter(filters.cases())
        .values("month")
        .annotate(total=Sum("n"))
        .order_by()
        .values_list("month", "total")
    )
    completions = {key[0]: value for key, value in _completions(filters, "month").items()}
    materials: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        MaterialFact.objects.filter(filters.cases()).values("month", "source").annotate(total=Sum("n")).order_by()
    ):
        materials[row["month"]][0] += row["total"]
        if row["source"] == "certificate":
            materials[row["month"]][1] += row["total"]
    reads = dict(
        ExchangeFact.objects.filter(filters.months(), outcome="ok")
        .values("month")
        .annotate(total=Sum("n"))
        .order_by()
        .values_list("month", "total")
    )
    months = sorted(set(submitted) | set(completions) | set(materials) | set(reads))
    return [
        MonthFigures(
            month=month,
            submitted=int(submitted.get(month) or 0),
            completions=completions.get(month, Completions()),
            materials=materials[month][0] if month in materials else 0,
            reused=materials[month][1] if month in materials else 0,
            exchange_reads=int(reads.get(month) or 0),
        )
        for month in months
    ]


@dataclass(frozen=True)
class GroupFigures:
    """Cases of one agency or channel: submitted, and the completed ones' figures."""

    key: str
    name_zh: str
    name_en: str
    submitted: int
    completions: Completions


def by_agency(filters: Filters) -> list[GroupFigures]:
    """Per agency, most cases first (no percentile: the sums come from the database)."""
    where = filters.agencies()
    submitted = dict(
        CaseFact.objects.filter(where)
        .values("agency_id")
        .annotate(total=Sum("n"))
        .order_by()
        .values_list("agency_id", "total")
    )
    completions: dict[int, Completions] = {}
    for row in (
        CompletionFact.objects.filter(where)
        .values("agency_id")
        .annotate(
            completed=Sum("n"),
            on_time=Sum("n", filter=Q(timing=ON_TIME)),
            with_limit=Sum("n", filter=Q(timing__in=(ON_TIME, LATE))),
            zero_visits=Sum("n", filter=Q(visits=0)),
            one_visit=Sum("n", filter=Q(visits=1)),
            workday_sum=Sum(F("n") * F("workdays")),
        )
        .order_by()
    ):
        completions[row["agency_id"]] = Completions(
            completed=row["completed"] or 0,
            on_time=row["on_time"] or 0,
            with_limit=row["with_limit"] or 0,
            zero_visits=row["zero_visits"] or 0,
            one_visit=row["one_visit"] or 0,
            workday_sum=row["workday_sum"] or 0,
        )
    keys = set(submitted) | set(completions)
    names = {pk: (zh, en) for pk, zh, en in Agency.objects.filter(pk__in=keys).values_list("pk", "name_zh", "name_en")}
    rows = [
        GroupFigures(
            key=str(key),
            name_zh=names.get(key, ("", ""))[0],
            name_en=names.get(key, ("", ""))[1],
            submitted=int(submitted.get(key) or 0),
            completions=completions.get(key, Completions()),
        )
        for key in keys
    ]
    return sorted(rows, key=lambda row: (-row.submitted, row.name_en))


def by_channel(filters: Filters) -> list[GroupFigures]:
    """Per channel (online, at a window, through the API), in that order."""
    submitted = dict(
        CaseFact.objects.filter(filters.cases())
        .values("channel")
        .annotate(total=Sum("n"))
        .order_by()
        .values_list("channel", "total")
    )
    completions = {key[0]: value for key, value in _completions(filters, "channel").items()}
    rows = []
    for channel in CaseChannel:
        if channel.value in submitted or channel.value in completions:
            rows.append(
                GroupFigures(
                    channel.value,
                    _label(channel, "zh-hans"),
                    _label(channel, "en"),
                    int(submitted.get(channel.value) or 0),
                    completions.get(channel.value, Completions()),
                )
            )
    return rows


def _label(choice: CaseChannel, language: str) -> str:
    with translation.override(language):
        return str(choice.label)


@dataclass(frozen=True)
class RegistrationMonth:
    month: date
    persons: int
    firms: int
    verified_persons: int  # above the self-registered level


def registrations(filters: Filters) -> list[RegistrationMonth]:
    """Persons (with an account) and firms registered per month."""
    rows: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in (
        PartyFact.objects.filter(filters.months()).values("month", "kind", "level").annotate(total=Sum("n")).order_by()
    ):
        figures = rows[row["month"]]
        if row["kind"] == "person":
            figures[0] += row["total"]
            figures[2] += row["total"] if row["level"] > 1 else 0
        else:
            figures[1] += row["total"]
    return [RegistrationMonth(month, *rows[month]) for month in sorted(rows)]


@dataclass(frozen=True)
class CentreWait:
    key: int
    name_zh: str
    name_en: str
    tickets: int
    mean_minutes: float | None
    p90_minutes: int | None


def waiting_times(filters: Filters) -> list[CentreWait]:
    """Per service centre: tickets called, mean and 90th-percentile minutes waited."""
    histograms: dict[int, dict[int, int]] = defaultdict(dict)
    for centre, minutes, total in (
        WaitFact.objects.filter(filters.months())
        .values("centre_id", "minutes")
        .annotate(total=Sum("n"))
        .order_by()
        .values_list("centre_id", "minutes", "total")
    ):
        histograms[centre][minutes] = total
    names = {
        pk: (zh, en)
        for pk, zh, en in ServiceCentre.objects.filter(pk__in=histograms).values_list("pk", "name_zh", "name_en")
    }
    rows = []
    for centre, histogram in histograms.items():
        count = sum(histogram.values())
        rows.append(
            CentreWait(
                centre,
                *names.get(centre, ("", "")),
                count,
                _rate(sum(m * n for m, n in histogram.items()), count),
                percentile(histogram, 0.9),
            )
        )
    return sorted(rows, key=lambda row: (-row.tickets, row.name_en))


def satisfaction(*, minimum: int | None = None, filters: Filters | None = None) -> dict[str, object]:
    """The public satisfaction figures from ``ReviewFact``: per agency, service and centre
    (ratings, satisfaction rate, rectification tickets and the share answered on time) and the
    monthly trend; every row with fewer than ``minimum`` ratings left out."""
    least = int(settings.REVIEW_MIN_PUBLIC_COUNT) if minimum is None else minimum
    where = (filters or Filters()).reviews()
    per: dict[str, dict[int, list[int]]] = {"agency_id": {}, "item_id": {}, "centre_id": {}}
    months: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    grand = [0, 0]
    for row in (
        ReviewFact.objects.filter(where)
        .values("month", "agency_id", "item_id", "centre_id", "level")
        .annotate(n_=Sum("n"), tickets_=Sum("tickets"), on_time_=Sum("on_time"))
        .order_by()
    ):
        satisfied = row["n_"] if row["level"] in rules.SATISFIED_LEVELS else 0
        for dimension, figures in per.items():
            key = row[dimension]
            if key:
                counts = figures.setdefault(key, [0, 0, 0, 0])
                counts[0] += row["n_"]
                counts[1] += satisfied
                counts[2] += row["tickets_"]
                counts[3] += row["on_time_"]
        months[row["month"]][0] += row["n_"]
        months[row["month"]][1] += satisfied
        grand[0] += row["n_"]
        grand[1] += satisfied
    names_of = {
        "agency_id": Agency.objects.values_list("pk", "name_zh", "name_en"),
        "item_id": ServiceItem.objects.values_list("pk", "published_version__name_zh", "published_version__name_en"),
        "centre_id": ServiceCentre.objects.values_list("pk", "name_zh", "name_en"),
    }
    result: dict[str, object] = {}
    for name, dimension in (("agencies", "agency_id"), ("services", "item_id"), ("centres", "centre_id")):
        shown = {key: counts for key, counts in per[dimension].items() if counts[0] >= least}
        labels = {pk: (zh or "", en or "") for pk, zh, en in names_of[dimension].filter(pk__in=shown)} if shown else {}
        result[name] = sorted(
            (SatisfactionRow(key, *labels.get(key, ("", "")), *counts) for key, counts in shown.items()),
            key=lambda row: (-row.total, row.name_en),
        )
    result["months"] = [
        SatisfactionMonth(datetime(month.year, month.month, 1, tzinfo=SHANGHAI), total, satisfied)
        for month, (total, satisfied) in sorted(months.items())
        if total >= least
    ]
    result["total"] = grand[0] if grand[0] >= least else None
    result["rate"] = rules.satisfaction_rate(satisfied=grand[1], total=grand[0]) if grand[0] >= least else None
    return result
