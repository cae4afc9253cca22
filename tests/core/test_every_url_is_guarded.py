"""Every URL the platform serves is either on the short list of public pages, or refuses whoever
may not use it — found by walking the URL configuration, so a view added later without its guard
fails here, whatever its path.

* Nobody signed in: every private page, GET or POST, sends the visitor to log in (never a 200, a
  404 that would hide a missing check behind a made-up key, or an error).
* A resident signed in (no staff role): every back-office page, GET or POST, refuses them.
* A resident signed in, asking for someone else's things by their real keys (a case and its file,
  a draft, a message, a firm's pages, a power, a certificate, consents): every portal page with a
  key answers 403 or 404, GET or POST; its owner, asked after, is answered, so the key was real.

In the first two, object keys are made up: a guarded view refuses before it looks anything up.
The finer per-object checks (another firm's staff without the power, another agency's officer)
are in each app's permission tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.certificates.test_issuing import approve, with_certificate
from tests.factories import PersonFactory, ServiceCentreFactory, StaffRoleFactory
from tests.services import certificate_resource
from tests.world import World
from tongban.catalogue.models import PointsTable
from tongban.catalogue.services import service_version_draft
from tongban.certificates.models import Certificate
from tongban.core.i18n import ShortLocalePrefixPattern
from tongban.core.models import CalendarDay
from tongban.core.requests import key_before, page_number, posted_lock_version
from tongban.exchange.models import Consent, DataResource
from tongban.forms.models import Upload
from tongban.forms.services import application_start
from tongban.identity.models import Account, Person, StaffRole
from tongban.notifications.models import Message

pytestmark = pytest.mark.django_db

#: Names (``namespace:name``) of the pages anyone may open without signing in, and why.
PUBLIC = {
    # operational and machine-readable documents
    "healthz", "sitemap", "jwks", "certificate_jws", "certificate_status", "certificate_shared",
    "certificate_verify", "certificate_context",
    # the JSON API's root, its status and its OpenAPI document (an operation that needs a caller
    # would appear here by name and fail below until it refuses one)
    "api-v1:api-root", "api-v1:status", "api-v1:openapi-json", "api-v1:openapi-view",
    # the public portal: information, the catalogue and its guides, certificate verification
    "portal:home", "portal:individuals", "portal:firms", "portal:international", "portal:search",
    "portal:contact", "portal:faq", "portal:privacy", "portal:accessibility", "portal:agencies",
    "portal:services", "portal:service", "portal:verify_token", "portal:verify",
    # signing in, registering, and the password reset e-mailed to someone signed out
    "portal:login", "portal:login_verify", "portal:totp_enrol", "portal:logout", "portal:register",
    "portal:password_reset", "portal:password_reset_done", "portal:password_reset_confirm",
    "portal:password_reset_complete",
}  # fmt: skip
#: Served outside the URL names above and public by nature.
PUBLIC_PATHS = {"robots.txt"}

_SAMPLES = {
    "int": "987654",
    "slug": "made-up-key",
    "str": "MADEUP-0001",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "path": "made/up",
}


def _concrete(route: str) -> str:
    """A path for a route, with a made-up value for each of its parameters."""
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES[m.group(1) or "str"], route)


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            part = "en/" if isinstance(entry.pattern, ShortLocalePrefixPattern) else str(entry.pattern)
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + part, inner)
        else:
            yield f"{namespace}{entry.name}" if entry.name else "", prefix + str(entry.pattern)


def _routes() -> list[tuple[str, str]]:
    return [
        (name, "/" + _concrete(route.lstrip("^").rstrip("$"))) for name, route in _walk(get_resolver().url_patterns)
    ]


ROUTES = _routes()
PRIVATE = [(name, path) for name, path in ROUTES if name not in PUBLIC and path.lstrip("/") not in PUBLIC_PATHS]
BACKOFFICE = [(name, path) for name, path in PRIVATE if name.startswith("backoffice:")]


def test_the_walk_finds_the_platform_s_pages() -> None:
    names = {name for name, _path in ROUTES}
    assert {"portal:my_case", "portal:application_submit", "backoffice:case_act", "backoffice:service_form"} <= names
    assert len(PRIVATE) > 60 and len(BACKOFFICE) > 35
    assert all(name for name, _path in PRIVATE), "every private page has a name, so it can be listed here"
    assert names >= PUBLIC, "a public name that no longer exists should leave the list"


def _sent_to_log_in(response: object) -> bool:
    """A redirect to the sign-in page (which keeps where the visitor was going)."""
    location = getattr(response, "headers", {}).get("Location", "")
    return getattr(response, "status_code", 0) == 302 and "/login/" in urlsplit(location).path


@pytest.mark.parametrize(("name", "path"), PRIVATE, ids=[name for name, _path in PRIVATE])
def test_a_private_page_sends_a_visitor_to_log_in(client: Client, name: str, path: str) -> None:
    answers = {method: getattr(client, method)(path) for method in ("get", "post")}
    if name.startswith("api-"):  # the JSON API answers a missing caller with 401, not a login page
        assert {response.status_code for response in answers.values()} <= {401, 405}, path
        assert any(response.status_code == 401 for response in answers.values()), f"{path} answers only 405"
        return
    for method, response in answers.items():
        assert response.status_code in (302, 405), f"{method.upper()} {path}: {response.status_code}"
        if response.status_code == 302:
            assert _sent_to_log_in(response), f"{method.upper()} {path} → {response['Location']}"
    assert any(_sent_to_log_in(response) for response in answers.values()), f"{path} answers only 405"


@pytest.mark.parametrize(("name", "path"), BACKOFFICE, ids=[name for name, _path in BACKOFFICE])
def test_a_back_office_page_refuses_a_resident(
    client: Client, login_person: Callable[[Client, Account], None], name: str, path: str
) -> None:
    login_person(client, PersonFactory().account)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        refused = response.status_code in (403, 405) or _sent_to_log_in(response)
        assert refused, f"{method.upper()} {path}: {response.status_code}"


# --- A signed-in stranger, with real keys ----------------------------------------------------------

#: Private portal pages about one object: what a stranger asking for a real one must not get.
#: (Pages without a key show the signed-in person their own things; "apply" is keyed by a public
#: service, which anyone may apply for.)
KEYED = [
    (name, route)
    for name, route in _walk(get_resolver().url_patterns)
    if name.startswith("portal:") and "<" in route and name not in PUBLIC and name != "portal:apply"
]


@pytest.fixture
def keys(world: World) -> dict[str, str]:
    """A real object of someone else's for each kind of key in the portal's paths: the HR
    manager's case and its file, a draft, a message, the firm and her power, the engineer's
    certificate, a person's and the firm's consent."""
    with_certificate(world)
    case = approve(world, world.submitted_case())
    certificate = Certificate.objects.get(case_number=case.number)
    draft = application_start(
        person=world.hr, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now()
    )
    grant = certificate_resource(
        type_code="test-permit", owner=world.version.item.agency, consumer=world.version.item.agency, purpose="keys"
    )
    later = timezone.now() + timedelta(days=30)
    consent = Consent.objects.create(
        person=world.engineer, consumer=grant.consumer, resource=grant.resource, purpose="keys",
        given_at=timezone.now(), expires_at=later,
    )  # fmt: skip
    firm_resource = DataResource.objects.create(
        code="firm.keys", owner=grant.consumer, name_zh="企业", name_en="Firm", classification="restricted",
        subject_kind="firm", provider="internal.certificates", fields=[],
    )  # fmt: skip
    firm_consent = Consent.objects.create(
        firm=world.firm, consumer=grant.consumer, resource=firm_resource, purpose="keys",
        given_at=timezone.now(), expires_at=later,
    )  # fmt: skip
    return {
        "case": case.number,
        "upload_id": str(Upload.objects.filter(application_id=case.application_id).values_list("pk", flat=True)[0]),
        "public_id": str(draft.public_id),
        "step": "employer",
        "message_id": str(Message.objects.filter(recipient=world.hr.account).values_list("pk", flat=True)[0]),
        "uscc": world.firm.uscc,
        "area": world.power.area,
        "power_id": str(world.power.pk),
        "certificate": certificate.number,
        "consent_id": str(consent.pk),
        "firm_consent": str(firm_consent.pk),
    }


def _with_keys(name: str, route: str, keys: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        param = match.group(2)
        if param == "number":
            return keys["certificate" if "certificate" in name else "case"]
        if param == "consent_id" and name == "portal:firm_consent_withdraw":
            return keys["firm_consent"]
        return keys[param]

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def test_the_keyed_walk_covers_the_object_pages() -> None:
    names = {name for name, _route in KEYED}
    assert {"portal:my_case", "portal:case_file", "portal:application_step", "portal:message", "portal:certificate_pdf",
            "portal:firm_cases", "portal:power_revoke", "portal:consent_withdraw", "portal:firm_consent_withdraw"} <= names  # fmt: skip


def _owner(name: str, world: World) -> Person:
    """Who the object behind the page's key belongs to (who may open it)."""
    if name == "portal:firm_certificates":
        return world.hr  # the firm's certificates, for staff with the power they concern
    if "certificate" in name or name == "portal:consent_withdraw":
        return world.engineer  # the holder; the consent is his
    if name.startswith(("portal:firm_consent", "portal:firm_data_use", "portal:firm_verify")) or name in (
        "portal:power_revoke", "portal:firm_staff",
    ):  # fmt: skip
        return world.firm.legal_representative  # the firm's data, staff and powers
    return world.hr  # her case, its file, her draft, her message, the firm's cases in her area


