"""Back office: an agency's issued certificates, and revoking one with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.backoffice.decorators import reauth_required, staff_account, staff_required
from tongban.certificates.models import Certificate
from tongban.certificates.selectors import certificate_by_number, shown_fields
from tongban.certificates.services import certificate_record_opened, certificate_revoke
from tongban.core.clock import now
from tongban.core.errors import NotFoundError, PermissionDeniedError
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.identity.models import AGENCY_ROLES, StaffRoleKind
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import has_role


def _agency_scope(request: StaffRequest) -> Q:
    roles = request.staff_roles
    if has_role(roles, StaffRoleKind.CITY_OPERATOR):
        return Q()
    agencies = [role.agency_id for role in roles if role.role in AGENCY_ROLES and role.agency_id]
    if not agencies:
        raise PermissionDeniedError(_("Only agency staff see the certificates their agency issued."))
    return Q(agency_id__in=agencies)


@staff_required
def certificate_list(request: StaffRequest) -> HttpResponse:
    query = request.GET.get("number", "").strip().upper()[:24]
    certificates = Certificate.objects.filter(_agency_scope(request)).select_related("certificate_type")
    if query:
        certificates = certificates.filter(number=query)
    moment = now()
    rows = [(c, c.status(moment)) for c in certificates.order_by("-issued_at")[:50]]
    return render(request, "backoffice/certificates.html", {"rows": rows, "query": query})


def _own_certificate(request: StaffRequest, number: str) -> Certificate:
    """The certificate, if the staff member's agency issued it (any, for a city operator); another
    agency's staff get the same 404 as for a number that names nothing."""
    certificate = certificate_by_number(number=number)
    if certificate is None or not Certificate.objects.filter(_agency_scope(request), pk=certificate.pk).exists():
        raise NotFoundError(_("No such certificate from your agency."))
    return certificate


@require_safe
@staff_required
def certificate_detail(request: StaffRequest, number: str) -> HttpResponse:
    certificate = _own_certificate(request, number)
    certificate_record_opened(
        certificate=certificate, account=staff_account(request), actor=actor_from_request(request)
    )
    return render(
        request,
        "backoffice/certificate.html",
        {
            "certificate": certificate,
            "status": certificate.status(now()),
            "fields": shown_fields(certificate, public_only=False),
        },
    )


@require_POST
@staff_required
@reauth_required()
def certificate_revoke_view(request: StaffRequest, number: str) -> HttpResponse:
    certificate = _own_certificate(request, number)
    with domain_errors(request) as done:  # the service checks again who may revoke: it is the authority
        certificate_revoke(
            certificate=certificate,
            account=staff_account(request),
            reason=request.POST.get("reason", ""),
            actor=actor_from_request(request),
            now=now(),
        )
    if done:
        messages.success(request, _("The certificate is revoked. Verification shows it at once."))
    return redirect("backoffice:certificate", number=number)
