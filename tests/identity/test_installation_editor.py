"""The installation edits the structure and the catalogue only when named as a system ``Actor``:
``None`` no longer means "the installation" (issue 15), and no other actor passes."""

from __future__ import annotations

import pytest

from tests.factories import AgencyFactory
from tongban.catalogue.permissions import require_catalogue_editor
from tongban.core.actors import Actor
from tongban.core.errors import PermissionDeniedError
from tongban.identity.permissions import require_city_operator

pytestmark = pytest.mark.django_db

NOT_EDITORS = [None, Actor.anonymous(ip="127.0.0.1"), Actor(kind="account", account_id=1, label="someone")]


@pytest.mark.parametrize("editor", NOT_EDITORS)
def test_only_a_system_actor_stands_for_the_installation_in_the_structure(editor: object) -> None:
    with pytest.raises(PermissionDeniedError):
        require_city_operator(account=editor, message="no")
    require_city_operator(account=Actor.system("loader"), message="no")


@pytest.mark.parametrize("editor", NOT_EDITORS)
def test_only_a_system_actor_stands_for_the_installation_in_the_catalogue(editor: object) -> None:
    agency = AgencyFactory()
    with pytest.raises(PermissionDeniedError):
        require_catalogue_editor(account=editor, agency=agency)
    require_catalogue_editor(account=Actor.system("loader"), agency=agency)
