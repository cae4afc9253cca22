"""Back office: city operators edit each service centre's weekly opening hours, its exceptional
days and its windows. City operators only (403 for other staff, whatever the URL); every write
goes through ``service_centres.services`` (audited, one transaction each). The centre's names,
address and level are edited on the city-structure pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongban.backoffice.centre_forms import ExceptionForm, WeekForm, WindowForm, format_intervals
from tongban.backoffice.decorators import staff_account
from tongban.backoffice.structure_views import city_operator_required
from tongban.core.clock import now
from tongban.core.forms import TongbanForm
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.identity.models import ServiceCentre
from tongban.identity.selectors import district_name
from tongban.service_centres.models import Weekday, Window
from tongban.service_centres.selectors import centre_editing
from tongban.service_centres.services import (
    opening_exception_clear,
    opening_exception_set,
    opening_hours_replace,
    window_save,
)


def _centre(code: str) -> ServiceCentre:
    return get_object_or_404(ServiceCentre, code=code)


def _back(centre: ServiceCentre, anchor: str = "") -> str:
    return reverse("backoffice:centre", args=[centre.code]) + (f"#{anchor}" if anchor else "")


@city_operator_required
@require_http_methods(["GET"])
def centre_list(request: HttpRequest) -> HttpResponse:
    """Every centre with its level, district and number of windows (one query)."""
    centres = ServiceCentre.objects.order_by("code")
    rows = [(centre, district_name(centre.district)) for centre in centres]
    return render(request, "backoffice/centres.html", {"rows": rows})


@city_operator_required
@require_http_methods(["GET"])
def centre_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The centre's week, its exceptional days from today and its windows."""
    centre = _centre(code)
    editing = centre_editing(centre=centre, since=timezone.localdate(now()))
    week = [(weekday, format_intervals(editing.week.get(weekday.value, []))) for weekday in Weekday]
    return render(
        request,
        "backoffice/centre.html",
        {"centre": centre, "district": district_name(centre.district), "week": week, "editing": editing},
    )


def _save_page(
    request: HttpRequest,
    *,
    centre: ServiceCentre,
    form: TongbanForm,
    save: Any,
    done: str,
    anchor: str,
    title: str,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form, catch=(ValidationError,)) as saved:
            save(form.cleaned_data)
        if saved:
            messages.success(request, done)
            return redirect(_back(centre, anchor))
    return render(
        request,
        "backoffice/centre_form.html",
        {"centre": centre, "form": form, "title": title, "back": _back(centre, anchor)},
    )


@city_operator_required
@require_http_methods(["GET", "POST"])
def centre_hours(request: HttpRequest, code: str) -> HttpResponse:
    centre = _centre(code)
    editing = centre_editing(centre=centre, since=timezone.localdate(now()))
    initial = {f"day_{weekday}": format_intervals(rows) for weekday, rows in editing.week.items()}
    form = WeekForm(request.POST or None, initial=initial)
    editor = staff_account(request)

    def save(_data: dict[str, Any]) -> object:
        return opening_hours_replace(centre=centre, rows=form.rows(), editor=editor, actor=actor_from_request(request))

    return _save_page(
        request,
        centre=centre,
        form=form,
        save=save,
        done=_("The opening hours are saved."),
        anchor="week",
        title=_("Weekly opening hours"),
    )


@city_operator_required
@require_http_methods(["GET", "POST"])
def centre_exception_new(request: HttpRequest, code: str) -> HttpResponse:
    centre = _centre(code)
    form = ExceptionForm(request.POST or None, initial={"kind": "closed"})
    editor = staff_account(request)

    def save(data: dict[str, Any]) -> object:
        return opening_exception_set(
            centre=centre,
            day=data["day"],
            intervals=data["intervals"],
            note_zh=data["note_zh"],
            note_en=data["note_en"],
            editor=editor,
            actor=actor_from_request(request),
        )

    return _save_page(
        request,
        centre=centre,
        form=form,
        save=save,
        done=_("The exceptional day is saved."),
        anchor="exceptions",
        title=_("Add an exceptional day"),
    )


@city_operator_required
@require_POST
def centre_exception_clear(request: HttpRequest, code: str, day: str) -> HttpResponse:
    centre = _centre(code)
    try:
        when = date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    opening_exception_clear(centre=centre, day=when, editor=staff_account(request), actor=actor_from_request(request))
    messages.success(request, _("The exceptional day is removed: the week and the calendar apply again."))
    return redirect(_back(centre, "exceptions"))


@city_operator_required
@require_http_methods(["GET", "POST"])
def centre_window(request: HttpRequest, code: str, number: str | None = None) -> HttpResponse:
    """Add a window (no ``number``) or edit the window ``number``."""
    centre = _centre(code)
    window = get_object_or_404(Window, centre=centre, number=number) if number is not None else None
    initial: dict[str, Any] = {"active": True}
    if window is not None:
        initial = {
            "label_zh": window.label_zh,
            "label_en": window.label_en,
            "scope": window.scope,
            "agencies": list(window.agencies.all()),
            "services": list(window.services.all()),
            "active": window.active,
        }
    form = WindowForm(request.POST or None, initial=initial, new=window is None)
    editor = staff_account(request)

    def save(data: dict[str, Any]) -> object:
        wanted = window.number if window is not None else data["number"].strip()
        if window is None and Window.objects.filter(centre=centre, number=wanted).exists():
            raise ValidationError({"number": _("This centre already has a window with this number.")})
        return window_save(
            centre=centre,
            number=wanted,
            scope=data["scope"],
            label_zh=data["label_zh"],
            label_en=data["label_en"],
            agencies=list(data["agencies"]),
            services=list(data["services"]),
            active=data["active"],
            editor=editor,
            actor=actor_from_request(request),
        )

    title = _("Add a window") if window is None else _("Window %(number)s") % {"number": window.number}
    return _save_page(
        request, centre=centre, form=form, save=save, done=_("The window is saved."), anchor="windows", title=title
    )
