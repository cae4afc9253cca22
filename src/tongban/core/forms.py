"""Form plumbing shared by the front ends: accessible error wiring and domain-error mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from tongban.core.validators import validate_plain_text


class AccessibleBoundField(forms.BoundField):
    """Links each input to its hint and its error messages with ``aria-describedby``."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        described = [str(attrs["aria-describedby"])] if attrs.get("aria-describedby") else []
        if self.errors and self.auto_id:
            described.append(f"{self.auto_id}_error")
            attrs["aria-invalid"] = "true"
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return attrs


class TongbanForm(forms.Form):
    """Base form: accessible fields, plain-text validation of every CharField, and a way to attach
    a service's ``ValidationError`` (field-keyed) to the right fields."""

    bound_field_class = AccessibleBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                field.validators.append(validate_plain_text)

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)
