"""The back office's menu offers each member of staff what their roles open, and nothing else:
every link in it answers them, and the sections they may not use are not shown."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from tests.factories import StaffRoleFactory
from tests.services import make_service
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db

ROLES = {
    "officer": {},
    "supervisor": {"supervisor": True},
    "agency_admin": {"agency_admin": True},
    "clerk": {"clerk": True},
    "city_operator": {"city_operator": True},
}
SECTIONS = {
    "/en/backoffice/cases/": {"officer", "supervisor", "agency_admin"},
    "/en/backoffice/certificates/": {"officer", "supervisor", "agency_admin", "city_operator"},
    "/en/backoffice/catalogue/": {"agency_admin", "city_operator"},
    "/en/backoffice/people/verify/": {"clerk"},
    "/en/backoffice/window/": {"clerk"},
    "/en/backoffice/visit/": {"clerk"},
    "/en/backoffice/audit/": {"city_operator"},
    "/en/backoffice/notifications/": {"city_operator"},
    "/en/backoffice/centres/": {"city_operator"},
    "/en/backoffice/pickups/": {"clerk"},
    "/en/backoffice/posts/": {"clerk"},
    "/en/backoffice/dashboard/": {"agency_admin", "city_operator"},
    "/en/backoffice/exchange/": set(ROLES),
}


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_offers_what_the_roles_open(
    client: Client, login_staff: Callable[[Client, Account], None], role: str
) -> None:
    login_staff(client, StaffRoleFactory(**ROLES[role]).account)
    home = client.get("/en/backoffice/").content.decode()
    menu = home[home.index('<nav class="main-nav"') :]
    menu = menu[: menu.index("</nav>")]
    links = set(re.findall(r'href="(/en/backoffice/[^"]*)"', menu))
    for path, roles in SECTIONS.items():
        assert (path in links) == (role in roles), (role, path)
    for path in links:
        assert client.get(path).status_code == 200, (role, path)


def test_the_catalogue_lists_published_services_without_drafts(
    client: Client, login_staff: Callable[[Client, Account], None]
) -> None:
    """The demo city's state: every service published, none with a draft open (a template that
    read the first draft of an empty list answered 500 here)."""
    version = make_service()
    version.item.refresh_from_db()
    assert version.item.published_version_id == version.pk and not version.item.versions.filter(status="draft")
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    for language in ("en", "zh"):
        page = client.get(f"/{language}/backoffice/catalogue/")
        assert page.status_code == 200
        assert (version.name_en if language == "en" else version.name_zh) in page.content.decode()
