"""The window (全市通办, 帮办): a clerk serving a called ticket finds the visitor by the document
shown, sees the visitor's drafts and cases, and fills, uploads and submits on the visitor's
behalf through the same forms and cases services as the portal — the visitor is the applicant,
the clerk the hand that entered it (ADR 0039). Then a receipt to print and sign.

Every page asks ``service_centres.permissions`` through ``service_centres.intake``: the visitor
of the clerk's current ticket only; any other person's draft or case is a 404, and the attempt
is written to that person's access log and the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.backoffice.decorators import staff_account, staff_required
from tongban.backoffice.window_forms import IdentifyForm, StartForm, VisitorForm
from tongban.cases.models import Case
from tongban.cases.selectors import case_events, cases_of_person
from tongban.cases.services import SubmissionIncomplete, completeness_errors
from tongban.catalogue.models import Material, ServiceVersion
from tongban.catalogue.selectors import competent_office, district_offices
from tongban.core import bilingual
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.errors import NotFoundError, PermissionDeniedError
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.forms import engine, prefill
from tongban.forms.models import Application, ApplicationStatus, FormDefinition
from tongban.forms.selectors import (
    MATERIALS_STEP,
    REVIEW_STEP,
    StepRef,
    application_steps,
    current_uploads,
    form_of,
    held_attachments,
    open_drafts,
)
from tongban.forms.services import application_save_step, application_set_step, application_upload
from tongban.identity import idnumbers
from tongban.identity.models import Firm, Person, StaffRoleKind
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import firms_of_person, has_role, person_by_identifier
from tongban.service_centres.intake import (
    visitor_identify,
    window_application_start,
    window_case_look,
    window_case_submit,
    window_look,
)
from tongban.service_centres.intake_selectors import current_visit, window_services
from tongban.service_centres.models import Ticket
from tongban.service_centres.permissions import (
    expected_visitor,
    visitor_of,
    window_application_authority,
    window_may_file,
)


def _clerk_visit(request: StaffRequest, *, keyed: bool = False) -> Ticket | None:
    """The clerk's current visit; 403 for staff who are not clerks (404 on a page about a draft or
    case: for them it does not exist)."""
    if not has_role(request.staff_roles, StaffRoleKind.CLERK):
        if keyed:
            raise NotFoundError(_("No such application or case at your window."))
        raise PermissionDeniedError(_("Only service-centre clerks work at a window."))
    return current_visit(account=staff_account(request), roles=request.staff_roles, today=local_date(now()))


@staff_required
def window(request: StaffRequest) -> HttpResponse:
    """The visit being served: find and identify the visitor, then their drafts and cases and the
    services this window takes."""
    ticket = _clerk_visit(request)
    visitor = visitor_of(ticket) if ticket is not None else None
    expected = expected_visitor(ticket) if ticket is not None and visitor is None else None
    context: dict[str, Any] = {"ticket": ticket, "visitor": visitor, "expected": expected}
    if ticket is None:
        return render(request, "backoffice/window.html", context)
    lookup = VisitorForm(request.POST if request.POST.get("intent") == "find" else None)
    identify: IdentifyForm | None = None
    found: Person | None = None
    if request.method == "POST" and request.POST.get("intent") == "find":
        if lookup.is_valid():
            number = idnumbers.normalise(lookup.cleaned_data["id_number"])
            nationality = lookup.cleaned_data["nationality"].upper()
            found = person_by_identifier(id_number=number, nationality=nationality or None) if number else None
            if found is None:
                lookup.add_error("id_number", _("No registered person has this document number."))
            else:
                identify = IdentifyForm(initial={"id_number": number, "nationality": nationality})
    elif request.method == "POST" and request.POST.get("intent") == "identify":
        identify = IdentifyForm(request.POST)
        if identify.is_valid():
            data = identify.cleaned_data
            with domain_errors(request, identify) as done:
                person = visitor_identify(
                    clerk=staff_account(request),
                    ticket=ticket,
                    id_number=data["id_number"],
                    nationality=data["nationality"],
                    document=data["document"],
                    checked=data["checked"],
                    actor=actor_from_request(request),
                    now=now(),
                )
            if done:
                messages.success(request, _("%(name)s is the visitor of this ticket.") % {"name": person.display_name})
                return redirect("backoffice:window")
        found = person_by_identifier(
            id_number=idnumbers.normalise(identify.data.get("id_number", "")[:40]),
            nationality=(identify.data.get("nationality", "")[:3].upper() or None),
        )
    context.update({"lookup": lookup, "identify": identify, "found": found})
    if visitor is not None:
        moment = now()
        window_look(
            roles=request.staff_roles,
            ticket=ticket,
            person=visitor,
            what="list",
            actor=actor_from_request(request),
            now=moment,
        )
        context.update(_visitor_context(ticket, visitor, moment))
    status = 400 if request.method == "POST" else 200
    return render(request, "backoffice/window.html", context, status=status)


def _visitor_context(ticket: Ticket, visitor: Person, moment: Any) -> dict[str, Any]:
    firms = firms_of_person(person=visitor, now=moment)
    versions = list(window_services(ticket.window))
    return {
        "drafts": list(open_drafts(person=visitor)[:20]),
        "cases": cases_of_person(person=visitor, limit=20),
        "start": StartForm(
            services=[(v.item.code, bilingual.localized(v, "name")) for v in versions],
            firms=[(access.firm.uscc, bilingual.localized(access.firm, "name")) for access in firms],
        ),
    }


@require_POST
@staff_required
def window_start(request: StaffRequest) -> HttpResponse:
    """Start an application for the visitor (or a firm the visitor acts for) at this window."""
    ticket = _clerk_visit(request)
    visitor = visitor_of(ticket) if ticket is not None else None
    if ticket is None or visitor is None:
        raise Http404
    code = request.POST.get("service", "")[:60]
    version = (
        ServiceVersion.objects.select_related("item", "item__agency")
        .filter(item__code=code, status="published")
        .first()
    )
    if version is None:
        raise Http404
    firm = None
    acting_for = request.POST.get("acting_for", "self")[:18]
    if acting_for and acting_for != "self":
        firm = Firm.objects.filter(uscc=acting_for).first()
        if firm is None:
            raise PermissionDeniedError(_("The visitor cannot act for this firm."))
    application = window_application_start(
        clerk=staff_account(request),
        roles=request.staff_roles,
        ticket=ticket,
        person=visitor,
        version=version,
        firm=firm,
        actor=actor_from_request(request),
        now=now(),
    )
    return redirect("backoffice:window_application", public_id=application.public_id)


def _served_application(
    request: StaffRequest, public_id: str
) -> tuple[Ticket, Person, Application, list[Material], list[StepRef]]:
    """The visitor's application, looked at (and the look recorded); 404 and a recorded refusal
    for anyone else's; the window must take its service."""
    ticket = _clerk_visit(request, keyed=True)
    application = (
        Application.objects.select_related("version", "version__item", "version__item__agency", "firm", "person")
        .filter(public_id=public_id)
        .first()
    )
    if application is None:
        raise NotFoundError(_("No such application."))
    window_look(
        roles=request.staff_roles,
        ticket=ticket,
        person=application.person,
        what="draft",
        purpose=application.version.item.code,
        reference=application.case.number
        if application.status == ApplicationStatus.SUBMITTED and hasattr(application, "case")
        else "",
        actor=actor_from_request(request),
        now=now(),
    )
    assert ticket is not None
    window_application_authority(person=application.person, application=application, now=now())
    window_may_file(ticket=ticket, item=application.version.item)
    materials = list(Material.objects.filter(version_id=application.version_id).order_by("position", "code"))
    steps = application_steps(application, materials, get_language() or "zh-hans")
    return ticket, application.person, application, materials, steps


