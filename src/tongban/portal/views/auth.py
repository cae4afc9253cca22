"""Login (password, then a TOTP code for staff), registration, logout and password reset."""

from __future__ import annotations

import time
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.identity.models import Account
from tongban.identity.selectors import is_staff
from tongban.identity.services import person_register, totp_confirm, totp_enrol, totp_verify
from tongban.portal.forms import (
    LoginForm,
    RegisterForm,
    TongbanPasswordResetForm,
    TongbanSetPasswordForm,
    TotpForm,
)

PREAUTH_KEY = "tongban_preauth"
PREAUTH_SECONDS = 300
BACKEND = "tongban.identity.backends.AccountBackend"
THROTTLED = gettext_lazy("Too many wrong codes in a row. Wait a few seconds, then enter the newest code.")


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _preauth_account(request: HttpRequest) -> Account | None:
    data = request.session.get(PREAUTH_KEY)
    if not data or time.time() - data["at"] > PREAUTH_SECONDS:
        return None
    return Account.objects.filter(pk=data["account_id"], is_active=True).first()


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            # AxesMiddleware replaces this response with the lock-out page.
            return render(request, "portal/login.html", {"form": form}, status=429)
        if account is None:
            form.add_error(None, _("The user name or password is wrong."))
        elif is_staff(account=account):
            request.session[PREAUTH_KEY] = {
                "account_id": account.pk,
                "at": time.time(),
                "next": _safe_next(request, ""),
            }
            has_device = TOTPDevice.objects.filter(user=account, confirmed=True).exists()
            return redirect("portal:login_verify" if has_device else "portal:totp_enrol")
        else:
            _sign_in(request, account)
            return redirect(_safe_next(request, reverse("portal:my_space")))
    return render(request, "portal/login.html", {"form": form, "next": request.GET.get("next", "")})


@csrf_protect
@never_cache
def login_verify_view(request: HttpRequest) -> HttpResponse:
    """Second step for staff: a TOTP code. Wrong codes are throttled by django-otp."""
    account = _preauth_account(request)
    if account is None:
        messages.error(request, _("Your login took too long. Please start again."))
        return redirect("portal:login")
    device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
    if device is None:
        return redirect("portal:totp_enrol")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", THROTTLED)
        elif totp_verify(device=device, token=form.cleaned_data["token"], actor=actor_from_request(request)):
            return _complete_staff_login(request, account, device)
        else:
            form.add_error("token", _("That code is wrong or has expired. Wait for a new code and try again."))
    return render(request, "portal/login_verify.html", {"form": form})


def _sign_in(request: HttpRequest, account: Account, device: TOTPDevice | None = None) -> None:
    """Start the session. Django's ``login`` records the time of the login on the account and
    sends ``user_logged_in``, whose receiver audits it (identity.signals): one transaction, so the
    account never shows a login the trail does not."""
    with transaction.atomic():
        login(request, account, backend=BACKEND)
        if device is not None:
            otp_login(request, device)


def _complete_staff_login(request: HttpRequest, account: Account, device: TOTPDevice) -> HttpResponse:
    target = request.session.get(PREAUTH_KEY, {}).get("next") or reverse("backoffice:home")
    _sign_in(request, account, device)
    request.session.pop(PREAUTH_KEY, None)
    return HttpResponseRedirect(target)


@csrf_protect
@never_cache
def totp_enrol_view(request: HttpRequest) -> HttpResponse:
    """First staff login: set up the authenticator app, confirm with one code."""
    account = _preauth_account(request)
    if account is None:
        return redirect("portal:login")
    if TOTPDevice.objects.filter(user=account, confirmed=True).exists():
        return redirect("portal:login_verify")
    device = TOTPDevice.objects.filter(user=account, confirmed=False).first()
    if device is None:
        device = totp_enrol(account=account, actor=actor_from_request(request))
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("token", THROTTLED)
        elif totp_confirm(device=device, token=form.cleaned_data["token"], actor=actor_from_request(request)):
            return _complete_staff_login(request, account, device)
        else:
            form.add_error("token", _("That code is wrong. Check the time on your phone and try the next code."))
    uri = device.config_url
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code for your authenticator app"))
    secret = uri.split("secret=")[1].split("&")[0]
    return render(request, "portal/totp_enrol.html", {"form": form, "qr_svg": qr_svg, "secret": secret})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have logged out."))
    return redirect("portal:home")


@sensitive_post_parameters("password", "password_again")
@csrf_protect
@never_cache
def register_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:my_space")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with domain_errors(request, form, catch=(ValidationError,)) as done:
            person = person_register(
                username=data["username"],
                password=data["password"],
                email=data["email"],
                id_type=data["id_type"],
                id_number=data["id_number"],
                nationality=data["nationality"],
                name=data["name"],
                latin_name=data["latin_name"],
                preferred_language=get_language() or "zh-hans",
                actor=actor_from_request(request),
            )
        if done:
            assert person.account is not None
            _sign_in(request, person.account)
            messages.success(request, _("Your account is open. Welcome!"))
            return redirect("portal:my_space")
    return render(request, "portal/register.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = TongbanPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # Links in the e-mail point at the public site in the language the request was made in.
        self.extra_email_context = {"public_base_url": self.request.build_absolute_uri("/").rstrip("/")}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = TongbanSetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.actor = actor_from_request(self.request)
        return form
