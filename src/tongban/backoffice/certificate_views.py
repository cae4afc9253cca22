"""Back office: an office's issued certificates, and revoking one with a public reason from a fixed
list and an internal note (proposed and confirmed under four eyes where the issue was)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.backoffice.decorators import reauth_required, staff_account, staff_required
from tongban.certificates.models import Certificate, RevocationReason
from tongban.certificates.permissions import issued_scope, may_confirm_revocation, may_open_issued, may_revoke
from tongban.certificates.selectors import certificate_by_number, shown_fields
from tongban.certificates.services import (
    certificate_record_opened,
    certificate_revocation_confirm,
    certificate_revoke,
)
from tongban.core.clock import now
from tongban.core.errors import NotFoundError, PermissionDeniedError
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.identity.requests import StaffRequest


def _issued_scope(request: StaffRequest) -> Q:
    scope = issued_scope(request.staff_roles)
    if scope is None:
        raise PermissionDeniedError(_("Only agency staff see the certificates their agency issued."))
    return scope


@staff_required
def certificate_list(request: StaffRequest) -> HttpResponse:
    query = request.GET.get("number", "").strip().upper()[:24]
    certificates = Certificate.objects.filter(_issued_scope(request)).select_related("certificate_type")
    if query:
        certificates = certificates.filter(number=query)
    moment = now()
    rows = [(c, c.status(moment)) for c in certificates.order_by("-issued_at")[:50]]
    return render(request, "backoffice/certificates.html", {"rows": rows, "query": query})


def _own_certificate(request: StaffRequest, number: str) -> Certificate:
    """The certificate, if the staff member's office issued it (any, for a city operator); other
    staff get the same 404 as for a number that names nothing (``certificates.permissions``)."""
    certificate = certificate_by_number(number=number)
    if certificate is None or not may_open_issued(roles=request.staff_roles, certificate=certificate):
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
            "reasons": RevocationReason.choices,
            "may_revoke": may_revoke(roles=request.staff_roles, certificate=certificate),
            "may_confirm": certificate.revocation_proposed_at is not None
            and may_confirm_revocation(
                roles=request.staff_roles, certificate=certificate, account_id=staff_account(request).pk
            ),
        },
    )


@require_POST
@staff_required
@reauth_required()
def certificate_revoke_view(request: StaffRequest, number: str) -> HttpResponse:
    certificate = _own_certificate(request, number)
    confirm = request.POST.get("intent") == "confirm"
    with domain_errors(request) as done:  # the service checks again who may revoke: it is the authority
        if confirm:
            certificate = certificate_revocation_confirm(
                certificate=certificate, account=staff_account(request), actor=actor_from_request(request), now=now()
            )
        else:
            certificate = certificate_revoke(
                certificate=certificate,
                account=staff_account(request),
                reason=request.POST.get("reason", ""),
                reason_code=request.POST.get("reason_code", ""),
                actor=actor_from_request(request),
                now=now(),
            )
    if done and certificate.revoked_at is None:
        messages.success(request, _("The revocation is proposed. A supervisor of the issuing office confirms it."))
    elif done:
        messages.success(request, _("The certificate is revoked. Verification shows it at once."))
    return redirect("backoffice:certificate", number=number)
