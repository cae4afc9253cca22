"""Back office: the dashboards (ADR 0046, issue 17). The city operator sees every agency's running,
overdue and due-soon cases and every centre's waiting times today; an agency administrator sees
their own agencies; an agency's page adds the figures per office and the open cases each officer
holds. Everyone else is refused (403), as for the other statistics pages; another agency's page
is refused to an agency administrator as every other page of that agency is (403).

Each page runs a fixed number of queries whatever the number of cases, agencies, officers or
tickets (the grouped counts of ``cases.workload_selectors`` and ``ticket_selectors.waits_on``)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tongban.backoffice.decorators import staff_account, staff_required
from tongban.cases.workload_selectors import (
    DueFigures,
    due_figures_by_agency,
    due_figures_by_office,
    open_cases_assigned,
)
from tongban.core.calendar import get_work_calendar
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.errors import PermissionDeniedError
from tongban.identity.models import Agency, ServiceCentre, StaffRoleKind
from tongban.identity.permissions import require_agency_role
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import agency_staff, has_role
from tongban.service_centres.queue import WaitSummary
from tongban.service_centres.ticket_selectors import waits_on


def _total(figures: list[DueFigures]) -> DueFigures:
    return DueFigures(
        running=sum(each.running for each in figures),
        overdue=sum(each.overdue for each in figures),
        due_soon=sum(each.due_soon for each in figures),
    )


def _period() -> tuple[date, date, int]:
    """Today, the last promised date that counts as due soon, and the working days that makes."""
    today = local_date(now())
    days = settings.CASE_DUE_SOON_WORKDAYS
    return today, get_work_calendar().add_workdays(today, days), days


@staff_required
@require_safe
def dashboard(request: StaffRequest) -> HttpResponse:
    """The city's dashboard for city operators; an agency administrator's agencies for them."""
    roles = request.staff_roles
    operator = has_role(roles, StaffRoleKind.CITY_OPERATOR)
    administered = {role.agency_id for role in roles if role.role == StaffRoleKind.AGENCY_ADMIN and role.agency_id}
    if not operator and not administered:
        raise PermissionDeniedError(_("Only city operators and agency administrators see the dashboards."))
    today, until, days = _period()
    agencies = list(Agency.objects.order_by("code") if operator else Agency.objects.filter(pk__in=administered))
    figures = due_figures_by_agency(agency_ids=None if operator else administered, today=today, until=until)
    rows = [(agency, figures.get(agency.pk, DueFigures())) for agency in agencies]
    centres: list[tuple[ServiceCentre, WaitSummary]] = []
    if operator:
        all_centres = list(ServiceCentre.objects.order_by("code"))
        waits = waits_on(centre_ids=[centre.pk for centre in all_centres], day=today)
        centres = [(centre, waits[centre.pk]) for centre in all_centres]
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "operator": operator,
            "rows": rows,
            "total": _total([each for _agency, each in rows]),
            "centres": centres,
            "today": today,
            "days": days,
        },
    )


@staff_required
@require_safe
def agency_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """One agency: its figures per office and the open cases each of its officers holds."""
    agency = get_object_or_404(Agency, code=code)
    require_agency_role(account=staff_account(request), agency=agency, kinds=(StaffRoleKind.AGENCY_ADMIN,))
    today, until, days = _period()
    figures = due_figures_by_office(agency_id=agency.pk, today=today, until=until)
    offices = [(office, figures.get(office.pk, DueFigures())) for office in agency.offices.all()]
    officers = list(agency_staff(agency=agency).filter(role=StaffRoleKind.OFFICER).select_related("office"))
    load = open_cases_assigned(account_ids={role.account_id for role in officers}, agency_id=agency.pk)
    return render(
        request,
        "backoffice/dashboard_agency.html",
        {
            "agency": agency,
            "offices": offices,
            "total": _total([each for _office, each in offices]),
            "officers": sorted(
                ((role, load.get(role.account_id, 0)) for role in officers),
                key=lambda pair: (-pair[1], pair[0].account.username),
            ),
            "today": today,
            "days": days,
        },
    )
