"""Writes for identity. Each function is one transaction and writes its audit event inside it."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.core.clock import now as clock_now
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.core.validators import validate_plain_text
from tongban.identity import emails, idnumbers
from tongban.identity.models import (
    AGENCY_ROLES,
    Account,
    Agency,
    AgencyOffice,
    Firm,
    FirmType,
    IdType,
    Person,
    Power,
    ServiceArea,
    ServiceCentre,
    StaffRole,
    StaffRoleKind,
    VerificationLevel,
)
from tongban.identity.selectors import active_powers, active_staff_roles, has_role, require_legal_representative

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MAX_POWER_DURATION = timedelta(days=3 * 366)


def _clean_username(username: str) -> str:
    value = username.strip().lower()
    if not value:
        raise ValidationError({"username": _("This field is required.")})
    if not USERNAME_RE.match(value):
        raise ValidationError(
            {
                "username": _(
                    "Use 3 to 64 letters, digits, dots, hyphens or underscores, starting with a letter or digit."
                )
            }
        )
    if Account.objects.filter(username=value).exists():
        raise ValidationError({"username": _("This user name is taken; choose another.")})
    return value


def _text(field: str, value: str, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    try:
        validate_plain_text(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return value


def _identifier(id_type: str, id_number: str, nationality: str) -> tuple[str, str, str, idnumbers.ResidentId | None]:
    """Validate the document; returns (id_type, number, nationality, parsed resident id)."""
    try:
        if id_type == IdType.PASSPORT:
            number = idnumbers.validate_passport_number(id_number)
            if not nationality or nationality not in countries:
                raise ValidationError({"nationality": _("Choose the nationality shown in the passport.")})
            if nationality == "CN":
                raise ValidationError(
                    {"nationality": _("Chinese citizens register with their resident identity card number.")}
                )
            return IdType.PASSPORT, number, nationality, None
        parsed = idnumbers.validate_resident_id(id_number)
    except idnumbers.InvalidIdentifierError as exc:
        raise ValidationError({"id_number": exc.message}, code=exc.code) from None
    if parsed.kind == idnumbers.IdKind.FOREIGN_PERMANENT_ID:
        embedded = countries.alpha2(idnumbers.foreign_permanent_id_nationality(parsed.number))
        if not embedded:
            raise ValidationError({"id_number": _("The nationality code in this permanent residence ID is unknown.")})
        return IdType.FOREIGN_PERMANENT_ID, parsed.number, embedded, parsed
    return IdType(parsed.kind.value), parsed.number, "CN", parsed


def registration_check(
    *,
    username: str,
    password: str,
    id_type: str,
    id_number: str,
    nationality: str,
    name: str,
    latin_name: str,
    email: str = "",
    skip: frozenset[str] = frozenset(),
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Every problem with a registration that can be told before anything is written, all at once,
    and the cleaned value of each check that passed, by field: user name, document, names and
    password are checked independently, so a form shows them together (with its own required-field
    errors) instead of one round per problem. ``skip``: fields the caller already reported (e.g.
    left empty); their checks are not run. ``person_register`` refuses with the same problems."""
    checks: list[tuple[str, Callable[[], Any]]] = [
        ("username", lambda: _clean_username(username)),
        ("id_number", lambda: _identifier(id_type, id_number, nationality)),
        ("name", lambda: _text("name", name, required=id_type != IdType.PASSPORT)),
        ("latin_name", lambda: _clean_latin_name(id_type, latin_name)),
        ("password", lambda: _check_password(password, username=username, name=name or latin_name, email=email)),
    ]
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field, check in checks:
        if field in skip:
            continue
        try:
            cleaned[field] = check()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                if key not in skip:
                    errors.setdefault(key, []).extend(messages)
    return errors, cleaned


def _clean_latin_name(id_type: str, latin_name: str) -> str:
    if id_type != IdType.PASSPORT and not latin_name.strip():
        return ""
    try:
        return idnumbers.validate_latin_name(latin_name)
    except idnumbers.InvalidIdentifierError as exc:
        raise ValidationError({"latin_name": exc.message}) from None


def _check_password(password: str, *, username: str, name: str, email: str) -> None:
    try:
        validate_password(password, Account(username=username.strip().lower(), display_name=name, email=email.strip()))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


