"""Writes for an applicant's draft (an application): start it, save a step, change step, upload a
material, attach the e-certificates the government already holds, discard it.

The applicant's authority is checked again on every write: a firm's power revoked while a draft
is open stops the next save. A saved value is held to its field's cap (``engine.max_chars``) and a
person to ``FORMS_OPEN_DRAFTS_PER_PERSON`` open drafts (ADR 0027).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.catalogue.models import Material, ServiceVersion, VersionStatus
from tongban.core.actors import Actor
from tongban.core.deadlines import local_date
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.core.validators import has_control_characters
from tongban.forms import engine, held, prefill
from tongban.forms.models import (
    Application,
    ApplicationChannel,
    ApplicationStatus,
    FormDefinition,
    HeldCertificate,
    Upload,
)
from tongban.forms.permissions import application_authority, may_apply
from tongban.forms.uploads import UploadRejected, for_storage, inspect_upload, storage_name
from tongban.identity.models import Account, Firm, Person, ServiceCentre
from tongban.identity.selectors import Authority

#: Why a published service without a form definition cannot be applied for online.
NO_ONLINE_FORM = _(
    "This service cannot be applied for online yet: its application form is not ready. "
    "Please contact the agency, or visit a service centre to apply in person."
)


@dataclass(frozen=True)
class WindowHand:
    """The hand that enters an application at a service-centre window on the applicant's behalf
    (帮办, ADR 0039): the clerk, the centre, and the visit's ticket (its label, for the record).
    The service_centres context checks, before it passes one, that the clerk is serving the
    applicant there; forms and cases only record it."""

    clerk: Account
    centre: ServiceCentre
    ticket: str = ""

    def record(self) -> dict[str, str | int]:
        """What audit events and the case history say about the hand."""
        return {"channel": "window", "clerk": self.clerk.pk, "centre": self.centre.code, "ticket": self.ticket}


def _actor_for(actor: Actor, authority: Authority | None) -> Actor:
    return actor.for_firm(authority.firm.uscc, authority.power_id) if authority else actor


@transaction.atomic
def application_start(
    *,
    person: Person,
    version: ServiceVersion,
    firm: Firm | None,
    actor: Actor,
    now: datetime,
    hand: WindowHand | None = None,
) -> Application:
    """Open a draft application for a published service, prefilled from what the government holds.
    ``hand``: a clerk opens it at a window for ``person`` (the applicant); ``actor`` is the clerk."""
    if version.status != VersionStatus.PUBLISHED:
        raise ConflictError(_("This service is not open for applications."))
    definition = FormDefinition.objects.filter(version=version).first()
    if definition is None:  # published by an older release, or through the API, without its form
        raise ConflictError(NO_ONLINE_FORM, code="no_online_form")
    authority = may_apply(person=person, firm=firm, version=version, now=now)
    _require_room_for_a_draft(person)
    data, sources = prefill.prefill(definition.layout, person, firm)
    data[engine.APPLICANT_KEY] = "firm" if firm is not None else "person"  # what the form asks (ADR 0032)
    application = Application.objects.create(
        person=person,
        firm=firm,
        power=authority.power if authority else None,
        version=version,
        data=data,
        sources=sources,
        channel=ApplicationChannel.WINDOW if hand else ApplicationChannel.ONLINE,
        entered_by=hand.clerk if hand else None,
        entered_at_centre=hand.centre if hand else None,
    )
    audit_record(
        action="forms.application_started",
        actor=_actor_for(actor, authority),
        object_type="application",
        object_id=str(application.public_id),
        data={"service": version.item.code, "version": version.number, **(hand.record() if hand else {})},
    )
    return application


def _require_room_for_a_draft(person: Person) -> None:
    """Refuse a new draft when the person already has ``FORMS_OPEN_DRAFTS_PER_PERSON`` open. The
    person's row is locked first, so two starts at once cannot both take the last place."""
    limit = int(settings.FORMS_OPEN_DRAFTS_PER_PERSON)
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).first()
    if Application.objects.filter(person=person, status=ApplicationStatus.DRAFT).count() >= limit:
        raise ConflictError(
            _(
                "You already have %(limit)s draft applications open, the most one person may have. "
                "Submit or delete a draft (under “My space”, “Drafts”) before starting another."
            )
            % {"limit": limit},
            code="too_many_drafts",
        )


