"""The public statistics page (``/<lang>/statistics/``): headline figures and the series by month,
agency and channel, each with its data table, read from the fact tables only (ADR 0043)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tongban.core.clock import now
from tongban.portal.views import statistics_charts
from tongban.statistics import selectors


@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    """The page: filters by period, agency and service from the GET query (no JavaScript)."""
    at = now()
    filters = selectors.filters_from(request.GET, now=at)
    satisfaction = selectors.satisfaction(filters=filters)
    months = selectors.monthly(filters)
    agencies = selectors.by_agency(filters)
    channels = selectors.by_channel(filters)
    registrations = selectors.registrations(filters)
    waits = selectors.waiting_times(filters)
    trend = satisfaction["months"]
    shown = {
        "by_month": months,
        "by_agency": agencies,
        "by_channel": channels,
        "once_only": months,
        "registrations": registrations,
        "waiting": waits,
        "satisfaction": trend,
    }
    return render(
        request,
        "portal/statistics.html",
        {
            "filters": filters,
            "filtered": bool(filters.period or filters.agency_id or filters.item_id),
            "choices": selectors.filter_choices(now=at, agency_id=filters.agency_id),
            "headline": selectors.headline(filters),
            "months": months,
            "agencies": agencies,
            "channels": channels,
            "registrations": registrations,
            "waits": waits,
            "satisfaction": satisfaction,
            # One chart per section with figures: {"url": ..., "alt": ...} (statistics_charts).
            "charts": statistics_charts.chart_links(filters, [name for name, rows in shown.items() if rows]),
        },
    )
