"""Form errors reach assistive technology once each: real pages rendered with errors, parsed, and
checked for what axe and a screen reader depend on (WCAG 1.3.1, 3.3.1, 4.1.1, 4.1.2).

On every page: no id is used twice; every ``aria-describedby`` lists each id once and only ids that
exist; every error message is inside the description of the controls of its field, and those
controls are ``aria-invalid``; every link of the error summary lands on an element of the form."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from tests.factories import AccountFactory, AgencyFactory, FirmFactory, StaffRoleFactory
from tests.services import make_service
from tests.world import World
from tongban.exchange.models import DataResource, Grant, GrantStatus
from tongban.forms.engine import Choice, FieldView
from tongban.forms.models import Application
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def walk(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            yield from child.walk()

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def contains(self, other: Element) -> bool:
        return other is self or self in other.ancestors()

    def __repr__(self) -> str:
        shown = " ".join(f'{key}="{value}"' for key, value in self.attrs.items() if key in ("id", "name", "class"))
        return f"<{self.tag} {shown}>"


class _TreeBuilder(HTMLParser):
    """Enough of a DOM for these checks (the templates close what they open)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {key: value or "" for key, value in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def _by_id(page: Element) -> dict[str, Element]:
    return {element.attrs["id"]: element for element in page.walk() if "id" in element.attrs}


def _descriptions(control: Element, by_id: dict[str, Element]) -> list[Element]:
    """What describes ``control``: its own ``aria-describedby`` and that of the fieldsets around it."""
    owners = [control, *(node for node in control.ancestors() if node.tag == "fieldset")]
    return [by_id[name] for owner in owners for name in owner.attrs.get("aria-describedby", "").split()]


def assert_errors_accessible(response: HttpResponseBase, *, expect_errors: int = 1) -> Element:
    """The checks in the module docstring; returns the parsed page for further assertions."""
    page = parse(response.content.decode())
    elements = list(page.walk())
    ids = Counter(element.attrs["id"] for element in elements if "id" in element.attrs)
    assert not [name for name, count in ids.items() if count > 1], f"duplicate ids: {ids.most_common(3)}"
    by_id = _by_id(page)

    for element in elements:
        if "aria-describedby" not in element.attrs:
            continue
        listed = element.attrs["aria-describedby"].split()
        assert listed, f"{element!r}: empty aria-describedby"
        assert len(listed) == len(set(listed)), f"{element!r}: {listed} names an id twice"
        missing = [name for name in listed if name not in by_id]
        assert not missing, f"{element!r}: aria-describedby names {missing}, not in the page"

    messages = [element for element in elements if "error-message" in element.classes]
    assert len(messages) >= expect_errors, f"expected at least {expect_errors} error messages, found {len(messages)}"
    for message in messages:
        box = next(node for node in message.ancestors() if "field" in node.classes)
        controls = [node for node in box.walk() if node.tag in CONTROLS and node.attrs.get("type") != "hidden"]
        assert controls, f"{message!r}: no control in its field"
        for control in controls:
            assert control.attrs.get("aria-invalid") == "true", f"{control!r} is not aria-invalid"
            assert any(description.contains(message) for description in _descriptions(control, by_id)), (
                f"{control!r} is not described by its error message"
            )

    summary = next((element for element in elements if "error-summary" in element.classes), None)
    assert summary is not None, "no error summary"
    for link in (node for node in summary.walk() if node.tag == "a"):
        target = link.attrs["href"].removeprefix("#")
        assert target in by_id, f"the error summary links to #{target}, not in the page"
        landing = by_id[target]
        assert landing.tag in CONTROLS or any(node.tag in CONTROLS for node in landing.walk()), (
            f"the error summary links to {landing!r}, which is no field"
        )
    return page


def control(page: Element, control_id: str) -> Element:
    return _by_id(page)[control_id]


def messages_of(page: Element, control_id: str) -> list[Element]:
    """The error messages that describe the control with ``control_id``."""
    by_id = _by_id(page)
    descriptions = _descriptions(by_id[control_id], by_id)
    return [node for description in descriptions for node in description.walk() if "error-message" in node.classes]


# --- The public site ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_registration_posted_empty(client: Client, language: str) -> None:
    response = client.post(f"/{language}/register/", {"username": ""})  # a browser always posts something
    assert response.status_code == 200
    page = assert_errors_accessible(response, expect_errors=5)
    # A field with a hint and an error is described by both, once each, hint first.
    assert control(page, "id_id_number").attrs["aria-describedby"] == "id_id_number_helptext id_id_number_error"
    # The radio group: its fieldset carries the description, each radio is aria-invalid.
    assert len(messages_of(page, "id_id_type_0")) == 1


def test_login_posted_empty(client: Client) -> None:
    assert_errors_accessible(client.post("/en/login/", {"username": ""}), expect_errors=2)


def test_firm_staff_posted_empty(client: Client, login_person: Login) -> None:
    firm = FirmFactory()
    login_person(client, firm.legal_representative.account)
    response = client.post(f"/en/my/firms/{firm.uscc}/staff/", {"id_number": ""})
    assert response.status_code == 200
    page = assert_errors_accessible(response, expect_errors=3)
    assert len(messages_of(page, "id_area_0")) == 1


def test_firm_consents_posted_empty(client: Client, login_person: Login) -> None:
    owner, consumer = AgencyFactory(), AgencyFactory()
    make_service(code="subsidy-application", agency=consumer, for_firms=True)
    resource = DataResource.objects.create(
        code="tax.clearance",
        owner=owner,
        name_zh="纳税情况",
        name_en="Tax compliance",
        classification="restricted",
        subject_kind="firm",
        provider="internal.tax",
        fields=[{"name": "clearance", "label": {"zh": "欠税", "en": "Owed"}}],
    )
    moment = timezone.now()
    Grant.objects.create(
        consumer=consumer,
        resource=resource,
        purpose="subsidy-application",
        fields=["clearance"],
        status=GrantStatus.APPROVED,
        requested_by=AccountFactory(),
        requested_at=moment,
        decided_at=moment,
        expires_at=moment + timedelta(days=365),
    )
    firm = FirmFactory()
    login_person(client, firm.legal_representative.account)
    response = client.post(f"/en/my/firms/{firm.uscc}/consents/", {"expires_on": ""})
    assert response.status_code == 200
    page = assert_errors_accessible(response, expect_errors=2)
    assert len(messages_of(page, "id_grant_0")) == 1


# --- An application step (the form engine, not a Django form) ----------------------------------


def test_application_steps_with_missing_answers(client: Client, world: World, login_person: Login) -> None:
    login_person(client, world.hr.account)
    response = client.post(f"/en/services/{world.version.item.code}/apply/", {"as": world.firm.uscc})
    assert response.status_code == 302
    application = Application.objects.filter(person=world.hr, status="draft").latest("id")
    base = f"/en/applications/{application.public_id}"

    response = client.post(
        f"{base}/employee/", {"employee_name": "MARTIN Lucas", "education": "nonsense", "intent": "next"}
    )
    assert response.status_code == 400
    page = assert_errors_accessible(response, expect_errors=4)
    assert len(messages_of(page, "f-passport_number")) == 1
    assert len(messages_of(page, "f-education-1")) == 1  # a radio group
    assert 'href="#f-education-1"' in response.content.decode()  # the summary lands on its first option

    response = client.post(f"{base}/family/", {"intent": "next"})
    assert response.status_code == 400
    assert_errors_accessible(response)

    not_a_pdf = SimpleUploadedFile("passport.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(f"{base}/materials/", {"material_passport": not_a_pdf, "intent": "next"})
    assert response.status_code == 400
    assert_errors_accessible(response)


@pytest.mark.parametrize("widget", ["text", "number", "date", "select", "textarea", "radio", "checkboxes", "checkbox"])
@pytest.mark.parametrize("help_text", ["", "As on the passport."])
@pytest.mark.parametrize("error", ["", "Enter the name."])
@pytest.mark.parametrize("source", ["", "Population registry"])
def test_every_form_engine_widget_describes_what_it_shows(widget: str, help_text: str, error: str, source: str) -> None:
    choices = [Choice("a", "A", False), Choice("b", "B", False)] if widget in ("select", "radio", "checkboxes") else []
    view = FieldView(
        name="x",
        label="X",
        help=help_text,
        widget=widget,
        value=None,
        required=True,
        readonly=False,
        error=error,
        source=source,
        choices=choices,
    )
    page = parse(render_to_string("portal/_dyn_field.html", {"field": view}))
    by_id = _by_id(page)
    controls = [element for element in page.walk() if element.tag in CONTROLS]
    assert controls
    for element in page.walk():
        if "aria-describedby" in element.attrs:
            listed = element.attrs["aria-describedby"].split()
            assert listed and len(listed) == len(set(listed)) and all(name in by_id for name in listed), element
    order = ["f-x-hint", "f-x-error", "f-x-source"]
    for each in controls:
        described = [description.attrs["id"] for description in _descriptions(each, by_id)]
        assert ("f-x-error" in described) == bool(error)
        assert ("f-x-hint" in described) == bool(help_text and widget != "checkbox")  # a lone checkbox shows no hint
        assert each.attrs.get("aria-invalid") == ("true" if error else None)
        assert described == sorted(described, key=order.index)  # hint, error, source: the reading order


# --- The back office ----------------------------------------------------------------------------


def test_agency_with_two_errors_on_one_field(client: Client, login_staff: Login) -> None:
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    # Too long and with a control character: two messages for one field.
    response = client.post("/en/backoffice/structure/agencies/new/", {"code": "", "name_zh": "局\x07" * 200})
    assert response.status_code == 200
    page = assert_errors_accessible(response, expect_errors=3)
    assert len(messages_of(page, "id_name_zh")) == 2
    assert control(page, "id_code").attrs["aria-describedby"] == "id_code_helptext id_code_error"


def test_office_posted_empty(client: Client, login_staff: Login) -> None:
    role = StaffRoleFactory(city_operator=True)
    login_staff(client, role.account)
    agency = AgencyFactory()
    response = client.post(f"/en/backoffice/structure/agencies/{agency.code}/offices/new/", {"name_zh": ""})
    assert response.status_code == 200
    page = assert_errors_accessible(response, expect_errors=1)
    assert len(messages_of(page, "id_level_0")) == 1


def test_new_service_posted_empty(client: Client, login_staff: Login) -> None:
    AgencyFactory()
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    response = client.post("/en/backoffice/catalogue/new/", {"code": ""})
    assert response.status_code == 200
    page = assert_errors_accessible(response, expect_errors=5)
    assert len(messages_of(page, "id_audiences_0")) == 1


def test_grant_request_posted_empty(client: Client, login_staff: Login) -> None:
    owner, consumer = StaffRoleFactory(agency_admin=True), StaffRoleFactory(agency_admin=True)
    make_service(code="test-permit", agency=consumer.agency)
    DataResource.objects.create(
        code="population.test",
        owner=owner.agency,
        name_zh="人口测试信息",
        name_en="Population test record",
        classification="shared",
        subject_kind="person",
        provider="internal.population",
        fields=[{"name": "name", "label": {"zh": "姓名", "en": "Name"}}],
    )
    login_staff(client, consumer.account)
    response = client.post("/en/backoffice/exchange/grants/new/?resource=population.test", {"purpose": ""})
    assert response.status_code == 200
    page = assert_errors_accessible(response, expect_errors=3)
    assert len(messages_of(page, "id_fields_0")) == 1
