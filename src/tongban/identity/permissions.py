"""Who may act for a firm, and in which area; who manages a firm's staff; who runs the city's
structure and an agency: identity's authorization rules in one place (ADR 0026), used by views,
selectors and services of every context.

Decided from the database on every request: a power revoked a second ago no longer works,
because nothing is cached.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tongban.core.actors import Actor
from tongban.core.db import Read, select_batch, select_objects
from tongban.core.errors import NotFoundError, PermissionDeniedError
from tongban.core.policies import rule
from tongban.identity.models import (
    AGENCY_ROLES,
    Account,
    Agency,
    Firm,
    Person,
    Power,
    ServiceArea,
    StaffRole,
    StaffRoleKind,
)
from tongban.identity.selectors import Authority, FirmAccess, active_staff_roles, has_role

#: Who edits the city's structure or the catalogue: a staff account, or the installation itself
#: named explicitly as a system ``Actor`` (the demo loader, management commands). No ``None``.
Editor = Account | Actor


def is_installation(editor: object) -> bool:
    """True only for the installation itself, named as a system ``Actor``; a staff account, any
    other actor (a person, an anonymous client) and ``None`` are not."""
    return isinstance(editor, Actor) and editor.kind == "system"


#: The two reads every page of a firm's space starts with, as static statements
#: (``core.db.select_objects``: the ORM spent longer compiling them than PostgreSQL running them).
#: A live power is the rule of ``active_powers``, written out once more as SQL: keep the two alike.
_LIVE_THEN_ORDER = "revoked_at IS NULL AND granted_at <= %s AND expires_at > %s ORDER BY expires_at, id"
_LIVE_POWERS_WHERE = f"WHERE grantee_id = %s AND firm_id = %s AND {_LIVE_THEN_ORDER}"
#: The same, for the firm with a given code: read in the same round trip as the firm itself.
_LIVE_POWERS_BY_USCC_WHERE = f'WHERE grantee_id = %s AND firm_id = (SELECT f.id FROM "{Firm._meta.db_table}" f WHERE f.uscc = %s) AND {_LIVE_THEN_ORDER}'  # noqa: S608


def no_power(area: str) -> str:
    """The one refusal for acting "as" a firm without the power: the same for a firm that does not
    exist, so that it names no firm and tells a stranger nothing."""
    label = ServiceArea(area).label if area in ServiceArea.values else area
    return str(
        _(
            "You cannot act for this firm in the area “%(area)s”: only its legal representative and "
            "staff holding a live power in that area can."
        )
        % {"area": label}
    )


@rule(
    question="May this person open this firm's space (its cases, certificates, staff list)?",
    who="The firm's legal representative (every area) or a holder of at least one live power "
    "(only the areas of the live powers).",
    refusal="404, the same as for a firm that does not exist",
)
def firm_access(*, person: Person, uscc: str, now: datetime) -> FirmAccess:
    """The person's access to the firm with this code; NotFoundError if they have none, so that a
    stranger cannot even learn which firms have accounts."""
    moment = connection.ops.adapt_datetimefield_value(now)
    found, powers = select_batch(  # one round trip (the powers are not needed for a legal representative)
        Read(Firm, "WHERE uscc = %s", [uscc]),
        Read(Power, _LIVE_POWERS_BY_USCC_WHERE, [person.pk, uscc, moment, moment]),
    )
    if not found:
        raise NotFoundError(_("No such firm among the firms you can act for."))
    firm = found[0]
    access = FirmAccess(firm=firm, is_legal_representative=firm.legal_representative_id == person.pk)
    if not access.is_legal_representative:
        for power in powers:
            power.firm = firm
            access.powers.setdefault(power.area, power)
        if not access.powers:
            raise NotFoundError(_("No such firm among the firms you can act for."))
    return access


@rule(
    question="May this person act for (or read the files of) this firm in this service area?",
    who="The firm's legal representative; a holder of a live power for the firm in that area.",
    refusal="403 with a message that names no firm (the same for an unknown firm)",
)
def acting_authority(*, person: Person, firm: Firm, area: str, now: datetime) -> Authority:
    """The basis for ``person`` acting for ``firm`` in ``area``, or PermissionDeniedError.

    Every service that acts for a firm calls this first and records the authority it returns.
    """
    if area not in ServiceArea.values:
        raise PermissionDeniedError(_("Unknown service area."))
    if firm.legal_representative_id == person.pk:
        return Authority(firm=firm, area=area, person=person, power=None)
    # The person's live powers for the firm (one static statement, shared with ``firm_access``);
    # of those for this area, the one that lasts longest.
    moment = connection.ops.adapt_datetimefield_value(now)
    live = select_objects(Power, _LIVE_POWERS_WHERE, [person.pk, firm.pk, moment, moment])
    power = max((p for p in live if p.area == area), key=lambda p: (p.expires_at, -p.pk), default=None)
    if power is None:
        raise PermissionDeniedError(no_power(area))
    return Authority(firm=firm, area=area, person=person, power=power)


@rule(
    question="May this person manage the firm's staff and their powers?",
    who="The firm's legal representative only.",
    refusal="403",
)
def require_legal_representative(*, person: Person, firm: Firm) -> None:
    if firm.legal_representative_id != person.pk:
        raise PermissionDeniedError(_("Only the firm's legal representative can manage its staff and their powers."))


@rule(
    question="May this account change the city's structure (agencies, offices, districts, the catalogue's "
    "topics, calendar and search synonyms)?",
    who="A city operator; the installation itself (loaders, commands).",
    refusal="403",
)
def require_city_operator(*, account: Editor, message: str | Promise) -> None:
    """Only a city operator passes, or the installation itself (a system ``Actor``: loaders,
    commands); anyone else gets PermissionDeniedError with ``message``."""
    if is_installation(account):
        return
    if not isinstance(account, Account):  # ``None`` no longer stands for the installation
        raise PermissionDeniedError(message)
    if not has_role(active_staff_roles(account=account), StaffRoleKind.CITY_OPERATOR):
        raise PermissionDeniedError(message)


@rule(
    question="May this account work in this agency's back office (in the given roles)?",
    who="A city operator everywhere; otherwise a holder of one of the roles in that agency.",
    refusal="403",
)
def require_agency_role(*, account: Account, agency: Agency, kinds: Iterable[str] = AGENCY_ROLES) -> StaffRole:
    """The account's role in this agency among ``kinds``; city operators pass everywhere."""
    roles = active_staff_roles(account=account)
    for role in roles:
        if role.role == StaffRoleKind.CITY_OPERATOR:
            return role
    for role in roles:
        if role.agency_id == agency.pk and role.role in kinds:
            return role
    raise PermissionDeniedError(_("You have no role in this agency."))
