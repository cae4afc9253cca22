"""Back office: the data exchange — the catalogue of data resources (all staff), the grants between
agencies (agency administrators and city operators: request, approve or refuse, revoke) and the
usage statistics of the access log (city operators)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.backoffice.decorators import reauth_required, staff_account, staff_required
from tongban.backoffice.forms import GrantRequestForm, GrantTargetForm
from tongban.core import bilingual
from tongban.core.clock import now
from tongban.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.exchange.models import DataResource, Grant, GrantStatus
from tongban.exchange.selectors import (
    PLATFORM_PURPOSES,
    administered_agencies,
    grant_overview,
    grant_visible,
    purposes_of,
    requestable_resources,
    resources,
    service_item_names,
    usage_names,
    usage_statistics,
)
from tongban.exchange.services import grant_decide, grant_request, grant_revoke
from tongban.identity.models import Agency, StaffRoleKind
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import has_role

#: The periods the statistics page offers, in days; the first is the default.
STATISTICS_DAYS = (30, 7, 90)


def _require_grant_admin(request: StaffRequest) -> tuple[bool, list[int]]:
    """(is a city operator, ids of the agencies administered); refuses everyone else."""
    roles = request.staff_roles
    if not has_role(roles, StaffRoleKind.CITY_OPERATOR, StaffRoleKind.AGENCY_ADMIN):
        raise PermissionDeniedError(_("Only agency administrators and city operators manage data grants."))
    return administered_agencies(staff_account(request))


# --- The catalogue of data resources ---------------------------------------------------------------


@dataclass(frozen=True)
class ResourceRow:
    resource: DataResource
    name: str
    description: str
    owner: str
    fields: list[str]


@staff_required
def resource_catalogue(request: StaffRequest) -> HttpResponse:
    language = bilingual.language()
    rows = [
        ResourceRow(
            resource=resource,
            name=resource.name(language),
            description=bilingual.localized(resource, "description", language),
            owner=bilingual.localized(resource.owner, "name", language),
            fields=[resource.field_label(name, language) for name in resource.field_names()],
        )
        for resource in resources()
    ]
    roles = request.staff_roles
    return render(
        request,
        "backoffice/exchange.html",
        {
            "rows": rows,
            "can_grant": has_role(roles, StaffRoleKind.CITY_OPERATOR, StaffRoleKind.AGENCY_ADMIN),
            "is_operator": has_role(roles, StaffRoleKind.CITY_OPERATOR),
        },
    )


# --- Grants ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantRow:
    grant: Grant
    consumer: str
    resource: str
    owner: str
    fields: list[str]
    purpose: str
    state: str
    active: bool


def _purpose_label(purpose: str, names: dict[str, tuple[str, str]], language: str) -> str:
    if purpose == "identity-verification":
        return _("Identity verification")
    if purpose in names:
        return bilingual.pick(*names[purpose], language)
    return purpose


def _grant_rows(grants: list[Grant], *, moment: datetime) -> list[GrantRow]:
    language = bilingual.language()
    names = service_item_names({grant.purpose for grant in grants})
    rows = []
    for grant in grants:
        if grant.revoked_at is not None:
            state = _("Revoked")
        elif grant.status == GrantStatus.REFUSED:
            state = _("Refused")
        elif grant.expires_at <= moment:
            state = _("Expired")
        else:
            state = str(GrantStatus(grant.status).label)
        rows.append(
            GrantRow(
                grant=grant,
                consumer=bilingual.localized(grant.consumer, "name", language),
                resource=grant.resource.name(language),
                owner=bilingual.localized(grant.resource.owner, "name", language),
                fields=[grant.resource.field_label(name, language) for name in grant.fields],
                purpose=_purpose_label(grant.purpose, names, language),
                state=state,
                active=grant.is_active(moment),
            )
        )
    return rows


@staff_required
def grants(request: StaffRequest) -> HttpResponse:
    operator, _agencies = _require_grant_admin(request)
    moment = now()
    overview = grant_overview(account=staff_account(request), now=moment)
    rows = _grant_rows(overview.awaiting + overview.requested + overview.active + overview.history, moment=moment)
    by_id = {row.grant.pk: row for row in rows}
    return render(
        request,
        "backoffice/exchange_grants.html",
        {
            "is_operator": operator,
            "awaiting": [by_id[grant.pk] for grant in overview.awaiting],
            "requested": [by_id[grant.pk] for grant in overview.requested],
            "active": [by_id[grant.pk] for grant in overview.active],
            "history": [by_id[grant.pk] for grant in overview.history],
        },
    )


def _end_of_day(day: object) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(str(settings.TIME_ZONE)))  # type: ignore[arg-type]


@staff_required
def grant_new(request: StaffRequest) -> HttpResponse:
    """Two steps without JavaScript: choose the agency and the resource (GET), then the fields,
    purpose, expiry and justification (POST to the same address)."""
    operator, agency_ids = _require_grant_admin(request)
    language = bilingual.language()
    agencies = (
        Agency.objects.order_by("code") if operator else Agency.objects.filter(pk__in=agency_ids).order_by("code")
    )
    consumers = {agency.code: agency for agency in agencies}
    available = {resource.code: resource for resource in requestable_resources()}
    data = request.GET.copy()
    if "consumer" not in data and len(consumers) == 1:
        data["consumer"] = next(iter(consumers))
    target = GrantTargetForm(
        data if "resource" in data and "consumer" in data else None,
        initial={"consumer": data.get("consumer", ""), "resource": data.get("resource", "")},
        consumers=[(code, bilingual.localized(agency, "name", language)) for code, agency in consumers.items()],
        resources=[
            (code, f"{resource.name(language)} — {bilingual.localized(resource.owner, 'name', language)}")
            for code, resource in available.items()
        ],
    )
    if not target.is_bound or not target.is_valid():
        return render(request, "backoffice/exchange_grant_new.html", {"target": target, "form": None})
    consumer = consumers[target.cleaned_data["consumer"]]
    resource = available[target.cleaned_data["resource"]]
    purposes = [(code, f"{bilingual.pick(zh, en, language)} ({code})") for code, zh, en in purposes_of(consumer)]
    if operator:
        purposes += [(purpose, _("Identity verification")) for purpose in PLATFORM_PURPOSES]
    moment = now()
    form = GrantRequestForm(
        request.POST if request.method == "POST" else None,
        fields=[(name, resource.field_label(name, language)) for name in resource.field_names()],
        purposes=purposes,
        today=timezone.localdate(moment),
    )
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        with domain_errors(request, form, catch=(PermissionDeniedError, ValidationError)) as done:
            grant_request(
                consumer=consumer,
                resource=resource,
                purpose=values["purpose"],
                fields=list(values["fields"]),
                expires_at=_end_of_day(values["expires_on"]),
                justification=values["justification"],
                account=staff_account(request),
                actor=actor_from_request(request),
                now=moment,
            )
        if done:
            messages.success(request, _("The request is sent. The owning agency decides on it."))
            return redirect("backoffice:exchange_grants")
    return render(
        request,
        "backoffice/exchange_grant_new.html",
        {
            "target": target,
            "form": form,
            "consumer_name": bilingual.localized(consumer, "name", language),
            "resource": resource,
            "resource_name": resource.name(language),
            "owner_name": bilingual.localized(resource.owner, "name", language),
            "query": urlencode({"consumer": consumer.code, "resource": resource.code}),
            "change_url": f"{reverse('backoffice:exchange_grant_new')}?{urlencode({'consumer': consumer.code})}",
        },
    )


def _visible_grant(request: StaffRequest, grant_id: int) -> Grant:
    _require_grant_admin(request)
    grant = grant_visible(account=staff_account(request), grant_id=grant_id)
    if grant is None:
        raise NotFoundError(_("No such grant of your agency."))
    return grant


@require_POST
@staff_required
@reauth_required()
def grant_decide_view(request: StaffRequest, grant_id: int) -> HttpResponse:
    grant = _visible_grant(request, grant_id)
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "").strip()[:500]
    if decision not in {"approve", "refuse"}:
        messages.error(request, _("Choose to approve or to refuse."))
    elif decision == "refuse" and not reason:
        messages.error(request, _("Give the reason for refusing the request."))
    else:
        with domain_errors(request, catch=(ConflictError, PermissionDeniedError)) as done:
            grant_decide(
                grant=grant,
                approve=decision == "approve",
                reason=reason,
                account=staff_account(request),
                actor=actor_from_request(request),
                now=now(),
            )
        if done:
            messages.success(
                request,
                _("The request is approved: the agency may read these fields from now on.")
                if decision == "approve"
                else _("The request is refused."),
            )
    return redirect("backoffice:exchange_grants")


@require_POST
@staff_required
@reauth_required()
def grant_revoke_view(request: StaffRequest, grant_id: int) -> HttpResponse:
    grant = _visible_grant(request, grant_id)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm that the grant ends now."))
        return redirect("backoffice:exchange_grants")
    with domain_errors(request, catch=(ConflictError, PermissionDeniedError)) as done:
        grant_revoke(grant=grant, account=staff_account(request), actor=actor_from_request(request), now=now())
    if done:
        messages.success(request, _("The grant is revoked: the next query is refused."))
    return redirect("backoffice:exchange_grants")


# --- Usage statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageLine:
    consumer: str
    consumer_code: str
    resource: str
    resource_code: str
    answered: int
    refused: int
    failed: int

    @property
    def total(self) -> int:
        return self.answered + self.refused + self.failed


@staff_required
def statistics(request: StaffRequest) -> HttpResponse:
    if not has_role(request.staff_roles, StaffRoleKind.CITY_OPERATOR):
        raise PermissionDeniedError(_("Only city operators see the city's statistics."))
    try:
        days = int(request.GET.get("days", STATISTICS_DAYS[0]))
    except ValueError:
        days = STATISTICS_DAYS[0]
    if days not in STATISTICS_DAYS:
        days = STATISTICS_DAYS[0]
    language = bilingual.language()
    usage = usage_statistics(now=now(), days=days)
    agencies, named = usage_names(usage)
    lines = [
        UsageLine(
            consumer=bilingual.localized(agencies[row.consumer], "name", language)
            if row.consumer in agencies
            else row.consumer,
            consumer_code=row.consumer,
            resource=named[row.resource].name(language) if row.resource in named else row.resource,
            resource_code=row.resource,
            answered=row.answered,
            refused=row.refused,
            failed=row.failed,
        )
        for row in usage
    ]
    totals = UsageLine(
        consumer="",
        consumer_code="",
        resource="",
        resource_code="",
        answered=sum(line.answered for line in lines),
        refused=sum(line.refused for line in lines),
        failed=sum(line.failed for line in lines),
    )
    return render(
        request,
        "backoffice/exchange_statistics.html",
        {"lines": lines, "totals": totals, "days": days, "choices": sorted(STATISTICS_DAYS)},
    )
