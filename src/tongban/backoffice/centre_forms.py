"""Back-office forms for a centre's opening hours, exceptional days and windows: typed text is
read here (intervals such as "09:00-12:00, 13:30-17:00"), everything else is checked again by
``service_centres.services``. Bad input comes back with the typed values and a message in the
page's language."""

from __future__ import annotations

import re
from datetime import time
from itertools import pairwise
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import ServiceItem
from tongban.core.forms import FirstRadioSelect, TongbanForm
from tongban.identity.models import Agency
from tongban.service_centres.models import OpeningException, Weekday, Window, WindowScope

_DASH = r"\s*[-–—~至]\s*"
_INTERVAL = re.compile(rf"^(\d{{1,2}})[:：](\d\d){_DASH}(\d{{1,2}})[:：](\d\d)$")
_SEPARATORS = re.compile(r"\s*[,;，；、]\s*")

Intervals = list[tuple[time, time]]


def parse_intervals(text: str) -> Intervals:
    """``"09:00-12:00, 13:30-17:00"`` as ordered (start, end) pairs; ValidationError with a message
    saying what is wrong (the shape, an end before its start, an overlap). Empty text: none."""
    text = text.strip()
    if not text:
        return []
    found: Intervals = []
    for part in _SEPARATORS.split(text):
        match = _INTERVAL.match(part)
        if not match:
            raise ValidationError(
                _("Write each interval as 09:00-12:00, separated by commas; “%(part)s” is not one."),
                params={"part": part[:40]},
                code="interval_shape",
            )
        hours_start, minutes_start, hours_end, minutes_end = (int(value) for value in match.groups())
        try:
            start, end = time(hours_start, minutes_start), time(hours_end, minutes_end)
        except ValueError as exc:
            raise ValidationError(
                _("“%(part)s” is not a time of day (00:00 to 23:59)."), params={"part": part}, code="interval_time"
            ) from exc
        if end <= start:
            raise ValidationError(
                _("The interval “%(part)s” must end after it starts."), params={"part": part}, code="interval_order"
            )
        found.append((start, end))
    found.sort()
    for before, after in pairwise(found):
        if after[0] < before[1]:
            raise ValidationError(_("The intervals of one day must not overlap."), code="interval_overlap")
    return found


def format_intervals(rows: Intervals) -> str:
    return ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in rows)


class IntervalsField(forms.CharField):
    """Opening intervals of one day as text; cleaned to a list of (start, end)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Intervals:
        text = super().clean(value)
        return parse_intervals(text)


class FirstCheckboxSelect(forms.CheckboxSelectMultiple):
    """Checkboxes whose field points at its first box (the error summary's link lands on it)."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


_HOURS_HELP = _("Intervals such as 09:00-12:00, 13:30-17:00; leave empty if closed that day.")


class WeekForm(TongbanForm):
    """The weekly hours: one text box per weekday, several intervals each."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for weekday in Weekday:
            self.fields[f"day_{weekday.value}"] = IntervalsField(label=weekday.label, help_text=_HOURS_HELP)

    def rows(self) -> list[tuple[int, time, time]]:
        return [
            (weekday.value, start, end)
            for weekday in Weekday
            for start, end in self.cleaned_data[f"day_{weekday.value}"]
        ]


class ExceptionForm(TongbanForm):
    """An exceptional day: closed, or open in the given intervals (whatever the week says)."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), help_text="2027-01-15")
    kind = forms.ChoiceField(
        label=_("On that day the centre is"),
        choices=[("closed", _("Closed")), ("open", _("Open in the hours below"))],
        widget=FirstRadioSelect,
    )
    intervals = IntervalsField(label=_("Opening hours that day"), help_text=_HOURS_HELP)
    note_zh = forms.CharField(
        label=_("Note (Chinese)"),
        max_length=OpeningException._meta.get_field("note_zh").max_length,
        required=False,
        widget=forms.TextInput(attrs={"lang": "zh-Hans"}),
    )
    note_en = forms.CharField(
        label=_("Note (English)"),
        max_length=OpeningException._meta.get_field("note_en").max_length,
        required=False,
        widget=forms.TextInput(attrs={"lang": "en"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == "open" and "intervals" not in self.errors and not cleaned.get("intervals"):
            self.add_error("intervals", _("Enter the hours the centre is open that day, or choose “Closed”."))
        if cleaned.get("kind") == "closed":
            cleaned["intervals"] = []
        return cleaned


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


class AgencyChoices(forms.ModelMultipleChoiceField[Agency]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name_zh if _chinese() else obj.name_en)


class ServiceChoices(forms.ModelMultipleChoiceField[ServiceItem]):
    def label_from_instance(self, obj: Any) -> str:
        version = obj.published_version
        if version is None:  # pragma: no cover - the queryset holds published services only
            return str(obj.code)
        return str(version.name_zh if _chinese() else version.name_en)


class WindowForm(TongbanForm):
    """A window: its number (only when new), labels, scope and what the scope lists."""

    number = forms.CharField(
        label=_("Window number"), max_length=Window._meta.get_field("number").max_length, help_text="1, 2, A3 …"
    )
    label_zh = forms.CharField(
        label=_("Label (Chinese)"),
        max_length=Window._meta.get_field("label_zh").max_length,
        required=False,
        widget=forms.TextInput(attrs={"lang": "zh-Hans"}),
    )
    label_en = forms.CharField(
        label=_("Label (English)"),
        max_length=Window._meta.get_field("label_en").max_length,
        required=False,
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    scope = forms.ChoiceField(label=_("What it handles"), choices=WindowScope.choices, widget=FirstRadioSelect)
    agencies = AgencyChoices(
        label=_("Agencies (for “Services of listed agencies”)"),
        queryset=Agency.objects.order_by("code"),
        required=False,
        widget=FirstCheckboxSelect,
    )
    services = ServiceChoices(
        label=_("Services (for “Listed services”)"),
        queryset=ServiceItem.objects.exclude(published_version=None)
        .select_related("published_version")
        .order_by("code"),
        required=False,
        widget=FirstCheckboxSelect,
    )
    active = forms.BooleanField(label=_("Open (takes visitors)"), required=False, initial=True)

    def __init__(self, *args: Any, new: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["number"]