def _editable(application: Application, person: Person, now: datetime) -> Authority | None:
    authority = application_authority(person=person, application=application, now=now)
    if application.status != ApplicationStatus.DRAFT:
        raise ConflictError(_("This application was already submitted; it can no longer be changed."))
    return authority


@transaction.atomic
def application_save_step(
    *,
    application: Application,
    step_key: str,
    posted: dict[str, Any],
    person: Person,
    now: datetime,
    complete: bool = True,
    actor: Actor | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Save what was posted for one step. Valid values are kept even when others are wrong;
    ``complete=False`` (a plain Save of a draft) does not insist on required fields yet.
    ``actor``: who makes the once-only lookups the save triggers (a clerk at a window, acting for
    the applicant); by default the applicant herself.

    Returns (the values as posted, for redisplay; errors per field)."""
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("version__item").get(pk=application.pk)
    )
    authority = _editable(application, person, now)
    definition = FormDefinition.objects.get(version_id=application.version_id)
    step = next((s for s in engine.steps(definition.layout) if s["key"] == step_key), None)
    if step is None:
        raise ConflictError(_("This step does not exist."))
    names = list(step.get("fields", []))
    locked = prefill.locked_values(definition.layout, person, application.firm)
    # Authoritative values an e-certificate gave at an earlier save stay as they were.
    locked.update(_held_locked(definition, application))
    values, errors = engine.clean_posted(definition.schema, names, posted, locked)
    merged = {**application.data, **{name: value for name, value in values.items() if name not in errors}}
    held_sources: dict[str, str] = {}
    digest = _lookup_digest(definition, application, merged)
    if digest != application.looked_up_for:
        # The once-only lookups, made once per set of persons named, under the person who saves.
        reader = _actor_for(
            actor or Actor(kind="account", account_id=person.account_id, label=person.display_name), authority
        )
        for name, source in application.sources.items():  # read for other persons: read again
            if source.startswith("certificate."):
                merged.pop(name, None)
        probe = Application(
            pk=application.pk,
            public_id=application.public_id,
            person=application.person,
            firm=application.firm,
            data=merged,
            version=application.version,
        )
        refreshed, refreshed_sources, refreshed_locked = prefill.from_application(
            definition, probe, person=person, now=now, actor=reader
        )
        for name, value in refreshed.items():
            if name in refreshed_locked or merged.get(name) in (None, ""):
                merged[name] = value
                held_sources[name] = refreshed_sources[name]
        _attach_held(probe, definition, reader, now)
        application.looked_up_for = digest
    errors.update(
        {
            k: v
            for k, v in engine.validate(
                definition.schema, definition.layout, merged, names, require=complete, today=local_date(now)
            ).items()
            if k not in errors
        }
    )
    sources = {
        name: source
        for name, source in application.sources.items()
        if name in locked or merged.get(name) == application.data.get(name)
    }
    sources.update({name: source for name, source in held_sources.items() if merged.get(name) is not None})
    application.data = {name: value for name, value in merged.items() if value is not None}
    application.sources = sources
    application.save(update_fields=["data", "sources", "looked_up_for", "updated_at"])
    return values, errors


def _lookup_digest(definition: FormDefinition, application: Application, data: dict[str, Any]) -> str:
    """What the once-only lookups depend on: the applicant, the firm, the persons the form names."""
    named = [
        (str(data.get(spec["id_number_field"], "")), str(data.get(spec.get("nationality_field", ""), "")))
        for spec in definition.layout.get("persons_concerned", [])
    ]
    key = json.dumps([application.person_id, application.firm_id, application.version_id, named])
    return hashlib.sha256(key.encode()).hexdigest()


def _held_locked(definition: FormDefinition, application: Application) -> dict[str, Any]:
    """Authoritative fields whose stored value came from an e-certificate."""
    fields = definition.layout.get("fields", {})
    return {
        name: application.data[name]
        for name, source in application.sources.items()
        if source.startswith("certificate.") and fields.get(name, {}).get("authoritative") and name in application.data
    }


@transaction.atomic
def application_set_step(*, application: Application, step: int, person: Person, now: datetime) -> None:
    """Remember where the applicant is, so that resuming opens that step."""
    _editable(application, person, now)
    Application.objects.filter(pk=application.pk).update(step=step, updated_at=now)


@transaction.atomic
def application_upload(
    *,
    application: Application,
    material: Material,
    file: UploadedFile,
    person: Person,
    actor: Actor,
    now: datetime,
    for_supplement: bool = False,
) -> Upload:
    """Check a material file by content and store it; it replaces the previous file for that material."""
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("version__item").get(pk=application.pk)
    )
    if for_supplement:
        authority = application_authority(person=person, application=application, now=now)
    else:
        authority = _editable(application, person, now)
    if material.version_id != application.version_id:
        raise PermissionDeniedError(_("This material does not belong to this application."))
    try:
        check = inspect_upload(file)
    except UploadRejected as exc:
        raise ValidationError({f"material_{material.code}": exc.message}, code=exc.code) from None
    name = storage_name(sha256=check.sha256, extension=check.extension)
    if not default_storage.exists(name):
        saved = default_storage.save(name, for_storage(file, check))
        if saved != name:  # pragma: no cover - a concurrent upload of the same content won the race
            default_storage.delete(saved)
    original = (file.name or "upload")[-200:]
    if has_control_characters(original):
        original = f"upload.{check.extension}"
    Upload.objects.filter(application=application, material=material, superseded_at__isnull=True).update(
        superseded_at=now
    )
    upload = Upload.objects.create(
        application=application,
        material=material,
        file=name,
        original_name=original,
        content_type=check.content_type,
        size=check.size,
        sha256=check.sha256,
        uploaded_by=person,
        uploaded_at=now,
        for_supplement=for_supplement,
    )
    audit_record(
        action="forms.material_uploaded",
        actor=_actor_for(actor, authority),
        object_type="application",
        object_id=str(application.public_id),
        data={"material": material.code, "sha256": check.sha256, "size": check.size, "supplement": for_supplement},
    )
    return upload


@transaction.atomic
def application_attach_held(*, application: Application, actor: Actor, now: datetime) -> dict[int, HeldCertificate]:
    """Attach the valid e-certificates that stand in for materials (and drop ones that no longer
    do); each new reuse is recorded. Returns material id -> attachment. Called by a POST only (the
    save of a step, the submission): each lookup is a data-exchange read logged under ``actor``."""
    definition = FormDefinition.objects.get(version_id=application.version_id)
    return _attach_held(application, definition, actor, now)


def _attach_held(
    application: Application, definition: FormDefinition, actor: Actor, now: datetime
) -> dict[int, HeldCertificate]:
    materials = list(Material.objects.filter(version_id=application.version_id).select_related("certificate_type"))
    found = held.held_materials(application, definition, materials, now, actor)
    current = {row.material_id: row for row in HeldCertificate.objects.filter(application=application)}
    for material_id, row in list(current.items()):
        if found.get(material_id) is None or found[material_id].pk != row.certificate_id:
            row.delete()
            del current[material_id]
    for material_id, certificate in found.items():
        if material_id in current:
            continue
        current[material_id] = HeldCertificate.objects.create(
            application=application, material_id=material_id, certificate=certificate, attached_at=now
        )
        audit_record(
            action="forms.certificate_reused",
            actor=actor,
            object_type="application",
            object_id=str(application.public_id),
            data={"certificate": certificate.number, "subject": certificate.subject, "material": material_id},
        )
    return current


@transaction.atomic
def application_discard(*, application: Application, person: Person, actor: Actor, now: datetime) -> None:
    """Delete a draft the applicant no longer wants (kept as 'abandoned' for the record)."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("version__item", "firm")
        .get(pk=application.pk)
    )
    authority = application_authority(person=person, application=application, now=now)
    if application.status != ApplicationStatus.DRAFT:
        raise ConflictError(_("Only a draft can be deleted."))
    application.status = ApplicationStatus.ABANDONED
    application.save(update_fields=["status", "updated_at"])
    audit_record(
        action="forms.application_discarded",
        actor=_actor_for(actor, authority),
        object_type="application",
        object_id=str(application.public_id),
    )
