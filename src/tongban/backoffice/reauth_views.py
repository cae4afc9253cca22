"""Re-authentication before a sensitive staff action: enter the current TOTP code again
(``backoffice.decorators.reauth_required`` sends staff here), then return to the page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.backoffice.decorators import staff_account, staff_required
from tongban.backoffice.forms import ReauthForm
from tongban.core import ratelimit
from tongban.core.requests import actor_from_request
from tongban.identity.services import totp_verify
from tongban.identity.staff_sessions import reauth_recorded


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("backoffice:home")


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def reauth(request: HttpRequest) -> HttpResponse:
    account = staff_account(request)
    form = ReauthForm(request.POST or None)
    if request.method == "POST":
        ratelimit.enforce(request, "totp.client")
        ratelimit.enforce(request, "totp.account", key=str(account.pk))
        device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
        if form.is_valid() and device is not None:
            if not device.verify_is_allowed()[0]:
                form.add_error(
                    "token", _("Too many wrong codes in a row. Wait a few seconds, then enter the newest code.")
                )
            elif totp_verify(
                device=device, token=form.cleaned_data["token"], actor=actor_from_request(request), purpose="reauth"
            ):
                reauth_recorded(request)
                return HttpResponseRedirect(_next(request))
            else:
                form.add_error("token", _("That code is wrong or has expired. Wait for a new code and try again."))
    return render(
        request,
        "backoffice/reauth.html",
        {"form": form, "next": _next(request), "reauth_minutes": settings.REAUTH_MINUTES},
    )
