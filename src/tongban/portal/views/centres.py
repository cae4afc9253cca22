"""The public service-centre pages: the list (filter by district and by service, a GET form that
works without JavaScript) and each centre's page with today's and the week's opening, what its
windows handle, and schema.org ``GovernmentOffice`` structured data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from tongban.catalogue.models import ServiceItem
from tongban.core.calendar import get_work_calendar
from tongban.core.clock import now
from tongban.identity.models import ServiceCentre
from tongban.identity.selectors import district_name
from tongban.service_centres.models import OpeningHours
from tongban.service_centres.selectors import (
    DayOpening,
    centre_districts,
    centre_handles,
    centre_week,
    days_opening,
    public_centres,
)
from tongban.service_centres.ticket_selectors import centre_wait

_SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: What ``json.dumps`` leaves that could end a ``<script>`` element early (as ``json_script`` does).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class CentreRow:
    centre: ServiceCentre
    today: DayOpening
    district: str


def _published_services() -> list[ServiceItem]:
    return list(
        ServiceItem.objects.filter(published_version__isnull=False).select_related("published_version").order_by("code")
    )


@require_safe
def centre_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate(now())
    calendar = get_work_calendar()
    districts = centre_districts()
    district = request.GET.get("district", "")
    district = district if district in districts else ""
    services = _published_services()
    service_code = request.GET.get("service", "")
    service = next((item for item in services if item.code == service_code), None)
    rows = [
        CentreRow(
            centre=centre,
            today=days_opening(
                [today],
                hours=centre.opening_hours.all(),
                exceptions=centre.today_exceptions,  # type: ignore[attr-defined]  # prefetched to_attr
                calendar=calendar,
            )[0],
            district=district_name(centre.district),
        )
        for centre in public_centres(district=district, service=service, today=today)
    ]
    return render(
        request,
        "portal/centres.html",
        {
            "nav": "help",
            "rows": rows,
            "districts": [(code, district_name(code)) for code in districts],
            "district": district,
            "services": services,
            "service": service,
            "filtered": bool(district or service),
        },
    )


def _time(value: Any) -> str:
    return str(value.strftime("%H:%M"))


def structured_data(request: HttpRequest, centre: ServiceCentre, week: list[DayOpening]) -> SafeString:
    """The centre as a schema.org ``GovernmentOffice``: its regular weekly hours, and each day of
    the shown week that differs from them (a holiday, a closure, extra hours) as a dated
    specification (``opens``/``closes`` 00:00 means closed that day)."""
    specs: list[dict[str, str]] = [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": f"https://schema.org/{_SCHEMA_DAYS[row.weekday]}",
            "opens": _time(row.start),
            "closes": _time(row.end),
        }
        for row in OpeningHours.objects.filter(centre=centre)
    ]
    for day in week:
        if not day.special:
            continue
        dated = {
            "@type": "OpeningHoursSpecification",
            "validFrom": day.day.isoformat(),
            "validThrough": day.day.isoformat(),
        }
        if day.closed:
            specs.append({**dated, "opens": "00:00", "closes": "00:00"})
        specs.extend({**dated, "opens": _time(i.start), "closes": _time(i.end)} for i in day.intervals)
    english = request.LANGUAGE_CODE == "en"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentOffice",
        "@id": request.build_absolute_uri(reverse("portal:centre", args=[centre.code])),
        "name": centre.name_en if english else centre.name_zh,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": centre.address_en if english else centre.address_zh,
            "addressCountry": "CN",
        },
        "openingHoursSpecification": specs,
    }
    if centre.phone:
        data["telephone"] = centre.phone
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308  (escaped above)


@require_safe
def centre_detail(request: HttpRequest, centre_code: str) -> HttpResponse:
    centre = ServiceCentre.objects.filter(code=centre_code).first()
    if centre is None:
        raise Http404
    week = centre_week(centre, timezone.localdate(now()), get_work_calendar())
    return render(
        request,
        "portal/centre.html",
        {
            "nav": "help",
            "centre": centre,
            "district": district_name(centre.district),
            "today": week[0],
            "week": week,
            "handles": centre_handles(centre),
            "structured_data": structured_data(request, centre, week),
            "wait": centre_wait(centre, now=now()),
        },
    )
