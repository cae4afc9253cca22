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

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver

from tests.factories import PersonFactory, StaffRoleFactory
from tests.urlwalk import (
    _PARAMETER,
    BACKOFFICE_KEYED,
    KEYED,
    PUBLIC,
    PUBLIC_PATHS,
    concrete,
    office_owner,
    office_path,
    portal_keys,
    portal_owner,
    portal_path,
    walk,
)
from tests.urlwalk import office_keys as agency_keys
from tests.world import World
from tongban.core.requests import key_before, page_number, posted_lock_version
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db


def _routes() -> list[tuple[str, str]]:
    return [(name, "/" + concrete(route.lstrip("^").rstrip("$"))) for name, route in walk(get_resolver().url_patterns)]


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


@pytest.fixture
def keys(world: World) -> dict[str, str]:
    return portal_keys(world)


def test_the_keyed_walk_covers_the_object_pages() -> None:
    names = {name for name, _route in KEYED}
    assert {
        "portal:my_case",
        "portal:case_file",
        "portal:application_step",
        "portal:message",
        "portal:certificate_pdf",
        "portal:firm_cases",
        "portal:power_revoke",
        "portal:consent_withdraw",
        "portal:firm_consent_withdraw",
    } <= names


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
    client: Client,
    login_person: Callable[[Client, Account], None],
    world: World,
    keys: dict[str, str],
    name: str,
    route: str,
) -> None:
    login_person(client, PersonFactory().account)
    owner = Client()
    login_person(owner, portal_owner(name, world).account)
    path = portal_path(name, route, keys)
    _refused_then_answered(client, owner, path)
    _junk_everywhere(owner, path)  # and what the owner may send, mangled, breaks nothing


@pytest.mark.parametrize(("name", "route"), KEYED, ids=[name for name, _route in KEYED])
def test_a_made_up_key_in_the_portal_is_not_found_never_an_error(
    client: Client, login_person: Callable[[Client, Account], None], name: str, route: str
) -> None:
    login_person(client, PersonFactory().account)
    path = "/" + concrete(route)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code in (404, 405), f"{method.upper()} {path}: {response.status_code}"


# --- The back office: another agency's staff, with real keys -------------------------------------


@pytest.fixture
def office_keys(world: World) -> dict[str, str]:
    return agency_keys(world)


def test_the_back_office_walk_covers_the_object_pages() -> None:
    names = {name for name, _route in BACKOFFICE_KEYED}
    assert {
        "backoffice:case",
        "backoffice:case_act",
        "backoffice:case_file",
        "backoffice:certificate_revoke",
        "backoffice:service_form",
        "backoffice:agency",
        "backoffice:totp_reset",
        "backoffice:exchange_grant_decide",
        "backoffice:calendar_remove",
    } <= names


@pytest.mark.parametrize(("name", "route"), BACKOFFICE_KEYED, ids=[name for name, _route in BACKOFFICE_KEYED])
def test_another_agency_s_administrator_gets_nothing_of_agency_a_s(
    client: Client,
    login_staff: Callable[[Client, Account], None],
    world: World,
    office_keys: dict[str, str],
    name: str,
    route: str,
) -> None:
    login_staff(client, StaffRoleFactory(agency_admin=True).account)  # the administrator of agency B
    owner = Client()
    login_staff(owner, office_owner(name, world).account)
    path = office_path(name, route, office_keys)
    _refused_then_answered(client, owner, path)
    _junk_everywhere(owner, path)  # and what agency A's staff may send, mangled, breaks nothing


@pytest.mark.parametrize(("name", "route"), BACKOFFICE_KEYED, ids=[name for name, _route in BACKOFFICE_KEYED])
def test_a_made_up_key_is_not_found_never_an_error(
    client: Client, login_staff: Callable[[Client, Account], None], name: str, route: str
) -> None:
    """A city operator may open the most; with a key that names nothing (or is not even a date),
    every page answers 404 (or 405 for the other method), never an error page."""
    path = "/" + concrete(route)
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code in (404, 405), f"{method.upper()} {path}: {response.status_code}"


