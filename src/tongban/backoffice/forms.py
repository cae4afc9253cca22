"""Back-office forms."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import ServiceVersion
from tongban.catalogue.services import EDITABLE_FIELDS, check_content
from tongban.core import bilingual, countries
from tongban.core.forms import TongbanForm, totp_code_field
from tongban.core.models import CalendarDayKind
from tongban.core.validators import validate_multiline_text, validate_plain_text
from tongban.identity.models import AGENCY_ROLES, Agency, AgencyOffice


class _AgencyRoleForm(TongbanForm):
    """A role in one agency, and the office for an officer (offered from that agency only)."""

    role = forms.ChoiceField(label=_("Role"), choices=[(role.value, role.label) for role in AGENCY_ROLES])
    office = forms.ModelChoiceField(
        label=_("Office (required for officers)"), queryset=AgencyOffice.objects.none(), required=False
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office = cast("forms.ModelChoiceField[AgencyOffice]", self.fields["office"])
        office.queryset = AgencyOffice.objects.filter(agency=agency)
        office.label_from_instance = lambda obj: bilingual.localized(obj, "name")  # type: ignore[method-assign]
        office.conditional = True  # type: ignore[attr-defined]  # required or not by the role: no "(optional)"


class RoleGrantForm(_AgencyRoleForm):
    username = forms.CharField(label=_("Staff user name"), max_length=64)
    field_order = ["username", "role", "office"]


class StaffAddForm(_AgencyRoleForm):
    """A new member of an agency's staff: their account and first role (``staff_member_add``)."""

    username = forms.CharField(
        label=_("User name"),
        max_length=64,
        help_text=_("Letters, digits and . _ - ; e.g. “li.na”. They log in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    display_name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("A link to choose the password is sent there; it works for one hour."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language of the e-mails"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )
    field_order = ["username", "display_name", "email", "preferred_language", "role", "office"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # staff_member_add reports every field's problem at once (an empty name and a taken user
        # name together); it needs the role first, to know whether the granter may grant it.
        self.leave_required_to_the_service(keep=("role",))


class TotpResetForm(TongbanForm):
    reason = forms.CharField(
        label=_("Reason for the reset"),
        max_length=200,
        help_text=_("e.g. “phone lost, identity checked by a call to the office”. Recorded in the audit trail."),
    )


class PersonLookupForm(TongbanForm):
    id_number = forms.CharField(label=_("Document number"), max_length=32)
    nationality = forms.ChoiceField(
        label=_("Nationality (passports only)"),
        choices=lambda: [("", "—"), *countries.nationality_choices()],
        required=False,
    )


class InPersonVerifyForm(TongbanForm):
    person_id = forms.IntegerField(widget=forms.HiddenInput)
    document = forms.CharField(
        label=_("Document you checked"), max_length=100, help_text=_("e.g. “original passport, expiry 2031-05-01”")
    )
    confirmed = forms.BooleanField(label=_("I have checked the original document and the person's face against it."))
    username = forms.CharField(label=_("User name for the new account"), max_length=64, required=False)
    email = forms.EmailField(label=_("E-mail address (a link to choose the password is sent there)"), required=False)


class VersionForm(forms.ModelForm):  # type: ignore[type-arg]
    """The guide and rules of a draft service version, both languages side by side. The service's
    content rules (``catalogue.services.check_content``: both languages, the promised limit within
    the statutory one, who may apply) are named with the form's own problems, in one round; the
    service checks them again when it saves."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # Django's, not in the stubs
        try:
            check_content(self.instance)
        except ValidationError as exc:
            for name, problems in exc.message_dict.items():
                field = name if name in self.fields else None
                if field is None or field not in self.errors:  # an empty field says so once
                    self.add_error(field, problems)

    class Meta:
        model = ServiceVersion
        fields = [*EDITABLE_FIELDS, "topics"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "summary_zh",
                "summary_en",
                "eligibility_zh",
                "eligibility_en",
                "legal_basis_zh",
                "legal_basis_en",
                "conditions_zh",
                "conditions_en",
            )
        }

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


class GrantTargetForm(TongbanForm):
    """Step 1 of a grant request (GET): which agency asks, for which resource."""

    consumer = forms.ChoiceField(label=_("Requesting agency"))
    resource = forms.ChoiceField(label=_("Data resource"))

    def __init__(
        self, *args: Any, consumers: list[tuple[str, str]], resources: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["consumer"]).choices = consumers
        cast(forms.ChoiceField, self.fields["resource"]).choices = [("", _("Choose a resource")), *resources]
        if len(consumers) == 1:
            self.fields["consumer"].widget = forms.HiddenInput()
            self.fields["consumer"].initial = consumers[0][0]


#: A grant lasts at most this many years.
GRANT_MAX_YEARS = 3


def years_later(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class FieldCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose group has an id (its fieldset's), so the error summary can link to it."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return id_ if index is None else super().id_for_label(id_, index)


class GrantRequestForm(TongbanForm):
    """Step 2 of a grant request (POST): the fields, the purpose, until when and why."""

    fields_ = forms.MultipleChoiceField(
        label=_("Fields"),
        widget=FieldCheckboxes,
        help_text=_("Ask only for the fields the purpose needs."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), help_text=_("The service the data is used for."))
    expires_on = forms.DateField(
        label=_("Valid until (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most three years from today."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the agency needs these fields for this purpose, and its legal basis."),
    )

    def __init__(
        self, *args: Any, fields: list[tuple[str, str]], purposes: list[tuple[str, str]], today: date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        # "fields" would shadow Form.fields: the form field is "fields_", its input name "fields".
        self.fields["fields"] = self.fields.pop("fields_")
        self.order_fields(["fields", "purpose", "expires_on", "justification"])
        cast(forms.MultipleChoiceField, self.fields["fields"]).choices = fields
        cast(forms.ChoiceField, self.fields["purpose"]).choices = [("", _("Choose a purpose")), *purposes]
        self.fields["expires_on"].initial = years_later(today, 1)
        justification = self.fields["justification"]
        justification.validators = [v for v in justification.validators if v is not validate_plain_text]
        justification.validators.append(validate_multiline_text)

    def clean_expires_on(self) -> date:
        day: date = self.cleaned_data["expires_on"]
        if day <= self.today:
            raise forms.ValidationError(_("The expiry date must be in the future."))
        if day > years_later(self.today, GRANT_MAX_YEARS):
            raise forms.ValidationError(_("Access can be granted for at most three years."))
        return day

    def clean_justification(self) -> str:
        text = str(self.cleaned_data["justification"]).strip()
        if not text:
            raise forms.ValidationError(_("Say why the agency needs this data."))
        return text


class ReauthForm(TongbanForm):
    """The current code from the staff member's authenticator app, before a sensitive action."""

    token = totp_code_field()
