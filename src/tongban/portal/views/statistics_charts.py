"""The charts of the public statistics page (``/<lang>/statistics/charts/<section>.svg``): one per
section, drawn by :mod:`tongban.core.charts` from the very selector rows the table beside it shows
(ADR 0043, ADR 0044), so a chart and its table cannot disagree.

A chart's URL carries the page's filters as its query string; its key is the section, the
language and the filters as understood (the period as months, so "the last twelve months" is a
new chart when the month turns); its revision is :func:`tongban.statistics.selectors.revision`.
A chart view reads the fact tables only, never a case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.http import Http404, HttpRequest
from django.urls import URLPattern, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core import charts, ratelimit
from tongban.core.charts import Series
from tongban.core.clock import now
from tongban.reviews.selectors import Month
from tongban.statistics import selectors
from tongban.statistics.selectors import Filters

#: The page's sections, in page order, with the kind of chart each one gets and its alt text:
#: what the picture shows, and that the numbers are in the table below it.
SECTIONS: dict[str, tuple[Literal["bar", "line"], Promise]] = {
    "by_month": (
        "bar",
        gettext_lazy("Bar chart of cases submitted and completed per month; the figures are in the table below."),
    ),
    "by_agency": (
        "bar",
        gettext_lazy("Bar chart of cases submitted and completed per agency; the figures are in the table below."),
    ),
    "by_channel": (
        "bar",
        gettext_lazy("Bar chart of cases submitted and completed per channel; the figures are in the table below."),
    ),
    "once_only": (
        "bar",
        gettext_lazy(
            "Bar chart of materials, those not asked for again and data exchange reads per month; "
            "the figures are in the table below."
        ),
    ),
    "registrations": (
        "bar",
        gettext_lazy(
            "Bar chart of people (and of them the verified) and firms registered per month; "
            "the figures are in the table below."
        ),
    ),
    "waiting": (
        "bar",
        gettext_lazy(
            "Bar chart of the mean and the 90th-percentile minutes waited at each service centre; "
            "the figures are in the table below."
        ),
    ),
    "satisfaction": (
        "line",
        gettext_lazy("Line chart of the satisfaction rate per month; the figures are in the table below."),
    ),
}


@dataclass(frozen=True)
class ChartData:
    """What one chart draws: its title, the labels along the axis and one series per colour."""

    kind: Literal["bar", "line"]
    title: str
    labels: list[str]
    series: list[Series]
    value_label: str = ""


def _name(row: object, lang: str) -> str:
    zh, en = str(getattr(row, "name_zh", "") or ""), str(getattr(row, "name_en", "") or "")
    return (zh or en) if lang.startswith("zh") else (en or zh)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def chart_data(section: str, filters: Filters, lang: str) -> ChartData:
    """The numbers of ``section``'s chart, in ``lang``: the same selector rows as the page's table."""
    kind = SECTIONS[section][0]
    with translation.override(lang):
        if section in ("by_month", "once_only"):
            months = selectors.monthly(filters)
            labels = [row.month.strftime("%Y-%m") for row in months]
            if section == "by_month":
                return ChartData(
                    kind,
                    _("Cases by month"),
                    labels,
                    [
                        Series(_("Submitted"), [row.submitted for row in months]),
                        Series(_("Completed"), [row.completions.completed for row in months]),
                    ],
                    _("Cases"),
                )
            return ChartData(
                kind,
                _("Documents not asked for again, by month"),
                labels,
                [
                    Series(_("Materials"), [row.materials for row in months]),
                    Series(_("Not asked for again"), [row.reused for row in months]),
                    Series(_("Data exchange reads"), [row.exchange_reads for row in months]),
                ],
            )
        if section in ("by_agency", "by_channel"):
            groups = selectors.by_agency(filters) if section == "by_agency" else selectors.by_channel(filters)
            return ChartData(
                kind,
                _("Cases by agency") if section == "by_agency" else _("Cases by channel"),
                [_name(row, lang) for row in groups],
                [
                    Series(_("Submitted"), [row.submitted for row in groups]),
                    Series(_("Completed"), [row.completions.completed for row in groups]),
                ],
                _("Cases"),
            )
        if section == "registrations":
            rows = selectors.registrations(filters)
            return ChartData(
                kind,
                _("People and firms registered, by month"),
                [row.month.strftime("%Y-%m") for row in rows],
                [
                    Series(_("People"), [row.persons for row in rows]),
                    Series(_("of whom verified"), [row.verified_persons for row in rows]),
                    Series(_("Firms"), [row.firms for row in rows]),
                ],
            )
        if section == "waiting":
            waits = selectors.waiting_times(filters)
            return ChartData(
                kind,
                _("Minutes from taking a ticket to being called"),
                [_name(row, lang) for row in waits],
                [
                    Series(_("Mean minutes"), [row.mean_minutes for row in waits]),
                    Series(_("90 % within (minutes)"), [row.p90_minutes for row in waits]),
                ],
                _("Minutes"),
            )
        trend = satisfaction_months(filters)
        return ChartData(
            kind,
            _("Satisfaction rate by month"),
            [month.month.strftime("%Y-%m") for month in trend],
            [Series(_("Satisfaction rate (%)"), [_percent(month.rate) for month in trend])],
            "%",
        )


def satisfaction_months(filters: Filters) -> list[Month]:
    """The monthly satisfaction trend the page's table and chart show (months with enough ratings)."""
    months = selectors.satisfaction(filters=filters)["months"]
    assert isinstance(months, list)
    return months


