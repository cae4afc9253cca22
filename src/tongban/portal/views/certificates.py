"""E-certificates in the portal: the holder's wallet (view, PDF, credential, share link) and the
public verification pages (by number, by shared link, by pasting or uploading a JWS)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from tongban.certificates import jose
from tongban.certificates.contexts import load_document
from tongban.certificates.models import Certificate, CertificateStatus
from tongban.certificates.numbers import normalize_number
from tongban.certificates.pdf import CertificateDocument, PdfField, render_pdf
from tongban.certificates.permissions import may_view
from tongban.certificates.selectors import (
    certificate_by_number,
    firm_wallet,
    person_wallet,
    shown_fields,
)
from tongban.certificates.services import certificate_share, read_share_token
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.errors import NotFoundError
from tongban.core.keyring import get_keyring
from tongban.core.ratelimit import rate_limited
from tongban.core.requests import actor_from_request
from tongban.identity.models import Firm
from tongban.identity.permissions import firm_access
from tongban.identity.requests import PersonRequest
from tongban.portal.decorators import person_required

MAX_JWS_BYTES = 64 * 1024
#: Public look-ups (pages, status, JWS) count per client against ``verify.client``.
VERIFY_LIMIT = rate_limited("verify.client", methods=("GET", "HEAD", "POST"))


def verify_url(certificate: Certificate) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/verify/{certificate.number}"


# --- The holder's wallet ---------------------------------------------------------------------


@person_required
def wallet(request: PersonRequest) -> HttpResponse:
    person = request.person
    moment = now()
    rows = [(certificate, certificate.status(moment)) for certificate in person_wallet(person=person)]
    return render(request, "portal/wallet.html", {"rows": rows, "firm": None})


@person_required
def firm_certificates(request: PersonRequest, uscc: str) -> HttpResponse:
    moment = now()
    access = firm_access(person=request.person, uscc=uscc, now=moment)
    rows = [(c, c.status(moment)) for c in firm_wallet(firm=access.firm, areas=access.areas)]
    return render(request, "portal/wallet.html", {"rows": rows, "firm": access.firm})


def _held(request: PersonRequest, number: str) -> Certificate:
    certificate = certificate_by_number(number=number)
    if certificate is None or not may_view(person=request.person, certificate=certificate, now=now()):
        raise NotFoundError(_("No such certificate among yours."))
    return certificate


@person_required
def certificate_detail(request: PersonRequest, number: str) -> HttpResponse:
    certificate = _held(request, number)
    return render(
        request,
        "portal/certificate.html",
        {
            "certificate": certificate,
            "firm": _wallet_firm(request, certificate),
            "status": certificate.status(now()),
            "fields": shown_fields(certificate, public_only=False),
            "verify_url": verify_url(certificate),
            "share_url": request.session.pop(f"share:{number}", ""),
        },
    )


def _wallet_firm(request: PersonRequest, certificate: Certificate) -> Firm | None:
    """The firm whose wallet a certificate the person does not hold is in (the breadcrumb leads
    back there, not to the personal wallet); None for one of the person's own."""
    if certificate.holder_person_id == request.person.pk:
        return None
    firm_id = certificate.holder_firm_id or certificate.applicant_firm_id
    return Firm.objects.only("uscc", "name_zh", "name_en").filter(pk=firm_id).first() if firm_id else None


