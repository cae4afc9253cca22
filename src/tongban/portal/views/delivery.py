"""The applicant chooses how a case's paper result reaches her: pickup at a service centre that
handles the service, or post to an address (ADR 0040). Her side only (the applicant, or for a
firm's case staff with the power); changeable until the result is ready."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongban.cases.selectors import case_for_person
from tongban.core import bilingual
from tongban.core.clock import now
from tongban.core.errors import ConflictError, NotFoundError
from tongban.core.forms import FirstRadioSelect, TongbanForm
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.identity.models import ServiceCentre
from tongban.identity.requests import PersonRequest
from tongban.portal.decorators import person_required
from tongban.service_centres.delivery.selectors import delivery_of_case, pickup_centres
from tongban.service_centres.delivery.services import delivery_choose
from tongban.service_centres.models import DeliveryMethod, DeliveryStatus


class DeliveryForm(TongbanForm):
    method = forms.ChoiceField(
        label=gettext_lazy("How do you want to receive the result?"),
        choices=DeliveryMethod.choices,
        widget=FirstRadioSelect,
    )
    centre = forms.ChoiceField(
        label=gettext_lazy("Service centre (for pickup)"),
        required=False,
        help_text=gettext_lazy("Only centres that handle this service are listed."),
    )
    recipient = forms.CharField(label=gettext_lazy("Recipient's name (for post)"), max_length=100, required=False)
    address = forms.CharField(
        label=gettext_lazy("Postal address (for post)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone for the courier (for post)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args: Any, centres: list[ServiceCentre], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["centre"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose a centre")), *((c.code, bilingual.localized(c, "name")) for c in centres)]


@person_required
@require_http_methods(["GET", "POST"])
def case_delivery(request: PersonRequest, number: str) -> HttpResponse:
    person = request.person
    moment = now()
    access = case_for_person(number=number, person=person, now=moment)
    case = access.case
    if not access.can_act or not case.version.paper_result:
        raise NotFoundError(_("No such case among yours."))
    delivery = delivery_of_case(case)
    centres = list(pickup_centres(case))
    back = reverse("portal:my_case", args=[case.number]) + "#delivery"
    if delivery is not None and delivery.status != DeliveryStatus.CHOSEN:
        messages.info(request, _("The result is ready: its delivery can no longer be changed."))
        return redirect(back)
    initial: dict[str, Any] = {"method": DeliveryMethod.PICKUP}
    if delivery is not None:
        initial = {
            "method": delivery.method,
            "centre": delivery.centre.code if delivery.centre else "",
            "recipient": delivery.recipient,
            "address": delivery.address,
            "phone": delivery.phone,
        }
    form = DeliveryForm(request.POST or None, initial=initial, centres=centres)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = next((c for c in centres if c.code == data["centre"]), None)
        with domain_errors(request, form, catch=(ValidationError, ConflictError)) as saved:
            delivery_choose(
                case=case,
                person=person,
                account=request.user,
                method=data["method"],
                centre=chosen,
                recipient=data["recipient"],
                address=data["address"],
                phone=data["phone"],
                now=moment,
                actor=actor_from_request(request),
            )
        if saved:
            messages.success(request, _("Your choice is saved. You can change it until the result is ready."))
            return redirect(back)
    return render(request, "portal/case_delivery.html", {"case": case, "form": form, "back": back})
