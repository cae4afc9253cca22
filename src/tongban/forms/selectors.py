"""Reads for forms: an applicant's own application, its steps, materials and current uploads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import Material, ServiceVersion, VersionStatus
from tongban.catalogue.points import Score, score
from tongban.catalogue.selectors import points_table_spec
from tongban.core.db import Read
from tongban.core.errors import NotFoundError
from tongban.forms import engine
from tongban.forms.models import Application, ApplicationStatus, FormDefinition, HeldCertificate, Upload
from tongban.forms.permissions import application_authority
from tongban.forms.points_input import points_answers
from tongban.identity.models import Person

MATERIALS_STEP = "materials"
REVIEW_STEP = "review"


def own_application(*, public_id: str, person: Person, now: datetime) -> Application:
    """The person's own application, or NotFoundError (also for someone else's); for a firm's
    application, PermissionDeniedError unless her power for it is still live
    (``forms.permissions.application_authority``, on every request)."""
    application = (
        Application.objects.select_related(
            "version", "version__item", "version__item__agency", "version__form_definition", "firm", "power"
        )
        .filter(public_id=public_id, person=person)
        .first()
    )
    if application is None:
        raise NotFoundError(_("No such application among yours."))
    application_authority(person=person, application=application, now=now)
    return application


def open_drafts(*, person: Person) -> QuerySet[Application]:
    return (
        Application.objects.filter(person=person, status=ApplicationStatus.DRAFT)
        .select_related("version", "firm")
        .order_by("-updated_at")
    )


@dataclass(frozen=True)
class StepRef:
    key: str
    title: str
    kind: str  # "fields", "materials" or "review"
    fields: tuple[str, ...] = ()


def application_steps(application: Application, materials: list[Material], language: str) -> list[StepRef]:
    """The steps the applicant goes through now: the visible form steps, then materials, then review."""
    definition = FormDefinition.objects.get(version_id=application.version_id)
    refs = [
        StepRef(step["key"], engine.text(step.get("title"), language), "fields", tuple(step.get("fields", [])))
        for step in engine.visible_steps(definition.layout, application.data)
    ]
    if materials:
        refs.append(StepRef(MATERIALS_STEP, str(_("Materials")), "materials"))
    refs.append(StepRef(REVIEW_STEP, str(_("Check and submit")), "review"))
    return refs


def answer_sections(
    *, definition: FormDefinition, data: Mapping[str, Any], language: str
) -> tuple[list[tuple[str, list[engine.FieldView]]], list[tuple[str, Any]]]:
    """Submitted answers as a reader sees them: for each visible step of the form, its title and
    its fields with their labels and the chosen options' labels, in ``language``; then whatever
    the data holds that the form does not place (an older form's field), as raw keys and values,
    so that nothing submitted is hidden. Internal keys (``_points`` …) are left out."""
    sections = []
    for step in engine.visible_steps(definition.layout, data):
        views = engine.field_views(
            definition.schema, definition.layout, list(step.get("fields", [])), data, language=language
        )
        if views:
            sections.append((engine.text(step.get("title"), language), views))
    placed = {name for step in engine.steps(definition.layout) for name in step.get("fields", [])}
    other = [
        (key, value)
        for key, value in data.items()
        if not key.startswith("_") and key not in placed and value not in (None, "", [])
    ]
    return sections, other


@dataclass(frozen=True)
class PublishedForm:
    """A published version's form and materials: immutable, so cached per process."""

    definition: FormDefinition
    materials: tuple[Material, ...]

    @property
    def required_material_ids(self) -> frozenset[int]:
        return frozenset(material.pk for material in self.materials if material.required)

    @property
    def has_certificate_materials(self) -> bool:
        return any(material.certificate_type_id for material in self.materials)


@lru_cache(maxsize=512)
def _published_form(version_id: int, published_at: str) -> PublishedForm:
    definition = FormDefinition.objects.get(version_id=version_id)
    materials = tuple(
        Material.objects.filter(version_id=version_id).select_related("certificate_type").order_by("position", "code")
    )
    return PublishedForm(definition, materials)


def form_of(version: ServiceVersion) -> PublishedForm:
    """The form and materials of ``version``; published versions never change, so they are read
    once per process (the cache key includes the publication time)."""
    if version.status != VersionStatus.DRAFT and version.published_at is not None:
        return _published_form(version.pk, version.published_at.isoformat())
    return _published_form.__wrapped__(version.pk, "")


def current_uploads(*, application: Application) -> dict[int, Upload]:
    """material id -> its current (not superseded) upload."""
    uploads = Upload.objects.filter(application=application, superseded_at__isnull=True).order_by("uploaded_at")
    return {upload.material_id: upload for upload in uploads}


def held_attachments(*, application: Application) -> dict[int, HeldCertificate]:
    """material id -> the e-certificate attached in its stead at the last save (stored rows only:
    a page never looks certificates up through the exchange, ADR 0026)."""
    rows = HeldCertificate.objects.filter(application=application).select_related("certificate")
    return {row.material_id: row for row in rows}


def uploads_read(where: str, params: list[Any]) -> Read:
    """The static read of files (``WHERE`` on ``t``, the upload), oldest first, each with its
    material's code and names joined: for ``select_batch`` with a page's other reads."""
    return Read(Upload, f"{where} ORDER BY t.uploaded_at, t.id", params, joined=("material", _MATERIAL_LABEL))


_MATERIAL_LABEL = ("version", "code", "name_zh", "name_en")


def application_points(*, application: Application, definition: FormDefinition, today: Any) -> Score | None:
    """The points score of the application, if its form is scored by a points table."""
    if not definition.points_table:
        return None
    table = points_table_spec(code=definition.points_table)
    if table is None:
        return None
    return score(table, points_answers(definition.points_fields, application.data, today))
