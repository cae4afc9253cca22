"""Back-office forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import ServiceVersion
from tongban.catalogue.services import EDITABLE_FIELDS
from tongban.core.forms import AccessibleBoundField, TongbanForm
from tongban.core.models import CalendarDayKind
from tongban.core.validators import validate_multiline_text
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
    username = forms.CharField(label=_("User name for the new account"), max_length=64, required=False)
    email = forms.EmailField(label=_("E-mail address (a link to choose the password is sent there)"), required=False)


class VersionForm(forms.ModelForm):  # type: ignore[type-arg]
    """The guide and rules of a draft service version, both languages side by side."""

    bound_field_class = AccessibleBoundField

    class Meta:
        model = ServiceVersion
        fields = [*EDITABLE_FIELDS, "topics"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("summary_zh", "summary_en", "eligibility_zh", "eligibility_en", "legal_basis_zh",
                         "legal_basis_en", "conditions_zh", "conditions_en")
        }  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(validate_multiline_text)


class MaterialForm(TongbanForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    government_may_hold = forms.BooleanField(label=_("The government may already hold it"), required=False)


class CalendarDayForm(TongbanForm):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDayKind.choices)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=60, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=60, required=False)
