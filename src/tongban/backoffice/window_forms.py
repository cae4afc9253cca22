"""Forms of the window pages (全市通办, 帮办): finding the visitor by the document shown, starting
an application on the visitor's behalf, and the visitor's confirmation before submitting."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.core import countries
from tongban.core.forms import TongbanForm


class VisitorForm(TongbanForm):
    """The document the visitor shows: typed as printed (full-width digits, spaces and hyphens are
    folded by ``identity.idnumbers.normalise``)."""

    id_number = forms.CharField(label=_("Document number"), max_length=40)
    nationality = forms.ChoiceField(
        label=_("Nationality (passports only)"),
        choices=lambda: [("", "—"), *countries.nationality_choices()],
        required=False,
    )


class IdentifyForm(TongbanForm):
    """Binding the visitor to the ticket, after comparing the record with the original."""

    id_number = forms.CharField(widget=forms.HiddenInput, max_length=40)
    nationality = forms.CharField(widget=forms.HiddenInput, max_length=3, required=False)
    document = forms.CharField(
        label=_("Document you checked"), max_length=100, help_text=_("e.g. “original passport, expiry 2031-05-01”")
    )
    checked = forms.BooleanField(
        label=_("The name, the number and the face match the original document."), required=False
    )


class StartForm(TongbanForm):
    """A service the window takes, for the visitor or for a firm she acts for."""

    service = forms.ChoiceField(label=_("Service"))
    acting_for = forms.ChoiceField(label=_("Applying for"), required=False)

    def __init__(self, *args: Any, services: list[tuple[str, str]], firms: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["service"]).choices = services
        cast(forms.ChoiceField, self.fields["acting_for"]).choices = [
            ("self", _("The visitor herself or himself")),
            *firms,
        ]
