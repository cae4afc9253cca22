"""Reads for identity: who may act for which firm in which area, staff roles, firm staff lists,
and the name of a district in the national region table.

Authorisation is decided here, from the database, on every request: a power revoked a second
ago no longer works, because nothing is cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db.models import QuerySet
from stdnum import numdb

from tongban.core.crypto import lookup_digests
from tongban.core.db import select_objects
from tongban.identity import idnumbers
from tongban.identity.models import (
    Account,
    Agency,
    Firm,
    Person,
    Power,
    ServiceArea,
    StaffRole,
)


@dataclass(frozen=True)
class Authority:
    """The basis on which a person acts for a firm in one area."""

    firm: Firm
    area: str
    person: Person
    power: Power | None  # None: the firm's legal representative, who needs no grant

    @property
    def power_id(self) -> int | None:
        return self.power.pk if self.power else None


@dataclass
class FirmAccess:
    """What one person may do for one firm right now."""

    firm: Firm
    is_legal_representative: bool
    powers: dict[str, Power] = field(default_factory=dict)

    @property
    def areas(self) -> list[str]:
        if self.is_legal_representative:
            return [area.value for area in ServiceArea]
        return [area.value for area in ServiceArea if area.value in self.powers]


class FirmHeader(NamedTuple):
    """What a page about one of a firm's lists shows of the firm itself, as plain values."""

    uscc: str
    name_zh: str
    name_en: str


def active_powers(now: datetime) -> QuerySet[Power]:
    return Power.objects.filter(revoked_at__isnull=True, granted_at__lte=now, expires_at__gt=now)


def firms_of_person(*, person: Person, now: datetime) -> list[FirmAccess]:
    """Every firm the person represents or holds an active power for (two queries)."""
    access: dict[int, FirmAccess] = {}
    for firm in Firm.objects.filter(legal_representative=person).order_by("name_zh"):
        access[firm.pk] = FirmAccess(firm=firm, is_legal_representative=True)
    for power in active_powers(now).filter(grantee=person).select_related("firm").order_by("firm__name_zh", "area"):
        entry = access.setdefault(power.firm_id, FirmAccess(firm=power.firm, is_legal_representative=False))
        entry.powers.setdefault(power.area, power)
    return list(access.values())


def firm_powers(*, firm: Firm) -> QuerySet[Power]:
    """All powers the firm ever granted, newest first, with the people named (one query)."""
    return (
        Power.objects.filter(firm=firm)
        .select_related("grantee", "granted_by", "revoked_by")
        .order_by("-granted_at", "-pk")
    )


def active_staff_roles(*, account: Account) -> list[StaffRole]:
    return list(
        StaffRole.objects.filter(account=account, revoked_at__isnull=True)
        .select_related("agency", "service_centre")
        .order_by("role", "pk")
    )


def is_staff(*, account: Account) -> bool:
    return StaffRole.objects.filter(account=account, revoked_at__isnull=True).exists()


def has_role(roles: Iterable[StaffRole], *kinds: str, agency: Agency | None = None) -> bool:
    """True if one of ``roles`` is of ``kinds`` (and, when given, in ``agency``)."""
    return any(role.role in kinds and (agency is None or role.agency_id == agency.pk) for role in roles)


def agency_staff(*, agency: Agency) -> QuerySet[StaffRole]:
    return (
        StaffRole.objects.filter(agency=agency, revoked_at__isnull=True)
        .select_related("account")
        .order_by("account__username", "role")
    )


def person_by_identifier(*, id_number: str, nationality: str | None = None) -> Person | None:
    """Find a person by ID number (or passport number and nationality), in any format
    ``idnumbers.normalise`` folds. The number is encrypted at rest: the search is on its digest,
    under every lookup key of the ring (ADR 0029)."""
    # One static statement (``core.db``): a submission naming the person concerned calls this.
    digests = lookup_digests(idnumbers.normalise(id_number))
    marks = ", ".join(["%s"] * len(digests))
    if nationality:
        where = (
            f"WHERE (t.id_number_digest IN ({marks}) AND t.id_type <> 'passport') "
            f"OR (t.id_number_digest IN ({marks}) AND t.id_type = 'passport' AND t.nationality = %s) "
            "ORDER BY t.id LIMIT 1"
        )
        params = [*digests, *digests, nationality]
    else:
        where = f"WHERE t.id_number_digest IN ({marks}) AND t.id_type <> 'passport' ORDER BY t.id LIMIT 1"
        params = digests
    found = select_objects(Person, where, params, joined=("account", None))
    return found[0] if found else None


_DISTRICT_RE = re.compile(r"^\d{6}$")
_PERIOD_RE = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


def district_name(code: str) -> str:
    """The current name of a district (a county-level region: 区, 县, 县级市) in the national
    region table, or '' if the code names none, or one that has since been abolished or merged."""
    if not _DISTRICT_RE.match(code) or code.endswith("00"):
        return ""
    info = {key: value for _part, props in numdb.get("cn/loc").info(code) for key, value in props.items()}
    for entry in reversed(info.get("county", "").split(",")):
        period = _PERIOD_RE.match(entry)
        if period is None:
            return entry
        if not period.group(2):  # "[1992-]浦东新区": still in force
            return period.group(3)
    return ""
