"""Writes for staff: staff accounts opened (the password chosen by the holder through an e-mailed
link) and staff roles granted and revoked. Who may grant or revoke which role is decided here
(:func:`may_manage_role`; ``second_factor`` uses the same rule for resets).

Each write is one transaction and records its audit event inside it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.identity import emails
from tongban.identity.models import (
    AGENCY_ROLES,
    Account,
    Agency,
    AgencyOffice,
    ServiceCentre,
    StaffRole,
    StaffRoleKind,
)
from tongban.identity.selectors import active_staff_roles, has_role
from tongban.identity.services._common import clean_text, clean_username


@transaction.atomic
def staff_account_create(*, username: str, display_name: str, email: str, password: str, actor: Actor) -> Account:
    """Create a staff login (roles are granted separately)."""
    username = clean_username(username)
    account = Account(username=username, display_name=clean_text("display_name", display_name), email=email)
    validate_password(password, account)
    account.set_password(password)
    account.save()
    audit_record(action="identity.staff_account_created", actor=actor, object_type="account", object_id=account.pk)
    return account


def _staff_email(email: str) -> str:
    """A new member of staff's e-mail address: required (their password link goes there) and not
    already an account's, so that "Forgot your password?" finds exactly one account."""
    value = email.strip()
    if not value:
        raise ValidationError({"email": _("Give the e-mail address the link to choose the password is sent to.")})
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if Account.objects.filter(email__iexact=value).exists():
        raise ValidationError({"email": _("Another account already uses this e-mail address; give a different one.")})
    return value


@transaction.atomic
def staff_member_add(
    *,
    username: str,
    display_name: str,
    email: str,
    role: str,
    granted_by: Account | None,
    actor: Actor,
    now: datetime,
    agency: Agency | None = None,
    office: AgencyOffice | None = None,
    preferred_language: str = "zh-hans",
) -> Account:
    """Open the account of a new member of staff and give it its first role, in one transaction:
    an officer, supervisor or agency administrator of ``agency`` (an officer in ``office``), or a
    city operator (no agency). Who may add whom is who may grant the role (:func:`staff_role_grant`);
    ``granted_by=None`` is the installation itself (``manage.py staff_create``).

    Nobody chooses the password for the new member of staff: it is random and discarded (like the
    accounts clerks open at a window), and after commit the account is e-mailed a one-hour link to
    choose their own (Django's password-reset token). A random password rather than an unusable
    one keeps "Forgot your password?" working for them when the link has expired (Django sends no
    reset link to accounts without a usable password). The first login then asks for the password
    and sends the account to enrol an authenticator app, like every staff account without one.

    Every field error is reported at once (user name, e-mail, name, language, office), and nothing is
    written unless all are right."""
    granter_roles = active_staff_roles(account=granted_by) if granted_by is not None else []
    if granted_by is not None and not may_manage_role(granter_roles, role, agency):
        raise PermissionDeniedError(_("You may not grant this role."))
    if role not in (*AGENCY_ROLES, StaffRoleKind.CITY_OPERATOR):
        raise ValidationError({"role": _("Choose a role.")})
    if (role == StaffRoleKind.CITY_OPERATOR) != (agency is None):
        raise ValidationError({"role": _("A city operator works for the whole city; every other role in one agency.")})
    errors: dict[str, list[str]] = {}
    checks: list[tuple[str, Callable[[], str]]] = [
        ("username", lambda: clean_username(username)),
        ("display_name", lambda: clean_text("display_name", display_name)),
        ("email", lambda: _staff_email(email)),
    ]
    values: dict[str, str] = {}
    for name, check in checks:
        try:
            values[name] = check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if preferred_language not in dict(settings.LANGUAGES):
        errors.setdefault("preferred_language", []).append(str(_("Choose a language.")))
    office_problem = staff_role_office_error(role=role, agency=agency, office=office)
    if office_problem:
        errors.setdefault("office", []).append(office_problem)
    if errors:
        raise ValidationError(errors)
    account = Account(
        username=values["username"],
        display_name=values["display_name"],
        email=values["email"],
        preferred_language=preferred_language,
    )
    account.full_clean(exclude=["password", "username"])
    account.set_password(secrets.token_urlsafe(32))
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:  # the same user name, added a moment ago by someone else
        raise ValidationError({"username": _("This user name is taken; choose another.")}) from None
    audit_record(
        action="identity.staff_account_created",
        actor=actor,
        object_type="account",
        object_id=account.pk,
        data={"username": account.username, "password": "chosen by the holder through an e-mailed link"},
    )
    staff_role = staff_role_grant(
        account=account, role=role, granted_by=granted_by, actor=actor, now=now, agency=agency, office=office
    )
    emails.send_staff_welcome(
        account=account,
        role=staff_role,
        opened_by=granted_by,
        by_operator=has_role(granter_roles, StaffRoleKind.CITY_OPERATOR),
        public_base_url=settings.PUBLIC_BASE_URL,
    )
    return account


