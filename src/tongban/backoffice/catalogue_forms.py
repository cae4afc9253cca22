"""Back-office forms for the catalogue: a new service (its code, owner and first draft), and a
draft version's application form as JSON (schema and layout, docs/forms.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.backoffice.forms import FieldCheckboxes
from tongban.catalogue.models import Channel, Workflow
from tongban.catalogue.selectors import service_code_taken
from tongban.core import bilingual
from tongban.core.forms import TongbanForm
from tongban.core.validators import validate_multiline_text, validate_plain_text
from tongban.forms.starters import STARTERS
from tongban.identity.models import Agency, OfficeLevel, ServiceArea

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: Codes that would clash with the back office's own catalogue URLs (``catalogue/new/``).
RESERVED_CODES = frozenset({"new", "points"})
#: The version content the new-service form sets (``catalogue.services.EDITABLE_FIELDS``).
CONTENT_FIELDS = (
    "name_zh",
    "name_en",
    "summary_zh",
    "summary_en",
    "statutory_limit_workdays",
    "promised_limit_workdays",
    "workflow",
    "handling_level",
    "channel",
)
AUDIENCES = (
    ("for_individuals", pgettext_lazy("who may apply", "Individuals")),
    ("for_firms", pgettext_lazy("who may apply", "Firms")),
    ("for_foreigners", pgettext_lazy("who may apply", "Foreigners")),
)
WHO_MAY_APPLY = _("Say who may apply: individuals (for themselves), firms, or both.")
PROMISE_TOO_LONG = _("The promised limit cannot exceed the statutory limit.")
CODE_TAKEN = _("A service with this code already exists.")


class AgencyChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Agency) -> str:
        return bilingual.localized(obj, "name")


class ServiceCreateForm(TongbanForm):
    """A new service: who owns it, its code, and the first draft's essentials. The guide's other
    parts, the materials and the topics are edited on the service's page afterwards."""

    code = forms.CharField(
        label=_("Code"),
        max_length=60,
        validators=[
            RegexValidator(
                r"^[a-z0-9]+(-[a-z0-9]+)*\Z",
                _("Use lower-case letters, digits and single hyphens between them, e.g. food-licence."),
            )
        ],
        help_text=_("The service's address on the portal, e.g. food-licence. It cannot be changed later."),
    )
    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none(), empty_label=_("Choose an agency"))
    area = forms.ChoiceField(
        label=_("Service area"),
        choices=[("", _("Choose an area")), *ServiceArea.choices],
        help_text=_("The area of delegated power a firm's staff need to apply for this service."),
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    summary_zh = forms.CharField(label=_("What it is for (Chinese)"), widget=forms.Textarea(attrs={"rows": 3}))
    summary_en = forms.CharField(label=_("What it is for (English)"), widget=forms.Textarea(attrs={"rows": 3}))
    audiences = forms.MultipleChoiceField(
        label=_("Who may apply"),
        choices=AUDIENCES,
        widget=FieldCheckboxes,
        error_messages={"required": WHO_MAY_APPLY},
        help_text=_("Choose every group that may apply."),
    )
    statutory_limit_workdays = forms.IntegerField(
        label=_("Statutory time limit (working days)"),
        min_value=0,
        max_value=365,
        help_text=_("The limit the law sets; 0 for a service done at once."),
    )
    promised_limit_workdays = forms.IntegerField(
        label=_("Promised time limit (working days)"),
        min_value=0,
        max_value=365,
        help_text=_("What the agency promises; at most the statutory limit."),
    )
    workflow = forms.ChoiceField(label=_("Workflow"), choices=Workflow.choices, initial=Workflow.REVIEW)
    handling_level = forms.ChoiceField(label=_("Handling level"), choices=OfficeLevel.choices, initial=OfficeLevel.CITY)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.BOTH)
    starter = forms.ChoiceField(
        label=_("Starter form"),
        choices=[("", _("Choose a starter form")), *((code, s.name) for code, s in STARTERS.items())],
        help_text=_(
            "Choose the starter form that fits who applies; you can change the form on the service's page "
            "before you publish. Every starter ends with a step where the applicant describes the request."
        ),
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = cast(AgencyChoiceField, self.fields["agency"])
        agency.queryset = agencies
        if len(agencies) == 1:
            agency.empty_label = None
        for name in ("summary_zh", "summary_en"):
            field = self.fields[name]
            field.validators = [v for v in field.validators if v is not validate_plain_text]
            field.validators.append(validate_multiline_text)

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if code in RESERVED_CODES:
            raise ValidationError(_("This code is reserved; choose another."))
        if service_code_taken(code=code):
            raise ValidationError(CODE_TAKEN)
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        statutory, promised = data.get("statutory_limit_workdays"), data.get("promised_limit_workdays")
        if statutory is not None and promised is not None and promised > statutory:
            self.add_error("promised_limit_workdays", PROMISE_TOO_LONG)
        return data

    def content(self) -> dict[str, Any]:
        """The first version's content, as ``catalogue.services.service_item_create`` takes it."""
        data = self.cleaned_data
        chosen = set(data["audiences"])
        return {
            **{name: data[name] for name in CONTENT_FIELDS},
            **{name: name in chosen for name, _label in AUDIENCES},
        }

    def add_service_error(self, error: ValidationError) -> None:
        """The service names the audience flags' error after the first flag; here it is one field."""
        if hasattr(error, "error_dict") and "for_individuals" in error.error_dict:
            error.error_dict["audiences"] = error.error_dict.pop("for_individuals")
        super().add_service_error(error)


def _json_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=200_000,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 18, "class": "code-input", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )


class FormDefinitionForm(TongbanForm):
    """A draft version's application form, as the two JSON documents the form engine reads. The
    text is parsed here (a syntax error is named with its line and column); what it says is checked
    by ``forms.services.form_definition_update``, every problem at once."""

    schema = _json_field(
        _("Schema (JSON)"), _("The data the form collects: a JSON Schema with one property per field.")
    )
    layout = _json_field(
        _("Layout (JSON)"),
        _("How the form asks for it: the steps, and per field its labels in Chinese and English, help and prefill."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators = [v for v in field.validators if v is not validate_plain_text]
            field.validators.append(validate_multiline_text)

    def _parsed(self, name: str) -> Any:
        text = str(self.cleaned_data[name])
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("This is not valid JSON: it breaks at line %(line)s, column %(column)s."),
                params={"line": exc.lineno, "column": exc.colno},
                code="json",
            ) from None

    def clean_schema(self) -> Any:
        return self._parsed("schema")

    def clean_layout(self) -> Any:
        return self._parsed("layout")
