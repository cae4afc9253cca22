"""Renaming an agency updates the portal's service search at once: the search text of its
published services is rebuilt in the renaming transaction (identity sends ``agency_renamed``, the
catalogue rebuilds), and the cached search pages move to a new revision when it commits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import AgencyFactory, StaffRoleFactory
from tests.services import make_service
from tongban.catalogue import services as catalogue_services
from tongban.catalogue.models import ServiceVersion
from tongban.catalogue.selectors import catalogue_revision
from tongban.catalogue.services import service_version_draft, service_version_update
from tongban.core.actors import Actor
from tongban.forms.services import service_version_publish_with_form
from tongban.identity.models import Account, Agency
from tongban.identity.services import AGENCY_FIELDS, agency_update
from tongban.identity.signals import agency_renamed

Login = Callable[[Client, Account], None]
ACTOR = Actor.system("tests")

OLD_ZH, OLD_EN = "旧档案管理局", "Xylophone Archives Authority"
NEW_ZH, NEW_EN = "城市记忆保护中心", "Zephyr Memory Commission"


def _agency() -> Agency:
    return AgencyFactory.create(code="archives", name_zh=OLD_ZH, name_en=OLD_EN)


def _rename(agency: Agency, **changes: str) -> Agency:
    values = {field: getattr(agency, field) for field in AGENCY_FIELDS}
    return agency_update(agency=agency, **{**values, **changes}, editor=ACTOR, actor=ACTOR)


def _finds(client: Client, language: str, query: str, code: str) -> bool:
    html = client.get(f"/{language}/services/", {"q": query}).content.decode()
    return f'href="/{language}/services/{code}/"' in html


def _assert_search_follows_the_new_name(client: Client, code: str) -> None:
    for language in ("en", "zh"):
        assert _finds(client, language, NEW_ZH, code), language  # the Chinese name, typed without spaces
        assert _finds(client, language, NEW_EN, code), language
        assert _finds(client, language, NEW_EN.upper(), code), language
        assert not _finds(client, language, OLD_ZH, code), language
        assert not _finds(client, language, OLD_EN, code), language
    listing = client.get("/en/services/").content.decode()  # cached before the rename
    assert NEW_EN in listing and OLD_EN not in listing
    listing = client.get("/zh/services/").content.decode()
    assert NEW_ZH in listing and OLD_ZH not in listing


def _warm_the_cache(client: Client, code: str) -> None:
    """Search by the old names and list everything, so the pages are cached with the old name."""
    for language in ("en", "zh"):
        assert _finds(client, language, OLD_ZH, code) and _finds(client, language, OLD_EN, code)
        assert not _finds(client, language, NEW_ZH, code) and not _finds(client, language, NEW_EN, code)
    assert OLD_EN in client.get("/en/services/").content.decode()
    assert OLD_ZH in client.get("/zh/services/").content.decode()


@pytest.mark.django_db
def test_renaming_through_the_service_updates_search_and_cached_pages(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    agency = _agency()
    version = make_service(agency=agency)
    code = version.item.code
    _warm_the_cache(client, code)

    with django_capture_on_commit_callbacks(execute=True):
        _rename(agency, name_zh=NEW_ZH, name_en=NEW_EN)

    _assert_search_follows_the_new_name(client, code)
    version.refresh_from_db()
    assert NEW_ZH in version.search_text and NEW_EN.casefold() in version.search_text
    assert OLD_ZH not in version.search_text


@pytest.mark.django_db
def test_renaming_in_the_back_office_updates_search_at_once(
    client: Client, login_staff: Login, django_capture_on_commit_callbacks: Any
) -> None:
    agency = _agency()
    code = make_service(agency=agency).item.code
    visitor = Client()
    _warm_the_cache(visitor, code)

    login_staff(client, StaffRoleFactory(city_operator=True).account)
    values = {field: getattr(agency, field) for field in AGENCY_FIELDS}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/backoffice/structure/agencies/{agency.code}/", {**values, "name_zh": NEW_ZH, "name_en": NEW_EN}
        )
    assert response.status_code == 302

    _assert_search_follows_the_new_name(visitor, code)


@pytest.mark.django_db
def test_only_a_name_change_rebuilds_and_only_published_versions(django_capture_on_commit_callbacks: Any) -> None:
    agency = _agency()
    version = make_service(agency=agency)
    draft = service_version_draft(item=version.item, editor=ACTOR, actor=ACTOR)
    service_version_update(version=draft, content={"name_en": "Next edition"}, editor=ACTOR, actor=ACTOR)
    draft_text = ServiceVersion.objects.get(pk=draft.pk).search_text
    sent: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        sent.append(kwargs)

    agency_renamed.connect(listener, dispatch_uid="test-listener")
    try:
        revision = catalogue_revision()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            _rename(agency, phone="021-12345", address_en="1 Archive Road")
        assert not sent and not callbacks and catalogue_revision() == revision

        with django_capture_on_commit_callbacks(execute=True):
            _rename(agency, name_en=NEW_EN)
    finally:
        agency_renamed.disconnect(dispatch_uid="test-listener")

    [kwargs] = sent
    assert kwargs["agency"].name_en == NEW_EN and kwargs["before"] == {"name_en": OLD_EN}
    assert catalogue_revision() == revision + 1
    version.refresh_from_db()
    assert NEW_EN.casefold() in version.search_text and OLD_ZH in version.search_text  # the Chinese name stays
    assert ServiceVersion.objects.get(pk=draft.pk).search_text == draft_text  # drafts are rebuilt on publish


@pytest.mark.django_db
def test_many_services_are_rebuilt_in_batches_not_row_by_row(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    agency = _agency()
    codes = [make_service(agency=agency, code=f"archive-{n}").item.code for n in range(5)]
    other = make_service(code="elsewhere")  # another agency's service is not touched
    other_text = other.search_text
    monkeypatch.setattr(catalogue_services, "SEARCH_REBUILD_BATCH", 2)

    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        _rename(agency, name_zh=NEW_ZH, name_en=NEW_EN)

    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "catalogue_serviceversion"')]
    assert len(updates) == 3  # 5 rows, 2 a batch
    texts = dict(ServiceVersion.objects.filter(item__code__in=codes).values_list("item__code", "search_text"))
    assert len(texts) == 5 and all(NEW_ZH in text and OLD_ZH not in text for text in texts.values())
    other.refresh_from_db()
    assert other.search_text == other_text


@pytest.mark.django_db(transaction=True)
def test_the_revision_moves_only_when_the_rename_commits(client: Client) -> None:
    agency = _agency()
    code = make_service(agency=agency).item.code
    _warm_the_cache(client, code)
    revision = catalogue_revision()

    _rename(agency, name_zh=NEW_ZH, name_en=NEW_EN)  # commits (no test transaction around it)

    assert catalogue_revision() > revision
    _assert_search_follows_the_new_name(client, code)


@pytest.mark.django_db(transaction=True)
def test_a_publication_during_a_rename_waits_for_it_and_takes_the_new_name() -> None:
    """The rename has rebuilt the published versions but not committed yet when a draft of the
    same agency is published: the publication waits for the agency row, then reads the new name
    (without the lock it would read the committed old one and keep it until the next rename)."""
    if connection.vendor != "postgresql":
        pytest.skip("true parallel writers need PostgreSQL; this runs in the PostgreSQL pass")
    agency = _agency()
    version = make_service(agency=agency)
    draft = service_version_draft(item=version.item, editor=ACTOR, actor=ACTOR)
    renamed = threading.Event()
    failures: list[BaseException] = []

    def rename() -> None:
        try:
            with transaction.atomic():
                _rename(agency, name_zh=NEW_ZH, name_en=NEW_EN)
                renamed.set()
                time.sleep(0.5)  # the publication starts meanwhile
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            renamed.set()
            connection.close()

    def publish() -> None:
        try:
            renamed.wait(5)
            service_version_publish_with_form(version=draft, editor=ACTOR, actor=ACTOR, now=timezone.now())
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rename), threading.Thread(target=publish)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    text = ServiceVersion.objects.get(pk=draft.pk).search_text
    assert NEW_ZH in text and NEW_EN.casefold() in text and OLD_ZH not in text
