"""Back-office guards: a staff account that passed its second factor in this session
(``staff_required``), and a TOTP code entered within ``REAUTH_MINUTES`` before a sensitive action
(``reauth_required``: role grants and revocations, second-factor resets, certificate revocation,
data-exchange grant decisions)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import PermissionDeniedError
from tongban.identity.models import Account
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import active_staff_roles
from tongban.identity.staff_sessions import reauth_is_fresh

View = Callable[..., HttpResponseBase]


def _verified_account(request: HttpRequest) -> Account | None:
    """The signed-in account if it passed a second factor in this session (django-otp)."""
    user = request.user
    if not isinstance(user, Account) or not bool(getattr(user, "is_verified", lambda: False)()):
        return None
    return user


def staff_account(request: HttpRequest) -> Account:
    """The staff account of a request that passed :func:`staff_required`."""
    account = _verified_account(request)
    if account is None:  # pragma: no cover - guarded by the decorator
        raise PermissionDeniedError(_("The back office is for agency and service-centre staff."))
    return account


def staff_required(view: View) -> View:
    """Signed in with password and TOTP, holding at least one active staff role; the view gets
    a :class:`StaffRequest` (``request.staff_roles``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        account = _verified_account(request)
        if account is None:
            return redirect_to_login(request.get_full_path())
        roles = active_staff_roles(account=account)
        if not roles:
            raise PermissionDeniedError(_("The back office is for agency and service-centre staff."))
        checked = cast(StaffRequest, request)  # what this guard sets, set on the next line
        checked.staff_roles = roles
        return view(checked, *args, **kwargs)

    return wrapper


def _back_to(request: HttpRequest) -> str:
    """Where to return after re-authenticating: this page for a GET; for a POST the page the form
    was on (the action is then repeated from there), or the workbench."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure()):
        return referer
    return reverse("backoffice:home")


def reauth_required(*, methods: tuple[str, ...] = ("GET", "HEAD", "POST")) -> Callable[[View], View]:
    """Before a sensitive staff action: requests with one of ``methods`` need a TOTP code entered
    within the last ``REAUTH_MINUTES`` (the login's code counts); otherwise they are sent to the
    re-authentication page, which returns to the page. Use below ``staff_required``."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in methods and not reauth_is_fresh(request):
                if request.method not in ("GET", "HEAD"):
                    messages.info(request, _("Enter a current code from your authenticator app, then do it again."))
                query = urlencode({"next": _back_to(request)})
                return HttpResponseRedirect(f"{reverse('backoffice:reauth')}?{query}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