@transaction.atomic
def person_register(
    *,
    username: str,
    password: str,
    email: str,
    id_type: str,
    id_number: str,
    name: str,
    actor: Actor,
    nationality: str = "",
    latin_name: str = "",
    phone: str = "",
    preferred_language: str = "zh-hans",
) -> Person:
    """Open a self-registered account for a person. The verification level starts at the lowest;
    only a registry check or a clerk's recorded check raises it. Refuses with every independent
    problem at once (``registration_check``)."""
    errors, cleaned = registration_check(
        username=username, password=password, id_type=id_type, id_number=id_number, nationality=nationality,
        name=name, latin_name=latin_name, email=email,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    username, name, latin_name = cleaned["username"], cleaned["name"], cleaned["latin_name"]
    id_type, number, nationality, parsed = cleaned["id_number"]
    known = _known_person(id_type, number, nationality)
    if known is not None and known.account_id is not None:
        raise ValidationError(
            {"id_number": _("An account already exists for this document. Log in, or reset your password.")}
        )
    if known is not None:
        # A record exists (e.g. from an employer's application) and may hold certificates: claiming
        # it online with a number alone would hand them to whoever knows the number.
        raise ValidationError(
            {
                "id_number": _(
                    "The government already holds a record for this document. To protect it, open your "
                    "account at any service-centre window, with the document."
                )
            }
        )
    account = Account(
        username=username,
        email=email.strip(),
        phone=phone.strip(),
        display_name=name or latin_name,
        preferred_language=preferred_language,
    )
    account.set_password(password)  # checked by registration_check
    account.save()
    try:
        with transaction.atomic():
            person = Person.objects.create(
                account=account,
                id_type=id_type,
                id_number=number,
                nationality=nationality,
                name=name or latin_name,
                latin_name=latin_name,
                birth_date=parsed.birth_date if parsed else None,
                registered_district=parsed.region_code
                if parsed and parsed.kind == idnumbers.IdKind.RESIDENT_ID
                else "",
                verification_level=VerificationLevel.SELF_REGISTERED,
            )
    except IntegrityError:
        raise ValidationError({"id_number": _("An account already exists for this document.")}) from None
    audit_record(
        action="identity.person_registered",
        actor=Actor(kind="account", account_id=account.pk, label=account.username, ip=actor.ip),
        object_type="person",
        object_id=person.pk,
        data={"id_type": id_type, "nationality": nationality, "verification_level": person.verification_level},
    )
    return person


def _known_person(id_type: str, number: str, nationality: str) -> Person | None:
    existing = Person.objects.filter(id_number=number)
    if id_type == IdType.PASSPORT:
        existing = existing.filter(id_type=IdType.PASSPORT, nationality=nationality)
    else:
        existing = existing.exclude(id_type=IdType.PASSPORT)
    return existing.first()


@transaction.atomic
def person_record(
    *, id_type: str, id_number: str, nationality: str, name: str, latin_name: str, actor: Actor
) -> Person:
    """Record a person the government learns of from an application (the employee an employer
    applies for), without an account; the same validation as registration. The person opens an
    account for this record at a window, where the document is checked (not online by number)."""
    id_type, number, nationality, parsed = _identifier(id_type, id_number, nationality)
    known = _known_person(id_type, number, nationality)
    if known is not None:
        return known
    latin = ""
    if id_type == IdType.PASSPORT or latin_name.strip():
        try:
            latin = idnumbers.validate_latin_name(latin_name)
        except idnumbers.InvalidIdentifierError as exc:
            raise ValidationError({"latin_name": exc.message}) from None
    name = _text("name", name, required=not latin) or latin
    person = Person.objects.create(
        account=None, id_type=id_type, id_number=number, nationality=nationality, name=name, latin_name=latin,
        birth_date=parsed.birth_date if parsed else None,
        registered_district=parsed.region_code if parsed and parsed.kind == idnumbers.IdKind.RESIDENT_ID else "",
    )  # fmt: skip
    audit_record(
        action="identity.person_recorded", actor=actor, object_type="person", object_id=person.pk,
        data={"id_type": id_type, "nationality": nationality},
    )  # fmt: skip
    return person


@transaction.atomic
def person_open_account_at_window(
    *, person: Person, clerk: Account, username: str, email: str, document: str, actor: Actor
) -> Account:
    """A clerk who checked the original document opens the account of a person the government
    already knew (recorded from an application). The password is random and unknown: the person
    chooses their own through the e-mailed link."""
    if not has_role(active_staff_roles(account=clerk), StaffRoleKind.CLERK):
        raise PermissionDeniedError(_("Only a service-centre clerk opens accounts at the window."))
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.account_id is not None:
        raise ConflictError(_("This person already has an account."))
    account = Account(username=_clean_username(username), email=email.strip(), display_name=person.display_name)
    account.full_clean(exclude=["password"])
    account.set_password(secrets.token_urlsafe(32))
    account.save()
    person.account = account
    person.save(update_fields=["account"])
    audit_record(
        action="identity.account_opened_at_window", actor=actor, object_type="person", object_id=person.pk,
        data={"account": account.pk, "document": _text("document", document)},
    )  # fmt: skip
    person_verify_in_person(person=person, clerk=clerk, document=document, actor=actor)
    return account


@transaction.atomic
def person_verify_in_person(*, person: Person, clerk: Account, document: str, actor: Actor) -> Person:
    """A clerk saw the person and the original document at a window: raise the level, recorded."""
    roles = active_staff_roles(account=clerk)
    if not has_role(roles, StaffRoleKind.CLERK):
        raise PermissionDeniedError(_("Only a service-centre clerk can verify a person in person."))
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = person.verification_level
    if before < VerificationLevel.IN_PERSON_VERIFIED:
        person.verification_level = VerificationLevel.IN_PERSON_VERIFIED
        person.save(update_fields=["verification_level"])
    centre = next(role.service_centre for role in roles if role.role == StaffRoleKind.CLERK)
    audit_record(
        action="identity.person_verified_in_person",
        actor=actor,
        object_type="person",
        object_id=person.pk,
        data={
            "from_level": before,
            "to_level": person.verification_level,
            "document": _text("document", document),
            "service_centre": centre.code if centre else "",
        },
    )
    return person


@transaction.atomic
def person_mark_registry_verified(*, person: Person, evidence: dict[str, Any], actor: Actor) -> Person:
    """The population registry confirmed who the person is (the exchange layer asked it): raise the
    level to "verified against the registry" — never lower an in-person verification. Recorded."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = person.verification_level
    if before < VerificationLevel.REGISTRY_VERIFIED:
        person.verification_level = VerificationLevel.REGISTRY_VERIFIED
        person.save(update_fields=["verification_level"])
    audit_record(
        action="identity.person_registry_verified", actor=actor, object_type="person", object_id=person.pk,
        data={"from_level": before, "to_level": person.verification_level, **evidence},
    )  # fmt: skip
    return person


@transaction.atomic
def firm_mark_registry_verified(*, firm: Firm, evidence: dict[str, Any], actor: Actor) -> Firm:
    """The business registry confirmed the firm and its legal representative. Recorded."""
    firm = Firm.objects.select_for_update().get(pk=firm.pk)
    before = firm.verification_level
    if before < VerificationLevel.REGISTRY_VERIFIED:
        firm.verification_level = VerificationLevel.REGISTRY_VERIFIED
        firm.save(update_fields=["verification_level"])
    audit_record(
        action="identity.firm_registry_verified", actor=actor, object_type="firm", object_id=firm.uscc,
        data={"from_level": before, "to_level": firm.verification_level, **evidence},
    )  # fmt: skip
    return firm


@transaction.atomic
def account_profile_update(
    *, account: Account, email: str, phone: str, preferred_language: str, actor: Actor
) -> Account:
    """Change contact details and language; the audit event names the fields that changed."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    changes = {
        "email": email.strip(),
        "phone": _text("phone", phone, required=False),
        "preferred_language": preferred_language,
    }
    changed = [name for name, value in changes.items() if getattr(account, name) != value]
    if not changed:
        return account
    for name in changed:
        setattr(account, name, changes[name])
    account.full_clean(exclude=["password"])
    account.save(update_fields=changed)
    audit_record(
        action="identity.profile_updated",
        actor=actor,
        object_type="account",
        object_id=account.pk,
        data={"fields": changed},
    )
    return account


