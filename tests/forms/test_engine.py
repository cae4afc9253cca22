"""The form engine: conditional sections, coercion, validation with an error per field."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from tests.services import LAYOUT, SCHEMA
from tongban.forms import engine
from tongban.forms.points_input import points_answers

TODAY = date(2026, 11, 27)


def test_hidden_section_fields_are_not_required() -> None:
    data = {
        "employer": "X",
        "employee_name": "A",
        "passport_number": "P1234567",
        "nationality": "FR",
        "annual_salary": 1,
        "has_family": "no",
    }
    names = engine.visible_fields(LAYOUT, data)
    assert "spouse_name" not in names
    assert engine.validate(SCHEMA, LAYOUT, data, names, today=TODAY) == {}
    data["has_family"] = "yes"
    names = engine.visible_fields(LAYOUT, data)
    assert "spouse_name" in names
    assert set(engine.validate(SCHEMA, LAYOUT, data, names, today=TODAY)) == {"spouse_name"}


def test_errors_name_the_field_in_the_active_language() -> None:
    data = {"passport_number": "bad passport!", "nationality": "France", "annual_salary": -5, "start_on": "2026-02-30"}
    names = ["employee_name", "passport_number", "nationality", "annual_salary", "start_on"]
    with translation.override("en"):
        errors = engine.validate(SCHEMA, LAYOUT, data, names, today=TODAY)
    assert errors == {
        "employee_name": "This field is required.",
        "passport_number": "The format is not right; see the hint.",
        "nationality": "The format is not right; see the hint.",
        "annual_salary": "Enter 0 or more.",
        "start_on": "Enter a real date, like 2026-11-27.",
    }
    with translation.override("zh-hans"):
        errors = engine.validate(SCHEMA, LAYOUT, data, names, today=TODAY)
    assert errors["employee_name"] != "This field is required."


def test_coercion_keeps_raw_text_on_error() -> None:
    values, errors = engine.clean_posted(
        SCHEMA, ["annual_salary", "employee_name"], {"annual_salary": "12万", "employee_name": " Li "}, {}
    )
    assert values == {"annual_salary": "12万", "employee_name": "Li"}
    assert "annual_salary" in errors
    values, errors = engine.clean_posted(SCHEMA, ["annual_salary"], {"annual_salary": "120,000"}, {})
    assert values == {"annual_salary": 120000} and errors == {}


def test_control_characters_are_refused() -> None:
    _values, errors = engine.clean_posted(SCHEMA, ["employee_name"], {"employee_name": "A\x00B"}, {})
    assert "employee_name" in errors


def test_locked_values_win_over_posted() -> None:
    values, _errors = engine.clean_posted(SCHEMA, ["employer"], {"employer": "Forged Ltd"}, {"employer": "莱茵精密"})
    assert values == {"employer": "莱茵精密"}


def test_field_views_show_labels_choices_and_sources() -> None:
    views = engine.field_views(
        SCHEMA,
        LAYOUT,
        ["employer", "education"],
        {"employer": "莱茵", "education": "master"},
        language="en",
        sources={"employer": "firm.name_zh"},
        locked=frozenset({"employer"}),
        source_labels={"firm": "From the firm"},
    )
    employer, education = views
    assert (employer.label, employer.readonly, employer.source) == ("Employer", True, "From the firm")
    assert education.widget == "radio"
    assert [(c.label, c.selected) for c in education.choices][:2] == [("Doctorate", False), ("Master", True)]
    assert education.display_value == "Master"


def test_points_answers_from_bands_and_ages() -> None:
    spec = {
        "salary": {"field": "annual_salary", "min_bands": [[450000, "s45"], [150000, "s15"], [0, "s0"]]},
        "age": {"field": "birth_date", "age_bands": [[18, 25, "a18"], [26, 45, "a26"]]},
        "education": "education",
    }
    data = {"annual_salary": 200000, "birth_date": "1990-06-01", "education": "master"}
    assert points_answers(spec, data, date(2026, 11, 27)) == {"salary": "s15", "age": "a26", "education": "master"}
    assert points_answers(spec, {"birth_date": "not a date"}, date(2026, 1, 1)) == {}


def test_dates_that_must_be_past_or_future() -> None:
    """``x-dates``: a birth date may not lie after today, a planned start not before it; today is
    fine for both, and the bound is the city's date the caller passes (not the clock)."""
    schema = {
        "type": "object",
        "properties": {
            "birth_date": {"type": "string", "format": "date", "x-dates": "past"},
            "start_on": {"type": "string", "format": "date", "x-dates": "future"},
        },
    }
    layout = {"steps": [{"key": "s", "fields": ["birth_date", "start_on"]}], "fields": {}}
    names = ["birth_date", "start_on"]
    ok = {"birth_date": "2026-11-27", "start_on": "2026-11-27"}
    assert engine.validate(schema, layout, ok, names, today=TODAY) == {}
    wrong = {"birth_date": "2030-01-01", "start_on": "2020-01-01"}
    with translation.override("en"):
        assert engine.validate(schema, layout, wrong, names, today=TODAY) == {
            "birth_date": "Enter a date that is not in the future.",
            "start_on": "Enter today's date or a later one.",
        }
    with translation.override("zh-hans"):
        errors = engine.validate(schema, layout, wrong, names, today=TODAY)
        assert errors["birth_date"] == "日期不能晚于今天。" and errors["start_on"] == "请填写今天或以后的日期。"
    # the day before, the same birth date lies in the future; the same start is still fine
    assert engine.validate(schema, layout, ok, names, today=date(2026, 11, 26)) == {
        "birth_date": "Enter a date that is not in the future."
    }
    not_a_date = {"birth_date": "2026-02-30", "start_on": ""}
    assert engine.validate(schema, layout, not_a_date, names, today=TODAY) == {
        "birth_date": "Enter a real date, like 2026-11-27."
    }
