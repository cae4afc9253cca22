"""Every page of the platform in Chromium, found by walking the URL configuration (tests/urlwalk.py),
opened by someone who may open it, with real objects behind its keys:

* in English at desktop width, axe-core finds no serious or critical WCAG 2.0/2.1 A or AA
  violation, and no id is used twice (``assert_accessible``);
* in Chinese on a 360-pixel phone, the same, and nothing scrolls sideways;
* in both, the strict Content-Security-Policy blocks nothing and the browser says nothing in the
  console about the page's security policies (ADR 0028): no inline style or script is left.

The journeys (tests/browser/test_*_journey.py) check the pages they pass through; this walk checks
the pages nobody wrote a journey for, including pages added later. A page that answers something
other than HTML (a PDF, a file, CSV, JSON) or only POST is listed as not a page, by name, so the
list of what was not checked is itself checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page

from tests.browser.conftest import assert_accessible, policy_console, watch_policy
from tests.factories import PersonFactory, ServiceCentreFactory, StaffRoleFactory
from tests.service_centres.desk import serving_clerk
from tests.urlwalk import (
    BACKOFFICE_KEYED,
    KEYED,
    PUBLIC,
    all_routes,
    office_keys,
    office_owner_kind,
    office_path,
    pickup_centre,
    portal_keys,
    portal_owner,
    portal_path,
    post_centre,
)
from tests.world import World
from tongban.identity.models import Account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Pages that are not HTML pages for a person to read, or that answer only POST; with why.
NOT_PAGES = {
    "portal:case_file": "the uploaded file itself",
    "portal:certificate_pdf": "a PDF",
    "portal:certificate_credential": "the verifiable credential, as a JWT",
    "portal:data_use_csv": "CSV",
    "opendata:download_csv": "an open dataset, CSV (tests/opendata)",
    "opendata:download_json": "an open dataset, JSON (tests/opendata)",
    "portal:firm_data_use_csv": "CSV",
    "portal:personal_data_download": "the personal-data export, a JSON file",
    "backoffice:case_file": "the uploaded file itself",
    "backoffice:audit_csv": "CSV",
    "portal:logout": "POST only",
    "portal:login_verify": "the second step of a login in progress (journeys cover it)",
    "portal:totp_enrol": "the second step of a login in progress (journeys cover it)",
    "portal:login_code": "the e-mailed code of a login in progress (tests/identity/test_login_limits.py)",
    "portal:password_reset_confirm": "reached from an e-mailed link (tests/identity/test_login.py)",
    "portal:verify_token": "reached from a shared link (tests/certificates)",
    "portal:statistics_chart_by_month": "a chart, SVG (tests/statistics/test_charts.py)",
    "portal:statistics_chart_by_agency": "a chart, SVG (tests/statistics/test_charts.py)",
    "portal:statistics_chart_by_channel": "a chart, SVG (tests/statistics/test_charts.py)",
    "portal:statistics_chart_once_only": "a chart, SVG (tests/statistics/test_charts.py)",
    "portal:statistics_chart_registrations": "a chart, SVG (tests/statistics/test_charts.py)",
    "portal:statistics_chart_waiting": "a chart, SVG (tests/statistics/test_charts.py)",
    "portal:statistics_chart_satisfaction": "a chart, SVG (tests/statistics/test_charts.py)",
    "portal:centre_display_state": "the call display's polled state, JSON (tests/portal/test_centre_queue.py)",
}

Login = Callable[[Client, Account], None]


class PageProblemError(AssertionError):
    """The page was answered, and something in it is wrong (not: this visitor may not open it)."""


def _checked(page: Page, said: list[str]) -> None:
    try:
        assert not said, f"{page.url}: the console says:\n" + "\n".join(said)
        assert_accessible(page)
    except AssertionError as problem:
        raise PageProblemError(str(problem)) from None


def _session(client: Client) -> dict[str, Any]:
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}


class Visitor:
    """One person (or nobody) in two browser contexts: a desktop in English and a phone in Chinese."""

    def __init__(self, browser: Browser, base: str, client: Client | None) -> None:
        self.desktop = watch_policy(browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}))
        self.phone = watch_policy(
            browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
        )
        if client is not None:
            cookie = {**_session(client), "url": base}
            for context in (self.desktop, self.phone):
                context.add_cookies([cookie])  # type: ignore[list-item]
        self.base = base

    def check(self, path: str) -> str | None:
        """Open the page on both devices; "" when checked, the reason when it is not a page, or
        raise AssertionError naming the problem."""
        probe = self.desktop.request.get(self.base + path)  # with the context's cookies
        if probe.status == 405:
            return "answers only POST"
        assert probe.status == 200, f"{path}: {probe.status}"
        kind = probe.headers.get("content-type", "")
        if not kind.startswith("text/html"):
            return kind
        page = self.desktop.new_page()
        said = policy_console(page)
        try:
            response = page.goto(self.base + path)
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            _checked(page, said)
        finally:
            page.close()
        phone = self.phone.new_page()
        said = policy_console(phone)
        try:
            chinese = path.replace("/en/", "/zh/", 1)
            response = phone.goto(self.base + chinese)
            assert response is not None and response.status == 200, f"{chinese}: {response and response.status}"
            overflow = phone.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 1:
                raise PageProblemError(f"{chinese} scrolls sideways on a phone by {overflow}px")
            _checked(phone, said)
        finally:
            phone.close()
        return ""

    def close(self) -> None:
        self.desktop.close()
        self.phone.close()


@pytest.fixture
def visitors(
    live_server: Any, browser: Browser, world: World, login_person: Login, login_staff: Login
) -> Iterator[Callable[[str], Visitor]]:
    """A visitor per kind of person, logged in through the login pages on first use."""
    made: dict[str, Visitor] = {}
    people = {
        "hr": lambda: world.hr.account,
        "engineer": lambda: world.engineer.account,
        "legal": lambda: world.firm.legal_representative.account,
        "resident": lambda: PersonFactory().account,
    }
    staff = {
        "supervisor": lambda: world.supervisor.account,
        "officer": lambda: world.officer.account,
        "admin": lambda: StaffRoleFactory(agency_admin=True, agency=world.version.item.agency).account,
        "operator": lambda: StaffRoleFactory(city_operator=True).account,
        "clerk": lambda: serving_clerk(world.hr).clerk,  # serving the HR manager at a comprehensive window
        "pickup_clerk": lambda: StaffRoleFactory(clerk=True, service_centre=pickup_centre()).account,
        "post_clerk": lambda: StaffRoleFactory(clerk=True, service_centre=post_centre()).account,
    }

    def visitor(who: str) -> Visitor:
        if who not in made:
            client = None
            if who in people:
                client = Client()
                login_person(client, people[who]())
            elif who in staff:
                client = Client()
                login_staff(client, staff[who]())
            made[who] = Visitor(browser, live_server.url, client)
        return made[who]

    yield visitor
    for each in made.values():
        each.close()


def _first_answered(visitor: Callable[[str], Visitor], path: str, who: tuple[str, ...]) -> str | None:
    """Check the page as the first of ``who`` it answers (pages without keys show the signed-in
    person's own things, so who may open one depends on their roles)."""
    problems = []
    for each in who:
        try:
            return visitor(each).check(path)
        except PageProblemError:
            raise  # the page was answered: its problem is the page's
        except AssertionError as problem:
            problems.append(f"as {each}: {problem}")
    raise AssertionError("; ".join(problems))


def test_every_page_is_accessible_and_fits_a_phone(world: World, visitors: Callable[[str], Visitor]) -> None:
    portal = portal_keys(world)
    office = office_keys(world)
    checked: list[str] = []
    skipped: dict[str, str] = {}
    problems: list[str] = []

    def visit(name: str, path: str, who: tuple[str, ...]) -> None:
        try:
            reason = _first_answered(visitors, path, who)
        except AssertionError as problem:
            problems.append(f"{name}: {problem}")
            return
        if reason:
            skipped[name] = reason
        else:
            checked.append(name)

    keyed = dict(KEYED) | dict(BACKOFFICE_KEYED)
    public_keys = {
        "code": world.version.item.code,
        "number": office["certificate"],
        "part": "verify",
        "centre_code": ServiceCentreFactory.create().code,
    }

    def public_key(match: re.Match[str]) -> str:
        return public_keys[match.group(1)]

    for name, route in all_routes():
        if not name.startswith(("portal:", "backoffice:", "opendata:")):
            continue  # machine-readable documents and the JSON API
        if name in NOT_PAGES:
            skipped[name] = NOT_PAGES[name]
            continue
        path = "/" + route
        if name in keyed:
            if name.startswith("portal:"):
                who: tuple[str, ...] = (
                    {world.hr: "hr", world.engineer: "engineer"}.get(portal_owner(name, world), "legal"),
                )
                visit(name, portal_path(name, route, portal), who)
            else:
                visit(name, office_path(name, route, office), (office_owner_kind(name),))
        elif "<" in route:  # public pages with a key: a service guide, applying, verifying a certificate
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", public_key, route)
            visit(name, path, ("hr",) if name not in PUBLIC else ("anonymous",))
        elif name in PUBLIC:
            visit(name, path, ("anonymous",))
        elif name.startswith("portal:"):
            visit(name, path, ("hr", "legal", "engineer"))
        else:
            visit(name, path, ("supervisor", "admin", "operator", "clerk"))

    assert not problems, f"{len(problems)} pages:\n" + "\n".join(problems)
    unlisted = {name: why for name, why in skipped.items() if name not in NOT_PAGES and why != "answers only POST"}
    assert not unlisted, f"not HTML pages, and not listed as such: {unlisted}"
    assert len(checked) >= 60, checked
    assert {
        "portal:service",
        "portal:my_case",
        "portal:application_step",
        "portal:firm_cases",
        "backoffice:queue",
        "backoffice:case",
        "backoffice:service_form",
        "backoffice:calendar",
    } <= set(checked)
