"""Back-office guard: a staff account that passed its second factor in this session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import PermissionDeniedError
from tongban.identity.models import Account
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import active_staff_roles

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
