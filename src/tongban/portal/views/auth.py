"""Login (password; an e-mailed code from a new device while the account is under attack; then a
TOTP code for staff), registration, logout and password reset, each within its rate limits
(``identity.login_limits``, ``core.ratelimit``)."""

from __future__ import annotations

import time
from typing import Any

import segno
from django.conf import settings
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

from tongban.core import ratelimit
from tongban.core.ratelimit import client_address, client_network
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.identity import login_limits
from tongban.identity.models import Account
from tongban.identity.selectors import is_staff
from tongban.identity.services import (
    LoginCode,
    login_code_check,
    login_code_send,
    person_register,
    totp_confirm,
    totp_enrol,
    totp_verify,
)
from tongban.identity.staff_sessions import staff_session_started
from tongban.portal.forms import (
    LoginCodeForm,
    LoginForm,
    RegisterForm,
    TongbanPasswordResetForm,
    TongbanSetPasswordForm,
    TotpForm,
)

PREAUTH_KEY = "tongban_preauth"
CODE_KEY = "tongban_login_code"
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


def _refused(request: HttpRequest, form: LoginForm, refusal: login_limits.Refusal) -> HttpResponse:
    """The login page again, 429, saying how long to wait (and Retry-After for programs)."""
    form.add_error(None, refusal.message)
    response = render(request, "portal/login.html", {"form": form, "next": _safe_next(request, "")}, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """The password step. Limits (identity.login_limits) are checked before the password is: a
    refused attempt costs no password hash. The right password from a device the account has not
    used, while the account is under attack, leads to the e-mailed code first."""
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        client, network = client_address(request), client_network(request)
        refusal = login_limits.login_refusal(username=username, client=client, network=network)
        if refusal is not None:
            if refusal.reason == "delay":
                login_limits.login_delayed(username=username, client=client)
            return _refused(request, form, refusal)
        account = authenticate(request, username=username, password=form.cleaned_data["password"])
        if account is None:
            form.add_error(None, _("The user name or password is wrong."))
            refusal = login_limits.login_failed(username=username, client=client, network=network)
            if refusal is not None:
                return _refused(request, form, refusal)
        elif login_limits.under_attack(username=account.username) and not login_limits.is_known_device(
            request, account
        ):
            return _challenge(request, form, account)
        else:
            login_limits.login_succeeded(username=account.username, client=client)
            return _after_password(request, account, _safe_next(request, ""))
    return render(request, "portal/login.html", {"form": form, "next": request.GET.get("next", "")})


def _after_password(request: HttpRequest, account: Account, target: str) -> HttpResponse:
    """The password (and any e-mailed code) is right: staff go on to their second factor, others
    are signed in; the device is remembered for the account."""
    if is_staff(account=account):
        request.session[PREAUTH_KEY] = {"account_id": account.pk, "at": time.time(), "next": target}
        has_device = TOTPDevice.objects.filter(user=account, confirmed=True).exists()
        return redirect("portal:login_verify" if has_device else "portal:totp_enrol")
    _sign_in(request, account)
    response = redirect(target or reverse("portal:my_space"))
    login_limits.remember_device(response, account)
    return response


def _challenge(request: HttpRequest, form: LoginForm, account: Account) -> HttpResponse:
    """The account is under attack and this device is new to it: e-mail a code, ask for it."""
    sent = login_code_send(account=account, actor=actor_from_request(request))
    if sent is None:
        if account.email:
            form.add_error(None, _("Too many login codes were sent to this account. Please try again in an hour."))
            response = render(request, "portal/login.html", {"form": form}, status=429)
            response["Retry-After"] = str(ratelimit.get_limit("login.code_sent").window_seconds)
            return response
        form.add_error(
            None,
            _(
                "Many wrong passwords were tried for this account, so a login from a new device needs a code sent "
                "by e-mail, but the account has no e-mail address. Log in from a device you used before, or bring "
                "your identity document to a service centre (or call %(phone)s) to add an e-mail address."
            )
            % {"phone": settings.HELPDESK_PHONE},
        )
        return render(request, "portal/login.html", {"form": form}, status=403)
    request.session[CODE_KEY] = {**sent.as_dict(), "next": _safe_next(request, "")}
    return redirect("portal:login_code")


@csrf_protect
@never_cache
def login_code_view(request: HttpRequest) -> HttpResponse:
    """The e-mailed code of a login to an account under attack, from a device new to it."""
    data = request.session.get(CODE_KEY)
    sent = LoginCode.from_dict(data)
    account = Account.objects.filter(pk=sent.account_id, is_active=True).first() if sent else None
    if sent is None or account is None or time.time() >= sent.expires_at:
        request.session.pop(CODE_KEY, None)
        messages.error(request, _("Your login took too long. Please start again."))
        return redirect("portal:login")
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        right = login_code_check(sent=sent, code=form.cleaned_data["code"], actor=actor_from_request(request))
        if right:
            target = str(data.get("next", "")) if isinstance(data, dict) else ""
            request.session.pop(CODE_KEY, None)
            login_limits.login_succeeded(username=account.username, client=client_address(request))
            return _after_password(request, account, target)
        if right is None:
            request.session.pop(CODE_KEY, None)
            messages.error(request, _("That code can no longer be used. Please log in again for a new one."))
            return redirect("portal:login")
        form.add_error("code", _("That code is wrong. Check the newest e-mail from us and try again."))
    return render(request, "portal/login_code.html", {"form": form})


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
    if request.method == "POST":
        _limit_codes(request, account)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", THROTTLED)
        elif totp_verify(device=device, token=form.cleaned_data["token"], actor=actor_from_request(request)):
            return _complete_staff_login(request, account, device)
        else:
            form.add_error("token", _("That code is wrong or has expired. Wait for a new code and try again."))
    return render(request, "portal/login_verify.html", {"form": form})


def _limit_codes(request: HttpRequest, account: Account) -> None:
    """Second-factor codes tried per account and per client (besides django-otp's own delay)."""
    ratelimit.enforce(request, "totp.client")
    ratelimit.enforce(request, "totp.account", key=str(account.pk))


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
    staff_session_started(request)
    response = HttpResponseRedirect(target)
    login_limits.remember_device(response, account)
    return response


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
    if request.method == "POST":
        _limit_codes(request, account)
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
@ratelimit.rate_limited("register.client")
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
            response = redirect("portal:my_space")
            login_limits.remember_device(response, person.account)
            return response
    return render(request, "portal/register.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = TongbanPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ratelimit.enforce(request, "password_reset.client")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        # Beyond a few e-mails to one address nothing more is sent, and the page is the same as
        # always ("if an account has this address..."): the limit reveals no account.
        address = form.cleaned_data["email"].strip().lower()
        decision = ratelimit.hit("password_reset.email", address)
        if not decision.allowed:
            if decision.first_refusal:
                client = client_address(self.request)
                ratelimit.limit_reached.send(
                    sender=ratelimit.Limit,
                    limit="password_reset.email",
                    key=address,
                    client=client,
                    request=self.request,
                )
            return HttpResponseRedirect(self.get_success_url())
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