def _draw(data: ChartData, lang: str) -> bytes:
    draw = charts.bar_chart if data.kind == "bar" else charts.line_chart
    return draw(labels=data.labels, series=data.series, title=data.title, lang=lang, value_label=data.value_label)


def filter_query(filters: Filters) -> str:
    """The filters as the query string of a chart's URL (``""`` with none)."""
    params = {
        "period": filters.period,
        "agency": "" if filters.agency_id is None else str(filters.agency_id),
        "service": "" if filters.item_id is None else str(filters.item_id),
    }
    return urlencode({name: value for name, value in params.items() if value})


def chart_key(section: str, filters: Filters, lang: str) -> str:
    return (
        f"statistics:{section}:{lang}:{filters.first_month or ''}:{filters.last_month or ''}:"
        f"{filters.agency_id or ''}:{filters.item_id or ''}"
    )


def chart_links(filters: Filters, sections: list[str]) -> dict[str, dict[str, str]]:
    """The page's ``charts``: for each section with figures, the chart's URL and alt text."""
    query = filter_query(filters)
    return {
        section: {
            "url": reverse(f"portal:statistics_chart_{section}") + (f"?{query}" if query else ""),
            "alt": str(SECTIONS[section][1]),
        }
        for section in sections
    }


def _source(section: str) -> Callable[[HttpRequest], tuple[str, str, Callable[[], bytes]]]:
    def source(request: HttpRequest) -> tuple[str, str, Callable[[], bytes]]:
        filters = selectors.filters_from(request.GET, now=now())
        if not selectors.filters_exist(filters):
            raise Http404
        lang = translation.get_language() or "zh-hans"

        def render() -> bytes:
            # Only a chart not yet drawn for this revision costs a drawing: those are counted per
            # client, so that walking through filters cannot keep the server drawing.
            ratelimit.enforce(request, "statistics.chart")
            return _draw(chart_data(section, filters, lang), lang)

        return chart_key(section, filters, lang), selectors.revision(), render

    return source


def urlpatterns() -> list[URLPattern]:
    """``statistics/charts/<section>.svg``, named ``statistics_chart_<section>``."""
    return [
        charts.chart_path(
            f"statistics/charts/{section.replace('_', '-')}.svg", _source(section), name=f"statistics_chart_{section}"
        )
        for section in SECTIONS
    ]
