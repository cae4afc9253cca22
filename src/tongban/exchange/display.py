"""Fetched exchange values as people read them, in the active language: dates and times in the
language's own format (in the city's time zone), yes/no for booleans, amounts grouped, and codes
by the bilingual labels the resource declares for its field (one place: the resource's field
specification, ``{"name": "status", "label": {...}, "values": {"operating": {"zh": "存续",
"en": "Operating"}}}``). Anything else is shown as given."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from tongban.core import bilingual
from tongban.core.countries import country_name
from tongban.exchange.models import DataResource

#: Fields of the registries' records that hold an ISO 3166 code: shown by the country's name.
COUNTRY_FIELDS = frozenset({"nationality", "country", "country_or_region", "investor_country"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def value_label(resource: DataResource | None, name: str, value: Any, language: str) -> str | None:
    """The bilingual label the resource declares for a code of field ``name`` (None if none)."""
    if resource is None or not isinstance(value, str | int | bool):
        return None
    for spec in resource.fields:
        if spec.get("name") == name:
            labels = spec.get("values") or {}
            label = labels.get(str(value).lower() if isinstance(value, bool) else str(value))
            return bilingual.pick(label.get("zh"), label.get("en"), language) if isinstance(label, dict) else None
    return None


def value_for_people(resource: DataResource | None, name: str, value: Any, language: str) -> str:
    """One fetched value, formatted for a reader of ``language`` ("" for no value)."""
    if value is None or value in ("", []):
        return ""
    label = value_label(resource, name, value, language)
    if label:
        return label
    if name in COUNTRY_FIELDS and isinstance(value, str):
        return country_name(value, language)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):  # amounts grouped; a year or a count of months as it is
        return formats.number_format(value, force_grouping=abs(value) >= 10_000)
    if isinstance(value, datetime):
        return _moment(value)
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(value_for_people(resource, name, item, language) for item in value)
    if isinstance(value, str):
        return _text(value)
    return str(value)


def _text(value: str) -> str:
    if _ISO_DATE.match(value):
        day = parse_date(value)
        return formats.date_format(day, "DATE_FORMAT") if day else value
    if _ISO_DATETIME.match(value):
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        return _moment(moment) if moment else value
    return value


def _moment(moment: datetime) -> str:
    """A date and time in the city's time zone; a date alone if it is midnight there."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return formats.date_format(moment.date(), "DATE_FORMAT")
    return formats.date_format(moment, "DATETIME_FORMAT")