@staff_required
def window_application(request: StaffRequest, public_id: str) -> HttpResponse:
    """Open the visitor's draft where it was left (online or at a window)."""
    _ticket, _person, application, _materials, steps = _served_application(request, public_id)
    if application.status != ApplicationStatus.DRAFT:
        if hasattr(application, "case"):
            return redirect("backoffice:window_receipt", number=application.case.number)
        raise Http404
    index = min(application.step, len(steps) - 1)
    return redirect("backoffice:window_step", public_id=public_id, step=steps[index].key)


@staff_required
def window_step(request: StaffRequest, public_id: str, step: str) -> HttpResponse:
    """One step of the visitor's application, filled by the clerk: the same form and checks."""
    ticket, person, application, materials, steps = _served_application(request, public_id)
    if application.status != ApplicationStatus.DRAFT:
        return redirect("backoffice:window_application", public_id=public_id)
    keys = [ref.key for ref in steps]
    if step not in keys:
        return redirect("backoffice:window_step", public_id=public_id, step=keys[0])
    index = keys.index(step)
    ref = steps[index]
    language = get_language() or "zh-hans"
    definition = FormDefinition.objects.get(version_id=application.version_id)
    errors: dict[str, str] = {}
    posted_values: dict[str, Any] = {}
    moment = now()
    actor = actor_from_request(request)
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
                actor=actor,
            )
            application.refresh_from_db()
        elif ref.kind == "materials":
            for material in materials:
                uploaded = request.FILES.get(f"material_{material.code}")
                if uploaded is None:
                    continue
                try:
                    application_upload(
                        application=application,
                        material=material,
                        file=uploaded,
                        person=person,
                        actor=actor,
                        now=moment,
                    )
                except ValidationError as exc:
                    errors[f"material_{material.code}"] = " ".join(exc.messages)
        if intent == "back" and index > 0:
            application_set_step(application=application, step=index - 1, person=person, now=moment)
            return redirect("backoffice:window_step", public_id=public_id, step=keys[index - 1])
        if intent == "next" and not errors:
            steps = application_steps(application, materials, language)
            keys = [r.key for r in steps]
            following = keys[min(keys.index(step) + 1, len(keys) - 1)] if step in keys else keys[0]
            application_set_step(application=application, step=keys.index(following), person=person, now=moment)
            return redirect("backoffice:window_step", public_id=public_id, step=following)
        if not errors:
            messages.success(request, _("Saved."))
            return redirect("backoffice:window_step", public_id=public_id, step=step)
    context: dict[str, Any] = {
        "ticket": ticket,
        "visitor": person,
        "application": application,
        "version": application.version,
        "steps": steps,
        "step": ref,
        "index": index,
        "errors": errors,
    }
    if ref.kind == "fields":
        context["fields"] = engine.field_views(
            definition.schema,
            definition.layout,
            list(ref.fields),
            {**application.data, **posted_values},
            language=language,
            errors=errors,
            sources=application.sources,
            locked=frozenset(prefill.locked_values(definition.layout, person, application.firm)),
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
        context.update(_review(application, definition, materials, steps, language))
    context["error_list"] = list(errors.values())
    status = 400 if errors and request.method == "POST" else 200
    return render(request, "backoffice/window_step.html", context, status=status)


def _posted(request: StaffRequest, name: str) -> Any:
    values = request.POST.getlist(name)
    if len(values) > 1:
        return values
    return values[0] if values else None


def _review(
    application: Application, definition: FormDefinition, materials: list[Material], steps: list[StepRef], language: str
) -> dict[str, Any]:
    sections = [
        (
            ref,
            engine.field_views(
                definition.schema, definition.layout, list(ref.fields), application.data, language=language
            ),
        )
        for ref in steps
        if ref.kind == "fields"
    ]
    uploads = current_uploads(application=application)
    held = held_attachments(application=application)
    version = application.version
    district = application.firm.registered_district if application.firm else application.person.registered_district
    missing = completeness_errors(application, form_of(version), frozenset(held), today=local_date(now()))
    return {
        "sections": sections,
        "material_rows": [(material, uploads.get(material.pk), held.get(material.pk)) for material in materials],
        "office": competent_office(version=version, district=district, chosen=application.office),
        "offices": list(district_offices(version=version)) if version.handling_level == "district" else [],
        "missing": list(missing.values()),
        "materials_step": MATERIALS_STEP,
        "review_step": REVIEW_STEP,
    }


@require_POST
@staff_required
def window_submit(request: StaffRequest, public_id: str) -> HttpResponse:
    """Submit the visitor's application, once the visitor confirmed its contents."""
    ticket, person, application, _materials, _steps = _served_application(request, public_id)
    office = request.POST.get("office", "")
    try:
        case = window_case_submit(
            clerk=staff_account(request),
            roles=request.staff_roles,
            ticket=ticket,
            person=person,
            application=application,
            confirmed=request.POST.get("confirmed") == "on",
            office_id=int(office) if office.isdigit() else None,
            actor=actor_from_request(request),
            now=now(),
        )
    except SubmissionIncomplete:
        messages.error(request, _("Some information is still missing. The list below says what."))
        return redirect("backoffice:window_step", public_id=public_id, step=REVIEW_STEP)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("backoffice:window_step", public_id=public_id, step=REVIEW_STEP)
    messages.success(request, _("Submitted. The case number is %(number)s.") % {"number": case.number})
    return redirect("backoffice:window_receipt", number=case.number)


@staff_required
def window_receipt(request: StaffRequest, number: str) -> HttpResponse:
    """The receipt of the visitor's case, to print and have signed (then scanned as a material
    where the service asks for it); the case's status and history as the visitor sees them."""
    ticket = _clerk_visit(request, keyed=True)
    case = (
        Case.objects.select_related("item", "version", "agency", "office", "applicant", "firm", "entered_at_centre")
        .filter(number=number[:20])
        .first()
    )
    if case is None:
        raise NotFoundError(_("No such case."))
    ticket, visitor = window_case_look(
        roles=request.staff_roles, ticket=ticket, case=case, actor=actor_from_request(request), now=now()
    )
    return render(
        request,
        "backoffice/window_receipt.html",
        {"ticket": ticket, "visitor": visitor, "case": case, "events": list(case_events(case=case))},
    )
