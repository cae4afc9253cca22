"""Autosave keeps only values within their caps and the character policy (ADR 0027): the
schema's maxLength, the platform's hard caps for fields without one, no bidi controls; a
submission re-checks every value; and a person has at most so many open drafts."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.world import World
from tongban.cases.services import SubmissionIncomplete, case_submit
from tongban.core.errors import ConflictError
from tongban.forms import engine
from tongban.forms.definition import definition_problems
from tongban.forms.models import Application
from tongban.forms.services import application_save_step, application_start

pytestmark = pytest.mark.django_db


def _draft(world: World) -> Application:
    return application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )


def test_a_value_over_its_max_length_is_refused_and_not_stored_the_rest_is_kept(world: World) -> None:
    application = _draft(world)
    huge = "路" * 2_000_000  # a 2 MB address typed (or scripted) into a 100-character field
    values, errors = application_save_step(
        application=application,
        step_key="employee",
        posted={"employee_name": huge, "nationality": "FR", "annual_salary": "480000"},
        person=world.hr,
        now=timezone.now(),
        complete=False,
    )
    assert "100" in errors["employee_name"]
    assert len(values["employee_name"]) == 100  # the redisplay is cut at the cap, not 2 MB
    application.refresh_from_db()
    assert "employee_name" not in application.data
    assert application.data["nationality"] == "FR" and application.data["annual_salary"] == 480000


def test_a_field_without_max_length_is_held_to_the_platform_cap(world: World) -> None:
    application = _draft(world)
    with override_settings(FORMS_LINE_MAX_CHARS=30):
        _values, errors = application_save_step(
            application=application,
            step_key="employee",
            posted={"passport_number": "A" * 31},
            person=world.hr,
            now=timezone.now(),
            complete=False,
        )
    assert "30" in errors["passport_number"]
    application.refresh_from_db()
    assert "passport_number" not in application.data


def test_the_hard_cap_wins_over_a_larger_max_length() -> None:
    with override_settings(FORMS_TEXT_MAX_CHARS=50):
        assert engine.max_chars({"type": "string", "maxLength": 2000, "x-multiline": True}) == 50
        with pytest.raises(engine.CoercionError):
            engine.coerce({"type": "string", "maxLength": 2000}, "x" * 51)
        assert engine.coerce({"type": "string", "maxLength": 2000}, "x" * 50) == "x" * 50
    assert engine.max_chars({"type": "string", "x-multiline": True}) > engine.max_chars({"type": "string"})


def test_a_list_field_is_held_to_its_item_cap() -> None:
    prop = {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}
    with override_settings(FORMS_LIST_MAX_ITEMS=3), pytest.raises(engine.CoercionError):
        engine.coerce(prop, ["a"] * 4)
    with pytest.raises(engine.CoercionError):
        engine.coerce(prop, ["a", "b" * 10_000])


def test_an_oversized_value_already_in_a_draft_is_an_error_on_submit() -> None:
    schema = {"type": "object", "properties": {"address": {"type": "string"}}}
    layout = {"steps": [{"key": "s", "fields": ["address"]}]}
    errors = engine.validate(
        schema, layout, {"address": "x" * 10_000}, ["address"], today=timezone.now().date(), require=False
    )
    assert "address" in errors


def test_a_person_has_at_most_so_many_open_drafts(world: World) -> None:
    with override_settings(FORMS_OPEN_DRAFTS_PER_PERSON=2):
        first = _draft(world)
        _draft(world)
        with pytest.raises(ConflictError) as refused:
            _draft(world)
        assert refused.value.code == "too_many_drafts" and "2" in str(refused.value.message)
        Application.objects.filter(pk=first.pk).update(status="abandoned")
        _draft(world)  # a discarded draft frees its place


def test_a_bidi_override_in_a_job_title_is_refused_and_not_stored(world: World) -> None:
    # U+202E would print "reganam" on the signed certificate's PDF: refused at the boundary.
    application = _draft(world)
    _values, errors = application_save_step(
        application=application,
        step_key="employee",
        posted={"employee_name": "MARTIN Lucas\u202e", "nationality": "FR"},
        person=world.hr,
        now=timezone.now(),
        complete=False,
    )
    assert "direction" in errors["employee_name"]
    application.refresh_from_db()
    assert "employee_name" not in application.data and application.data["nationality"] == "FR"


def test_a_bidi_control_already_in_a_draft_stops_the_submission(world: World) -> None:
    application = _draft(world)
    world.fill(application)
    Application.objects.filter(pk=application.pk).update(data={**application.data, "employer": "ACME\u2067 Ltd"})
    with pytest.raises(SubmissionIncomplete) as refused:
        case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())
    assert "employer" in refused.value.errors


def test_a_field_may_hold_only_a_chinese_or_a_latin_name() -> None:
    chinese = {"type": "string", "x-text": "chinese_name"}
    assert engine.coerce(chinese, " 阿依古丽·买买提 ") == "阿依古丽·买买提"
    with pytest.raises(engine.CoercionError):
        engine.coerce(chinese, "Wang Fang")
    latin = {"type": "string", "x-text": "latin_name"}
    assert engine.coerce(latin, "O'Neil-Martin Jr.") == "O'Neil-Martin Jr."
    with pytest.raises(engine.CoercionError):
        engine.coerce(latin, "王芳")
    with pytest.raises(engine.CoercionError):
        engine.coerce({"type": "string"}, "private \ue000 use")
    problems = definition_problems(
        {"type": "object", "properties": {"name": {"type": "string", "x-text": "klingon"}}},
        {"steps": [{"key": "s", "title": {"zh": "步", "en": "Step"}, "fields": ["name"]}], "fields": {}},
    )
    assert any(problem.where == "schema.properties.name.x-text" for problem in problems)
