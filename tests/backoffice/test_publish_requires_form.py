"""A service version without its form definition (made by an older release, or through the API)
is not published, by the back office or by any other caller of the one publishing service; and if
one was published anyway (by an older release), applying for it answers a clear page (409)
instead of failing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.factories import AgencyFactory, AgencyOfficeFactory, PersonFactory, StaffRoleFactory
from tests.services import PERSONAL_LAYOUT, PERSONAL_SCHEMA
from tongban.audit.models import AuditEvent
from tongban.catalogue import services as catalogue_services
from tongban.catalogue.models import ServiceItem, ServiceVersion
from tongban.catalogue.publication import service_version_publish_without_form_check
from tongban.catalogue.services import service_item_create
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.forms.models import Application, FormDefinition
from tongban.forms.services import application_start, service_version_publish_with_form
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]
ACTOR = Actor.system("tests")

PUBLISH_REFUSED = {
    "en": "This draft has no application form, so it is not published",
    "zh": "此草稿没有申请表，因此未予发布",
}
NOT_ONLINE = {
    "en": "This service cannot be applied for online yet",
    "zh": "本事项暂不能网上申请",
}


def _draft_without_form(code: str = "formless") -> ServiceVersion:
    """A first version as a draft, created the way the API or an older release did: no form."""
    agency = AgencyFactory()
    AgencyOfficeFactory(agency=agency)
    return service_item_create(
        code=code,
        agency=agency,
        area="social_security",
        materials=[],
        topic_codes=[],
        editor=ACTOR,
        actor=ACTOR,
        content={
            "name_zh": "无表单事项",
            "name_en": "Formless service",
            "summary_zh": "测试。",
            "summary_en": "Test.",
            "for_individuals": True,
            "statutory_limit_workdays": 10,
            "promised_limit_workdays": 5,
        },
    )


def _published_without_form() -> ServiceVersion:
    """A published version without its form, as an older release published it: through the
    catalogue's half of publishing, which only ``forms.services`` may call in the platform's code
    (import-linter); tests call it to make this state on purpose."""
    return service_version_publish_without_form_check(
        version=_draft_without_form(), editor=ACTOR, actor=ACTOR, now=timezone.now()
    )


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_back_office_does_not_publish_a_version_without_its_form(
    client: Client, login_staff: Login, language: str
) -> None:
    draft = _draft_without_form()
    login_staff(client, StaffRoleFactory(city_operator=True).account)

    response = client.post(f"/{language}/backoffice/catalogue/{draft.item.code}/publish/", follow=True)

    assert response.status_code == 200
    assert PUBLISH_REFUSED[language] in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.published_at is None and draft.search_text == ""
    assert ServiceItem.objects.get(pk=draft.item_id).published_version_id is None
    assert not AuditEvent.objects.filter(action="catalogue.version_published").exists()
    assert Client().get(f"/{language}/services/{draft.item.code}/").status_code == 404


def test_with_its_form_the_same_draft_is_published(client: Client, login_staff: Login) -> None:
    draft = _draft_without_form()
    FormDefinition.objects.create(version=draft, schema=PERSONAL_SCHEMA, layout=PERSONAL_LAYOUT)
    login_staff(client, StaffRoleFactory(city_operator=True).account)

    page = client.post(f"/en/backoffice/catalogue/{draft.item.code}/publish/", follow=True).content.decode()

    assert "Published." in page and PUBLISH_REFUSED["en"] not in page
    draft.refresh_from_db()
    assert draft.status == "published"


#: A form saved by code, not through the editor: a choice without its labels, a field shown on no
#: step, a step naming a field the schema does not have.
UNSOUND_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 100},
        "kind": {"type": "string", "enum": ["a", "b"]},
        "hidden": {"type": "string"},
    },
    "required": ["name"],
}
UNSOUND_LAYOUT = {
    "steps": [{"key": "you", "title": {"zh": "申请人", "en": "You"}, "fields": ["name", "kind", "ghost"]}],
    "fields": {"name": {"label": {"zh": "姓名", "en": "Name"}}, "kind": {"label": {"zh": "类别", "en": "Kind"}}},
}
FORM_PROBLEMS = {
    "en": "This draft&#x27;s application form has problems, so it is not published.",
    "zh": "此草稿的申请表有问题，因此未予发布。",
}


def _assert_unpublished(draft: ServiceVersion) -> None:
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.published_at is None and draft.search_text == ""
    assert ServiceItem.objects.get(pk=draft.item_id).published_version_id is None
    assert not AuditEvent.objects.filter(action="catalogue.version_published").exists()


def test_a_form_saved_by_code_is_checked_when_published_and_every_problem_is_named() -> None:
    draft = _draft_without_form("unsound")
    FormDefinition.objects.create(version=draft, schema=UNSOUND_SCHEMA, layout=UNSOUND_LAYOUT)

    with pytest.raises(ValidationError) as refused:
        service_version_publish_with_form(version=draft, editor=ACTOR, actor=ACTOR, now=timezone.now())

    assert {error.code for error in refused.value.error_list} == {"form_problems"}
    heading, *problems = refused.value.messages
    assert heading.startswith("This draft's application form has problems")
    where = {problem.split(":", 1)[0] for problem in problems}
    assert {"layout.fields.kind.choices", "layout.steps[0].fields[2]"} <= where  # labels; the unknown field
    assert any("hidden" in problem for problem in problems)  # on no step
    _assert_unpublished(draft)


def test_a_field_the_points_table_reads_must_be_in_the_form_to_publish() -> None:
    draft = _draft_without_form("pointsless")
    FormDefinition.objects.create(
        version=draft, schema=PERSONAL_SCHEMA, layout=PERSONAL_LAYOUT, points_fields={"salary": "annual_salary"}
    )
    with pytest.raises(ValidationError) as refused:
        service_version_publish_with_form(version=draft, editor=ACTOR, actor=ACTOR, now=timezone.now())
    assert any("annual_salary" in message for message in refused.value.messages)
    _assert_unpublished(draft)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_back_office_names_the_form_problems_and_publishes_nothing(
    client: Client, login_staff: Login, language: str
) -> None:
    draft = _draft_without_form("unsound")
    FormDefinition.objects.create(version=draft, schema=UNSOUND_SCHEMA, layout=UNSOUND_LAYOUT)
    login_staff(client, StaffRoleFactory(city_operator=True).account)

    page = client.post(f"/{language}/backoffice/catalogue/{draft.item.code}/publish/", follow=True).content.decode()

    assert FORM_PROBLEMS[language] in page and "layout.steps[0].fields[2]" in page
    assert "Published." not in page
    _assert_unpublished(draft)


def test_the_publishing_service_checks_the_editor_before_the_form() -> None:
    draft = _draft_without_form()
    with pytest.raises(ValidationError) as refused:
        service_version_publish_with_form(version=draft, editor=ACTOR, actor=ACTOR, now=timezone.now())
    assert refused.value.code == "no_form"
    officer = StaffRoleFactory()  # an officer of another agency: not allowed to publish at all
    with pytest.raises(PermissionDeniedError):
        service_version_publish_with_form(version=draft, editor=officer.account, actor=ACTOR, now=timezone.now())


def test_the_publishing_service_refuses_a_version_without_its_form_and_changes_nothing() -> None:
    draft = _draft_without_form()
    with pytest.raises(ValidationError) as refused:
        service_version_publish_with_form(version=draft, editor=ACTOR, actor=ACTOR, now=timezone.now())
    assert refused.value.code == "no_form"
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.published_at is None and draft.search_text == ""
    assert ServiceItem.objects.get(pk=draft.item_id).published_version_id is None
    assert not AuditEvent.objects.filter(action="catalogue.version_published").exists()


def test_the_catalogue_offers_no_publishing_service_of_its_own() -> None:
    """The catalogue cannot see forms: its old ``service_version_publish`` published a formless
    version for any caller. Publishing goes through ``forms.services`` only."""
    assert not hasattr(catalogue_services, "service_version_publish")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_applying_for_a_published_service_without_its_form_answers_a_clear_page(
    client: Client, login_person: Callable[[Client, Account], None], language: str
) -> None:
    version = _published_without_form()
    person = PersonFactory()
    login_person(client, person.account)

    response = client.post(f"/{language}/services/{version.item.code}/apply/", {"as": "self"})

    assert response.status_code == 409
    page = response.content.decode()
    assert NOT_ONLINE[language] in page and "/contact/" in page  # and where the service centres are
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action="forms.application_started").exists()


def test_the_service_refuses_with_a_stable_code() -> None:
    version = _published_without_form()
    with pytest.raises(ConflictError) as refused:
        application_start(person=PersonFactory(), version=version, firm=None, actor=ACTOR, now=timezone.now())
    assert refused.value.code == "no_online_form" and refused.value.status == 409


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_guide_of_a_service_without_its_form_offers_no_start_button(
    client: Client, login_person: Callable[[Client, Account], None], language: str
) -> None:
    version = _published_without_form()
    login_person(client, PersonFactory().account)
    page = client.get(f"/{language}/services/{version.item.code}/").content.decode()
    assert NOT_ONLINE[language] in page and f"/services/{version.item.code}/apply/" not in page
