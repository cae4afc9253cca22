"""Reads for window intake (全市通办, 帮办): the visit a clerk is serving now, the services the
window may take, and the visitor's drafts and cases as the clerk sees them (ADR 0039)."""

from __future__ import annotations

from datetime import date

from django.db.models import F, QuerySet

from tongban.catalogue.models import ServiceVersion, VersionStatus
from tongban.identity.models import Account, StaffRole
from tongban.service_centres.models import Ticket, TicketStatus, Window, WindowScope
from tongban.service_centres.permissions import clerk_centre_ids


def current_visit(*, account: Account, roles: list[StaffRole], today: date) -> Ticket | None:
    """The ticket the clerk is serving now: called by this clerk at one of the clerk's centres
    today and not finished (the most recently called, if several), with its window, person and
    appointment (one query)."""
    centres = clerk_centre_ids(roles)
    if not centres:
        return None
    return (
        Ticket.objects.select_related("centre", "window", "person", "appointment__person", "item")
        .filter(centre_id__in=centres, day=today, status=TicketStatus.CALLED, clerk=account)
        .order_by("-called_at", "-id")
        .first()
    )


def window_services(window: Window | None) -> QuerySet[ServiceVersion]:
    """The published services (their versions with a form) the window may take, by code."""
    versions = ServiceVersion.objects.filter(
        status=VersionStatus.PUBLISHED, item__published_version=F("pk"), form_definition__isnull=False
    ).select_related("item", "item__agency")
    if window is None or not window.active:
        return versions.none()
    if window.scope == WindowScope.AGENCIES:
        versions = versions.filter(item__agency__in=window.agencies.all())
    elif window.scope == WindowScope.SERVICES:
        versions = versions.filter(item__in=window.services.all())
    return versions.order_by("item__code")
