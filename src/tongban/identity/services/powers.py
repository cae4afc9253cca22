"""Writes for delegated powers: a firm's legal representative lets a member of staff act for the
firm in one service area until a date, and revokes it with immediate effect. Each one transaction,
audited as the firm's action. Who holds a power now is read by ``identity.selectors``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError
from tongban.identity.models import Firm, Person, Power, ServiceArea
from tongban.identity.permissions import require_legal_representative
from tongban.identity.selectors import active_powers
from tongban.identity.services._common import clean_text

MAX_POWER_DURATION = timedelta(days=3 * 366)


def power_grant_errors(
    *, firm: Firm, grantee: Person | None, area: str | None, expires_at: datetime | None, now: datetime
) -> dict[str, list[str]]:
    """Every problem with a grant that can be told before anything is written, all at once (keys:
    ``area``, ``grantee``, ``expires_on``). ``None``: a part the caller already reported."""
    errors: dict[str, list[str]] = {}
    if area is not None and area not in ServiceArea.values:
        errors["area"] = [str(_("Choose a service area."))]
    if grantee is not None and grantee.pk == firm.legal_representative_id:
        errors["grantee"] = [str(_("The legal representative already holds every power."))]
    elif grantee is not None and grantee.account_id is None:
        errors["grantee"] = [str(_("This person has no account yet; ask them to register first."))]
    if expires_at is not None and expires_at <= now:
        errors["expires_on"] = [str(_("The expiry date must be in the future."))]
    elif expires_at is not None and expires_at - now > MAX_POWER_DURATION:
        errors["expires_on"] = [str(_("A power can be granted for at most three years."))]
    return errors


@transaction.atomic
def power_grant(
    *, firm: Firm, grantee: Person, area: str, expires_at: datetime, granted_by: Person, actor: Actor, now: datetime
) -> Power:
    """The legal representative lets a member of staff act for the firm in one area until a date."""
    firm = Firm.objects.select_for_update().get(pk=firm.pk)  # serialises grants for one firm
    require_legal_representative(person=granted_by, firm=firm)
    errors = power_grant_errors(firm=firm, grantee=grantee, area=area, expires_at=expires_at, now=now)
    if errors:
        raise ValidationError(errors)
    if active_powers(now).filter(firm=firm, grantee=grantee, area=area).exists():
        raise ConflictError(_("This person already holds an active power in this area; revoke it first to change it."))
    power = Power.objects.create(
        firm=firm, grantee=grantee, area=area, granted_by=granted_by, granted_at=now, expires_at=expires_at
    )
    audit_record(
        action="identity.power_granted",
        actor=actor.for_firm(firm.uscc, None),
        object_type="power",
        object_id=power.pk,
        data={"grantee": grantee.pk, "area": area, "expires_at": expires_at.isoformat()},
    )
    return power


@transaction.atomic
def power_revoke(*, power: Power, revoked_by: Person, reason: str, actor: Actor, now: datetime) -> Power:
    """Revoke a power with immediate effect."""
    power = Power.objects.select_for_update(of=("self",)).select_related("firm").get(pk=power.pk)
    require_legal_representative(person=revoked_by, firm=power.firm)
    if power.revoked_at is not None:
        raise ConflictError(_("This power was already revoked."))
    power.revoked_at = now
    power.revoked_by = revoked_by
    power.revoke_reason = clean_text("reason", reason, required=False)
    power.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        action="identity.power_revoked",
        actor=actor.for_firm(power.firm.uscc, None),
        object_type="power",
        object_id=power.pk,
        data={"grantee": power.grantee_id, "area": power.area, "reason": power.revoke_reason},
    )
    return power
