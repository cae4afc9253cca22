"""Applying online: start an application, fill it step by step (saved on every Save/Next, and as
the user types when JavaScript is on), upload materials, check and submit."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.cases.services import SubmissionIncomplete, case_submit, completeness_errors
from tongban.catalogue.models import Material
from tongban.catalogue.selectors import competent_office, district_offices, published_version
from tongban.core import bilingual
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.errors import PermissionDeniedError
from tongban.core.requests import actor_from_request
from tongban.forms import engine, prefill
from tongban.forms.models import Application, FormDefinition
from tongban.forms.selectors import (
    MATERIALS_STEP,
    REVIEW_STEP,
    StepRef,
    application_points,
    application_steps,
    current_uploads,
    form_of,
    held_attachments,
    own_application,
)
from tongban.forms.services import (
    application_discard,
    application_save_step,
    application_set_step,
    application_start,
    application_upload,
)
from tongban.identity.models import Firm
from tongban.identity.permissions import no_power
from tongban.identity.requests import PersonRequest
from tongban.portal.decorators import person_required


@require_POST
@person_required
def apply(request: PersonRequest, code: str) -> HttpResponse:
    """Start an application for yourself or for a firm you act for."""
    version = published_version(code=code)
    if version is None:
        raise Http404
    person = request.person
    acting_for = request.POST.get("as", "self")
    firm = None
    if acting_for != "self":
        # An unknown firm is refused as a firm the person cannot act for: the same status and
        # page, naming no firm (identity.permissions.no_power).
        firm = Firm.objects.filter(uscc=acting_for[:18]).first()
        if firm is None:
            raise PermissionDeniedError(no_power(version.item.area))
    application = application_start(
        person=person, version=version, firm=firm, actor=actor_from_request(request), now=now()
    )
    return redirect("portal:application", public_id=application.public_id)


def _context(
    request: PersonRequest, public_id: str
) -> tuple[Application, FormDefinition, list[Material], list[StepRef]]:
    person = request.person
    application = own_application(public_id=public_id, person=person, now=now())
    definition = FormDefinition.objects.get(version_id=application.version_id)
    materials = list(Material.objects.filter(version_id=application.version_id).order_by("position", "code"))
    steps = application_steps(application, materials, get_language() or "zh-hans")
    return application, definition, materials, steps


@person_required
def application_resume(request: PersonRequest, public_id: str) -> HttpResponse:
    """Open an application where the applicant left it (on any device)."""
    application, _definition, _materials, steps = _context(request, public_id)
    if application.status != "draft" and hasattr(application, "case"):
        return redirect("portal:my_case", number=application.case.number)
    index = min(application.step, len(steps) - 1)
    return redirect("portal:application_step", public_id=public_id, step=steps[index].key)


@person_required
def application_step(request: PersonRequest, public_id: str, step: str) -> HttpResponse:
    application, definition, materials, steps = _context(request, public_id)
    if application.status != "draft":
        messages.info(request, _("This application was submitted; here is its case."))
        return redirect("portal:application", public_id=public_id)
    keys = [ref.key for ref in steps]
    if step not in keys:
        return redirect("portal:application_step", public_id=public_id, step=keys[0])
    index = keys.index(step)
    ref = steps[index]
    person = request.person
    language = get_language() or "zh-hans"
    errors: dict[str, str] = {}
    posted_values: dict[str, Any] = {}
    moment = now()

    if request.method == "POST":
        intent = request.POST.get("intent", "save")
        if ref.kind == "fields":
            posted = {name: _posted(request, name) for name in ref.fields}
            posted_values, errors = application_save_step(
                application=application,
                step_key=step,
                posted=posted,
                person=person,
                now=moment,
                complete=intent == "next",
            )
            application.refresh_from_db()
        elif ref.kind == "materials":
            errors = _save_uploads(request, application, materials)
        if request.headers.get("X-Requested-With") == "fetch":  # autosave while typing
            return JsonResponse({"saved": True, "errors": errors})
        if intent == "back" and index > 0:
            application_set_step(application=application, step=index - 1, person=person, now=moment)
            return redirect("portal:application_step", public_id=public_id, step=keys[index - 1])
        if intent == "next" and not errors:
            steps = _steps_now(application, materials, language)
            keys = [r.key for r in steps]
            following = keys[min(keys.index(step) + 1, len(keys) - 1)] if step in keys else keys[0]
            application_set_step(application=application, step=keys.index(following), person=person, now=moment)
            return redirect("portal:application_step", public_id=public_id, step=following)
        if not errors:
            messages.success(request, _("Saved. You can continue now or later, on any device."))
            return redirect("portal:application_step", public_id=public_id, step=step)

    context: dict[str, Any] = {
        "application": application,
        "version": application.version,
        "steps": steps,
        "step": ref,
        "index": index,
        "is_last": index == len(steps) - 1,
        "errors": errors,
    }
    if ref.kind == "fields":
        data = {**application.data, **posted_values}
        locked = frozenset(prefill.locked_values(definition.layout, person, application.firm))
        context["fields"] = engine.field_views(
            definition.schema,
            definition.layout,
            list(ref.fields),
            data,
            language=language,
            errors=errors,
            sources=application.sources,
            locked=locked,
            source_labels={k: str(v) for k, v in prefill.SOURCE_LABELS.items()},
        )
    elif ref.kind == "materials":
        uploads = current_uploads(application=application)
        held = held_attachments(application=application)
        context["materials"] = [
            (material, uploads.get(material.pk), errors.get(f"material_{material.code}", ""), held.get(material.pk))
            for material in materials
        ]
    else:
        context.update(_review_context(application, definition, materials, steps, language))
    views: list[engine.FieldView] = context.get("fields", [])
    anchors = {view.name: _summary_anchor(view) for view in views}
    labels = {view.name: view.label for view in views}
    labels.update({f"material_{m.code}": bilingual.localized(m, "name", language) for m in materials})
    context["error_list"] = [
        (
            anchors.get(name, name if name.startswith("material_") else f"f-{name}"),
            _("%(label)s: %(message)s") % {"label": labels[name], "message": message} if name in labels else message,
        )
        for name, message in errors.items()
    ]
    status = 400 if errors and request.method == "POST" else 200
    return render(request, "portal/application_step.html", context, status=status)


def _summary_anchor(view: engine.FieldView) -> str:
    """Where the error summary's link to a field lands: its input, or the first option of a radio or
    checkbox group (``_dyn_field.html`` numbers the options from 1; the fieldset cannot take focus)."""
    if view.widget in ("radio", "checkboxes") and view.choices:
        return f"{view.input_id}-1"
    return view.input_id


def _posted(request: HttpRequest, name: str) -> Any:
    values = request.POST.getlist(name)
    if len(values) > 1:
        return values
    return values[0] if values else None


def _steps_now(application: Application, materials: list[Material], language: str) -> list[StepRef]:
    return application_steps(application, materials, language)


def _save_uploads(request: PersonRequest, application: Application, materials: list[Material]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for material in materials:
        uploaded = request.FILES.get(f"material_{material.code}")
        if uploaded is None:
            continue
        try:
            application_upload(
                application=application,
                material=material,
                file=uploaded,
                person=request.person,
                actor=actor_from_request(request),
                now=now(),
            )
        except ValidationError as exc:
            errors[f"material_{material.code}"] = " ".join(exc.messages)
    return errors


def _review_context(
    application: Application, definition: FormDefinition, materials: list[Material], steps: list[StepRef], language: str
) -> dict[str, Any]:
    sections = []
    for ref in steps:
        if ref.kind != "fields":
            continue
        views = engine.field_views(
            definition.schema,
            definition.layout,
            list(ref.fields),
            application.data,
            language=language,
            sources=application.sources,
            source_labels={k: str(v) for k, v in prefill.SOURCE_LABELS.items()},
        )
        sections.append((ref, views))
    uploads = current_uploads(application=application)
    held = held_attachments(application=application)
    version = application.version
    person = application.person
    district = application.firm.registered_district if application.firm else person.registered_district
    office = competent_office(version=version, district=district, chosen=application.office)
    return {
        "sections": sections,
        "material_rows": [(material, uploads.get(material.pk), held.get(material.pk)) for material in materials],
        "points": application_points(application=application, definition=definition, today=local_date(now())),
        "office": office,
        "offices": list(district_offices(version=version)) if version.handling_level == "district" else [],
        "missing": _missing_items(
            completeness_errors(application, form_of(application.version), frozenset(held), today=local_date(now())),
            application,
            sections,
        ),
    }


class MissingItem(NamedTuple):
    """One thing still missing before submitting, as the review page lists it: what (the field's
    label, empty for a material, whose message names it), why, and a link to where it is given."""

    label: str
    message: str
    url: str


def _missing_items(
    missing: dict[str, str], application: Application, sections: list[tuple[StepRef, list[engine.FieldView]]]
) -> list[MissingItem]:
    """Each problem linked to the field (or the upload) on its own step, in the order of the form,
    the materials after the fields."""
    where = {view.name: (ref.key, view) for ref, views in sections for view in views}
    position = {name: index for index, name in enumerate(where)}
    ranked = []
    for name, message in missing.items():
        if name.startswith("material_"):
            step, label, anchor = MATERIALS_STEP, "", name
        elif name in where:
            step, view = where[name]
            label, anchor = view.label, _summary_anchor(view)
        else:  # a field on no visible step: nothing to link to, but still said
            ranked.append((len(position), MissingItem(name, message, "")))
            continue
        url = reverse("portal:application_step", kwargs={"public_id": application.public_id, "step": step})
        ranked.append((position.get(name, len(position)), MissingItem(label, message, f"{url}#{anchor}")))
    return [item for _rank, item in sorted(ranked, key=lambda pair: pair[0])]


@require_POST
@person_required
def application_submit(request: PersonRequest, public_id: str) -> HttpResponse:
    person = request.person
    office = request.POST.get("office", "")
    try:
        case = case_submit(
            application=str(public_id),
            person=person,
            actor=actor_from_request(request),
            now=now(),
            office_id=int(office) if office.isdigit() else None,
        )
    except SubmissionIncomplete:
        messages.error(request, _("Some information is still missing. The list below says what."))
        return redirect("portal:application_step", public_id=public_id, step=REVIEW_STEP)
    messages.success(request, _("Submitted. Your case number is %(number)s.") % {"number": case.number})
    return redirect("portal:my_case", number=case.number)


@require_POST
@person_required
def application_delete(request: PersonRequest, public_id: str) -> HttpResponse:
    person = request.person
    application = own_application(public_id=public_id, person=person, now=now())
    application_discard(application=application, person=person, actor=actor_from_request(request), now=now())
    messages.success(request, _("The draft is deleted."))
    return redirect("portal:my_space")