@transaction.atomic
def account_password_set(*, account: Account, password: str, actor: Actor, reason: str) -> None:
    """Set a new password (``reason``: ``reset`` or ``change``), recorded."""
    try:
        validate_password(password, account)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from None
    account.set_password(password)
    account.save(update_fields=["password"])
    audit_record(action=f"identity.password_{reason}", actor=actor, object_type="account", object_id=account.pk)


@transaction.atomic
def firm_register(
    *,
    uscc: str,
    name_zh: str,
    name_en: str,
    firm_type: str,
    legal_representative: Person,
    actor: Actor,
    registered_district: str = "",
    verification_level: int = VerificationLevel.SELF_REGISTERED,
) -> Firm:
    """Open a firm's account, administered by its legal representative."""
    try:
        code = idnumbers.validate_uscc(uscc)
    except idnumbers.InvalidIdentifierError as exc:
        raise ValidationError({"uscc": exc.message}) from None
    if firm_type not in FirmType.values:
        raise ValidationError({"firm_type": _("Choose the type of firm.")})
    if Firm.objects.filter(uscc=code).exists():
        raise ValidationError({"uscc": _("A firm account with this code already exists.")})
    firm = Firm.objects.create(
        uscc=code,
        name_zh=_text("name_zh", name_zh),
        name_en=_text("name_en", name_en, required=False),
        firm_type=firm_type,
        legal_representative=legal_representative,
        registered_district=registered_district or code[2:8],
        verification_level=verification_level,
    )
    audit_record(
        action="identity.firm_registered",
        actor=actor,
        object_type="firm",
        object_id=code,
        data={"legal_representative": legal_representative.pk, "verification_level": verification_level},
    )
    return firm


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
    power.revoke_reason = _text("reason", reason, required=False)
    power.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        action="identity.power_revoked",
        actor=actor.for_firm(power.firm.uscc, None),
        object_type="power",
        object_id=power.pk,
        data={"grantee": power.grantee_id, "area": power.area, "reason": power.revoke_reason},
    )
    return power