@person_required
def certificate_pdf(request: PersonRequest, number: str) -> HttpResponse:
    certificate = _held(request, number)
    response = HttpResponse(render_pdf(pdf_document(certificate)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@person_required
def certificate_credential(request: PersonRequest, number: str) -> HttpResponse:
    certificate = _held(request, number)
    response = HttpResponse(certificate.credential, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.vc.jwt"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@person_required
def certificate_share_view(request: PersonRequest, number: str) -> HttpResponse:
    certificate = _held(request, number)
    try:
        days = int(request.POST.get("days", "7"))
        token = certificate_share(
            certificate=certificate,
            person=request.person,
            days=days,
            actor=actor_from_request(request),
            now=now(),
        )
    except (ValueError, ValidationError):
        messages.error(request, _("Choose between 1 and 90 days."))
    else:
        link = f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('certificate_shared', args=[token])}"
        request.session[f"share:{number}"] = link
        messages.success(
            request, _("The link works for %(days)s days. Anyone with it can see the certificate.") % {"days": days}
        )
    return redirect("portal:certificate", number=number)


def pdf_document(certificate: Certificate) -> CertificateDocument:
    status = certificate.status(now())
    return CertificateDocument(
        number=certificate.number,
        type_zh=certificate.certificate_type.name_zh,
        type_en=certificate.certificate_type.name_en,
        holder_zh=certificate.holder_name_zh,
        holder_en=certificate.holder_name_en,
        agency_zh=certificate.agency.name_zh,
        agency_en=certificate.agency.name_en,
        issued_on=local_date(certificate.issued_at),
        valid_from=local_date(certificate.valid_from),
        valid_until=local_date(certificate.valid_until) if certificate.valid_until else None,
        fields=tuple(
            PdfField(f.label_zh, f.label_en, f.value_zh, f.value_en)
            for f in shown_fields(certificate, public_only=False)
        ),
        verify_url=verify_url(certificate),
        status_note_zh="已撤销" if status == CertificateStatus.REVOKED else "",
        status_note_en="REVOKED" if status == CertificateStatus.REVOKED else "",
    )


# --- Public verification ----------------------------------------------------------------------


def _verification_context(certificate: Certificate | None, number: str, *, full: bool = False) -> dict[str, Any]:
    """What a verifier sees: holder, type, issuer, validity and status (the page's summary); the
    certificate's fields only through a link the holder shared (``full``), ADR 0028."""
    if certificate is None:
        return {"number": number, "status": "unknown", "certificate": None}
    return {
        "number": number,
        "certificate": certificate,
        "status": certificate.status(now()).value,
        "fields": shown_fields(certificate, public_only=False) if full else [],
    }


@never_cache
@require_safe
@VERIFY_LIMIT
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """Anyone, no login: valid, expired, revoked or unknown; who holds it, what it is, who issued
    it and for how long, and none of its fields. A number typed in lower case or with separators
    is sent on to its stored form."""
    normal = normalize_number(number)
    if normal is not None and normal != number and request.resolver_match is not None:
        return redirect(request.resolver_match.view_name, number=normal)
    certificate = certificate_by_number(number=number)
    context = _verification_context(certificate, number)
    return render(request, "portal/verify.html", context, status=200 if certificate else 404)


@never_cache
@require_safe
@VERIFY_LIMIT
def verify_jws(request: HttpRequest, number: str) -> HttpResponse:
    certificate = certificate_by_number(number=number)
    if certificate is None:
        raise Http404
    return HttpResponse(certificate.jws, content_type="application/jose")


@never_cache
@require_safe
@VERIFY_LIMIT
def verify_status(request: HttpRequest, number: str) -> JsonResponse:
    """The revocation status the command-line verifier and other systems check."""
    certificate = certificate_by_number(number=number)
    if certificate is None:
        return JsonResponse({"number": number, "status": "unknown"}, status=404)
    return JsonResponse(
        {
            "number": number,
            "status": certificate.status(now()).value,
            "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
            "reason": certificate.revoked_reason_code or None,
        }
    )


@never_cache
@require_safe
@VERIFY_LIMIT
def verify_shared(request: HttpRequest, token: str) -> HttpResponse:
    """A link the holder shared: all fields, while it lasts."""
    number = read_share_token(token, now=now())
    certificate = certificate_by_number(number=number) if number else None
    if certificate is None:
        return render(request, "portal/verify.html", {"status": "link_expired", "certificate": None}, status=410)
    return render(
        request,
        "portal/verify.html",
        {**_verification_context(certificate, certificate.number, full=True), "shared": True},
    )


@never_cache
@VERIFY_LIMIT
def verify_token(request: HttpRequest) -> HttpResponse:
    """Type a certificate's number (a GET form: it leads to the number's verification page), or
    paste or upload a JWS: its signature is checked against the platform's keys."""
    result: dict[str, Any] = {}
    if request.method == "GET" and "number" in request.GET:
        typed = request.GET["number"][:100]
        number = normalize_number(typed)
        if number is not None:
            return redirect("portal:verify", number=number)
        result = {
            "typed_number": typed,
            "number_error": _(
                "This is not a certificate number. A number starts with letters and the year of issue, "
                "for example WP2026K7Q2M9XD; check it on the certificate."
            ),
        }
    if request.method == "POST":
        raw = request.POST.get("jws", "").strip()
        upload = request.FILES.get("file")
        if upload is not None:
            raw = upload.read(MAX_JWS_BYTES + 1).decode("utf-8", "replace").strip()
        if not raw or len(raw) > MAX_JWS_BYTES:
            result = {
                "error": _("Paste the signed certificate (a JWS: three parts separated by dots) or upload its file.")
            }
        else:
            try:
                verified = jose.verify_jws(raw, get_keyring().public_jwks(), now=now())
            except jose.JwsError as exc:
                result = {"error": str(exc.message), "code": exc.code}
            else:
                payload = verified.payload
                try:
                    number = jose.summarize(payload).number
                except jose.JwsError:
                    number = ""
                certificate = certificate_by_number(number=number) if number else None
                result = {"verified": True, "payload": json.dumps(payload, ensure_ascii=False, indent=2)}
                result.update(_verification_context(certificate, number))
    return render(request, "portal/verify_token.html", result)


@require_safe
def context_document(request: HttpRequest) -> JsonResponse:
    """Our JSON-LD context for certificate terms (bundled; named by every credential)."""
    document = load_document(f"{settings.PUBLIC_BASE_URL.rstrip('/')}/contexts/certificates/v1")
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/ld+json"
    response["Cache-Control"] = "public, max-age=86400"
    return response
