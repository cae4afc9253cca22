"""The form engine: steps and conditional sections, coercion of posted text to schema types,
validation with an error per field, and the view model templates render.

A form definition is data (``FormDefinition.schema`` + ``layout``); see docs/forms.md for the
layout format. Validation uses the ``jsonschema`` library for types, formats, ranges and
patterns; "required" is decided here because a field in a hidden conditional section is never
required. Messages are translated here, not taken from jsonschema (which speaks to developers).

Every posted value is held to its length cap (:func:`max_chars`: the schema's ``maxLength``, and
the platform's hard caps ``FORMS_LINE_MAX_CHARS`` / ``FORMS_TEXT_MAX_CHARS`` /
``FORMS_LIST_MAX_ITEMS`` for every field) while it is coerced, so a value over its cap is refused
with a field error and never stored in a draft; so is a value that breaks the character policy
(``core.validators``) for its kind of text (:func:`text_kind`: ``x-text`` names a Chinese or Latin
name, otherwise free text, one line or ``x-multiline``). On submit, :func:`validate` checks both
again for every value of the draft (ADR 0027).

A string field with ``"x-country": "nationality"`` (or ``"country_or_region"``) holds an ISO 3166-1
alpha-2 code chosen from ``core.countries`` (ADR 0035): it is a select of the names in the page's
language, its value must be in that list (a nationality is never CN, HK, MO or TW), and pages
show the name, not the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from tongban.core import bilingual, countries
from tongban.core.validators import TextKind, text_problem

Data = dict[str, Any]
#: The values of ``x-country``: which list of ``core.countries`` a field chooses from.
COUNTRY_PURPOSES = ("nationality", "country_or_region")


def text(value: Mapping[str, str] | str | None, language: str) -> str:
    """A bilingual label ``{"zh": ..., "en": ...}`` in ``language`` (falls back to the other)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return bilingual.pick(value.get("zh"), value.get("en"), language)


def is_visible(condition: Mapping[str, Any] | None, data: Mapping[str, Any]) -> bool:
    """Evaluate a ``visible_if`` condition: ``{"field": f, "equals": v}`` or ``{"field": f, "in": [..]}``."""
    if not condition:
        return True
    value = data.get(condition["field"])
    if "equals" in condition:
        return bool(value == condition["equals"])
    if "in" in condition:
        return value in condition["in"]
    if "truthy" in condition:
        return bool(value) == bool(condition["truthy"])
    return True


