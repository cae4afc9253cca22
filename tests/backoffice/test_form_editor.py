"""The back office's form editor: an operator or the agency's administrator changes a draft
version's application form as JSON; every problem is named at once and nothing is saved until
there is none; published forms stay as they were; the change is audited; applicants of the
published version see the new form."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import AgencyFactory, PersonFactory, StaffRoleFactory
from tongban.audit.models import AuditEvent
from tongban.catalogue.models import ServiceVersion
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.forms.definition import definition_problems
from tongban.forms.models import Application, FormDefinition
from tongban.forms.services import form_definition_update, service_item_create_with_form
from tongban.identity.models import Account, Agency

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]
SYSTEM = Actor.system("test")


def _service(agency: Agency, code: str = "pet-registration") -> ServiceVersion:
    content = {
        "name_zh": "宠物登记",
        "name_en": "Pet registration",
        "summary_zh": "说明",
        "summary_en": "About",
        "for_individuals": True,
        "statutory_limit_workdays": 10,
        "promised_limit_workdays": 5,
    }
    return service_item_create_with_form(
        code=code, agency=agency, area="licences", content=content, starter="person", editor=SYSTEM, actor=SYSTEM
    )


def _with_pet_name(definition: FormDefinition) -> tuple[dict[str, Any], dict[str, Any]]:
    """The starter form plus a required "pet_name" field in a new step of its own."""
    schema, layout = copy.deepcopy(definition.schema), copy.deepcopy(definition.layout)
    schema["properties"]["pet_name"] = {"type": "string", "maxLength": 60}
    schema.setdefault("required", []).append("pet_name")
    layout["steps"].insert(0, {"key": "pet", "title": {"zh": "宠物", "en": "Your pet"}, "fields": ["pet_name"]})
    layout["fields"]["pet_name"] = {"label": {"zh": "宠物名字", "en": "Your dog's name"}}
    return schema, layout


def _url(code: str = "pet-registration") -> str:
    return f"/en/backoffice/catalogue/{code}/form/"


def test_operator_changes_the_draft_form_and_applicants_see_it_once_published(
    client: Client, login_staff: Login, login_person: Login, django_capture_on_commit_callbacks: Any
) -> None:
    version = _service(AgencyFactory())
    definition = FormDefinition.objects.get(version=version)
    operator = StaffRoleFactory(city_operator=True)
    login_staff(client, operator.account)
    assert (
        "/en/backoffice/catalogue/pet-registration/form/"
        in client.get("/en/backoffice/catalogue/pet-registration/").content.decode()
    )
    page = client.get(_url()).content.decode()
    assert "What applicants see" in page and 'name="schema"' in page and 'name="layout"' in page
    assert json.loads(client.get(_url()).context["form"]["schema"].initial) == definition.schema

    schema, layout = _with_pet_name(definition)
    response = client.post(_url(), {"schema": json.dumps(schema), "layout": json.dumps(layout, ensure_ascii=False)})
    assert response.status_code == 302 and response["Location"] == _url()
    definition.refresh_from_db()
    assert definition.schema == schema and definition.layout == layout
    event = AuditEvent.objects.get(action="forms.definition_updated")
    assert event.actor_id == operator.account_id and event.object_id == "pet-registration"
    assert event.data["version"] == 1 and "pet_name" in event.data["fields"] and event.data["steps"][0] == "pet"
    assert event.data["before"] and event.data["before"] != event.data["after"]
    preview = client.get(_url()).content.decode()
    assert "Your dog&#x27;s name" in preview and "宠物名字" in preview

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/en/backoffice/catalogue/pet-registration/publish/").status_code == 302
    applicant = PersonFactory()
    public = Client()
    login_person(public, applicant.account)
    started = public.post("/en/services/pet-registration/apply/")
    first_step = public.get(started["Location"], follow=True).content.decode()
    assert "Your dog&#x27;s name" in first_step and 'name="pet_name"' in first_step
    assert Application.objects.get(person=applicant).version_id == version.pk

    # Published: the form is shown, not editable, and a post changes nothing.
    page = client.get(_url()).content.decode()
    assert 'name="schema"' not in page and "start a new draft version" in page
    client.post(_url(), {"schema": "{}", "layout": "{}"})
    definition.refresh_from_db()
    assert definition.schema == schema


def test_every_problem_is_named_at_once_and_what_was_typed_is_kept(client: Client, login_staff: Login) -> None:
    version = _service(AgencyFactory())
    definition = FormDefinition.objects.get(version=version)
    before = (copy.deepcopy(definition.schema), copy.deepcopy(definition.layout))
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    schema, layout = _with_pet_name(definition)
    del layout["fields"]["pet_name"]["label"]["en"]  # no English label
    schema["properties"]["pet_name"]["type"] = "object"  # a type the engine cannot render
    typed_layout = json.dumps(layout, ensure_ascii=False)
    response = client.post(_url(), {"schema": json.dumps(schema), "layout": typed_layout})
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert 'id="id_schema_error"' in html and 'id="id_layout_error"' in html
    assert "pet_name" in html and "layout.fields.pet_name.label.en" in html
    assert json.loads(response.context["form"]["layout"].value()) == layout  # kept as typed
    definition.refresh_from_db()
    assert (definition.schema, definition.layout) == before
    assert not AuditEvent.objects.filter(action="forms.definition_updated").exists()

    # Text that is not JSON is named with where it breaks; the other document is still kept.
    response = client.post(_url(), {"schema": '{"type": "object",', "layout": typed_layout})
    html = response.content.decode()
    assert "This is not valid JSON" in html and "line 1" in html
    assert response.context["form"]["schema"].value() == '{"type": "object",'


def test_a_field_the_points_table_reads_cannot_go() -> None:
    version = _service(AgencyFactory())
    definition = FormDefinition.objects.get(version=version)
    definition.points_fields = {"education": "request_details"}
    definition.save()
    schema, layout = copy.deepcopy(definition.schema), copy.deepcopy(definition.layout)
    del schema["properties"]["request_details"]
    schema["required"] = [name for name in schema.get("required", []) if name != "request_details"]
    for step in layout["steps"]:
        step["fields"] = [name for name in step["fields"] if name != "request_details"]
    layout["steps"] = [step for step in layout["steps"] if step["fields"]]
    layout["fields"].pop("request_details", None)
    assert definition_problems(schema, layout) == []  # a usable form, but the points table needs the field
    with pytest.raises(ValidationError) as caught:
        form_definition_update(version=version, schema=schema, layout=layout, editor=SYSTEM, actor=SYSTEM)
    assert caught.value.message_dict == {
        "schema": ["The points table reads the field “request_details” (factor education); keep it in the form."]
    }


def test_who_may_change_a_form(client: Client, login_staff: Login) -> None:
    agency = AgencyFactory()
    version = _service(agency)
    definition = FormDefinition.objects.get(version=version)
    schema, layout = _with_pet_name(definition)
    own_admin = StaffRoleFactory(agency_admin=True, agency=agency)
    form_definition_update(version=version, schema=schema, layout=layout, editor=own_admin.account, actor=SYSTEM)
    for role in (StaffRoleFactory(agency_admin=True), StaffRoleFactory(agency=agency)):
        with pytest.raises(PermissionDeniedError):
            form_definition_update(version=version, schema=schema, layout=layout, editor=role.account, actor=SYSTEM)
        other = Client()
        login_staff(other, role.account)
        assert other.get(_url()).status_code == 403
        assert other.post(_url(), {"schema": "{}", "layout": "{}"}).status_code == 403
    published = ServiceVersion.objects.get(pk=version.pk)
    published.status = "published"
    published.save(update_fields=["status"])
    with pytest.raises(ConflictError):
        form_definition_update(version=version, schema=schema, layout=layout, editor=SYSTEM, actor=SYSTEM)


def test_chinese_editor_page(client: Client, login_staff: Login) -> None:
    _service(AgencyFactory())
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    html = client.get("/zh/backoffice/catalogue/pet-registration/form/").content.decode()
    assert '<html lang="zh-Hans">' in html and "申请表" in html and "Application form" not in html