def _refused_then_answered(stranger: Client, owner: Client, path: str) -> None:
    """The stranger gets 403/404 (or 405 for the other method) on GET and POST; then the owner is
    answered, which shows the key was real (asked after, as a POST may act on it)."""
    for method in ("get", "post"):
        response = getattr(stranger, method)(path)
        assert response.status_code in (403, 404, 405), f"{method.upper()} {path}: {response.status_code}"
    answer = owner.get(path)
    if answer.status_code == 405:
        answer = owner.post(path)
    assert answer.status_code not in (403, 404), f"the owner was refused {path}: {answer.status_code}"


@pytest.mark.parametrize(("name", "route"), KEYED, ids=[name for name, _route in KEYED])
def test_a_stranger_gets_nothing_of_someone_else_s(
    client: Client, login_person: Callable[[Client, Account], None], world: World, keys: dict[str, str],
    name: str, route: str,
) -> None:  # fmt: skip
    login_person(client, PersonFactory().account)
    owner = Client()
    login_person(owner, _owner(name, world).account)
    path = _with_keys(name, route, keys)
    _refused_then_answered(client, owner, path)
    _junk_everywhere(owner, path)  # and what the owner may send, mangled, breaks nothing


@pytest.mark.parametrize(("name", "route"), KEYED, ids=[name for name, _route in KEYED])
def test_a_made_up_key_in_the_portal_is_not_found_never_an_error(
    client: Client, login_person: Callable[[Client, Account], None], name: str, route: str
) -> None:
    login_person(client, PersonFactory().account)
    path = "/" + _concrete(route)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code in (404, 405), f"{method.upper()} {path}: {response.status_code}"