def steps(layout: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(layout.get("steps", []))


#: The draft's internal key that says who applies (ADR 0032): "person" (for himself) or "firm".
#: Set when the draft is started; a draft without it (started before) is asked everything.
APPLICANT_KEY = "_applicant"


def asked(spec: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Whether the applicant is asked this field at all: a field filled from the firm's record
    (``"prefill": "firm.…"``) is asked only when a firm applies, never of a person applying for
    himself (ADR 0032)."""
    return not (data.get(APPLICANT_KEY) == "person" and str(spec.get("prefill", "")).startswith("firm."))


def visible_steps(layout: Mapping[str, Any], data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Steps whose condition holds and that ask this applicant something."""
    specs = layout.get("fields", {})
    return [
        step
        for step in steps(layout)
        if is_visible(step.get("visible_if"), data)
        and (not step.get("fields") or any(asked(specs.get(name, {}), data) for name in step["fields"]))
    ]


def visible_fields(layout: Mapping[str, Any], data: Mapping[str, Any]) -> list[str]:
    """Field names in visible steps whose own condition holds and that this applicant is asked,
    in layout order."""
    specs = layout.get("fields", {})
    names: list[str] = []
    for step in visible_steps(layout, data):
        for name in step.get("fields", []):
            spec = specs.get(name, {})
            if is_visible(spec.get("visible_if"), data) and asked(spec, data):
                names.append(name)
    return names


class CoercionError(ValueError):
    """A posted value cannot become the schema's type; the message is for the applicant."""


def max_chars(prop: Mapping[str, Any]) -> int:
    """The most characters a value of ``prop`` may have: its ``maxLength`` if it sets one, else the
    platform's cap for one-line text (or multi-line text, ``x-multiline``); never above the hard cap
    ``FORMS_TEXT_MAX_CHARS``. Numbers and list items are held to the one-line cap."""
    hard = int(settings.FORMS_TEXT_MAX_CHARS)
    declared = prop.get("maxLength") if prop.get("type", "string") == "string" else None
    if isinstance(declared, int) and not isinstance(declared, bool) and declared >= 0:
        return min(declared, hard)
    if prop.get("type", "string") == "string" and prop.get("x-multiline"):
        return hard
    return min(int(settings.FORMS_LINE_MAX_CHARS), hard)


def text_kind(prop: Mapping[str, Any]) -> TextKind:
    """The kind of text a field holds, for the character policy: ``x-text`` (``chinese_name``,
    ``latin_name``) if the schema names one, else free text (multi-line with ``x-multiline``)."""
    named = prop.get("x-text")
    if named in (TextKind.CHINESE_NAME, TextKind.LATIN_NAME):
        return TextKind(named)
    return TextKind.MULTILINE if prop.get("x-multiline") else TextKind.LINE


def _require_policy(value: str, kind: TextKind) -> None:
    problem = text_problem(value, kind)
    if problem is not None:
        raise CoercionError(problem.messages[0])


def _too_long(limit: int, count: int) -> CoercionError:
    return CoercionError(
        _("Use at most %(limit)s characters; this text has %(count)s.") % {"limit": limit, "count": count}
    )


def coerce(prop: Mapping[str, Any], raw: Any) -> Any:
    """Posted form text -> the JSON type the schema declares. Empty input -> None (absent).
    A value over its cap (:func:`max_chars`) is refused before anything else is done with it."""
    kind = prop.get("type", "string")
    if kind == "boolean":
        return raw in (True, "on", "true", "1", "yes")
    if kind == "array":
        values = raw if isinstance(raw, list) else [raw] if raw not in (None, "") else []
        if len(values) > int(settings.FORMS_LIST_MAX_ITEMS):
            raise CoercionError(_("Choose at most %(limit)s.") % {"limit": settings.FORMS_LIST_MAX_ITEMS})
        items = [str(value).strip() for value in values]
        limit = max_chars(prop)
        for item in items:
            if len(item) > limit:
                raise _too_long(limit, len(item))
            _require_policy(item, TextKind.LINE)
        return [item for item in items if item]
    value = "" if raw is None else str(raw).strip()
    if value == "":
        return None
    limit = max_chars(prop)
    if len(value) > limit:
        raise _too_long(limit, len(value))
    _require_policy(value, text_kind(prop))
    if kind == "integer":
        try:
            return int(value.replace(",", "").replace(" ", ""))
        except ValueError:
            raise CoercionError(_("Enter a whole number, using digits only.")) from None
    if kind == "number":
        try:
            number = float(value.replace(",", "").replace(" ", ""))
        except ValueError:
            raise CoercionError(_("Enter a number, using digits only.")) from None
        return int(number) if number.is_integer() else number
    return value.upper() if prop.get("x-country") else value


def _message(error: SchemaError) -> str:
    validator = error.validator
    limit = error.validator_value
    if validator == "type":
        return _("Enter a value of the right kind.")
    if validator in ("minimum", "exclusiveMinimum"):
        return _("Enter %(limit)s or more.") % {"limit": limit}
    if validator in ("maximum", "exclusiveMaximum"):
        return _("Enter %(limit)s or less.") % {"limit": limit}
    if validator == "minLength":
        return _("Enter at least %(limit)s characters.") % {"limit": limit}
    if validator == "maxLength":
        return _("Use at most %(limit)s characters.") % {"limit": limit}
    if validator in ("enum", "const"):
        return _("Choose one of the options.")
    if validator == "pattern":
        return _("The format is not right; see the hint.")
    if validator == "format" and limit == "date":
        return _("Enter a real date, like 2026-11-27.")
    if validator == "format" and limit == "email":
        return _("Enter an e-mail address, like name@example.com.")
    if validator in ("minItems",):
        return _("Choose at least %(limit)s.") % {"limit": limit}
    return _("This value is not valid.")


def _validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    relaxed = {key: value for key, value in schema.items() if key != "required"}
    return Draft202012Validator(relaxed, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate(
    schema: Mapping[str, Any],
    layout: Mapping[str, Any],
    data: Mapping[str, Any],
    names: list[str],
    *,
    today: date,
    require: bool = True,
) -> dict[str, str]:
    """Errors (field -> message) for the fields ``names`` of ``data``; hidden fields are skipped.
    With ``require=False`` (saving a draft) missing values are not errors, wrong ones still are.
    ``today`` (the city's date) bounds the date fields marked ``x-dates``."""
    shown = set(visible_fields(layout, data))
    required = set(schema.get("required", [])) if require else set()
    errors: dict[str, str] = {}
    for name in names:
        if name in shown and name in required and data.get(name) in (None, "", []):
            errors[name] = _("This field is required.")
    checked = {name: data[name] for name in names if name in shown and data.get(name) not in (None, "", [])}
    for error in _validator(schema).iter_errors(checked):
        if error.path:
            name = str(error.path[0])
            errors.setdefault(name, _message(error))
    properties = schema.get("properties", {})
    for name, value in checked.items():
        prop = properties.get(name, {})
        problem = (
            _stored_value_problem(prop, value)
            or _date_range_problem(prop, value, today)
            or _country_problem(prop, value)
        )
        if problem and name not in errors:
            errors[name] = problem
    return errors


def _stored_value_problem(prop: Mapping[str, Any], value: Any) -> str:
    """The cap and the character policy for a value already in a draft (saved before they
    applied, or by code), as on saving."""
    texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    try:
        if isinstance(value, list) and len(value) > int(settings.FORMS_LIST_MAX_ITEMS):
            return str(_("Choose at most %(limit)s.") % {"limit": settings.FORMS_LIST_MAX_ITEMS})
        limit = max_chars(prop)
        for text_value in texts:
            if isinstance(text_value, str) and len(text_value) > limit:
                raise _too_long(limit, len(text_value))
            if isinstance(text_value, str):
                _require_policy(text_value, text_kind(prop) if isinstance(value, str) else TextKind.LINE)
    except CoercionError as exc:
        return str(exc)
    return ""


def _date_range_problem(prop: Mapping[str, Any], value: Any, today: date) -> str:
    """The message for a date on the wrong side of ``today`` (``x-dates``), or ""."""
    kind = prop.get("x-dates")
    if kind not in ("past", "future") or not isinstance(value, str):
        return ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return ""  # not a date at all: the format check says so
    if kind == "past" and day > today:
        return str(_("Enter a date that is not in the future."))
    if kind == "future" and day < today:
        return str(_("Enter today's date or a later one."))
    return ""


def _country_problem(prop: Mapping[str, Any], value: Any) -> str:
    """The message for a code not in the field's ``x-country`` list, or ""."""
    purpose = prop.get("x-country")
    if purpose not in COUNTRY_PURPOSES or countries.allows(purpose, value):
        return ""
    if purpose == "nationality" and str(value).upper() in countries.CHINA_AND_REGIONS:
        return str(
            _(
                "Residents of the mainland, Hong Kong, Macao and Taiwan are Chinese citizens, not foreign "
                "nationals: choose the country of the passport."
            )
        )
    return str(_("Choose one of the options."))


def clean_posted(
    schema: Mapping[str, Any],
    names: list[str],
    posted: Mapping[str, Any],
    locked: Mapping[str, Any],
) -> tuple[Data, dict[str, str]]:
    """Coerce the posted values of ``names``; ``locked`` (authoritative prefill) wins over input.
    Returns (values, coercion errors). Values that fail coercion keep the raw text so the
    applicant sees what they typed."""
    props = schema.get("properties", {})
    values: Data = {}
    errors: dict[str, str] = {}
    for name in names:
        if name in locked:
            values[name] = locked[name]
            continue
        prop = props.get(name, {})
        raw = posted.get(name)
        try:
            values[name] = coerce(prop, raw)
        except CoercionError as exc:
            values[name] = _shortened(raw, max_chars(prop))
            errors[name] = str(exc)
    return values, errors


def _shortened(raw: Any, limit: int) -> Any:
    """What was typed, for redisplay next to its error, cut at the field's cap (the page never
    carries an oversized value back)."""
    if isinstance(raw, str):
        return raw[:limit]
    if isinstance(raw, list):
        return [str(item)[:limit] for item in raw[: int(settings.FORMS_LIST_MAX_ITEMS)]]
    return raw


@dataclass
class Choice:
    value: str
    label: str
    selected: bool


@dataclass
class FieldView:
    name: str
    label: str
    help: str
    widget: str
    value: Any
    required: bool
    readonly: bool
    error: str = ""
    source: str = ""
    choices: list[Choice] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def input_id(self) -> str:
        return f"f-{self.name}"

    @property
    def display_value(self) -> str:
        if self.value is None:
            return ""
        if self.choices:
            labels = [choice.label for choice in self.choices if choice.selected]
            return ", ".join(labels) or ("" if isinstance(self.value, list) else str(self.value))
        if isinstance(self.value, bool):
            return _("Yes") if self.value else _("No")
        return str(self.value)


def field_views(
    schema: Mapping[str, Any],
    layout: Mapping[str, Any],
    names: list[str],
    data: Mapping[str, Any],
    *,
    language: str,
    errors: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
    locked: frozenset[str] = frozenset(),
    source_labels: Mapping[str, str] | None = None,
) -> list[FieldView]:
    """What a template needs to render ``names`` (only the visible ones)."""
    props = schema.get("properties", {})
    specs = layout.get("fields", {})
    required = set(schema.get("required", []))
    shown = set(visible_fields(layout, data))
    views: list[FieldView] = []
    for name in names:
        if name not in shown:
            continue
        spec = specs.get(name, {})
        prop = props.get(name, {})
        widget = spec.get("widget") or _default_widget(prop)
        value = data.get(name)
        choices: list[Choice] = []
        options = prop.get("enum") or prop.get("items", {}).get("enum") or []
        labels = spec.get("choices", {})
        for option in options:
            selected = option in value if isinstance(value, list) else option == value
            choices.append(Choice(str(option), text(labels.get(str(option)), language) or str(option), selected))
        if prop.get("x-country") in COUNTRY_PURPOSES:
            choices = [
                Choice(code, label, code == value) for code, label in countries.choices(prop["x-country"], language)
            ]
        source_key = (sources or {}).get(name, "")
        attrs: dict[str, Any] = {}
        for key in ("minimum", "maximum", "maxLength"):
            if key in prop:
                attrs[key] = prop[key]
        views.append(
            FieldView(
                name=name,
                label=text(spec.get("label"), language) or name,
                help=text(spec.get("help"), language),
                widget=widget,
                value=value,
                required=name in required,
                readonly=name in locked,
                error=(errors or {}).get(name, ""),
                source=(source_labels or {}).get(source_key.split(".")[0], "") if source_key else "",
                choices=choices,
                attrs=attrs,
            )
        )
    return views


def _default_widget(prop: Mapping[str, Any]) -> str:
    kind = prop.get("type", "string")
    if prop.get("enum") or prop.get("x-country"):
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if kind == "array":
        return "checkboxes"
    if prop.get("format") == "date":
        return "date"
    if prop.get("format") == "email":
        return "email"
    return "textarea" if prop.get("x-multiline") else "text"


def age_on(birth: str | None, today: date) -> int | None:
    """Whole years between an ISO date and ``today`` (for age-based points)."""
    if not birth:
        return None
    try:
        born = date.fromisoformat(birth)
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