def may_manage_role(granter_roles: list[StaffRole], role: str, agency: Agency | None) -> bool:
    """Whether someone holding ``granter_roles`` may grant or revoke ``role`` in ``agency``: a city
    operator any role, an agency administrator the agency roles of their own agency."""
    if has_role(granter_roles, StaffRoleKind.CITY_OPERATOR):
        return True
    return (
        agency is not None
        and role in AGENCY_ROLES
        and has_role(granter_roles, StaffRoleKind.AGENCY_ADMIN, agency=agency)
    )


def staff_role_office_error(*, role: str, agency: Agency | None, office: AgencyOffice | None) -> str:
    """Why ``office`` does not fit ``role`` in ``agency`` ("" when it does): an officer works in one
    office of the agency. Shared by the services below and by forms that report it with other problems."""
    if role == StaffRoleKind.OFFICER and (office is None or agency is None or office.agency_id != agency.pk):
        return str(_("An officer works in one office of the agency; choose it."))
    return ""


@transaction.atomic
def staff_role_grant(
    *,
    account: Account,
    role: str,
    granted_by: Account | None,
    actor: Actor,
    now: datetime,
    agency: Agency | None = None,
    service_centre: ServiceCentre | None = None,
    office: AgencyOffice | None = None,
) -> StaffRole:
    """Give a staff account a role. City operators grant any role; an agency administrator grants
    officer, supervisor and administrator roles in their own agency. ``granted_by=None`` is the
    installation itself (the demo loader or ``manage.py staff_create``), recorded as a system action."""
    if granted_by is not None and not may_manage_role(active_staff_roles(account=granted_by), role, agency):
        raise PermissionDeniedError(_("You may not grant this role."))
    problem = staff_role_office_error(role=role, agency=agency, office=office)
    if problem:
        raise ValidationError({"office": problem})
    if role != StaffRoleKind.OFFICER:
        office = None
    if StaffRole.objects.filter(
        account=account, role=role, agency=agency, service_centre=service_centre, revoked_at__isnull=True
    ).exists():
        raise ConflictError(_("The account already holds this role."))
    staff_role = StaffRole(
        account=account, role=role, agency=agency, service_centre=service_centre, office=office, granted_at=now
    )
    staff_role.full_clean()
    staff_role.save()
    audit_record(
        action="identity.staff_role_granted",
        actor=actor,
        object_type="staff_role",
        object_id=staff_role.pk,
        data={
            "account": account.pk,
            "role": role,
            "agency": agency.code if agency else "",
            "service_centre": service_centre.code if service_centre else "",
            "office": office.pk if office else None,
        },
    )
    return staff_role


@transaction.atomic
def staff_role_revoke(*, staff_role: StaffRole, revoked_by: Account, actor: Actor, now: datetime) -> StaffRole:
    staff_role = StaffRole.objects.select_for_update(of=("self",)).select_related("agency").get(pk=staff_role.pk)
    if not may_manage_role(active_staff_roles(account=revoked_by), staff_role.role, staff_role.agency):
        raise PermissionDeniedError(_("You may not revoke this role."))
    if staff_role.revoked_at is not None:
        raise ConflictError(_("This role was already revoked."))
    staff_role.revoked_at = now
    staff_role.save(update_fields=["revoked_at"])
    audit_record(
        action="identity.staff_role_revoked",
        actor=actor,
        object_type="staff_role",
        object_id=staff_role.pk,
        data={"account": staff_role.account_id, "role": staff_role.role},
    )
    return staff_role
