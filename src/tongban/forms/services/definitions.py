"""Writes for form definitions: create a service in the catalogue together with its starter form,
copy the form to a new draft version, change a draft version's form (checked by
``forms.definition``), and publish a version only with its form — the one importer of
``catalogue.publication`` (the import contract in pyproject.toml).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.catalogue.models import ServiceVersion, VersionStatus
from tongban.catalogue.permissions import require_catalogue_editor
from tongban.catalogue.publication import service_version_publish_without_form_check
from tongban.catalogue.services import service_item_create
from tongban.catalogue.signals import version_drafted
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError
from tongban.forms import starters
from tongban.forms.definition import definition_problems
from tongban.forms.models import FormDefinition
from tongban.identity.models import Agency
from tongban.identity.permissions import Editor

#: Why a draft without a form definition is not published.
NO_FORM_TO_PUBLISH = _(
    "This draft has no application form, so it is not published: nobody could apply for it online. "
    "Ask the platform team to add its form, then publish it."
)

#: Why a draft whose form definition has problems is not published (the problems follow).
FORM_HAS_PROBLEMS = _(
    "This draft's application form has problems, so it is not published. "
    "Correct them in the form editor, then publish it:"
)


@receiver(version_drafted)
def _copy_form_definition(sender: Any, source: ServiceVersion, draft: ServiceVersion, **kwargs: Any) -> None:
    """A new draft of a service starts with the form of the version it was copied from."""
    definition = FormDefinition.objects.filter(version=source).first()
    if definition is not None:
        FormDefinition.objects.create(
            version=draft,
            schema=definition.schema,
            layout=definition.layout,
            points_table=definition.points_table,
            points_fields=definition.points_fields,
        )


@transaction.atomic
def service_item_create_with_form(
    *,
    code: str,
    agency: Agency,
    area: str,
    content: dict[str, Any],
    starter: str,
    editor: Editor,
    actor: Actor,
) -> ServiceVersion:
    """Create a service in the back office: the catalogue item with its first version as a draft
    (``catalogue.services.service_item_create``, which checks the editor and records the event)
    and that version's form, from one of the starter forms (``forms.starters``)."""
    chosen = starters.STARTERS.get(starter)
    unknown_starter = {} if chosen else {"starter": [str(_("Choose a starter form."))]}
    try:
        version = service_item_create(
            code=code,
            agency=agency,
            area=area,
            content=content,
            materials=[],
            topic_codes=[],
            editor=editor,
            actor=actor,
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({**exc.message_dict, **unknown_starter}) from None
    if chosen is None:  # the item is rolled back with this transaction
        raise ValidationError(unknown_starter)
    FormDefinition.objects.create(version=version, schema=chosen.schema(), layout=chosen.layout())
    audit_record(
        action="forms.definition_started",
        actor=actor,
        object_type="service",
        object_id=version.item.code,
        data={"version": version.number, "starter": chosen.code},
    )
    return version


def definition_digest(schema: Any, layout: Any) -> str:
    """A short fingerprint of a form definition, for the audit trail (before and after a change)."""
    canonical = json.dumps({"schema": schema, "layout": layout}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def form_definition_errors(schema: Any, layout: Any, *, points_fields: dict[str, Any]) -> dict[str, list[str]]:
    """Every problem of a form definition, by the part it is in ("schema" or "layout"): what the
    engine could not render, or would render wrongly (``forms.definition``), and a field the
    version's points table reads (``points_fields``) that the schema no longer has."""
    errors: dict[str, list[str]] = {}
    for problem in definition_problems(schema, layout):
        target = "schema" if problem.where.startswith("schema") else "layout"
        errors.setdefault(target, []).append(f"{problem.where}: {problem.message}")
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if isinstance(properties, dict):
        for factor, source in sorted(points_fields.items()):
            name = source if isinstance(source, str) else source.get("field")
            if name not in properties:
                errors.setdefault("schema", []).append(
                    str(
                        _("The points table reads the field “%(field)s” (factor %(factor)s); keep it in the form.")
                        % {"field": name, "factor": factor}
                    )
                )
    return errors


@transaction.atomic
def form_definition_update(
    *, version: ServiceVersion, schema: Any, layout: Any, editor: Editor, actor: Actor
) -> FormDefinition:
    """Replace the application form of a draft version (the back office's form editor).

    Only a draft changes: a published version's form stays as its cases were made under it. Every
    problem is reported at once (``forms.definition``: what the engine could not render, or would
    render wrongly, and every label in both languages), and nothing is saved unless there is none.
    A field the version's points table reads cannot go while the table still uses it."""
    version = ServiceVersion.objects.select_for_update(of=("self",)).select_related("item__agency").get(pk=version.pk)
    require_catalogue_editor(account=editor, agency=version.item.agency)
    if version.status != VersionStatus.DRAFT:
        raise ConflictError(_("Published versions cannot be changed; draft a new version."))
    definition = FormDefinition.objects.filter(version=version).first()
    errors = form_definition_errors(schema, layout, points_fields=definition.points_fields if definition else {})
    if errors:
        raise ValidationError(errors)
    before = definition_digest(definition.schema, definition.layout) if definition is not None else ""
    if definition is None:
        definition = FormDefinition(version=version)
    definition.schema, definition.layout = schema, layout
    definition.save()
    audit_record(
        action="forms.definition_updated",
        actor=actor,
        object_type="service",
        object_id=version.item.code,
        data={
            "version": version.number,
            "before": before,
            "after": definition_digest(schema, layout),
            "fields": sorted(schema["properties"]),
            "steps": [step["key"] for step in layout["steps"]],
        },
    )
    return definition


@transaction.atomic
def service_version_publish_with_form(
    *, version: ServiceVersion, editor: Editor, actor: Actor, now: datetime
) -> ServiceVersion:
    """Publish a draft only if it has a sound form definition: without one nobody could apply for it.

    The one way to publish, for every caller (back office, demo loader, tests): the catalogue does
    not know forms, so its half (``catalogue.publication``: the editor and content checks, retiring
    the previous version, the search text, the audit event) may be imported only from here."""
    require_catalogue_editor(account=editor, agency=version.item.agency)
    definition = FormDefinition.objects.filter(version_id=version.pk).only("schema", "layout", "points_fields").first()
    if definition is None:
        raise ValidationError(NO_FORM_TO_PUBLISH, code="no_form")
    # A form saved by code (a loader, an import, an older release) has not been through the editor's
    # checks: it is checked here, so a form nobody could fill in is never published.
    errors = form_definition_errors(definition.schema, definition.layout, points_fields=definition.points_fields)
    if errors:
        problems = [problem for part in ("schema", "layout") for problem in errors.get(part, [])]
        heading = ValidationError(FORM_HAS_PROBLEMS, code="form_problems")
        raise ValidationError([heading, *(ValidationError(problem, code="form_problems") for problem in problems)])
    return service_version_publish_without_form_check(version=version, editor=editor, actor=actor, now=now)
