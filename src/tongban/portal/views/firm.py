"""The firm's space: what the signed-in person may do for one firm, and, for its legal
representative, the staff and their powers. Every view checks the person's access first."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.catalogue.selectors import published_services
from tongban.core.clock import now
from tongban.core.errors import ConflictError
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.identity import idnumbers
from tongban.identity.models import Firm, IdType, Power, ServiceArea
from tongban.identity.permissions import acting_authority, firm_access, require_legal_representative
from tongban.identity.requests import PersonRequest
from tongban.identity.selectors import firm_powers, person_by_identifier
from tongban.identity.services import power_grant, power_grant_errors, power_revoke
from tongban.portal.decorators import person_required
from tongban.portal.forms import PowerGrantForm, PowerRevokeForm


@person_required
def firm_space(request: PersonRequest, uscc: str) -> HttpResponse:
    access = firm_access(person=request.person, uscc=uscc, now=now())
    areas = [(area, ServiceArea(area).label, access.powers.get(area)) for area in access.areas]
    return render(request, "portal/firm_space.html", {"access": access, "firm": access.firm, "areas": areas})


@person_required
def firm_area(request: PersonRequest, uscc: str, area: str) -> HttpResponse:
    """One service area of the firm: only for a person holding the power (or the legal rep)."""
    access = firm_access(person=request.person, uscc=uscc, now=now())
    authority = acting_authority(person=request.person, firm=access.firm, area=area, now=now())
    return render(
        request,
        "portal/firm_area.html",
        {
            "firm": access.firm,
            "authority": authority,
            "area_label": ServiceArea(area).label,
            "area": area,
            "services": published_services(audience="firms").filter(item__area=area),
        },
    )


def _end_of_day(day: object) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE))  # type: ignore[arg-type]


@person_required
def firm_staff(request: PersonRequest, uscc: str) -> HttpResponse:
    person = request.person
    access = firm_access(person=person, uscc=uscc, now=now())
    require_legal_representative(person=person, firm=access.firm)
    form = PowerGrantForm(request.POST or None)
    if request.method == "POST" and _grant_checked(form, access.firm):
        data = form.cleaned_data
        with domain_errors(request, form, catch=(ValidationError, ConflictError)) as done:
            power_grant(
                firm=access.firm,
                grantee=data["grantee"],
                area=data["area"],
                expires_at=_end_of_day(data["expires_on"]),
                granted_by=person,
                actor=actor_from_request(request),
                now=now(),
            )
        if done:
            messages.success(
                request,
                _("%(name)s may now act for the firm in “%(area)s”.")
                % {"name": data["grantee"].display_name, "area": ServiceArea(data["area"]).label},
            )
            return redirect("portal:firm_staff", uscc=uscc)
    moment = now()
    powers = list(firm_powers(firm=access.firm))
    active = [power for power in powers if power.is_active(moment)]
    inactive = [power for power in powers if not power.is_active(moment)]
    return render(
        request,
        "portal/firm_staff.html",
        {"firm": access.firm, "form": form, "active": active, "inactive": inactive, "now": moment, "IdType": IdType},
    )


def _grant_checked(form: PowerGrantForm, firm: Firm) -> bool:
    """The form's checks, the grantee looked up and the grant service's own checks, all in one
    round: every problem is listed at once, not one per submission. The grantee goes into
    ``form.cleaned_data["grantee"]``."""
    valid = form.is_valid()
    data = form.cleaned_data
    grantee = None
    if "id_number" in data:
        grantee = person_by_identifier(
            id_number=idnumbers.normalise(data["id_number"]), nationality=data.get("nationality") or None
        )
        if grantee is None:
            form.add_error("id_number", _("No registered person has this document number. Ask them to register first."))
    expires_on = data.get("expires_on")
    errors = power_grant_errors(
        firm=firm,
        grantee=grantee,
        area=data.get("area"),
        now=now(),
        expires_at=_end_of_day(expires_on) if expires_on else None,
    )
    for key, problems in errors.items():
        form.add_error("id_number" if key == "grantee" else key, problems)
    data["grantee"] = grantee
    return valid and not form.errors


@require_POST
@person_required
def power_revoke_view(request: PersonRequest, uscc: str, power_id: int) -> HttpResponse:
    person = request.person
    access = firm_access(person=person, uscc=uscc, now=now())
    require_legal_representative(person=person, firm=access.firm)
    power = get_object_or_404(Power, pk=power_id, firm=access.firm)
    form = PowerRevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    with domain_errors(request, catch=(ConflictError,)) as done:
        power_revoke(power=power, revoked_by=person, reason=reason, actor=actor_from_request(request), now=now())
    if done:
        messages.success(request, _("The power is revoked. It stopped working at once."))
    return redirect("portal:firm_staff", uscc=uscc)