# --- Junk in the query string ---------------------------------------------------------------------

#: Every query parameter a view reads, each given the same junk at once.
QUERY_PARAMETERS = (
    "q",
    "page",
    "next",
    "before",
    "year",
    "topic",
    "status",
    "number",
    "mine",
    "days",
    "audience",
    "agency",
    "action",
)
JUNK = (
    "",
    "-1",
    "99999999999999999999999",
    "abc",
    "\x00",
    "'\"<script>x</script>",
    "2026-13-45",
    "x" * 3000,
    "１２",
    "%",
    "../../etc/passwd",
)
UNKEYED = [(name, "/" + route) for name, route in walk(get_resolver().url_patterns) if "<" not in route and name]


@pytest.mark.parametrize(("name", "path"), UNKEYED, ids=[name for name, _path in UNKEYED])
def test_junk_in_the_query_string_never_breaks_a_page(
    client: Client,
    login_person: Callable[[Client, Account], None],
    login_staff: Callable[[Client, Account], None],
    name: str,
    path: str,
) -> None:
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
POSTED_FIELDS = (
    "lock_version",
    "assignee",
    "reason",
    "materials",
    "subject",
    "resource",
    "office",
    "next",
    "legal_basis",
    "jws",
    "items",
    "intent",
    "grant",
    "decision",
    "days",
    "confirm",
    "as",
    "action",
)
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
        ("", 1, None, -1),
        ("0", 1, None, 0),
        ("3", 3, 3, 3),
        ("-1", 1, None, -1),
        ("abc", 1, None, -1),
        ("１２", 1, None, -1),
        ("1001", 1000, 1001, 1001),
        ("9" * 30, 1000, None, -1),
        (str(2**63), 1000, None, -1),
        (str(2**63 - 1), 1000, 2**63 - 1, -1),
    ],
)
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


# --- Hostile path segments ------------------------------------------------------------------------

#: What an attacker puts where a key belongs (percent-encoded as it travels): a NUL, a number no
#: column holds, a very long key, bytes that are not UTF-8, an encoded traversal, markup, full-width
#: digits.
HOSTILE_SEGMENTS = (
    "TB%00X",
    "%00",
    "9" * 40,
    "x" * 3000,
    "%FF%FE",
    "..%2F..%2Fetc",
    "%3Cscript%3E",
    "%EF%BC%91%EF%BC%92",
)
KEYED_ROUTES = [(name, route) for name, route in walk(get_resolver().url_patterns) if "<" in route and name]


def _hostile(route: str, segment: str) -> str:
    return "/" + _PARAMETER.sub(segment, route.lstrip("^").rstrip("$"))


@pytest.mark.parametrize(("name", "route"), KEYED_ROUTES, ids=[name for name, _route in KEYED_ROUTES])
def test_a_hostile_key_in_the_path_is_refused_never_an_error(
    client: Client, login_staff: Callable[[Client, Account], None], name: str, route: str
) -> None:
    """Every page with a key in its path, opened by a city operator (who may open the most) with a
    hostile key: never an error, on both databases; a NUL is refused (400) before any view reads it."""
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    for segment in HOSTILE_SEGMENTS:
        path = _hostile(route, segment)
        for method in ("get", "post"):
            status = getattr(client, method)(path).status_code
            assert status == 400 if "%00" in segment else status < 500, f"{method.upper()} {path[:80]}: {status}"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_nul_character_in_the_path_is_answered_with_a_clear_page(
    client: Client, login_person: Callable[[Client, Account], None], language: str
) -> None:
    """A NUL in a key reached PostgreSQL as an error (500); it is answered before any view reads it."""
    login_person(client, PersonFactory().account)
    response = client.get(f"/{language}/my/cases/TB%00X/")
    assert response.status_code == 400
    message = {"en": "The address contains a character that is not allowed.", "zh": "网址中含有不允许的字符。"}
    assert message[language] in response.content.decode()
