"""Back office: city operators set up the city's structure — agencies, their city-level and
district offices, and the service centres. Every page is for city operators only (403 for other
staff, whatever the URL); every write goes through ``identity.services.structure``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongban.backoffice.decorators import View, staff_account, staff_required
from tongban.core.errors import PermissionDeniedError
from tongban.core.forms import FirstRadioSelect, TongbanForm
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.identity.models import Agency, AgencyOffice, CentreLevel, OfficeLevel, ServiceCentre, StaffRoleKind
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import district_name, has_role
from tongban.identity.services import (
    AGENCY_FIELDS,
    CENTRE_FIELDS,
    OFFICE_FIELDS,
    agency_create,
    agency_update,
    centre_create,
    centre_update,
    office_create,
    office_update,
)

_LANGUAGES = {"zh": "zh-Hans", "en": "en"}


def _text_field(
    model: type[models.Model], name: str, label: Any, *, help_text: Any = "", inputmode: str = ""
) -> forms.CharField:
    """A text input as long as the model's column, marked with the language it is written in."""
    column = model._meta.get_field(name)
    assert isinstance(column, models.CharField)  # every edited column is text (URLField, SlugField too)
    attrs = {"lang": _LANGUAGES[name[-2:]]} if name[-2:] in _LANGUAGES and name[-3] == "_" else {}
    if inputmode:
        attrs["inputmode"] = inputmode
    return forms.CharField(
        label=label,
        max_length=column.max_length,
        required=not column.blank,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


CODE_HELP = gettext_lazy(
    "Lower-case letters, digits and hyphens, e.g. “market-regulation”. It appears in addresses and "
    "records and cannot be changed later."
)
DISTRICT_HELP = gettext_lazy("The six-digit region code of the district, e.g. 310115.")


class AgencyForm(TongbanForm):
    """An agency; the code only when it is new."""

    code = _text_field(Agency, "code", gettext_lazy("Code"), help_text=CODE_HELP)
    name_zh = _text_field(Agency, "name_zh", gettext_lazy("Name (Chinese)"))
    name_en = _text_field(Agency, "name_en", gettext_lazy("Name (English)"))
    head_zh = _text_field(Agency, "head_zh", gettext_lazy("Head (Chinese)"))
    head_en = _text_field(Agency, "head_en", gettext_lazy("Head (English)"))
    phone = _text_field(Agency, "phone", gettext_lazy("Phone"), inputmode="tel")
    address_zh = _text_field(Agency, "address_zh", gettext_lazy("Address (Chinese)"))
    address_en = _text_field(Agency, "address_en", gettext_lazy("Address (English)"))
    website = _text_field(Agency, "website", gettext_lazy("Website"), help_text="https://…", inputmode="url")

    def __init__(self, *args: Any, new: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["code"]
        self.leave_required_to_the_service()  # identity.services.structure reports every problem at once


class OfficeForm(TongbanForm):
    """An office of an agency; its level and district only when it is new."""

    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=OfficeLevel.choices, widget=FirstRadioSelect)
    district_code = _text_field(
        AgencyOffice,
        "district_code",
        gettext_lazy("District code"),
        help_text=gettext_lazy(
            "For a district office: the six-digit region code of the district, e.g. 310115. "
            "Leave empty for the city-level office."
        ),
        inputmode="numeric",
    )
    name_zh = _text_field(AgencyOffice, "name_zh", gettext_lazy("Name (Chinese)"))
    name_en = _text_field(AgencyOffice, "name_en", gettext_lazy("Name (English)"))
    address_zh = _text_field(AgencyOffice, "address_zh", gettext_lazy("Address (Chinese)"))
    address_en = _text_field(AgencyOffice, "address_en", gettext_lazy("Address (English)"))

    def __init__(self, *args: Any, new: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["level"], self.fields["district_code"]
        self.leave_required_to_the_service()


class CentreForm(TongbanForm):
    """A service centre; the code only when it is new."""

    code = _text_field(ServiceCentre, "code", gettext_lazy("Code"), help_text=CODE_HELP)
    name_zh = _text_field(ServiceCentre, "name_zh", gettext_lazy("Name (Chinese)"))
    name_en = _text_field(ServiceCentre, "name_en", gettext_lazy("Name (English)"))
    address_zh = _text_field(ServiceCentre, "address_zh", gettext_lazy("Address (Chinese)"))
    address_en = _text_field(ServiceCentre, "address_en", gettext_lazy("Address (English)"))
    phone = _text_field(ServiceCentre, "phone", gettext_lazy("Phone"), inputmode="tel")
    district = _text_field(
        ServiceCentre, "district", gettext_lazy("District code"), help_text=DISTRICT_HELP, inputmode="numeric"
    )
    accessibility_zh = _text_field(
        ServiceCentre,
        "accessibility_zh",
        gettext_lazy("Accessibility (Chinese)"),
        help_text=gettext_lazy("Step-free access, lifts, accessible toilets, sign language, help at the door."),
    )
    accessibility_en = _text_field(ServiceCentre, "accessibility_en", gettext_lazy("Accessibility (English)"))
    level = forms.ChoiceField(
        label=gettext_lazy("Level"),
        choices=CentreLevel.choices,
        widget=FirstRadioSelect,
        help_text=gettext_lazy("The city's centre, a district's centre, or a street's community centre."),
    )

    def __init__(self, *args: Any, new: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["code"]
        self.leave_required_to_the_service()  # identity.services.structure reports every problem at once


@dataclass(frozen=True)
class OfficeRow:
    office: AgencyOffice
    district: str  # the district's name from the region table; '' for the city-level office


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    offices: list[OfficeRow]


@dataclass(frozen=True)
class CentreRow:
    centre: ServiceCentre
    district: str


def city_operator_required(view: View) -> View:
    """:func:`staff_required`, and then city operators only: other staff get 403 at every URL,
    whatever the method, before the view looks anything up."""

    @staff_required
    @wraps(view)
    def wrapper(request: StaffRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not has_role(request.staff_roles, StaffRoleKind.CITY_OPERATOR):
            raise PermissionDeniedError(_("Only city operators set up agencies, offices and service centres."))
        return view(request, *args, **kwargs)

    return wrapper


def _overview(anchor: str = "") -> str:
    return reverse("backoffice:structure") + (f"#{anchor}" if anchor else "")


@city_operator_required
@require_http_methods(["GET"])
def structure(request: HttpRequest) -> HttpResponse:
    """Every agency with its offices, and every service centre (three queries)."""
    agencies = [
        AgencyRow(agency, [OfficeRow(office, district_name(office.district_code)) for office in agency.offices.all()])
        for agency in Agency.objects.prefetch_related("offices").order_by("code")
    ]
    centres = [CentreRow(centre, district_name(centre.district)) for centre in ServiceCentre.objects.order_by("code")]
    return render(request, "backoffice/structure.html", {"agencies": agencies, "centres": centres})


def _form_page(
    request: HttpRequest,
    *,
    form: TongbanForm,
    save: Callable[[dict[str, Any]], object],
    done: str,
    back: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Show the form; on a valid post call the service, then go back to the overview with a
    message, or show the service's field errors with the error summary."""
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form, catch=(ValidationError,)) as saved:
            save(form.cleaned_data)
        if saved:
            messages.success(request, done)
            return redirect(back)
    return render(request, "backoffice/structure_form.html", {"form": form, "back": back, **context})


@city_operator_required
@require_http_methods(["GET", "POST"])
def agency_new(request: HttpRequest) -> HttpResponse:
    editor = staff_account(request)
    form = AgencyForm(request.POST or None, new=True)

    def save(data: dict[str, Any]) -> object:
        return agency_create(
            code=data["code"],
            **{name: data[name] for name in AGENCY_FIELDS},
            editor=editor,
            actor=actor_from_request(request),
        )

    return _form_page(
        request,
        form=form,
        save=save,
        done=_("The agency is added."),
        back=_overview(),
        context={"title": _("Add an agency")},
    )


@city_operator_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, code: str) -> HttpResponse:
    editor = staff_account(request)
    agency = get_object_or_404(Agency, code=code)
    initial = {name: getattr(agency, name) for name in AGENCY_FIELDS}
    form = AgencyForm(request.POST or None, initial=initial, new=False)

    def save(data: dict[str, Any]) -> object:
        return agency_update(
            agency=agency,
            **{name: data[name] for name in AGENCY_FIELDS},
            editor=editor,
            actor=actor_from_request(request),
        )

    return _form_page(
        request,
        form=form,
        save=save,
        done=_("The agency is saved."),
        back=_overview(f"agency-{agency.code}"),
        context={"title": _("Edit the agency"), "agency": agency, "code": agency.code},
    )


@city_operator_required
@require_http_methods(["GET", "POST"])
def office_new(request: HttpRequest, code: str) -> HttpResponse:
    editor = staff_account(request)
    agency = get_object_or_404(Agency, code=code)
    form = OfficeForm(request.POST or None, new=True)

    def save(data: dict[str, Any]) -> object:
        return office_create(
            agency=agency,
            level=data["level"],
            district_code=data["district_code"],
            **{name: data[name] for name in OFFICE_FIELDS},
            editor=editor,
            actor=actor_from_request(request),
        )

    return _form_page(
        request,
        form=form,
        save=save,
        done=_("The office is added."),
        back=_overview(f"agency-{agency.code}"),
        context={"title": _("Add an office"), "agency": agency},
    )


@city_operator_required
@require_http_methods(["GET", "POST"])
def office_edit(request: HttpRequest, office_id: int) -> HttpResponse:
    editor = staff_account(request)
    office = get_object_or_404(AgencyOffice.objects.select_related("agency"), pk=office_id)
    initial = {name: getattr(office, name) for name in OFFICE_FIELDS}
    form = OfficeForm(request.POST or None, initial=initial, new=False)

    def save(data: dict[str, Any]) -> object:
        return office_update(
            office=office,
            **{name: data[name] for name in OFFICE_FIELDS},
            editor=editor,
            actor=actor_from_request(request),
        )

    return _form_page(
        request,
        form=form,
        save=save,
        done=_("The office is saved."),
        back=_overview(f"agency-{office.agency.code}"),
        context={
            "title": _("Edit the office"),
            "agency": office.agency,
            "office": office,
            "district": district_name(office.district_code),
        },
    )


@city_operator_required
@require_http_methods(["GET", "POST"])
def centre_new(request: HttpRequest) -> HttpResponse:
    editor = staff_account(request)
    form = CentreForm(request.POST or None, new=True)

    def save(data: dict[str, Any]) -> object:
        return centre_create(
            code=data["code"],
            **{name: data[name] for name in CENTRE_FIELDS},
            editor=editor,
            actor=actor_from_request(request),
        )

    return _form_page(
        request,
        form=form,
        save=save,
        done=_("The service centre is added."),
        back=_overview("centres"),
        context={"title": _("Add a service centre")},
    )


@city_operator_required
@require_http_methods(["GET", "POST"])
def centre_edit(request: HttpRequest, code: str) -> HttpResponse:
    editor = staff_account(request)
    centre = get_object_or_404(ServiceCentre, code=code)
    initial = {name: getattr(centre, name) for name in CENTRE_FIELDS}
    form = CentreForm(request.POST or None, initial=initial, new=False)

    def save(data: dict[str, Any]) -> object:
        return centre_update(
            centre=centre,
            **{name: data[name] for name in CENTRE_FIELDS},
            editor=editor,
            actor=actor_from_request(request),
        )

    return _form_page(
        request,
        form=form,
        save=save,
        done=_("The service centre is saved."),
        back=_overview("centres"),
        context={"title": _("Edit the service centre"), "code": centre.code},
    )
