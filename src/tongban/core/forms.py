"""Form plumbing shared by the front ends: plain-text validation and domain-error mapping.

Error wiring is Django's own (5.2): a field with errors renders ``aria-invalid="true"`` and an
``aria-describedby`` naming ``<id>_helptext`` (if it has help text) and ``<id>_error``, once each.
``tongban/field.html`` and ``tongban/field_errors.html`` render the elements with those ids: one
element holds all of a field's messages, so no id is repeated however many there are. A widget
whose options sit in a fieldset (radios, checkboxes) gets the description on the fieldset
(``{{ field.aria_describedby }}``) and ``aria-invalid`` on each option."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongban.core.validators import validate_plain_text


class FirstRadioSelect(forms.RadioSelect):
    """Radio buttons whose field points at its first button, so that the error summary's link to the
    field lands on a button (Django's ``RadioSelect`` gives the group no id: the link would be "#").
    Templates wrap the buttons in a fieldset whose legend is the label."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class TongbanForm(forms.Form):
    """Base form: plain-text validation of every CharField, and a way to attach a service's
    ``ValidationError`` (field-keyed) to the right fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                field.validators.append(validate_plain_text)

    def leave_required_to_the_service(self, *, keep: tuple[str, ...] = ()) -> None:
        """For a form whose service checks every field itself (required ones included) and reports
        all problems at once: the form no longer stops at an empty field, so the service's other
        findings (a code already taken, a district outside the city) come in the same round. A
        required field still looks required: no "(optional)" in its label, ``aria-required``.
        The fields named in ``keep`` stay required in the form (the service needs them first)."""
        for name, field in self.fields.items():
            if field.required and name not in keep:
                field.shown_required = True  # type: ignore[attr-defined]
                field.widget.attrs["aria-required"] = "true"
                field.required = False

    def clean(self) -> dict[str, Any]:
        """When the form itself stops (a value too long, a control character), the service is not
        asked: then name the empty required fields here, as the service would have."""
        cleaned: dict[str, Any] = super().clean() or {}
        if not self.errors:
            return cleaned
        for name, field in self.fields.items():
            empty = cleaned.get(name) in field.empty_values
            if getattr(field, "shown_required", False) and name not in self.errors and empty:
                self.add_error(name, ValidationError(field.error_messages["required"], code="required"))
        return cleaned

    def add_service_error(self, error: ValidationError) -> None:
        """Attach a service's ``ValidationError`` (see :func:`add_service_error`); a form may
        override this to rename a field the service names differently."""
        add_service_error(self, error)


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ``ValidationError`` on a form: a field-keyed one on its fields (a key the form
    has no field for among the non-field errors), a message-only one among the non-field errors."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def totp_code_field() -> forms.RegexField:
    """The 6-digit code of an authenticator app (login and staff re-authentication alike)."""
    return forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=10,
        error_messages={"invalid": _("Enter the 6-digit code.")},
        help_text=_("A 6-digit number that changes every 30 seconds."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
