"""Writes for persons and their accounts: registration (checked all at once), a person recorded
from an application, an account opened at a window, the verification level raised (in person, or
against the population registry), and the account's own profile and password.

Each write is one transaction and records its audit event inside it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django_countries import countries as iso_countries

from tongban.audit.services import audit_record
from tongban.core import countries
from tongban.core.actors import Actor
from tongban.core.countries import CHINA_AND_REGIONS
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.core.validators import TextKind, text_problem
from tongban.identity import idnumbers
from tongban.identity.models import Account, IdType, Person, StaffRoleKind, VerificationLevel
from tongban.identity.selectors import active_staff_roles, has_role
from tongban.identity.services._common import clean_text, clean_username

#: Why a passport holder's nationality is never CN, HK, MO or TW (core.countries).
_CHINESE_CITIZENS = _(
    "Residents of the mainland, Hong Kong, Macao and Taiwan are Chinese citizens: register with the "
    "resident identity card or the residence permit (for Hong Kong, Macao and Taiwan residents), "
    "not with a passport."
)


def _identifier(id_type: str, id_number: str, nationality: str) -> tuple[str, str, str, idnumbers.ResidentId | None]:
    """Validate the document; returns (id_type, number, nationality, parsed resident id)."""
    try:
        if id_type == IdType.PASSPORT:
            number = idnumbers.validate_passport_number(id_number)
            nationality = (nationality or "").strip().upper()
            if nationality in CHINA_AND_REGIONS:
                raise ValidationError({"nationality": _CHINESE_CITIZENS})
            if not countries.is_nationality(nationality):
                raise ValidationError({"nationality": _("Choose the nationality shown in the passport.")})
            return IdType.PASSPORT, number, nationality, None
        parsed = idnumbers.validate_resident_id(id_number)
    except idnumbers.InvalidIdentifierError as exc:
        raise ValidationError({"id_number": exc.message}, code=exc.code) from None
    if parsed.kind == idnumbers.IdKind.FOREIGN_PERMANENT_ID:
        embedded = iso_countries.alpha2(idnumbers.foreign_permanent_id_nationality(parsed.number))
        if not countries.is_nationality(embedded):
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
        ("username", lambda: clean_username(username)),
        ("id_number", lambda: _identifier(id_type, id_number, nationality)),
        ("name", lambda: _clean_name(id_type, id_number, name)),
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


def _clean_name(id_type: str, id_number: str, name: str) -> str:
    """The name on the document, under the character policy (ADR 0027): Chinese characters (with
    ``·``) for a resident or a Hong Kong, Macao or Taiwan resident; Chinese characters or Latin
    letters for a foreigner (passport or permanent residence ID). Required unless a passport's
    Latin name stands for it."""
    value = clean_text("name", name, required=id_type != IdType.PASSPORT)
    if not value:
        return value
    kinds = [TextKind.CHINESE_NAME]
    if id_type == IdType.PASSPORT or _is_foreign_permanent_id(id_number):
        kinds.append(TextKind.LATIN_NAME)
    problems = [text_problem(value, kind) for kind in kinds]
    if all(problems):
        raise ValidationError({"name": problems[0].messages if problems[0] else []})
    return value


def _is_foreign_permanent_id(id_number: str) -> bool:
    try:
        return idnumbers.validate_resident_id(id_number).kind == idnumbers.IdKind.FOREIGN_PERMANENT_ID
    except idnumbers.InvalidIdentifierError:
        return False  # the number's own problem is reported with it


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
        username=username,
        password=password,
        id_type=id_type,
        id_number=id_number,
        nationality=nationality,
        name=name,
        latin_name=latin_name,
        email=email,
    )
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
    existing = Person.objects.with_id_number(number)
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
    name = (_clean_name(id_type, number, name) if name.strip() else "") or latin
    if not name:
        raise ValidationError({"name": _("This field is required.")})
    person = Person.objects.create(
        account=None,
        id_type=id_type,
        id_number=number,
        nationality=nationality,
        name=name,
        latin_name=latin,
        birth_date=parsed.birth_date if parsed else None,
        registered_district=parsed.region_code if parsed and parsed.kind == idnumbers.IdKind.RESIDENT_ID else "",
    )
    audit_record(
        action="identity.person_recorded",
        actor=actor,
        object_type="person",
        object_id=person.pk,
        data={"id_type": id_type, "nationality": nationality},
    )
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
    account = Account(username=clean_username(username), email=email.strip(), display_name=person.display_name)
    account.full_clean(exclude=["password"])
    account.set_password(secrets.token_urlsafe(32))
    account.save()
    person.account = account
    person.save(update_fields=["account"])
    audit_record(
        action="identity.account_opened_at_window",
        actor=actor,
        object_type="person",
        object_id=person.pk,
        data={"account": account.pk, "document": clean_text("document", document)},
    )
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
            "document": clean_text("document", document),
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
        action="identity.person_registry_verified",
        actor=actor,
        object_type="person",
        object_id=person.pk,
        data={"from_level": before, "to_level": person.verification_level, **evidence},
    )
    return person


@transaction.atomic
def account_profile_update(
    *, account: Account, email: str, phone: str, preferred_language: str, actor: Actor
) -> Account:
    """Change contact details and language; the audit event names the fields that changed."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    changes = {
        "email": email.strip(),
        "phone": clean_text("phone", phone, required=False),
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
