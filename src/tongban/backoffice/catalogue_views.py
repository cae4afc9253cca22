"""Back office: city operators and agency administrators create services and edit the
catalogue (draft, edit, the draft's application form, publish); operators edit the work-permit
points table and the working-day calendar."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.backoffice.catalogue_forms import FormDefinitionForm, ServiceCreateForm
from tongban.backoffice.decorators import staff_account, staff_required
from tongban.backoffice.forms import CalendarDayForm, MaterialForm, VersionForm
from tongban.catalogue.models import PointsOption, PointsTable, ServiceItem, ServiceVersion, VersionStatus
from tongban.catalogue.permissions import CITY_ONLY, require_catalogue_editor
from tongban.catalogue.selectors import catalogue_editable_agencies, service_items_for_agency
from tongban.catalogue.services import (
    CALENDAR_YEARS,
    EDITABLE_FIELDS,
    calendar_day_remove,
    calendar_day_set,
    calendar_year_complete,
    material_remove,
    material_save,
    points_table_update,
    service_version_draft,
    service_version_update,
)
from tongban.core.clock import now
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.core.models import CalendarDay, CalendarYear
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.forms import engine
from tongban.forms.models import FormDefinition
from tongban.forms.services import (
    form_definition_update,
    service_item_create_with_form,
    service_version_publish_with_form,
)
from tongban.identity.models import StaffRoleKind
from tongban.identity.permissions import require_city_operator
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import has_role


@staff_required
def catalogue(request: StaffRequest) -> HttpResponse:
    roles = request.staff_roles
    if has_role(roles, StaffRoleKind.CITY_OPERATOR):
        agency_ids = None
    else:  # an agency administrator sees every agency they administer
        agency_ids = list(catalogue_editable_agencies(roles=roles).values_list("pk", flat=True))
        if not agency_ids:
            raise PermissionDeniedError(_("Only city operators and agency administrators edit the catalogue."))
    items = service_items_for_agency(agency_ids=agency_ids)
    return render(request, "backoffice/catalogue.html", {"items": items, "points_tables": PointsTable.objects.all()})


@staff_required
def service_new(request: StaffRequest) -> HttpResponse:
    """A new service: the item, its first version as a draft and a starter form; then its page,
    where the guide, the materials and the topics are completed and the draft is published."""
    agencies = catalogue_editable_agencies(roles=request.staff_roles)
    if not agencies.exists():
        raise PermissionDeniedError(_("Only city operators and agency administrators create services."))
    form = ServiceCreateForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with domain_errors(request, form, catch=(ValidationError,)) as done:
            version = service_item_create_with_form(
                code=data["code"],
                agency=data["agency"],
                area=data["area"],
                content=form.content(),
                starter=data["starter"],
                editor=staff_account(request),
                actor=actor_from_request(request),
            )
        if done:
            messages.success(
                request,
                _("The service is created as a draft. Add its materials and the rest of its guide, then publish it."),
            )
            return redirect("backoffice:service_edit", code=version.item.code)
    return render(request, "backoffice/service_new.html", {"form": form})


def _item(request: HttpRequest, code: str) -> ServiceItem:
    item = get_object_or_404(ServiceItem.objects.select_related("agency", "published_version"), code=code)
    require_catalogue_editor(account=staff_account(request), agency=item.agency)
    return item


@staff_required
def service_edit(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    draft = ServiceVersion.objects.filter(item=item, status=VersionStatus.DRAFT).first()
    versions = ServiceVersion.objects.filter(item=item).order_by("-number")
    form = VersionForm(request.POST or None, instance=draft) if draft else None
    if form is not None and draft is not None and request.method == "POST" and form.is_valid():
        content = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
        with domain_errors(request, form, catch=(ValidationError,)) as done:
            service_version_update(
                version=draft,
                content=content,
                editor=staff_account(request),
                actor=actor_from_request(request),
                topics=form.cleaned_data["topics"],
            )
        if done:
            messages.success(request, _("The draft is saved. Publish it when it is ready."))
            return redirect("backoffice:service_edit", code=code)
    return render(
        request,
        "backoffice/service_edit.html",
        {
            "item": item,
            "draft": draft,
            "versions": versions,
            "form": form,
            "material_form": MaterialForm(prefix="material"),
            "materials": list(draft.materials.all()) if draft else [],
        },
    )


def _form_preview(definition: FormDefinition | None, language: str) -> list[dict[str, Any]]:
    """The steps and fields of a form as an applicant meets them, for the editor's preview."""
    if definition is None:
        return []
    properties = definition.schema.get("properties", {})
    required = set(definition.schema.get("required", []))
    specs = definition.layout.get("fields", {})
    preview = []
    for step in engine.steps(definition.layout):
        fields = []
        for name in step.get("fields", []):
            spec = specs.get(name, {})
            fields.append(
                {
                    "name": name,
                    "label_zh": engine.text(spec.get("label"), "zh-hans"),
                    "label_en": engine.text(spec.get("label"), "en"),
                    "type": properties.get(name, {}).get("type", ""),
                    "required": name in required,
                    "prefill": spec.get("prefill", ""),
                    "conditional": bool(spec.get("visible_if")),
                }
            )
        preview.append(
            {
                "key": step.get("key", ""),
                "title": engine.text(step.get("title"), language),
                "conditional": bool(step.get("visible_if")),
                "fields": fields,
            }
        )
    return preview


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@staff_required
def service_form(request: HttpRequest, code: str) -> HttpResponse:
    """The application form of the service's draft, as JSON (docs/forms.md), with a preview of its
    steps and fields; a published version's form is shown read-only."""
    item = _item(request, code)
    version = ServiceVersion.objects.filter(item=item, status=VersionStatus.DRAFT).first() or item.published_version
    definition = FormDefinition.objects.filter(version=version).first() if version else None
    editable = version is not None and version.status == VersionStatus.DRAFT
    initial = {"schema": _pretty(definition.schema), "layout": _pretty(definition.layout)} if definition else {}
    form = FormDefinitionForm(request.POST if request.method == "POST" and editable else None, initial=initial)
    if editable and version is not None and request.method == "POST" and form.is_valid():
        with domain_errors(request, form, catch=(ValidationError, ConflictError)) as done:
            form_definition_update(
                version=version,
                schema=form.cleaned_data["schema"],
                layout=form.cleaned_data["layout"],
                editor=staff_account(request),
                actor=actor_from_request(request),
            )
        if done:
            messages.success(request, _("The form is saved in the draft. Publish the draft when it is ready."))
            return redirect("backoffice:service_form", code=code)
    return render(
        request,
        "backoffice/service_form.html",
        {
            "item": item,
            "version": version,
            "editable": editable,
            "form": form,
            "definition": definition,
            "preview": _form_preview(definition, get_language() or "zh-hans"),
        },
    )


