"""Back-office guard: a staff account that passed its second factor in this session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import PermissionDeniedError
from tongban.identity.selectors import active_staff_roles

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Signed in with password and TOTP, holding at least one active staff role; the view gets
    ``request.staff_roles``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or not user.is_verified():  # type: ignore[union-attr]
            return redirect_to_login(request.get_full_path())
        roles = active_staff_roles(account=user)  # type: ignore[arg-type]
        if not roles:
            raise PermissionDeniedError(_("The back office is for agency and service-centre staff."))
        request.staff_roles = roles  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
