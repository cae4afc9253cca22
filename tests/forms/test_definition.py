"""Checking a form definition before it is saved: every shipped form passes, each kind of mistake
is reported once at its place, and nothing an operator can type makes the check raise.

Pure tests, no database: the forms are built from their plain data.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.demo import catalogue_loader, certificates_data
from tongban.forms import definition, prefill, selectors
from tongban.forms.definition import DefinitionProblem, definition_problems
from tongban.forms.starters import STARTERS
from tongban.identity.models import IdType

Doc = dict[str, Any]
DELETE = object()


def t(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def form() -> tuple[Doc, Doc]:
    """A small form using every kind of field, widget, condition and prefill the engine offers."""
    schema: Doc = {
        "$schema": definition.SCHEMA_URI,
        "type": "object",
        "properties": {
            "firm_name": {"type": "string", "maxLength": 200},
            "work_permit_number": {"type": "string", "maxLength": 30},
            "employee_name": {"type": "string", "maxLength": 100},
            "passport_number": {"type": "string", "pattern": "^[A-Z0-9]{5,20}$"},
            "nationality": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "annual_salary": {"type": "integer", "minimum": 0, "maximum": 100_000_000},
            "share": {"type": "number", "minimum": 0, "maximum": 100},
            "education": {"type": "string", "enum": ["doctorate", "master", "bachelor"]},
            "languages": {"type": "array", "items": {"type": "string", "enum": ["zh", "en"]}, "minItems": 1},
            "start_on": {"type": "string", "format": "date", "x-dates": "future"},
            "email": {"type": "string", "format": "email"},
            "has_spouse": {"type": "boolean"},
            "spouse_name": {"type": "string", "maxLength": 100},
            "notes": {"type": "string", "maxLength": 2000, "x-multiline": True},
        },
        "required": ["firm_name", "employee_name"],
    }
    fields: Doc = {name: {"label": t(f"标签{name}", f"Label {name}")} for name in schema["properties"]}
    fields["firm_name"].update(prefill="firm.name_zh", authoritative=True, help=t("取自登记", "From the register"))
    fields["work_permit_number"].update(prefill="certificate.work-permit.number", authoritative=True)
    fields["education"].update(
        widget="radio",
        choices={
            "doctorate": t("博士", "Doctorate"),
            "master": t("硕士", "Master's"),
            "bachelor": t("学士", "Bachelor's"),
        },
    )
    fields["languages"].update(widget="checkboxes", choices={"zh": t("中文", "Chinese"), "en": t("英文", "English")})
    fields["annual_salary"]["widget"] = "number"
    fields["start_on"]["widget"] = "date"
    fields["email"]["widget"] = "email"
    fields["has_spouse"]["widget"] = "checkbox"
    fields["notes"]["widget"] = "textarea"
    fields["nationality"]["visible_if"] = {"field": "passport_number", "truthy": True}
    layout: Doc = {
        "steps": [
            {"key": "employer", "title": t("用人单位", "Employer"), "fields": ["firm_name", "work_permit_number"]},
            {
                "key": "employee",
                "title": t("外籍员工", "Foreign employee"),
                "fields": [
                    "employee_name",
                    "passport_number",
                    "nationality",
                    "annual_salary",
                    "share",
                    "education",
                    "languages",
                    "start_on",
                    "email",
                    "has_spouse",
                ],
            },
            {
                "key": "spouse",
                "title": t("随行配偶", "Spouse"),
                "fields": ["spouse_name"],
                "visible_if": {"field": "has_spouse", "equals": True},
            },
            {
                "key": "request",
                "title": t("申请事项", "Request"),
                "fields": ["notes"],
                "visible_if": {"field": "education", "in": ["doctorate", "master"]},
            },
        ],
        "fields": fields,
        "persons_concerned": [
            {
                "id_number_field": "passport_number",
                "nationality_field": "nationality",
                "name_field": "employee_name",
                "id_type": "passport",
            },
        ],
    }
    return schema, layout


def wheres(schema: Any, layout: Any) -> list[str]:
    return [problem.where for problem in definition_problems(schema, layout)]


def set_at(doc: Doc, path: str, value: Any) -> None:
    """Set (or with ``DELETE`` remove) ``value`` at a dotted path; numbers index lists."""
    *parents, last = path.split(".")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is DELETE:
        del node[key]
    else:
        node[key] = value


def changed(**changes: Any) -> tuple[Doc, Doc]:
    """``form()`` with ``schema__properties__x=...``-style changes (``__`` separates the path)."""
    schema, layout = form()
    for path, value in changes.items():
        root, _sep, rest = path.partition("__")
        set_at(schema if root == "schema" else layout, rest.replace("__", "."), value)
    return schema, layout


# --------------------------------------------------------------------------------------------
# Every form the project ships is accepted


def shipped_forms() -> list[Any]:
    forms = [pytest.param(s.schema(), s.layout(), id=f"starter-{code}") for code, s in STARTERS.items()]
    for service in catalogue_loader.SERVICES:
        layout = service.form.layout()
        for (code, field), source in certificates_data.PREFILL.items():  # as catalogue_loader does
            if code == service.code and field in layout["fields"]:
                layout["fields"][field].update(prefill=source, authoritative=True)
        forms.append(pytest.param(service.form.schema(), layout, id=service.code))
    return forms


@pytest.mark.parametrize(("schema", "layout"), shipped_forms())
def test_shipped_forms_are_accepted(schema: Doc, layout: Doc) -> None:
    assert definition_problems(schema, layout) == []


def test_the_reference_form_is_accepted() -> None:
    assert definition_problems(*form()) == []


def test_the_demo_catalogue_has_forms_to_check() -> None:
    assert len(catalogue_loader.SERVICES) >= 13 and len(STARTERS) == 3


def test_known_values_are_those_of_the_engine() -> None:
    person = SimpleNamespace(
        name="李",
        latin_name="LI",
        id_type="passport",
        id_number="E1",
        nationality="CN",
        birth_date=None,
        registered_district="310101",
        account=SimpleNamespace(email="a@example.com", phone="13800000000"),
    )
    firm = SimpleNamespace(
        uscc="U",
        name_zh="甲",
        name_en="A",
        firm_type="llc",
        registered_district="310101",
        legal_representative=SimpleNamespace(display_name="李"),
    )
    offered = set(prefill.available(cast(Any, person), cast(Any, firm))) | {"person.birth_date"}
    assert offered == prefill.known_keys()
    assert set(definition.ID_TYPES) == set(IdType.values)
    for reserved in (selectors.MATERIALS_STEP, selectors.REVIEW_STEP):
        assert wheres(*changed(layout__steps__0__key=reserved)) == ["layout.steps[0].key"]


@pytest.mark.parametrize(
    ("schema", "layout"),
    [
        pytest.param(*changed(layout__fields__firm_name__prefill="certificate.any-type_2.someField"), id="cert-type"),
        pytest.param(*changed(layout__fields__annual_salary__widget="text"), id="integer-as-text"),
        pytest.param(*changed(layout__fields__email__widget="tel"), id="email-as-tel"),
        pytest.param(*changed(layout__fields__education__widget="select"), id="select"),
        pytest.param(
            *changed(layout__fields__spouse_name__visible_if={"field": "has_spouse", "truthy": True}),
            id="condition-on-earlier-field",
        ),
    ],
)
def test_what_the_engine_supports_is_accepted(schema: Doc, layout: Doc) -> None:
    assert definition_problems(schema, layout) == []


# --------------------------------------------------------------------------------------------
# Each mistake is reported at its place, and nothing else

P = "schema__properties__"
F = "layout__fields__"
S = "layout__steps__"

REFUSALS: list[Any] = [
    # schema
    ("not-object", {"schema__type": "array"}, ["schema.type"]),
    ("other-draft", {"schema__$schema": "http://json-schema.org/draft-07/schema#"}, ["schema.$schema"]),
    ("unknown-keyword", {"schema__$defs": {}}, ["schema.$defs"]),
    ("type", {P + "annual_salary__type": "money"}, ["schema.properties.annual_salary.type"]),
    ("type-list", {P + "spouse_name__type": ["string", "null"]}, ["schema.properties.spouse_name.type"]),
    ("no-type", {P + "spouse_name__type": DELETE}, ["schema.properties.spouse_name.type"]),
    ("object-type", {P + "spouse_name__type": "object"}, ["schema.properties.spouse_name.type"]),
    ("format", {P + "start_on__format": "date-time"}, ["schema.properties.start_on.format"]),
    ("format-on-integer", {P + "annual_salary__format": "date"}, ["schema.properties.annual_salary.format"]),
    ("keyword-typo", {P + "employee_name__maxlength": 10}, ["schema.properties.employee_name.maxlength"]),
    ("ref", {P + "employee_name__$ref": "#/x"}, ["schema.properties.employee_name.$ref"]),
    ("pattern", {P + "nationality__pattern": "^[A-Z"}, ["schema.properties.nationality.pattern"]),
    ("enum-numbers", {P + "education__enum": [1, 2]}, ["schema.properties.education.enum"]),
    ("enum-on-integer", {P + "annual_salary__enum": [1, 2]}, ["schema.properties.annual_salary.enum"]),
    ("items-no-enum", {P + "languages__items": {"type": "string"}}, ["schema.properties.languages.items"]),
    ("items-integer", {P + "languages__items__type": "integer"}, ["schema.properties.languages.items"]),
    ("negative-max", {P + "employee_name__maxLength": -1}, ["schema.properties.employee_name.maxLength"]),
    ("multiline", {P + "notes__x-multiline": "yes"}, ["schema.properties.notes.x-multiline"]),
    ("dates-word", {P + "start_on__x-dates": "soon"}, ["schema.properties.start_on.x-dates"]),
    ("dates-not-a-date", {P + "employee_name__x-dates": "past"}, ["schema.properties.employee_name.x-dates"]),
    ("required", {"schema__required": ["firm_name", "nope"]}, ["schema.required[1]"]),
    ("required-object", {"schema__required": "firm_name"}, ["schema.required"]),
    ("property-junk", {P + "spouse_name": "text"}, ["schema.properties.spouse_name"]),
    # steps
    ("no-steps", {"layout__steps": []}, ["layout.steps"]),
    ("steps-object", {"layout__steps": {}}, ["layout.steps"]),
    ("step-junk", {S + "2": "spouse"}, ["layout.steps[2]", "schema.properties.spouse_name"]),
    ("step-key-twice", {S + "1__key": "employer"}, ["layout.steps[1].key"]),
    ("step-key-spaces", {S + "1__key": "Foreign employee"}, ["layout.steps[1].key"]),
    ("step-key-missing", {S + "1__key": DELETE}, ["layout.steps[1].key"]),
    ("step-title-en", {S + "0__title__en": " "}, ["layout.steps[0].title.en"]),
    ("step-title-text", {S + "0__title": "Employer"}, ["layout.steps[0].title"]),
    ("step-unknown-key", {S + "2__visibleIf": {}}, ["layout.steps[2].visibleIf"]),
    ("step-fields-empty", {S + "2__fields": []}, ["layout.steps[2].fields", "schema.properties.spouse_name"]),
    ("step-unknown-field", {S + "2__fields": ["spouse_name", "spouse_age"]}, ["layout.steps[2].fields[1]"]),
    ("field-twice", {S + "2__fields": ["spouse_name", "employee_name"]}, ["layout.steps[2].fields[1]"]),
    ("field-in-no-step", {S + "1__fields__4": DELETE}, ["schema.properties.share"]),
    (
        "condition-unplaced",
        {S + "1__fields__9": DELETE},
        ["layout.steps[2].visible_if.field", "schema.properties.has_spouse"],
    ),
    # conditions
    (
        "condition-later",
        {S + "1__visible_if": {"field": "spouse_name", "truthy": True}},
        ["layout.steps[1].visible_if.field"],
    ),
    (
        "condition-own-step",
        {S + "2__visible_if": {"field": "spouse_name", "truthy": True}},
        ["layout.steps[2].visible_if.field"],
    ),
    ("condition-unknown", {S + "2__visible_if__field": "spouse"}, ["layout.steps[2].visible_if.field"]),
    ("condition-no-test", {S + "2__visible_if__equals": DELETE}, ["layout.steps[2].visible_if"]),
    ("condition-two-tests", {S + "2__visible_if__truthy": True}, ["layout.steps[2].visible_if"]),
    ("condition-in-text", {S + "3__visible_if__in": "doctorate"}, ["layout.steps[3].visible_if.in"]),
    (
        "condition-truthy",
        {S + "2__visible_if": {"field": "has_spouse", "truthy": "yes"}},
        ["layout.steps[2].visible_if.truthy"],
    ),
    ("condition-not-option", {S + "3__visible_if__in": ["doctorate", "phd"]}, ["layout.steps[3].visible_if.in"]),
    ("condition-wrong-kind", {S + "2__visible_if__equals": "yes"}, ["layout.steps[2].visible_if.equals"]),
    ("condition-text", {S + "2__visible_if": "has_spouse"}, ["layout.steps[2].visible_if"]),
    ("condition-typo", {S + "2__visible_if__equal": 1}, ["layout.steps[2].visible_if.equal"]),
    (
        "condition-self",
        {F + "nationality__visible_if__field": "nationality"},
        ["layout.fields.nationality.visible_if.field"],
    ),
    # field presentation
    ("layout-unknown-key", {"layout__points_fields": {}}, ["layout.points_fields"]),
    ("fields-missing", {"layout__fields": DELETE}, ["layout.fields"]),
    ("spec-missing", {F + "notes": DELETE}, ["layout.fields.notes"]),
    ("spec-not-field", {F + "ghost": {"label": t("鬼", "Ghost")}}, ["layout.fields.ghost"]),
    ("spec-unknown-key", {F + "notes__placeholder": "…"}, ["layout.fields.notes.placeholder"]),
    ("label-en", {F + "employee_name__label__en": DELETE}, ["layout.fields.employee_name.label.en"]),
    ("label-zh", {F + "employee_name__label__zh": ""}, ["layout.fields.employee_name.label.zh"]),
    ("label-text", {F + "employee_name__label": "Name"}, ["layout.fields.employee_name.label"]),
    ("label-missing", {F + "employee_name__label": DELETE}, ["layout.fields.employee_name.label"]),
    ("help-en", {F + "firm_name__help": {"zh": "帮助"}}, ["layout.fields.firm_name.help.en"]),
    ("widget-unknown", {F + "share__widget": "slider"}, ["layout.fields.share.widget"]),
    ("checkboxes-for-text", {F + "employee_name__widget": "checkboxes"}, ["layout.fields.employee_name.widget"]),
    ("checkbox-for-list", {F + "languages__widget": "checkbox"}, ["layout.fields.languages.widget"]),
    ("radio-for-boolean", {F + "has_spouse__widget": "radio"}, ["layout.fields.has_spouse.widget"]),
    ("number-for-text", {F + "employee_name__widget": "number"}, ["layout.fields.employee_name.widget"]),
    ("select-without-enum", {F + "employee_name__widget": "select"}, ["layout.fields.employee_name.widget"]),
    ("text-for-options", {F + "education__widget": "text"}, ["layout.fields.education.widget"]),
    ("textarea-one-line", {F + "employee_name__widget": "textarea"}, ["layout.fields.employee_name.widget"]),
    ("date-for-text", {F + "employee_name__widget": "date"}, ["layout.fields.employee_name.widget"]),
    ("choices-missing", {F + "education__choices": DELETE}, ["layout.fields.education.choices"]),
    ("choice-missing", {F + "education__choices__bachelor": DELETE}, ["layout.fields.education.choices.bachelor"]),
    ("choice-zh", {F + "languages__choices__en__zh": DELETE}, ["layout.fields.languages.choices.en.zh"]),
    ("choice-extra", {F + "education__choices__phd": t("博士后", "Postdoc")}, ["layout.fields.education.choices.phd"]),
    ("choices-no-enum", {F + "employee_name__choices": {}}, ["layout.fields.employee_name.choices"]),
    ("prefill-unknown", {F + "employee_name__prefill": "person.salary"}, ["layout.fields.employee_name.prefill"]),
    (
        "prefill-cert-short",
        {F + "work_permit_number__prefill": "certificate.work-permit"},
        ["layout.fields.work_permit_number.prefill"],
    ),
    ("prefill-list", {F + "employee_name__prefill": ["person.name"]}, ["layout.fields.employee_name.prefill"]),
    ("authoritative-alone", {F + "employee_name__authoritative": True}, ["layout.fields.employee_name.authoritative"]),
    ("authoritative-text", {F + "firm_name__authoritative": "yes"}, ["layout.fields.firm_name.authoritative"]),
    # persons concerned
    ("persons-object", {"layout__persons_concerned": {}}, ["layout.persons_concerned"]),
    ("person-text", {"layout__persons_concerned__0": "passport_number"}, ["layout.persons_concerned[0]"]),
    (
        "person-no-id",
        {"layout__persons_concerned__0__id_number_field": DELETE},
        ["layout.persons_concerned[0].id_number_field"],
    ),
    (
        "person-nationality",
        {"layout__persons_concerned__0__nationality_field": "country"},
        ["layout.persons_concerned[0].nationality_field"],
    ),
    (
        "person-name",
        {"layout__persons_concerned__0__name_field": "guest_name"},
        ["layout.persons_concerned[0].name_field"],
    ),
    ("person-id-type", {"layout__persons_concerned__0__id_type": "visa"}, ["layout.persons_concerned[0].id_type"]),
    (
        "person-unknown",
        {"layout__persons_concerned__0__birth_field": "start_on"},
        ["layout.persons_concerned[0].birth_field"],
    ),
]


@pytest.mark.parametrize(("changes", "expected"), [pytest.param(c, e, id=i) for i, c, e in REFUSALS])
def test_each_mistake_is_reported_at_its_place(changes: dict[str, Any], expected: list[str]) -> None:
    problems = definition_problems(*changed(**changes))
    assert [problem.where for problem in problems] == expected
    assert all(isinstance(problem.message, str) and problem.message.endswith(".") for problem in problems)


def test_a_schema_without_properties_is_refused_first() -> None:
    found = wheres(*changed(schema__properties={}))
    assert found[0] == "schema.properties" and "layout.fields.employee_name" in found


def test_property_names_must_be_safe_identifiers() -> None:
    for bad in ("Employee Name", "1st", "a-b", "x" * 65, "material_photo"):
        schema, layout = form()
        schema["properties"][bad] = {"type": "string"}
        layout["steps"][0]["fields"].append(bad)
        layout["fields"][bad] = {"label": t("名", "Name")}
        assert wheres(schema, layout) == [f"schema.properties.{bad}"], bad


def test_messages_name_the_field_or_step() -> None:
    [label] = definition_problems(*changed(**{F + "employee_name__label__en": ""}))
    assert "employee_name" in label.message and "English" in label.message
    [title] = definition_problems(*changed(**{S + "2__title__zh": ""}))
    assert "spouse" in title.message and "Chinese" in title.message
    [widget] = definition_problems(*changed(**{F + "has_spouse__widget": "select"}))
    assert "has_spouse" in widget.message and "checkbox" in widget.message


# --------------------------------------------------------------------------------------------
# Several problems at once, in a stable order


def test_every_problem_is_reported_at_once() -> None:
    changes = {
        P + "annual_salary__type": "money",
        "schema__required": ["firm_name", "nope"],
        S + "1__key": "employer",
        F + "employee_name__label__en": "",
        F + "education__choices__bachelor": DELETE,
        F + "employee_name__authoritative": True,
        "layout__persons_concerned__0__nationality_field": "country",
    }
    first = definition_problems(*changed(**changes))
    assert [problem.where for problem in first] == [
        "schema.properties.annual_salary.type",
        "schema.required[1]",
        "layout.steps[1].key",
        "layout.fields.employee_name.label.en",
        "layout.fields.employee_name.authoritative",
        "layout.fields.education.choices.bachelor",
        "layout.persons_concerned[0].nationality_field",
    ]
    assert definition_problems(*changed(**changes)) == first


# --------------------------------------------------------------------------------------------
# Junk never raises


@pytest.mark.parametrize(
    "junk",
    [
        None,
        [],
        "x",
        0,
        1.5,
        True,
        {},
        {"type": "object", "properties": []},
        {"type": "object", "properties": {"a": 1}},
        {"properties": {"a": {"type": "array", "items": 5}}},
        {"properties": {"a": {"type": "string", "format": []}}},
        {"properties": {"a": {"type": "string", "enum": [[1]]}}},
        {"required": [[1], {"a": 1}]},
    ],
)
def test_junk_schema_is_refused_without_raising(junk: Any) -> None:
    problems = definition_problems(junk, form()[1])
    assert problems and all(isinstance(problem, DefinitionProblem) for problem in problems)


@pytest.mark.parametrize(
    "junk",
    [
        None,
        [],
        "x",
        0,
        {},
        {"steps": "abc", "fields": []},
        {"steps": [None, 1, [], {"fields": [[1], {}]}]},
        {
            "steps": [
                {
                    "key": [],
                    "title": {"zh": 1, "en": None},
                    "fields": ["employee_name"],
                    "visible_if": {"field": ["x"], "in": {"a": 1}},
                }
            ]
        },
        {
            "fields": {
                "employee_name": {
                    "widget": [],
                    "choices": [],
                    "prefill": {},
                    "visible_if": [],
                    "authoritative": [],
                    "help": 3,
                    "label": [],
                }
            }
        },
        {"fields": {"education": {"choices": {"x": 1}}, "languages": {"visible_if": {"field": "languages"}}}},
        {"persons_concerned": [{"id_number_field": [], "id_type": {}, "nationality_field": None}, 3]},
    ],
)
def test_junk_layout_is_refused_without_raising(junk: Any) -> None:
    problems = definition_problems(form()[0], junk)
    assert problems and all(isinstance(problem, DefinitionProblem) for problem in problems)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["string", "object", "array", "enum", "field", "employee_name", "date", "radio", "zh", "en"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    return [path, *(p for key, child in children for p in _paths(child, (*path, key)))]


PATHS = _paths(list(form()))


def _replaced(path: tuple[Any, ...], junk: Any) -> list[Any]:
    """``[schema, layout]`` with the value at ``path`` replaced by ``junk``."""
    doc = copy.deepcopy(list(form()))
    if not path:
        return [junk, junk]
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = junk
    return cast(list[Any], doc)


@given(st.sampled_from(PATHS), JSON)
def test_a_valid_form_with_junk_anywhere_never_raises(path: tuple[Any, ...], junk: Any) -> None:
    schema, layout = _replaced(path, junk)
    for problem in definition_problems(schema, layout):
        assert isinstance(problem.where, str) and problem.where and isinstance(problem.message, str)


@given(JSON, JSON)
def test_random_json_never_raises(schema: Any, layout: Any) -> None:
    assert isinstance(definition_problems(schema, layout), list)


def test_check_is_a_pure_function() -> None:
    schema, layout = form()
    before = copy.deepcopy((schema, layout))
    definition_problems(schema, layout)
    assert (schema, layout) == before
