"""Check a form definition (schema + layout, docs/forms.md) an operator typed before it is saved.

No database: :func:`definition_problems` lists every problem at once, each with where it is
(``layout.fields.employee_name.label.en``, ``layout.steps[2].fields``) and a translated sentence
naming the field or step. It accepts what the engine (``engine``, ``prefill``, ``held``, the
portal templates) renders and refuses what it cannot render or would render wrongly; a field's
prefill source must be one a registered prefill source offers (``forms.prefill.accepts``). Any
JSON value may come in; none raises.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from tongban.forms import prefill

Props = dict[str, dict[str, Any] | None]

FIELD_NAME = re.compile(r"(?!material_)[a-z][a-z0-9_]{0,63}")  # material_* are the materials step's names
STEP_KEY = re.compile(r"(?!(materials|review)\Z)[a-z0-9][a-z0-9_-]{0,63}")  # forms.selectors' own steps
SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
#: ``identity.models.IdType``: the document a person concerned is recorded with.
ID_TYPES = ("foreign_permanent_id", "hmt_permit", "passport", "resident_id")
#: ``x-dates`` of a date field: "past" (today or before: a birth date) or "future" (today or
#: later: a planned start), checked against the day the applicant saves or submits.
DATE_RANGES = ("past", "future")
#: ``x-text``: the scripts a string field holds (character policy, ADR 0027); without it, any.
TEXT_KINDS = ("chinese_name", "latin_name")
#: ``x-country``: the field chooses a code from ``core.countries`` (``forms.engine``).
COUNTRY_PURPOSES = ("nationality", "country_or_region")
WIDGETS = ("checkbox", "checkboxes", "date", "email", "number", "radio", "select", "tel", "text", "textarea")
_COMMON = ("type", "title", "description", "$comment")
_EXTENSIONS = ("x-multiline", "x-dates", "x-text", "x-country")
_NUMERIC = (*_COMMON, "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
#: The property types the engine coerces and renders, with the keywords that apply to each.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "string": (*_COMMON, "format", "enum", "minLength", "maxLength", "pattern", *_EXTENSIONS),
    "integer": _NUMERIC,
    "number": _NUMERIC,
    "boolean": _COMMON,
    "array": (*_COMMON, "items", "minItems", "maxItems", "uniqueItems"),
}
SCHEMA_KEYS = ("$schema", "$comment", "title", "description", "type", "properties", "required", "additionalProperties")
LAYOUT_KEYS = ("steps", "fields", "persons_concerned")
STEP_KEYS = ("key", "title", "fields", "visible_if")
SPEC_KEYS = ("label", "help", "widget", "choices", "prefill", "authoritative", "visible_if")
CONDITION_KEYS = ("field", "equals", "in", "truthy")
PERSON_KEYS = ("id_number_field", "nationality_field", "name_field", "id_type", "self")


@dataclass(frozen=True)
class DefinitionProblem:
    """One thing to fix: where (a JSON-pointer-like path) and what, for the operator."""

    where: str
    message: str


class _Problems(list[DefinitionProblem]):
    def add(self, where: str, message: str, **params: Any) -> None:
        self.append(DefinitionProblem(where, message % params))

    def unknown(self, where: str, value: dict[Any, Any], known: tuple[str, ...]) -> None:
        for key in value:
            if key not in known:
                self.add(f"{where}.{key}", _("The form engine does not understand “%(key)s” here."), key=key)


def definition_problems(schema: Any, layout: Any) -> list[DefinitionProblem]:
    """Every problem at once (not only the first), in a stable order; [] when the form is usable."""
    problems = _Problems()
    props = _schema_problems(schema, problems)
    _layout_problems(layout, props, problems)
    return list(problems)


def _options(prop: dict[str, Any] | None) -> list[str]:
    """The enum values of a usable property (or of its items, for a list of choices)."""
    if prop is None or prop["type"] not in ("array", "string"):
        return []
    return list(prop["items"]["enum"] if prop["type"] == "array" else prop.get("enum", []))


def _is_options(value: Any) -> bool:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
        return False
    return len(set(value)) == len(value)


def _as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _schema_problems(schema: Any, problems: _Problems) -> Props:
    """Check the schema; returns each property by name, None where its type or options are unusable."""
    if not isinstance(schema, dict):
        problems.add("schema", _("The schema must be a JSON object."))
        return {}
    problems.unknown("schema", schema, SCHEMA_KEYS)
    if schema.get("$schema", SCHEMA_URI) != SCHEMA_URI:
        problems.add("schema.$schema", _("The schema must be JSON Schema 2020-12 (%(uri)s)."), uri=SCHEMA_URI)
    if schema.get("type") != "object":
        problems.add("schema.type", _("The schema's “type” must be “object”."))
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        problems.add("schema.properties", _("The schema needs “properties”: an object with at least one field."))
        properties = {}
    props = {str(name): _property(str(name), prop, problems) for name, prop in properties.items()}
    required = schema.get("required", [])
    if not isinstance(required, list):
        problems.add("schema.required", _("“required” must be a list of field names."))
        required = []
    for index, name in enumerate(required):
        if not isinstance(name, str) or name not in props:
            problems.add(f"schema.required[{index}]", _("“required” names %(name)s, not a field."), name=_as_json(name))
    # What the checks above leave to JSON Schema itself (e.g. a negative maxLength), once per place.
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    seen = [problem.where for problem in problems]
    for error in sorted(meta.iter_errors(schema), key=lambda e: [str(p) for p in e.absolute_path]):
        where = "schema" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        if not any(_overlap(where, other) for other in seen):
            seen.append(where)
            problems.add(where, _("This is not valid JSON Schema: %(detail)s."), detail=error.message)
    return props


def _overlap(one: str, other: str) -> bool:
    short, long = sorted((one, other), key=len)
    return long == short or long.startswith((short + ".", short + "["))


def _property(name: str, prop: Any, problems: _Problems) -> dict[str, Any] | None:
    where = f"schema.properties.{name}"
    if not FIELD_NAME.fullmatch(name):
        problems.add(
            where,
            _(
                "The field name “%(name)s” must start with a lower-case letter, have only a-z, 0-9 and _ "
                "(at most 64) and not start with “material_”."
            ),
            name=name,
        )
    if not isinstance(prop, dict):
        problems.add(where, _("The field “%(name)s” must be described by a JSON object."), name=name)
        return None
    kind = prop.get("type")
    if not isinstance(kind, str) or kind not in KEYWORDS:
        problems.add(
            f"{where}.type", _("The type of “%(name)s” must be string, integer, number, boolean or array."), name=name
        )
        return None
    for key in prop:
        if key not in KEYWORDS[kind]:
            problems.add(
                f"{where}.{key}",
                _("“%(key)s” does not apply to “%(name)s”, a %(kind)s."),
                key=key,
                name=name,
                kind=kind,
            )
    items = prop.get("items")
    if kind == "array" and not (
        isinstance(items, dict)
        and items.get("type", "string") == "string"
        and set(items) <= {"type", "enum"}
        and _is_options(items.get("enum"))
    ):
        problems.add(
            f"{where}.items",
            _('“%(name)s” is a list of choices: its “items” must be {"type": "string", "enum": [different texts]}.'),
            name=name,
        )
        return None
    if kind != "string":
        return prop
    count = len(problems)
    if prop.get("format", "date") not in ("date", "email"):
        problems.add(f"{where}.format", _("The format of “%(name)s” must be date or email."), name=name)
    # (a format that is neither date nor email is reported above, once)
    if "x-dates" in prop and (prop.get("format") in (None, "email") or prop["x-dates"] not in DATE_RANGES):
        problems.add(
            f"{where}.x-dates",
            _("“x-dates” of “%(name)s” must be “past” or “future”, on a field with the date format."),
            name=name,
        )
    if prop.get("x-text", TEXT_KINDS[0]) not in TEXT_KINDS:
        problems.add(f"{where}.x-text", _("“x-text” of “%(name)s” must be “chinese_name” or “latin_name”."), name=name)
    if prop.get("x-country", COUNTRY_PURPOSES[0]) not in COUNTRY_PURPOSES or ("x-country" in prop and "enum" in prop):
        problems.add(
            f"{where}.x-country",
            _("“x-country” of “%(name)s” must be “nationality” or “country_or_region”, without “enum”."),
            name=name,
        )
    if not isinstance(prop.get("x-multiline", False), bool):
        problems.add(f"{where}.x-multiline", _("“x-multiline” of “%(name)s” must be true or false."), name=name)
    if "enum" in prop and not _is_options(prop["enum"]):
        problems.add(f"{where}.enum", _("The options (enum) of “%(name)s” must be different texts."), name=name)
    if "pattern" in prop and not (isinstance(prop["pattern"], str) and _compiles(prop["pattern"])):
        problems.add(f"{where}.pattern", _("The pattern of “%(name)s” is not a valid regular expression."), name=name)
    return prop if len(problems) == count else None  # the widget and choices cannot be checked against it


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _bilingual(value: Any, where: str, message: str, problems: _Problems, **params: Any) -> None:
    """``message`` (with ``%(language)s``) for each of zh, en that ``value`` lacks."""
    if not isinstance(value, dict):
        problems.add(where, message, language=_("Chinese (zh) and English (en)"), **params)
        return
    for language, language_name in (("zh", _("Chinese (zh)")), ("en", _("English (en)"))):
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            problems.add(f"{where}.{language}", message, language=language_name, **params)


def _layout_problems(layout: Any, props: Props, problems: _Problems) -> None:
    if not isinstance(layout, dict):
        problems.add("layout", _("The layout must be a JSON object."))
        return
    problems.unknown("layout", layout, LAYOUT_KEYS)
    placed = _steps(layout.get("steps"), props, problems)
    for name in props:
        if placed is not None and name not in placed:
            problems.add(f"schema.properties.{name}", _("“%(name)s” is in no step; add it to one."), name=name)
    specs = layout.get("fields")
    if not isinstance(specs, dict):
        problems.add("layout.fields", _("The layout needs “fields”: an object giving each field its label."))
    else:
        for name in specs:
            if name not in props:
                problems.add(f"layout.fields.{name}", _("“%(name)s” is not a field of the schema."), name=name)
        for name, prop in props.items():
            step = (placed or {}).get(name)
            earlier = None if step is None else {other for other, index in (placed or {}).items() if index <= step}
            _spec(name, specs.get(name), prop, props, earlier, problems)
    if "persons_concerned" in layout:
        _persons(layout["persons_concerned"], props, problems)


def _steps(steps: Any, props: Props, problems: _Problems) -> dict[str, int] | None:
    """Check the steps; returns the step index of each field placed in one (None: no usable steps)."""
    if not isinstance(steps, list) or not steps:
        problems.add("layout.steps", _("The layout needs “steps”: a list with at least one step."))
        return None
    placed: dict[str, int] = {}
    keys: set[str] = set()
    for index, step in enumerate(steps):
        where = f"layout.steps[{index}]"
        if not isinstance(step, dict):
            problems.add(where, _("Step %(number)s must be a JSON object."), number=index + 1)
            continue
        problems.unknown(where, step, STEP_KEYS)
        key = step.get("key")
        label = key if isinstance(key, str) and key else str(index + 1)
        if not isinstance(key, str) or not STEP_KEY.fullmatch(key) or key in keys:
            problems.add(
                f"{where}.key",
                _(
                    "Step %(number)s needs a key of its own, of a-z, 0-9, - and _ (at most 64), "
                    "other than materials and review."
                ),
                number=index + 1,
            )
        keys.add(str(key))
        _bilingual(
            step.get("title"),
            f"{where}.title",
            _("The step “%(step)s” needs a title in %(language)s."),
            problems,
            step=label,
        )
        earlier = set(placed)
        fields = step.get("fields")
        if not isinstance(fields, list) or not fields:
            problems.add(f"{where}.fields", _("The step “%(step)s” needs a list of its fields."), step=label)
            fields = []
        for position, name in enumerate(fields):
            spot = f"{where}.fields[{position}]"
            if not isinstance(name, str) or name not in props:
                problems.add(
                    spot,
                    _("The step “%(step)s” asks for %(name)s, which is not a field of the schema."),
                    step=label,
                    name=_as_json(name),
                )
            elif name in placed:
                problems.add(
                    spot,
                    _("“%(name)s” is asked for again in step “%(step)s”; a field belongs to one step."),
                    name=name,
                    step=label,
                )
            else:
                placed[name] = index
        if "visible_if" in step:
            _condition(step["visible_if"], f"{where}.visible_if", props, earlier, "", problems)
    return placed


def _condition(  # noqa: PLR0917 - the condition and its context
    condition: Any, where: str, props: Props, earlier: set[str] | None, own: str, problems: _Problems
) -> None:
    """A ``visible_if``; ``earlier``: the fields it may depend on (None: do not check the order)."""
    if not isinstance(condition, dict):
        problems.add(where, _('A condition (visible_if) must be an object like {"field": …, "equals": …}.'))
        return
    problems.unknown(where, condition, CONDITION_KEYS)
    tests = [test for test in ("equals", "in", "truthy") if test in condition]
    if len(tests) != 1:
        problems.add(where, _("A condition needs exactly one of “equals”, “in” and “truthy”."))
    field = condition.get("field")
    if not isinstance(field, str) or field not in props or field == own:
        problems.add(f"{where}.field", _("A condition must name another field of the schema in “field”."))
        return
    if earlier is not None and field not in earlier:
        problems.add(
            f"{where}.field", _("The condition depends on “%(name)s”, which is only asked for later."), name=field
        )
    if "in" in condition and not isinstance(condition["in"], list):
        problems.add(f"{where}.in", _("“in” must be a list of values."))
    elif "truthy" in condition and not isinstance(condition["truthy"], bool):
        problems.add(f"{where}.truthy", _("“truthy” must be true or false."))
    elif len(tests) == 1 and tests[0] != "truthy" and props[field] is not None:
        values = [condition["equals"]] if tests[0] == "equals" else condition["in"]
        wrong = [value for value in values if not _can_hold(props[field], value)]
        if wrong:
            problems.add(
                f"{where}.{tests[0]}",
                _("“%(name)s” can never be %(value)s, so the condition never holds."),
                name=field,
                value=_as_json(wrong[0]),
            )


def _can_hold(prop: dict[str, Any] | None, value: Any) -> bool:
    kind = (prop or {}).get("type")
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("integer", "number"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str) and (not _options(prop) or value in _options(prop))
    return False  # a list of choices: ask whether any is chosen with "truthy"


def _widgets(prop: dict[str, Any]) -> list[str]:
    """The widgets that render ``prop`` right (posted text the engine coerces to its type)."""
    kind = prop["type"]
    if kind in ("array", "boolean"):
        return ["checkboxes" if kind == "array" else "checkbox"]
    if kind in ("integer", "number"):
        return ["number", "text"]
    if _options(prop):
        return ["radio", "select"]
    if prop.get("x-country"):
        return ["select"]
    extra = [prop["format"]] if prop.get("format") in ("date", "email") else []
    return ["tel", "text", *(["textarea"] if prop.get("x-multiline") is True else []), *extra]


def _spec(  # noqa: PLR0917 - the field and its context
    name: str, spec: Any, prop: dict[str, Any] | None, props: Props, earlier: set[str] | None, problems: _Problems
) -> None:
    where = f"layout.fields.{name}"
    if not isinstance(spec, dict):
        problems.add(where, _("“%(name)s” needs an object in the layout's “fields”, with its label."), name=name)
        return
    problems.unknown(where, spec, SPEC_KEYS)
    _bilingual(
        spec.get("label"),
        f"{where}.label",
        _("The field “%(name)s” needs a label in %(language)s."),
        problems,
        name=name,
    )
    if "help" in spec:
        _bilingual(
            spec["help"], f"{where}.help", _("The help text of “%(name)s” needs %(language)s."), problems, name=name
        )
    widget = spec.get("widget")
    fitting = list(WIDGETS) if prop is None else _widgets(prop)
    if "widget" in spec and (not isinstance(widget, str) or widget not in fitting):
        problems.add(
            f"{where}.widget",
            _("The widget of “%(name)s” must be one of: %(widgets)s."),
            name=name,
            widgets=", ".join(fitting),
        )
    options = _options(prop)
    choices = spec.get("choices")
    if options and not isinstance(choices, dict):
        problems.add(f"{where}.choices", _("Give each option of “%(name)s” a label in “choices”."), name=name)
    elif prop is not None and "choices" in spec and not options:
        problems.add(f"{where}.choices", _("“%(name)s” has no options (enum) to label."), name=name)
    elif prop is not None and isinstance(choices, dict):
        for option in options:
            _bilingual(
                choices.get(option),
                f"{where}.choices.{option}",
                _("The option “%(option)s” of “%(name)s” needs a label in %(language)s."),
                problems,
                option=option,
                name=name,
            )
        for option in choices:
            if option not in options:
                problems.add(
                    f"{where}.choices.{option}",
                    _("“%(option)s” is not an option of “%(name)s”."),
                    option=option,
                    name=name,
                )
    source = spec.get("prefill")
    if "prefill" in spec and not (isinstance(source, str) and prefill.accepts(source)):
        problems.add(
            f"{where}.prefill",
            _(
                "“%(name)s” cannot be prefilled from %(source)s; sources are like "
                "person.name, firm.uscc or certificate.<type>.<field>."
            ),
            name=name,
            source=_as_json(source),
        )
    if not isinstance(spec.get("authoritative", False), bool):
        problems.add(f"{where}.authoritative", _("“authoritative” of “%(name)s” must be true or false."), name=name)
    elif spec.get("authoritative") is True and "prefill" not in spec:
        problems.add(f"{where}.authoritative", _("“%(name)s” can be authoritative only if prefilled."), name=name)
    if "visible_if" in spec:
        _condition(spec["visible_if"], f"{where}.visible_if", props, earlier, name, problems)


def _persons(entries: Any, props: Props, problems: _Problems) -> None:
    if not isinstance(entries, list):
        problems.add("layout.persons_concerned", _("“persons_concerned” must be a list."))
        return
    for index, entry in enumerate(entries):
        where = f"layout.persons_concerned[{index}]"
        if not isinstance(entry, dict):
            problems.add(where, _("Person concerned %(number)s must be a JSON object."), number=index + 1)
            continue
        problems.unknown(where, entry, PERSON_KEYS)
        if not isinstance(entry.get("self", False), bool):
            problems.add(
                f"{where}.self", _("“self” of person concerned %(number)s must be true or false."), number=index + 1
            )
        for key in PERSON_KEYS[:-1]:
            value = entry.get(key)
            known = isinstance(value, str) and value in (ID_TYPES if key == "id_type" else props)
            if key == "id_type" and key in entry and not known:
                problems.add(f"{where}.id_type", _("“id_type” must be one of: %(types)s."), types=", ".join(ID_TYPES))
            elif key != "id_type" and (key in entry or key == "id_number_field") and not known:
                problems.add(
                    f"{where}.{key}",
                    _("“%(key)s” of person concerned %(number)s must name a field."),
                    key=key,
                    number=index + 1,
                )
