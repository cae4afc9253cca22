"""Writes for the second factor (TOTP, through django-otp): enrolment started and confirmed, a
code checked at login, and a staff member's lost authenticator reset by whoever may manage all
their roles. Each one transaction; wrong codes are audited like wrong passwords.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.core.clock import now as clock_now
from tongban.core.errors import PermissionDeniedError
from tongban.identity import emails
from tongban.identity.models import Account, StaffRole, StaffRoleKind
from tongban.identity.selectors import active_staff_roles, has_role
from tongban.identity.services._common import clean_text
from tongban.identity.services.staff import may_manage_role


def _may_reset_second_factor(resetter_roles: list[StaffRole], target_roles: list[StaffRole]) -> bool:
    """Whoever may manage every role the target holds may reset the target's second factor: a city
    operator anyone, an agency administrator staff whose roles all lie in their own agency (not a
    city operator, a clerk or someone who also works for another agency, whose account reaches
    further than the administrator's own)."""
    return bool(target_roles) and all(may_manage_role(resetter_roles, role.role, role.agency) for role in target_roles)


@transaction.atomic
def staff_totp_reset(*, account: Account, reset_by: Account, reason: str, actor: Actor) -> int:
    """A staff member lost their authenticator: delete every second-factor device of the account
    (confirmed or not) **and replace the password** with a random one nobody knows, recorded with
    the reason. Returns the number of devices deleted.

    Whoever first logs in after a reset enrols the new authenticator, so the reset must not leave
    that to anyone who knows the old password (it may have been kept with the lost phone): the
    staff member chooses a new password through a one-time link e-mailed, after commit, to the
    address on their account — with who reset it and why — and then enrols. The new password hash
    ends every session of the account at its next request (Django's session hash), the deleted
    device every back-office session (django-otp). Nobody resets their own second factor this way."""
    if account.pk == reset_by.pk:
        raise PermissionDeniedError(
            _("You cannot reset your own two-step login; ask your agency administrator or a city operator.")
        )
    account = Account.objects.select_for_update().get(pk=account.pk)  # serialises resets of one account
    resetter_roles = active_staff_roles(account=reset_by)
    target_roles = active_staff_roles(account=account)
    if not _may_reset_second_factor(resetter_roles, target_roles):
        raise PermissionDeniedError(_("You may not reset the two-step login of this account."))
    reason = clean_text("reason", reason)[:200]
    devices = list(devices_for_user(account, confirmed=None))
    for device in devices:
        device.delete()
    account.set_password(secrets.token_urlsafe(32))  # never shown: the e-mailed link sets the next one
    account.save(update_fields=["password"])
    audit_record(
        action="identity.totp_reset",
        actor=actor,
        object_type="account",
        object_id=account.pk,
        data={
            "reason": reason,
            "devices": len(devices),
            "confirmed": sum(1 for d in devices if d.confirmed),
            "password_replaced": True,
        },
    )
    by_operator = has_role(resetter_roles, StaffRoleKind.CITY_OPERATOR)
    agencies = {role.agency.pk: role.agency for role in target_roles if role.agency is not None}
    emails.send_totp_reset_notice(
        account=account,
        reset_by=reset_by,
        by_operator=by_operator,
        agencies=[] if by_operator else sorted(agencies.values(), key=lambda agency: agency.code),
        reason=reason,
        at=clock_now(),
        public_base_url=settings.PUBLIC_BASE_URL,
    )
    return len(devices)


@transaction.atomic
def totp_enrol(*, account: Account, actor: Actor) -> TOTPDevice:
    """Start (or restart) second-factor enrolment: a new, unconfirmed TOTP device."""
    TOTPDevice.objects.filter(user=account, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=account, name="authenticator", confirmed=False)
    audit_record(action="identity.totp_enrolment_started", actor=actor, object_type="account", object_id=account.pk)
    return device


@transaction.atomic
def totp_verify(*, device: TOTPDevice, token: str, actor: Actor, purpose: str = "login") -> bool:
    """Check a second-factor code at login (or, ``purpose="reauth"``, again before a sensitive
    staff action). django-otp records the attempt on the device (the throttle after wrong codes,
    the last code used, so it cannot be replayed); the outcome is audited in the same transaction,
    so wrong codes are in the trail as wrong passwords are."""
    verified = bool(device.verify_token(token.strip()))
    audit_record(
        action="identity.totp_verified" if verified else "identity.totp_failed",
        actor=actor,
        object_type="account",
        object_id=device.user_id,
        data={} if purpose == "login" else {"purpose": purpose},
    )
    return verified


@transaction.atomic
def totp_confirm(*, device: TOTPDevice, token: str, actor: Actor) -> bool:
    """Confirm enrolment with a first code from the app; False if the code is wrong."""
    if not device.verify_token(token.strip()):
        audit_record(
            action="identity.totp_enrolment_failed", actor=actor, object_type="account", object_id=device.user_id
        )
        return False
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action="identity.totp_enrolled", actor=actor, object_type="account", object_id=device.user_id)
    return True
