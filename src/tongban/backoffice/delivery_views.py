"""Back office: the paper result of a case (ADR 0040). The case's officers see the applicant's
choice, mark the result ready and record the posting with its tracking number; a clerk sees the
results waiting at her centre and hands one over after checking the collector's identity
document; she also sees the results by post of the cases filed or served at her centre that the
agency marked ready ("To post") and records the posting with its tracking number. Anyone else is
told the case does not exist (404)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from tongban.backoffice.decorators import staff_account, staff_required
from tongban.cases.models import Case
from tongban.cases.selectors import case_for_staff
from tongban.cases.workflow import Status
from tongban.core.clock import now
from tongban.core.errors import ConflictError, NotFoundError
from tongban.core.forms import TongbanForm
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.identity.requests import StaffRequest
from tongban.service_centres.delivery import policy
from tongban.service_centres.delivery.selectors import delivery_of_case, pickups_at, posts_from
from tongban.service_centres.delivery.services import delivery_dispatch, delivery_hand_over, delivery_mark_ready
from tongban.service_centres.models import Delivery, DeliveryMethod, DeliveryStatus


class DispatchForm(TongbanForm):
    tracking_number = forms.CharField(
        label=gettext_lazy("Tracking number"), max_length=60, help_text=gettext_lazy("As printed on the waybill.")
    )


class HandOverForm(TongbanForm):
    id_number = forms.CharField(
        label=gettext_lazy("Number of the identity document shown"),
        max_length=40,
        help_text=gettext_lazy(
            "Resident ID, permit or passport of the applicant (or of the firm's legal representative). "
            "Full-width digits and hyphens are fine."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def case_delivery(request: HttpRequest, number: str) -> HttpResponse:
    """The officers' page of a case's delivery: mark ready, record the posting."""
    account = staff_account(request)
    case, _roles = case_for_staff(number=number, account=account)
    if not case.version.paper_result:
        raise NotFoundError(_("This service's result is electronic: there is nothing to deliver."))
    delivery = delivery_of_case(case)
    form = DispatchForm(request.POST if request.POST.get("step") == "dispatch" else None)
    if request.method == "POST":
        step = request.POST.get("step")
        done = False
        if step == "ready":
            with domain_errors(request, catch=(ConflictError, ValidationError)) as outcome:
                delivery_mark_ready(case=case, account=account, now=now(), actor=actor_from_request(request))
            done = bool(outcome)
            if done:
                messages.success(request, _("The result is marked ready."))
        elif step == "dispatch" and form.is_valid():
            with domain_errors(request, form, catch=(ConflictError, ValidationError)) as outcome:
                delivery_dispatch(
                    case=case,
                    account=account,
                    tracking_number=form.cleaned_data["tracking_number"],
                    now=now(),
                    actor=actor_from_request(request),
                )
            done = bool(outcome)
            if done:
                messages.success(request, _("The posting is recorded; the applicant sees the tracking number."))
        if done:
            return redirect(reverse("backoffice:case_delivery", args=[case.number]))
    return render(
        request,
        "backoffice/case_delivery.html",
        {
            "case": case,
            "delivery": delivery,
            "form": form,
            "may_ready": delivery is not None
            and delivery.status == DeliveryStatus.CHOSEN
            and case.status == Status.APPROVED,
            "may_dispatch": delivery is not None
            and delivery.method == DeliveryMethod.POST
            and delivery.status in (DeliveryStatus.CHOSEN, DeliveryStatus.READY)
            and case.status == Status.APPROVED,
        },
    )


def _case_and_delivery(number: str, related: str) -> tuple[Case, Delivery]:
    """The case and its delivery for a clerk's page (the policy check follows), or 404."""
    case = Case.objects.select_related("version", related).filter(number=number).first()
    delivery = delivery_of_case(case) if case is not None else None
    if case is None or delivery is None:
        raise NotFoundError(_("No such case among yours."))
    return case, delivery


@staff_required
@require_safe
def pickups(request: StaffRequest) -> HttpResponse:
    """The results chosen for pickup at the clerk's centres, ready ones first."""
    centres = policy.clerk_centres(list(request.staff_roles))
    if not centres:
        raise NotFoundError(_("Only service-centre clerks hand results over."))
    return render(request, "backoffice/pickups.html", {"rows": pickups_at(centres)})


@staff_required
@require_http_methods(["GET", "POST"])
def pickup(request: HttpRequest, number: str) -> HttpResponse:
    """Hand one result over: the clerk types the number of the document the collector shows."""
    account = staff_account(request)
    case, delivery = _case_and_delivery(number, "firm")
    policy.require_pickup_clerk(account=account, delivery=delivery)
    form = HandOverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form, catch=(ConflictError, ValidationError)) as outcome:
            delivery_hand_over(
                case=case,
                account=account,
                id_number=form.cleaned_data["id_number"],
                now=now(),
                actor=actor_from_request(request),
            )
        if outcome:
            messages.success(request, _("The result is handed over."))
            return redirect(reverse("backoffice:pickups"))
    context: dict[str, Any] = {"case": case, "delivery": delivery, "form": form}
    return render(request, "backoffice/pickup.html", context)


@staff_required
@require_safe
def posts(request: StaffRequest) -> HttpResponse:
    """The results by post the clerk's centres may send: cases filed or served there, marked ready
    by the agency and not yet posted, longest ready first."""
    centres = policy.clerk_centres(list(request.staff_roles))
    if not centres:
        raise NotFoundError(_("Only service-centre clerks post results."))
    return render(request, "backoffice/posts.html", {"rows": posts_from(centres)})


@staff_required
@require_http_methods(["GET", "POST"])
def post(request: HttpRequest, number: str) -> HttpResponse:
    """Post one result: the clerk sees the address and records the tracking number."""
    account = staff_account(request)
    case, delivery = _case_and_delivery(number, "applicant")
    policy.require_post_clerk(account=account, case=case, delivery=delivery)
    form = DispatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors(request, form, catch=(ConflictError, ValidationError)) as outcome:
            delivery_dispatch(
                case=case,
                account=account,
                tracking_number=form.cleaned_data["tracking_number"],
                now=now(),
                actor=actor_from_request(request),
            )
        if outcome:
            messages.success(request, _("The posting is recorded; the applicant sees the tracking number."))
            return redirect(reverse("backoffice:posts"))
    return render(request, "backoffice/post.html", {"case": case, "delivery": delivery, "form": form})
