"""View guards for the portal: a signed-in person (not a staff-only account)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import PermissionDeniedError
from tongban.identity.models import Person
from tongban.identity.requests import PersonRequest

View = Callable[..., HttpResponseBase]


def person_required(view: View) -> View:
    """Signed in, with a personal identity; the view gets a :class:`PersonRequest` (``request.person``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            person: Person | None = request.user.person  # loaded with the user
        except Person.DoesNotExist:
            person = None
        if person is None:
            raise PermissionDeniedError(
                _(
                    "This is a staff account without a personal identity. Use the back office, or log in with your personal account."
                )
            )
        checked = cast(PersonRequest, request)  # what this guard sets, set on the next line
        checked.person = person
        return view(checked, *args, **kwargs)

    return wrapper