# --- The back office: another agency's staff, with real keys -------------------------------------

#: Back-office pages about one object (a case, a certificate, a service, an agency and its staff,
#: an office, a centre, a points table, a calendar day, a data grant).
BACKOFFICE_KEYED = [
    (name, route)
    for name, route in _walk(get_resolver().url_patterns)
    if name.startswith("backoffice:") and "<" in route
]


@pytest.fixture
def office_keys(world: World) -> dict[str, str]:
    """A real object of agency A's (the world's) for each kind of key in the back office's paths;
    the service has a draft, so the draft's pages exist."""
    case = approve(world, (with_certificate(world), world.submitted_case())[1])
    agency = world.version.item.agency
    service_version_draft(item=world.version.item, editor=None, actor=world.actor)
    grant = certificate_resource(type_code="test-permit", owner=agency, consumer=agency, purpose="keys")
    CalendarDay.objects.create(day=date(2027, 10, 1), kind="holiday", name_zh="国庆节", name_en="National Day")
    return {
        "case": case.number,
        "upload_id": str(Upload.objects.filter(application_id=case.application_id).values_list("pk", flat=True)[0]),
        "certificate": Certificate.objects.get(case_number=case.number).number,
        "agency": agency.code,
        "service": world.version.item.code,
        "material_code": "passport",
        "points": PointsTable.objects.create(code="keys-points", name_zh="积分表", name_en="Points").code,
        "role_id": str(world.officer.pk),
        "account_id": str(world.officer.account_id),
        "office_id": str(world.officer.office_id),
        "centre": ServiceCentreFactory.create().code,
        "day": "2027-10-01",
        "year": "2027",
        "grant_id": str(grant.pk),
    }


