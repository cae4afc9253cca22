"""Services for the city's structure: agencies, their offices and the service centres.

Writes, kept apart from the other modules of ``identity.services`` (persons, firms, powers,
staff) because they change the shape of the administration rather than who may act in it. The
same rules hold: keyword-only typed arguments, one transaction each, the audit event
(``identity.agency_created`` …) written inside it with the fields set (and, for an edit, their
values before).

Only city operators set up the structure; an ``editor`` that is a system ``Actor`` is the installation itself (the demo
loader), which the audit trail records through its system ``actor``. Validation errors are
field-keyed ``ValidationError`` s, all fields at once.

A code (of an agency or a centre) and an office's agency, level and district are what staff roles,
cases and audit events point at, so they are fixed when the row is created; names, addresses and
contact details can be edited. To serve another district, open another office.

A district is a current six-digit code of the national region table, and one of the city's own:
it starts with ``settings.CITY_REGION_CODE`` (unless that is empty). Its name is read by
``identity.selectors.district_name``.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.core import bilingual
from tongban.core.actors import Actor
from tongban.core.validators import validate_plain_text
from tongban.identity.models import Agency, AgencyOffice, CentreLevel, OfficeLevel, ServiceCentre
from tongban.identity.permissions import Editor, require_city_operator
from tongban.identity.selectors import district_name
from tongban.identity.signals import agency_renamed

#: A code: 2 to 32 lower-case letters, digits and inner hyphens (``market-regulation``).
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$")

#: The fields of an agency that other contexts copy (the catalogue's search text): a change of one
#: of them sends ``identity.signals.agency_renamed``.
AGENCY_NAME_FIELDS = ("name_zh", "name_en")
#: Editable text fields of each model, and which of them are required.
AGENCY_FIELDS = ("name_zh", "name_en", "head_zh", "head_en", "phone", "address_zh", "address_en", "website")
OFFICE_FIELDS = ("name_zh", "name_en", "address_zh", "address_en")
CENTRE_FIELDS = (
    "name_zh",
    "name_en",
    "address_zh",
    "address_en",
    "phone",
    "district",
    "accessibility_zh",
    "accessibility_en",
    "level",
)
_REQUIRED = {
    Agency: ("name_zh", "name_en"),
    AgencyOffice: ("name_zh", "name_en"),
    ServiceCentre: ("name_zh", "name_en", "address_zh", "address_en"),
}

Errors = dict[str, list[Any]]


def _require_operator(editor: Editor) -> None:
    require_city_operator(
        account=editor, message=_("Only city operators set up agencies, offices and service centres.")
    )


def _add(errors: Errors, field: str, message: Any) -> None:
    errors.setdefault(field, []).append(message)


def _clean_texts(model: type[models.Model], values: dict[str, str], errors: Errors) -> dict[str, str]:
    """Stripped values; required and plain-text checks recorded in ``errors``."""
    cleaned: dict[str, str] = {}
    for field, raw in values.items():
        value = raw.strip()
        cleaned[field] = value
        if not value:
            if field in _REQUIRED[model]:
                _add(errors, field, _("This field is required."))
            continue
        try:
            validate_plain_text(value)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    return cleaned


def _clean_code(model: type[Agency | ServiceCentre], code: str, errors: Errors) -> str:
    value = code.strip().lower()
    if not CODE_RE.match(value):
        _add(
            errors,
            "code",
            _("Use 2 to 32 lower-case letters, digits and hyphens, starting and ending with a letter or digit."),
        )
    elif model._default_manager.filter(code=value).exists():
        _add(errors, "code", _("This code is already taken; choose another."))
    return value


def _city_name() -> str:
    return bilingual.pick(settings.CITY_NAME_ZH, settings.CITY_NAME_EN)


def _clean_district(field: str, code: str, errors: Errors) -> str:
    """A district of the national region table that lies in the city (``CITY_REGION_CODE``)."""
    value = code.strip()
    prefix: str = settings.CITY_REGION_CODE
    if value and not district_name(value):
        _add(errors, field, _("This is not the six-digit code of a district in the national region table."))
    elif value and not value.startswith(prefix):
        message = _(
            "This district is not in {city}. Enter the code of one of the city's districts (it starts with {prefix})."
        )
        _add(errors, field, format_lazy(message, city=lazy(_city_name, str)(), prefix=prefix))
    return value


def _check_model(instance: models.Model, errors: Errors) -> None:
    """The model's own field rules (lengths, URLs) for the fields that passed ours; then raise."""
    try:
        instance.full_clean(exclude=list(errors), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _insert(instance: models.Model, *, field: str, message: Any) -> None:
    """Save a new row; a concurrent insert of the same unique key becomes a field error."""
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({field: message}) from None


def _apply(instance: models.Model, values: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Set the changed values on ``instance``; returns (new values, old values) of those fields."""
    after = {field: value for field, value in values.items() if getattr(instance, field) != value}
    before = {field: getattr(instance, field) for field in after}
    for field, value in after.items():
        setattr(instance, field, value)
    return after, before


@transaction.atomic
def agency_create(
    *,
    code: str,
    name_zh: str,
    name_en: str,
    head_zh: str = "",
    head_en: str = "",
    phone: str = "",
    address_zh: str = "",
    address_en: str = "",
    website: str = "",
    editor: Editor,
    actor: Actor,
) -> Agency:
    """Add an agency (a bureau or commission) under a new code."""
    _require_operator(editor)
    errors: Errors = {}
    code = _clean_code(Agency, code, errors)
    values = _clean_texts(
        Agency,
        {
            "name_zh": name_zh,
            "name_en": name_en,
            "head_zh": head_zh,
            "head_en": head_en,
            "phone": phone,
            "address_zh": address_zh,
            "address_en": address_en,
            "website": website,
        },
        errors,
    )
    agency = Agency(code=code, **values)
    _check_model(agency, errors)
    _insert(agency, field="code", message=_("This code is already taken; choose another."))
    audit_record(
        action="identity.agency_created",
        actor=actor,
        object_type="agency",
        object_id=agency.code,
        data={"fields": {"code": code, **{field: value for field, value in values.items() if value}}},
    )
    return agency


@transaction.atomic
def agency_update(
    *,
    agency: Agency,
    name_zh: str,
    name_en: str,
    head_zh: str,
    head_en: str,
    phone: str,
    address_zh: str,
    address_en: str,
    website: str,
    editor: Editor,
    actor: Actor,
) -> Agency:
    """Change an agency's names, head and contact details (not its code). No change, no event.
    A new name is announced (``agency_renamed``) inside the transaction, so that what other
    contexts derive from it (the catalogue's search) changes with it or not at all."""
    _require_operator(editor)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    errors: Errors = {}
    values = _clean_texts(
        Agency,
        {
            "name_zh": name_zh,
            "name_en": name_en,
            "head_zh": head_zh,
            "head_en": head_en,
            "phone": phone,
            "address_zh": address_zh,
            "address_en": address_en,
            "website": website,
        },
        errors,
    )
    after, before = _apply(agency, values)
    _check_model(agency, errors)
    if after:
        agency.save(update_fields=list(after))
        audit_record(
            action="identity.agency_updated",
            actor=actor,
            object_type="agency",
            object_id=agency.code,
            data={"fields": after, "before": before},
        )
        renamed = {field: before[field] for field in AGENCY_NAME_FIELDS if field in after}
        if renamed:
            agency_renamed.send(sender=Agency, agency=agency, before=renamed)
    return agency


@transaction.atomic
def office_create(
    *,
    agency: Agency,
    level: str,
    district_code: str,
    name_zh: str,
    name_en: str,
    address_zh: str = "",
    address_en: str = "",
    editor: Editor,
    actor: Actor,
) -> AgencyOffice:
    """Open an office of an agency: its one city-level office (no district) or its office in one
    district (a code from the national region table); an agency has at most one of each."""
    _require_operator(editor)
    errors: Errors = {}
    district_code = _clean_district("district_code", district_code, errors)
    if level not in OfficeLevel.values:
        _add(errors, "level", _("Choose the city level or the district level."))
    elif level == OfficeLevel.CITY and district_code:
        _add(errors, "district_code", _("A city-level office has no district; leave the district code empty."))
    elif level == OfficeLevel.DISTRICT and not district_code:
        _add(errors, "district_code", _("Enter the code of the district this office serves."))
    duplicate = _("This agency already has an office at this level in this district.")
    if not errors and AgencyOffice.objects.filter(agency=agency, district_code=district_code).exists():
        if level == OfficeLevel.CITY:
            _add(errors, "level", _("This agency already has its city-level office."))
        else:
            _add(errors, "district_code", _("This agency already has an office in this district."))
    values = _clean_texts(
        AgencyOffice,
        {"name_zh": name_zh, "name_en": name_en, "address_zh": address_zh, "address_en": address_en},
        errors,
    )
    office = AgencyOffice(agency=agency, level=level, district_code=district_code, **values)
    _check_model(office, errors)
    _insert(office, field="district_code", message=duplicate)
    audit_record(
        action="identity.office_created",
        actor=actor,
        object_type="agency_office",
        object_id=office.pk,
        data={
            "fields": {
                "agency": agency.code,
                "level": level,
                "district_code": district_code,
                **{field: value for field, value in values.items() if value},
            }
        },
    )
    return office


@transaction.atomic
def office_update(
    *,
    office: AgencyOffice,
    name_zh: str,
    name_en: str,
    address_zh: str,
    address_en: str,
    editor: Editor,
    actor: Actor,
) -> AgencyOffice:
    """Change an office's names and address (not its agency, level or district)."""
    _require_operator(editor)
    office = AgencyOffice.objects.select_for_update(of=("self",)).select_related("agency").get(pk=office.pk)
    errors: Errors = {}
    values = _clean_texts(
        AgencyOffice,
        {"name_zh": name_zh, "name_en": name_en, "address_zh": address_zh, "address_en": address_en},
        errors,
    )
    after, before = _apply(office, values)
    _check_model(office, errors)
    if after:
        office.save(update_fields=list(after))
        audit_record(
            action="identity.office_updated",
            actor=actor,
            object_type="agency_office",
            object_id=office.pk,
            data={"agency": office.agency.code, "fields": after, "before": before},
        )
    return office


def _clean_centre_level(level: str, errors: Errors) -> str:
    if level not in CentreLevel.values:
        _add(errors, "level", _("Choose the centre's level: city, district or community."))
    return level


@transaction.atomic
def centre_create(
    *,
    code: str,
    name_zh: str,
    name_en: str,
    address_zh: str,
    address_en: str,
    phone: str = "",
    district: str = "",
    accessibility_zh: str = "",
    accessibility_en: str = "",
    level: str = CentreLevel.DISTRICT,
    editor: Editor,
    actor: Actor,
) -> ServiceCentre:
    """Add a service centre (a place with windows) under a new code."""
    _require_operator(editor)
    errors: Errors = {}
    code = _clean_code(ServiceCentre, code, errors)
    values = _clean_texts(
        ServiceCentre,
        {
            "name_zh": name_zh,
            "name_en": name_en,
            "address_zh": address_zh,
            "address_en": address_en,
            "phone": phone,
            "accessibility_zh": accessibility_zh,
            "accessibility_en": accessibility_en,
        },
        errors,
    )
    values["district"] = _clean_district("district", district, errors)
    values["level"] = _clean_centre_level(level, errors)
    centre = ServiceCentre(code=code, **values)
    _check_model(centre, errors)
    _insert(centre, field="code", message=_("This code is already taken; choose another."))
    audit_record(
        action="identity.centre_created",
        actor=actor,
        object_type="service_centre",
        object_id=centre.code,
        data={"fields": {"code": code, **{field: value for field, value in values.items() if value}}},
    )
    return centre


@transaction.atomic
def centre_update(
    *,
    centre: ServiceCentre,
    name_zh: str,
    name_en: str,
    address_zh: str,
    address_en: str,
    phone: str,
    district: str,
    editor: Editor,
    actor: Actor,
    accessibility_zh: str = "",
    accessibility_en: str = "",
    level: str | None = None,
) -> ServiceCentre:
    """Change a centre's names, address, phone, district, level and accessibility notes (not its
    code); ``level`` None keeps it."""
    _require_operator(editor)
    centre = ServiceCentre.objects.select_for_update().get(pk=centre.pk)
    errors: Errors = {}
    values = _clean_texts(
        ServiceCentre,
        {
            "name_zh": name_zh,
            "name_en": name_en,
            "address_zh": address_zh,
            "address_en": address_en,
            "phone": phone,
            "accessibility_zh": accessibility_zh,
            "accessibility_en": accessibility_en,
        },
        errors,
    )
    values["district"] = _clean_district("district", district, errors)
    values["level"] = centre.level if level is None else _clean_centre_level(level, errors)
    after, before = _apply(centre, values)
    _check_model(centre, errors)
    if after:
        centre.save(update_fields=list(after))
        audit_record(
            action="identity.centre_updated",
            actor=actor,
            object_type="service_centre",
            object_id=centre.code,
            data={"fields": after, "before": before},
        )
    return centre