@transaction.atomic
def staff_account_create(*, username: str, display_name: str, email: str, password: str, actor: Actor) -> Account:
    """Create a staff login (roles are granted separately)."""
    username = _clean_username(username)
    account = Account(username=username, display_name=_text("display_name", display_name), email=email)
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
    if granted_by is not None and not _may_manage_role(granter_roles, role, agency):
        raise PermissionDeniedError(_("You may not grant this role."))
    if role not in (*AGENCY_ROLES, StaffRoleKind.CITY_OPERATOR):
        raise ValidationError({"role": _("Choose a role.")})
    if (role == StaffRoleKind.CITY_OPERATOR) != (agency is None):
        raise ValidationError({"role": _("A city operator works for the whole city; every other role in one agency.")})
    errors: dict[str, list[str]] = {}
    checks: list[tuple[str, Callable[[], str]]] = [
        ("username", lambda: _clean_username(username)),
        ("display_name", lambda: _text("display_name", display_name)),
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
        action="identity.staff_account_created", actor=actor, object_type="account", object_id=account.pk,
        data={"username": account.username, "password": "chosen by the holder through an e-mailed link"},
    )  # fmt: skip
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


def _may_manage_role(granter_roles: list[StaffRole], role: str, agency: Agency | None) -> bool:
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
    if granted_by is not None and not _may_manage_role(active_staff_roles(account=granted_by), role, agency):
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
    if not _may_manage_role(active_staff_roles(account=revoked_by), staff_role.role, staff_role.agency):
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


def _may_reset_second_factor(resetter_roles: list[StaffRole], target_roles: list[StaffRole]) -> bool:
    """Whoever may manage every role the target holds may reset the target's second factor: a city
    operator anyone, an agency administrator staff whose roles all lie in their own agency (not a
    city operator, a clerk or someone who also works for another agency, whose account reaches
    further than the administrator's own)."""
    return bool(target_roles) and all(_may_manage_role(resetter_roles, role.role, role.agency) for role in target_roles)


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
    reason = _text("reason", reason)[:200]
    devices = list(devices_for_user(account, confirmed=None))
    for device in devices:
        device.delete()
    account.set_password(secrets.token_urlsafe(32))  # never shown: the e-mailed link sets the next one
    account.save(update_fields=["password"])
    audit_record(
        action="identity.totp_reset", actor=actor, object_type="account", object_id=account.pk,
        data={
            "reason": reason, "devices": len(devices), "confirmed": sum(1 for d in devices if d.confirmed),
            "password_replaced": True,
        },
    )  # fmt: skip
    by_operator = has_role(resetter_roles, StaffRoleKind.CITY_OPERATOR)
    agencies = {role.agency.pk: role.agency for role in target_roles if role.agency is not None}
    emails.send_totp_reset_notice(
        account=account, reset_by=reset_by, by_operator=by_operator,
        agencies=[] if by_operator else sorted(agencies.values(), key=lambda agency: agency.code),
        reason=reason, at=clock_now(), public_base_url=settings.PUBLIC_BASE_URL,
    )  # fmt: skip
    return len(devices)


@transaction.atomic
def totp_enrol(*, account: Account, actor: Actor) -> TOTPDevice:
    """Start (or restart) second-factor enrolment: a new, unconfirmed TOTP device."""
    TOTPDevice.objects.filter(user=account, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=account, name="authenticator", confirmed=False)
    audit_record(action="identity.totp_enrolment_started", actor=actor, object_type="account", object_id=account.pk)
    return device


@transaction.atomic
def totp_verify(*, device: TOTPDevice, token: str, actor: Actor) -> bool:
    """Check a second-factor code at login. django-otp records the attempt on the device (the
    throttle after wrong codes, the last code used, so it cannot be replayed); the outcome is
    audited in the same transaction, so wrong codes are in the trail as wrong passwords are."""
    verified = bool(device.verify_token(token.strip()))
    audit_record(
        action="identity.totp_verified" if verified else "identity.totp_failed",
        actor=actor,
        object_type="account",
        object_id=device.user_id,
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