@require_POST
@staff_required
def service_draft(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    service_version_draft(item=item, editor=staff_account(request), actor=actor_from_request(request))
    messages.success(request, _("A new draft version was made from the published one."))
    return redirect("backoffice:service_edit", code=code)


@require_POST
@staff_required
def service_publish(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    draft = get_object_or_404(ServiceVersion, item=item, status=VersionStatus.DRAFT)
    # Refused, with nothing published, if the draft has no application form.
    with domain_errors(request, catch=(ValidationError, ConflictError)) as done:
        service_version_publish_with_form(
            version=draft, editor=staff_account(request), actor=actor_from_request(request), now=now()
        )
    if done:
        messages.success(request, _("Published. New applications use this version; open cases keep theirs."))
    return redirect("backoffice:service_edit", code=code)


@require_POST
@staff_required
def material_add(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    draft = get_object_or_404(ServiceVersion, item=item, status=VersionStatus.DRAFT)
    form = MaterialForm(request.POST, prefix="material")  # beside the service form: its own ids
    if form.is_valid():
        data = form.cleaned_data
        with domain_errors(request, catch=(ValidationError,)) as done:
            material_save(
                version=draft,
                code=data["code"],
                editor=staff_account(request),
                actor=actor_from_request(request),
                content={k: data[k] for k in ("name_zh", "name_en", "required", "government_may_hold")},
            )
        if done:
            messages.success(request, _("The material is saved."))
    else:
        messages.error(request, _("Check the material's code and both names."))
    return redirect("backoffice:service_edit", code=code)


@require_POST
@staff_required
def material_delete(request: HttpRequest, code: str, material_code: str) -> HttpResponse:
    item = _item(request, code)
    draft = get_object_or_404(ServiceVersion, item=item, status=VersionStatus.DRAFT)
    material_remove(version=draft, code=material_code, editor=staff_account(request), actor=actor_from_request(request))
    messages.success(request, _("The material is removed from the draft."))
    return redirect("backoffice:service_edit", code=code)


@staff_required
def points_table(request: HttpRequest, code: str) -> HttpResponse:
    account = staff_account(request)
    require_city_operator(account=account, message=CITY_ONLY)
    table = get_object_or_404(PointsTable, code=code)
    options = (
        PointsOption.objects.filter(factor__table=table)
        .select_related("factor")
        .order_by("factor__position", "position")
    )
    rows = [PointsRow(option, str(option.points), "") for option in options]
    if request.method == "POST":
        typed = {
            row.option.pk: request.POST[f"option-{row.option.pk}"]
            for row in rows
            if f"option-{row.option.pk}" in request.POST
        }
        try:
            changed = points_table_update(table=table, typed=typed, editor=account, actor=actor_from_request(request))
        except ValidationError as exc:
            problems = exc.message_dict
            rows = [
                PointsRow(
                    row.option,
                    typed.get(row.option.pk, row.value).strip(),
                    " ".join(problems.get(str(row.option.pk), [])),
                )
                for row in rows
            ]
        else:
            messages.success(request, _("%(count)s values changed.") % {"count": changed})
            return redirect("backoffice:points_table", code=code)
    errors = [row for row in rows if row.error]
    return render(
        request,
        "backoffice/points_table.html",
        {"table": table, "rows": rows, "errors": errors},
        status=400 if errors else 200,
    )


class PointsRow(NamedTuple):
    """One answer of a points table as the editor shows it: the option, the value in the box (as
    typed, when the table was refused), and what was wrong with it."""

    option: PointsOption
    value: str
    error: str


@staff_required
def calendar(request: HttpRequest) -> HttpResponse:
    account = staff_account(request)
    require_city_operator(account=account, message=CITY_ONLY)
    try:
        year = int(request.GET.get("year", now().year))
    except ValueError:
        year = now().year
    if year not in CALENDAR_YEARS:
        year = now().year
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with domain_errors(request, form, catch=(ValidationError,)) as done:
            calendar_day_set(
                day=data["day"],
                kind=data["kind"],
                name_zh=data["name_zh"],
                name_en=data["name_en"],
                editor=account,
                actor=actor_from_request(request),
            )
        if done:
            messages.success(request, _("The calendar is updated; deadlines use it at once."))
            return redirect(f"{reverse('backoffice:calendar')}?year={data['day'].year}")
    days = CalendarDay.objects.filter(day__year=year).order_by("day")
    known = CalendarYear.objects.filter(year=year, complete=True).exists()
    return render(request, "backoffice/calendar.html", {"year": year, "days": days, "known": known, "form": form})


@require_POST
@staff_required
def calendar_remove(request: HttpRequest, day: str) -> HttpResponse:
    account = staff_account(request)
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None  # not a date: no such calendar entry
    calendar_day_remove(day=parsed, editor=account, actor=actor_from_request(request))
    messages.success(
        request,
        _("%(day)s is removed from the calendar: it counts by the weekday rule again.") % {"day": parsed.isoformat()},
    )
    return redirect(f"{reverse('backoffice:calendar')}?year={parsed.year}")


@require_POST
@staff_required
def calendar_complete(request: HttpRequest, year: int) -> HttpResponse:
    calendar_year_complete(year=year, editor=staff_account(request), actor=actor_from_request(request))
    messages.success(request, _("%(year)s is marked complete.") % {"year": year})
    return redirect(f"{reverse('backoffice:calendar')}?year={year}")
