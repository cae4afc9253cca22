"""The security headers, checked on every URL the platform serves (ADR 0028).

Found by walking the URL configuration (tests/urlwalk.py), each page opened by someone who may
open it, with real objects behind its keys: public pages by a visitor, portal pages by the owner
of what they show, back-office pages by agency A's staff or a city operator. On every answer:

* an HTML answer carries exactly the strict Content-Security-Policy, and its markup has no
  ``style=`` attribute, no ``<style>`` block and no inline ``<script>`` (so the policy blocks
  nothing the page needs; tests/browser/test_every_page.py proves it in Chromium);
* every answer carries the Permissions-Policy;
* every answer with personal data (anything under /my/, /applications/, /backoffice/, a shared
  certificate link, anything answered to someone signed in) says ``Cache-Control: no-store``;
  public pages answered to a visitor do not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from tests.factories import StaffRoleFactory
from tests.urlwalk import (
    BACKOFFICE_KEYED,
    KEYED,
    PUBLIC,
    PUBLIC_PATHS,
    all_routes,
    office_keys,
    office_owner_kind,
    office_path,
    portal_keys,
    portal_owner,
    portal_path,
)
from tests.world import World
from tongban.certificates.models import Certificate
from tongban.certificates.services import share_token
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db

#: The policy, written out here as the issue states it (not imported: the test is the spec).
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: Markup the policy would block: a style attribute, a style block, a script without ``src``
#: (a JSON or JSON-LD data block is not a script and would be allowed).
INLINE = re.compile(
    r"<[a-zA-Z][^<>]*\sstyle\s*=|<style[\s>]|<script(?![^<>]*\bsrc=)(?![^<>]*type=\"application/(?:ld\+)?json\")[^<>]*>",
    re.IGNORECASE,
)
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "tongban"
#: Rendered by WeasyPrint into a PDF, never sent to a browser.
NOT_FOR_BROWSERS = {"certificates/templates/certificates/pdf.html"}

KEY = re.compile(r"<(?:\w+:)?(\w+)>")

Login = Callable[[Client, Account], None]


def header_problems(response: HttpResponseBase, path: str, *, personal: bool) -> list[str]:
    problems = []
    if response.get("Content-Type", "").startswith("text/html"):
        if response.get("Content-Security-Policy") != POLICY:
            problems.append(f"{path}: Content-Security-Policy {response.get('Content-Security-Policy')!r}")
        if not isinstance(response, StreamingHttpResponse):
            inline = INLINE.search(response.content.decode())
            if inline:
                problems.append(f"{path}: inline markup the policy blocks: {inline.group(0)[:80]!r}")
    if "camera=()" not in response.get("Permissions-Policy", ""):
        problems.append(f"{path}: Permissions-Policy {response.get('Permissions-Policy')!r}")
    if personal and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"{path}: personal, but Cache-Control {response.get('Cache-Control')!r}")
    return problems


def test_no_template_sent_to_a_browser_has_inline_style_or_script() -> None:
    found = [
        f"{template.relative_to(TEMPLATES)}: {match.group(0)[:60]!r}"
        for template in sorted(TEMPLATES.glob("*/templates/**/*.html"))
        if str(template.relative_to(TEMPLATES)) not in NOT_FOR_BROWSERS
        for match in INLINE.finditer(template.read_text())
    ]
    assert not found, "\n".join(found)


def test_every_url_carries_the_security_headers(world: World, login_person: Login, login_staff: Login) -> None:
    portal = portal_keys(world)
    office = office_keys(world)
    certificate = Certificate.objects.get(number=office["certificate"])
    public_keys = {
        "code": world.version.item.code,
        "number": certificate.number,
        "token": share_token(certificate=certificate, days=7, now=timezone.now()),
    }

    def public_key(match: re.Match[str]) -> str:
        return public_keys.get(match.group(1), "made-up")

    clients: dict[str, Client] = {}
    people = {
        "hr": world.hr,
        "engineer": world.engineer,
        "legal": world.firm.legal_representative,
    }

    def client(who: str) -> Client:
        if who not in clients:
            clients[who] = Client()
            if who in people:
                login_person(clients[who], people[who].account)
            elif who == "supervisor":
                login_staff(clients[who], world.supervisor.account)
            elif who == "admin":
                login_staff(clients[who], StaffRoleFactory(agency_admin=True, agency=world.version.item.agency).account)
            elif who == "operator":
                login_staff(clients[who], StaffRoleFactory(city_operator=True).account)
        return clients[who]

    problems: list[str] = []
    html_pages = 0

    def visit(path: str, who: tuple[str, ...], *, personal: bool) -> None:
        nonlocal html_pages
        for each in who:  # the first who is answered (pages without keys depend on the roles)
            response = client(each).get(path)
            if response.status_code == 200 or each == who[-1]:
                break
        problems.extend(header_problems(response, f"{path} as {each}", personal=personal))
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            html_pages += 1
            if path.startswith("/en/"):  # the same page in Chinese
                chinese = client(each).get(path.replace("/en/", "/zh/", 1))
                problems.extend(header_problems(chinese, f"{chinese} as {each}", personal=personal))

    keyed = dict(KEYED) | dict(BACKOFFICE_KEYED)
    for name, route in all_routes():
        if name.startswith("api-") and name not in PUBLIC:
            continue  # the JSON API's operations with a caller: JSON, answered by token (tests/api)
        if name in PUBLIC or route in PUBLIC_PATHS:
            path = "/" + KEY.sub(public_key, route)
            visit(path, ("anonymous",), personal=path.startswith("/verify/s/"))
        elif name in keyed and name.startswith("portal:"):
            owner = {world.hr: "hr", world.engineer: "engineer"}.get(portal_owner(name, world), "legal")
            visit(portal_path(name, route, portal), (owner,), personal=True)
        elif name in keyed:
            visit(office_path(name, route, office), (office_owner_kind(name),), personal=True)
        elif name.startswith("portal:"):
            path = "/" + KEY.sub(public_key, route)
            visit(path, ("hr", "legal", "engineer"), personal=True)
        else:
            visit("/" + route, ("supervisor", "admin", "operator"), personal=True)

    assert not problems, f"{len(problems)} answers:\n" + "\n".join(problems)
    assert html_pages >= 60, html_pages


@pytest.mark.parametrize("path", ["/en/", "/zh/services/", "/en/faq/"])
def test_a_public_page_is_stored_for_a_visitor_never_for_someone_signed_in(
    client: Client, login_person: Login, world: World, path: str
) -> None:
    visitor = client.get(path)
    assert visitor.status_code == 200
    assert "no-store" not in visitor.get("Cache-Control", "")
    assert header_problems(visitor, path, personal=False) == []
    signed_in = Client()
    login_person(signed_in, world.hr.account)
    answer = signed_in.get(path)
    assert answer.status_code == 200
    assert header_problems(answer, path, personal=True) == []


def test_a_download_of_personal_data_is_never_stored(client: Client, login_person: Login, world: World) -> None:
    keys = portal_keys(world)
    login_person(client, world.hr.account)
    response = client.get(f"/en/my/cases/{keys['case']}/files/{keys['upload_id']}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]


def test_a_shared_certificate_link_is_never_stored(client: Client, world: World) -> None:
    keys = portal_keys(world)
    certificate = Certificate.objects.get(number=keys["certificate"])
    token = share_token(certificate=certificate, days=1, now=timezone.now() - timedelta(minutes=1))
    response = client.get(f"/verify/s/{token}")
    assert response.status_code == 200
    assert header_problems(response, "shared link", personal=True) == []