def _office_path(name: str, route: str, keys: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        param = match.group(2)
        if param == "number":
            return keys["certificate" if "certificate" in name else "case"]
        if param == "code":
            if "points" in name:
                return keys["points"]
            if "centre" in name:
                return keys["centre"]
            return keys["service" if name.startswith(("backoffice:service", "backoffice:material")) else "agency"]
        return keys[param]

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def _office_owner(name: str, world: World) -> StaffRole:
    """Who at agency A (or the city) may use the page: officers and supervisors work cases and
    certificates, the agency's administrator runs the agency, its services and its data grants,
    city operators run the structure, the calendar and the points tables."""
    if name.startswith(("backoffice:structure", "backoffice:calendar", "backoffice:points")):
        return StaffRoleFactory.create(city_operator=True)
    if name.startswith(("backoffice:case", "backoffice:certificate")):
        return world.supervisor
    return StaffRoleFactory.create(agency_admin=True, agency=world.version.item.agency)


def test_the_back_office_walk_covers_the_object_pages() -> None:
    names = {name for name, _route in BACKOFFICE_KEYED}
    assert {"backoffice:case", "backoffice:case_act", "backoffice:case_file", "backoffice:certificate_revoke",
            "backoffice:service_form", "backoffice:agency", "backoffice:totp_reset",
            "backoffice:exchange_grant_decide", "backoffice:calendar_remove"} <= names  # fmt: skip


@pytest.mark.parametrize(("name", "route"), BACKOFFICE_KEYED, ids=[name for name, _route in BACKOFFICE_KEYED])
def test_another_agency_s_administrator_gets_nothing_of_agency_a_s(
    client: Client, login_staff: Callable[[Client, Account], None], world: World, office_keys: dict[str, str],
    name: str, route: str,
) -> None:  # fmt: skip
    login_staff(client, StaffRoleFactory(agency_admin=True).account)  # the administrator of agency B
    owner = Client()
    login_staff(owner, _office_owner(name, world).account)
    path = _office_path(name, route, office_keys)
    _refused_then_answered(client, owner, path)
    _junk_everywhere(owner, path)  # and what agency A's staff may send, mangled, breaks nothing


@pytest.mark.parametrize(("name", "route"), BACKOFFICE_KEYED, ids=[name for name, _route in BACKOFFICE_KEYED])
def test_a_made_up_key_is_not_found_never_an_error(
    client: Client, login_staff: Callable[[Client, Account], None], name: str, route: str
) -> None:
    """A city operator may open the most; with a key that names nothing (or is not even a date),
    every page answers 404 (or 405 for the other method), never an error page."""
    path = "/" + _concrete(route)
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code in (404, 405), f"{method.upper()} {path}: {response.status_code}"


# --- Junk in the query string ---------------------------------------------------------------------

#: Every query parameter a view reads, each given the same junk at once.
QUERY_PARAMETERS = ("q", "page", "next", "before", "year", "topic", "status", "number", "mine", "days", "audience",
                    "agency", "action")  # fmt: skip
JUNK = ("", "-1", "99999999999999999999999", "abc", "\x00", "'\"<script>x</script>", "2026-13-45", "x" * 3000,
        "１２", "%", "../../etc/passwd")  # fmt: skip
UNKEYED = [(name, "/" + route) for name, route in _walk(get_resolver().url_patterns) if "<" not in route and name]


@pytest.mark.parametrize(("name", "path"), UNKEYED, ids=[name for name, _path in UNKEYED])
def test_junk_in_the_query_string_never_breaks_a_page(
    client: Client, login_person: Callable[[Client, Account], None], login_staff: Callable[[Client, Account], None],
    name: str, path: str,
) -> None:  # fmt: skip
    """Each page, opened by who may open it (a visitor, a resident, a city operator), with junk in
    every parameter any view reads: an answer (a page, a redirect, a refusal), never an error."""
    if name.startswith("backoffice:"):
        login_staff(client, StaffRoleFactory.create(city_operator=True).account)
    elif name not in PUBLIC:
        login_person(client, PersonFactory().account)
    for junk in JUNK:
        response = client.get(path, dict.fromkeys(QUERY_PARAMETERS, junk))
        assert response.status_code < 500, f"GET {path} with {junk[:20]!r}: {response.status_code}"


#: Every posted field a view reads itself (forms check their own fields).
POSTED_FIELDS = ("lock_version", "assignee", "reason", "materials", "subject", "resource", "office", "next",
                 "legal_basis", "jws", "items", "intent", "grant", "decision", "days", "confirm", "as", "action")  # fmt: skip
POSTED_JUNK = ("", "-1", "99999999999999999999999", "abc", "\x00", "１２")


def _junk_everywhere(client: Client, path: str) -> None:
    for junk in POSTED_JUNK:
        for method, data in (
            ("get", dict.fromkeys(QUERY_PARAMETERS, junk)),
            ("post", dict.fromkeys(POSTED_FIELDS, junk)),
        ):
            response = getattr(client, method)(path, data)
            assert response.status_code < 500, f"{method.upper()} {path} with {junk!r}: {response.status_code}"


@pytest.mark.parametrize(
    ("raw", "page", "before", "lock"),
    [
        ("", 1, None, -1), ("0", 1, None, 0), ("3", 3, 3, 3), ("-1", 1, None, -1), ("abc", 1, None, -1),
        ("１２", 1, None, -1), ("1001", 1000, 1001, 1001), ("9" * 30, 1000, None, -1),
        (str(2**63), 1000, None, -1), (str(2**63 - 1), 1000, 2**63 - 1, -1),
    ],
)  # fmt: skip
def test_numbers_read_from_a_request(raw: str, page: int, before: int | None, lock: int) -> None:
    """What the views above rely on: the page number, the keyset position and the posted lock
    version are read as bounded integers, and anything else gets a harmless default."""
    request = RequestFactory().get("/", {"page": raw, "before": raw})
    assert page_number(request) == page and key_before(request) == before
    assert posted_lock_version(RequestFactory().post("/", {"lock_version": raw})) == lock


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_nul_character_in_the_query_string_is_answered_with_a_clear_page(client: Client, language: str) -> None:
    """PostgreSQL refuses NUL in text; the platform answers it before any view reads it."""
    response = client.get(f"/{language}/services/", {"q": "work\x00permit"})
    assert response.status_code == 400
    message = {"en": "The address contains a character that is not allowed.", "zh": "网址中含有不允许的字符。"}
    assert message[language] in response.content.decode()
    assert client.get(f"/{language}/services/", {"q": "work permit"}).status_code == 200
