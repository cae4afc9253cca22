"""Pages reused by the data they show (tongban.core.pages), on the firm's cases list: the HTML is
rendered once per distinct data and reused, never stale, never someone else's CSRF token, never
without the access check, and never for a response that carries a flash message."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.signals import template_rendered
from django.utils import timezone

from tests.factories import PersonFactory
from tests.world import World
from tongban.cases.services import case_act
from tongban.core.pages import CSRF_PLACEHOLDER, page_key
from tongban.identity.models import Account
from tongban.identity.services import power_revoke

Login = Callable[[Client, Account], None]
pytestmark = pytest.mark.django_db


@contextmanager
def renders(name: str) -> Iterator[list[str]]:
    """The names of the templates rendered while the block runs (only ``name``)."""
    seen: list[str] = []

    def receiver(sender: Any, template: Any, context: Any, **kwargs: Any) -> None:
        if template.name == name:
            seen.append(template.name)

    template_rendered.connect(receiver)
    try:
        yield seen
    finally:
        template_rendered.disconnect(receiver)


def _token(html: str) -> str:
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(tokens) == 1, tokens
    return str(tokens.pop())


def test_the_list_is_rendered_once_per_data_and_always_current(
    client: Client, world: World, login_person: Login
) -> None:
    first = world.submitted_case()
    url = f"/en/my/firms/{world.firm.uscc}/cases/"
    login_person(client, world.hr.account)
    with renders("portal/firm_cases.html") as rendered:
        page = client.get(url).content.decode()
        again = client.get(url).content.decode()
    assert first.number in page and "Submitted" in page
    assert rendered == ["portal/firm_cases.html"]  # the second request reused the HTML
    assert again == page.replace(_token(page), _token(again))

    second = world.submitted_case()  # new data: a new page at once
    with renders("portal/firm_cases.html") as rendered:
        page = client.get(url).content.decode()
    assert rendered == ["portal/firm_cases.html"]
    assert second.number in page and first.number in page

    case_act(
        case=first,
        action="withdraw",
        expected_version=first.lock_version,
        person=world.hr,
        actor=world.actor,
        now=timezone.now(),
    )
    page = client.get(url).content.decode()
    row = re.search(rf"{first.number}</a></th>.*?</tr>", page, re.DOTALL)
    assert row is not None and "Withdrawn" in row.group(0)

    zh = client.get(f"/zh/my/firms/{world.firm.uscc}/cases/").content.decode()
    assert first.number in zh and "已撤回" in zh and "Withdrawn" not in zh


def test_each_response_carries_its_own_csrf_token(world: World, login_person: Login) -> None:
    world.submitted_case()
    url = f"/en/my/firms/{world.firm.uscc}/cases/"
    colleague = PersonFactory()
    world.power.__class__.objects.create(
        firm=world.firm,
        grantee=colleague,
        area=world.power.area,
        granted_by=world.firm.legal_representative,
        granted_at=world.power.granted_at,
        expires_at=world.power.expires_at,
    )
    tokens = []
    for account in (world.hr.account, colleague.account):
        browser = Client()
        login_person(browser, account)
        html = browser.get(url).content.decode()
        assert CSRF_PLACEHOLDER not in html
        token = _token(html)
        assert _unmask_cipher_token(token) == browser.cookies["csrftoken"].value  # this browser's secret
        tokens.append(token)
        assert browser.post("/en/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert tokens[0] != tokens[1]


def test_the_access_check_runs_before_any_reuse(client: Client, world: World, login_person: Login) -> None:
    world.submitted_case()
    url = f"/en/my/firms/{world.firm.uscc}/cases/"
    login_person(client, world.hr.account)
    assert client.get(url).status_code == 200  # now stored

    stranger = Client()
    login_person(stranger, PersonFactory().account)
    assert stranger.get(url).status_code == 404

    power_revoke(
        power=world.power,
        revoked_by=world.firm.legal_representative,
        reason="left the firm",
        actor=world.actor,
        now=timezone.now(),
    )
    assert client.get(url).status_code == 404  # a revoked power stops at once


def test_a_flash_message_is_shown_once_and_never_stored(client: Client, world: World, login_person: Login) -> None:
    case = world.submitted_case()
    url = f"/en/my/firms/{world.firm.uscc}/cases/"
    login_person(client, world.hr.account)
    client.get(url)  # the page without a message is stored
    response = client.post(f"/en/my/cases/{case.number}/withdraw/", {"lock_version": case.lock_version})
    assert response.status_code == 302
    with_message = client.get(url).content.decode()
    assert "The application is withdrawn." in with_message
    assert "The application is withdrawn." not in client.get(url).content.decode()


def test_only_plain_data_can_key_a_page(world: World) -> None:
    """A model instance's repr does not show its fields, so it cannot be part of a key."""
    with pytest.raises(TypeError, match="not plain data"):
        page_key("portal/firm_cases.html", {"firm": world.firm}, path="/en/x/", language="en")
    assert page_key("t.html", {"a": (1, "x")}, path="/en/x/", language="en") != page_key(
        "t.html", {"a": (1, "y")}, path="/en/x/", language="en"
    )
    assert page_key("t.html", {"a": 1}, path="/en/x/", language="en") != page_key(
        "t.html", {"a": 1}, path="/zh/x/", language="zh-hans"
    )


def test_a_deployment_changes_every_key() -> None:
    """Changed code, templates or translations make a new release, so no page of the old one is found."""
    import os
    from pathlib import Path

    from tongban.core import pages

    template = Path(pages.__file__).resolve().parents[1] / "portal" / "templates" / "portal" / "firm_cases.html"
    before = os.stat(template)
    pages.release.cache_clear()
    old = pages.page_key("portal/firm_cases.html", {"a": 1}, path="/en/x/", language="en")
    try:
        os.utime(template, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        pages.release.cache_clear()
        new = pages.page_key("portal/firm_cases.html", {"a": 1}, path="/en/x/", language="en")
    finally:
        os.utime(template, ns=(before.st_atime_ns, before.st_mtime_ns))
        pages.release.cache_clear()
    assert new != old
    assert pages.page_key("portal/firm_cases.html", {"a": 1}, path="/en/x/", language="en") == old
