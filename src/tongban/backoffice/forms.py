"""Back-office forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core.forms import TongbanForm
from tongban.identity.models import AGENCY_ROLES, Agency, AgencyOffice


class RoleGrantForm(TongbanForm):
    username = forms.CharField(label=_("Staff user name"), max_length=64)
    role = forms.ChoiceField(label=_("Role"), choices=[(role.value, role.label) for role in AGENCY_ROLES])
    office = forms.ModelChoiceField(
        label=_("Office (officers only)"), queryset=AgencyOffice.objects.none(), required=False
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[AgencyOffice]", self.fields["office"]).queryset = AgencyOffice.objects.filter(
            agency=agency
        )


class PersonLookupForm(TongbanForm):
    id_number = forms.CharField(label=_("Document number"), max_length=32)
    nationality = forms.CharField(label=_("Nationality code (passports only, e.g. DE)"), max_length=2, required=False)


class InPersonVerifyForm(TongbanForm):
    person_id = forms.IntegerField(widget=forms.HiddenInput)
    document = forms.CharField(
        label=_("Document you checked"), max_length=100, help_text=_("e.g. “original passport, expiry 2031-05-01”")
    )
    confirmed = forms.BooleanField(label=_("I have checked the original document and the person's face against it."))
