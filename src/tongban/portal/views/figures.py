"""The public statistics page (``/<lang>/statistics/``): headline figures and the series by month,
agency and channel, each with its data table and chart, read from the fact tables only (ADR 0043).

The page body is the same for everyone who asks for the same filters in the same language until
the figures change, so it is rendered once per statistics revision (the catch-up's watermarks),
language and filters and kept in the shared cache (``{% cache %}``, as the catalogue search does,
ADR 0015); the figures are read only when that fragment is missing. A hit costs the revision's one
query."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from tongban.core.clock import now
from tongban.portal.views import statistics_charts
from tongban.statistics import selectors
from tongban.statistics.selectors import Filters

#: At most this long between a change of the figures and the page showing it, besides the
#: revision in the key (a catch-up that adds rows changes the revision at once).
STATISTICS_CACHE_SECONDS = 300


class _Figures:
    """What the page body shows, read only if its cached fragment is missing."""

    def __init__(self, filters: Filters, at: datetime) -> None:
        self.filters, self._at = filters, at

    @cached_property
    def satisfaction(self) -> dict[str, Any]:
        return selectors.satisfaction(filters=self.filters)

    @cached_property
    def months(self) -> Any:
        return selectors.monthly(self.filters)

    @cached_property
    def agencies(self) -> Any:
        return selectors.by_agency(self.filters)

    @cached_property
    def channels(self) -> Any:
        return selectors.by_channel(self.filters)

    @cached_property
    def registrations(self) -> Any:
        return selectors.registrations(self.filters)

    @cached_property
    def waits(self) -> Any:
        return selectors.waiting_times(self.filters)

    @cached_property
    def headline(self) -> Any:
        return selectors.headline(self.filters)

    @cached_property
    def choices(self) -> Any:
        return selectors.filter_choices(now=self._at, agency_id=self.filters.agency_id)

    @cached_property
    def charts(self) -> dict[str, dict[str, str]]:
        """One chart per section with figures: {"url": ..., "alt": ...} (statistics_charts)."""
        shown = {
            "by_month": self.months,
            "by_agency": self.agencies,
            "by_channel": self.channels,
            "once_only": self.months,
            "registrations": self.registrations,
            "waiting": self.waits,
            "satisfaction": self.satisfaction["months"],
        }
        return statistics_charts.chart_links(self.filters, [name for name, rows in shown.items() if rows])


@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    """The page: filters by period, agency and service from the GET query (no JavaScript)."""
    at = now()
    filters = selectors.filters_from(request.GET, now=at)
    lang = translation.get_language() or "zh-hans"
    return render(
        request,
        "portal/statistics.html",
        {
            "filters": filters,
            "filtered": bool(filters.period or filters.agency_id or filters.item_id),
            "figures": _Figures(filters, at),
            "page_key": f"{statistics_charts.chart_key('page', filters, lang)}:{filters.period}:{selectors.revision()}",
            "cache_seconds": STATISTICS_CACHE_SECONDS,
        },
    )
