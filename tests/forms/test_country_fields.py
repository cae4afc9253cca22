"""A form field marked ``x-country`` (ADR 0035): a select of names from core.countries in the
page's language, a value that must be in its list (a nationality is never CN, HK, MO or TW), and
the name, not the code, wherever the answer is shown (review, officer's page). Pure: no database."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import translation

from tongban.forms import engine
from tongban.forms.definition import definition_problems

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "nationality": {"type": "string", "maxLength": 2, "x-country": "nationality"},
        "investor_country": {"type": "string", "maxLength": 2, "x-country": "country_or_region"},
    },
    "required": ["nationality"],
}
LAYOUT: dict[str, Any] = {
    "steps": [{"key": "one", "title": {"zh": "一", "en": "One"}, "fields": ["nationality", "investor_country"]}],
    "fields": {
        "nationality": {"label": {"zh": "国籍", "en": "Nationality"}},
        "investor_country": {"label": {"zh": "国别（地区）", "en": "Country or region"}},
    },
}
NAMES = ["nationality", "investor_country"]


def views(data: dict[str, Any], language: str) -> dict[str, engine.FieldView]:
    found = engine.field_views(SCHEMA, LAYOUT, NAMES, data, language=language)
    return {view.name: view for view in found}


@pytest.mark.parametrize(
    ("language", "france", "hong_kong"), [("en", "France", "Hong Kong SAR, China"), ("zh", "法国", "中国香港")]
)
def test_a_country_field_is_a_select_of_names_and_shows_the_name(language: str, france: str, hong_kong: str) -> None:
    shown = views({"nationality": "FR", "investor_country": "HK"}, language)
    nationality, investor = shown["nationality"], shown["investor_country"]
    assert nationality.widget == "select" == investor.widget
    assert nationality.display_value == france and investor.display_value == hong_kong
    offered = {choice.value: choice.label for choice in nationality.choices}
    assert "HK" not in offered and "CN" not in offered and offered["FR"] == france
    assert {choice.value for choice in investor.choices} >= {"CN", "HK", "MO", "TW", "KY"}


def test_a_nationality_of_china_or_its_regions_is_refused_with_the_reason() -> None:
    for code in ("HK", "MO", "TW", "CN"):
        with translation.override("en"):
            errors = engine.validate(SCHEMA, LAYOUT, {"nationality": code}, NAMES, today=date(2026, 12, 7))
        assert "Chinese citizens" in errors["nationality"], code
    with translation.override("zh-hans"):
        errors = engine.validate(SCHEMA, LAYOUT, {"nationality": "HK"}, NAMES, today=date(2026, 12, 7))
    assert "中国公民" in errors["nationality"]
    # ... while the country-or-region field takes HK, and neither takes an unknown code.
    errors = engine.validate(
        SCHEMA, LAYOUT, {"nationality": "XX", "investor_country": "HK"}, NAMES, today=date(2026, 12, 7)
    )
    assert set(errors) == {"nationality"}
    assert engine.validate(SCHEMA, LAYOUT, {"nationality": "FR"}, NAMES, today=date(2026, 12, 7)) == {}


def test_a_posted_code_is_kept_in_capitals() -> None:
    values, errors = engine.clean_posted(SCHEMA, NAMES, {"nationality": "fr", "investor_country": " de "}, {})
    assert values == {"nationality": "FR", "investor_country": "DE"} and errors == {}


def test_the_definition_check_accepts_x_country_and_refuses_what_it_cannot_render() -> None:
    assert definition_problems(SCHEMA, LAYOUT) == []
    wrong = {**SCHEMA, "properties": {**SCHEMA["properties"], "nationality": {"type": "string", "x-country": "planet"}}}
    assert [p.where for p in definition_problems(wrong, LAYOUT)] == ["schema.properties.nationality.x-country"]
    radio = {
        **LAYOUT,
        "fields": {**LAYOUT["fields"], "nationality": {**LAYOUT["fields"]["nationality"], "widget": "radio"}},
    }
    assert [p.where for p in definition_problems(SCHEMA, radio)] == ["layout.fields.nationality.widget"]
