"""Typed requests: what a view guard has checked and attached, as types a view can annotate with.

``portal.decorators.person_required`` passes its view a :class:`PersonRequest`, and
``backoffice.decorators.staff_required`` a :class:`StaffRequest`. A view annotated with one of them
reads ``request.person`` or ``request.staff_roles`` typed, and ``request.user`` as the signed-in
:class:`~tongban.identity.models.Account` (both guards refuse anyone else). Nothing is checked here:
the classes only name what the guard set; a guard is the one place that makes them true.
"""

from __future__ import annotations

from django.http import HttpRequest

from tongban.identity.models import Account, Person, StaffRole


class PersonRequest(HttpRequest):
    """A request that passed ``person_required``: a signed-in account with a personal identity."""

    user: Account
    person: Person


class StaffRequest(HttpRequest):
    """A request that passed ``staff_required``: a staff account past its second factor, holding at
    least one active role (``staff_roles``, the roles with their agency and service centre)."""

    user: Account
    staff_roles: list[StaffRole]
