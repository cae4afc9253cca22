"""Search synonyms (issue 19): everyday words and abbreviations, edited by city operators with an
audit event, find the services the catalogue's own words find — in both languages, with a search
that still tests one substring per typed term (ADR 0031)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import StaffRoleFactory
from tests.services import make_service
from tongban.audit.models import AuditEvent
from tongban.catalogue.models import SearchSynonym, ServiceVersion
from tongban.catalogue.search_text import SynonymSpec, with_synonyms
from tongban.catalogue.selectors import published_services
from tongban.catalogue.synonyms import search_synonym_remove, search_synonym_save
from tongban.core.actors import Actor
from tongban.core.errors import PermissionDeniedError
from tongban.demo import data
from tongban.demo.catalogue_loader import load_catalogue
from tongban.identity.models import Account, Agency

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]
ACTOR = Actor.system("tests")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def codes(query: str) -> set[str]:
    return {version.item.code for version in published_services(query=query)}


@pytest.fixture
def catalogue() -> None:
    for agency in data.AGENCIES:
        Agency.objects.get_or_create(code=agency.code, defaults=vars(agency))
    load_catalogue(now=NOW)


def test_the_pure_rule() -> None:
    social = SynonymSpec("社保", ("社会保险",), "zh")
    licence = SynonymSpec("license", ("licence",), "en")
    either = SynonymSpec("护照", ("passport",), "both")
    assert with_synonyms("社会保险参保", "enrolment", [social, licence, either]) == ["社保"]
    assert with_synonyms("食品经营许可证", "food business licence", [social, licence]) == ["license"]
    assert with_synonyms("社保", "", [social]) == []  # already there
    assert with_synonyms("", "社会保险", [social]) == []  # a Chinese synonym looks in the Chinese text
    assert with_synonyms("", "passport copy", [either]) == ["护照"]


def test_everyday_words_find_what_the_catalogue_words_find(catalogue: None) -> None:
    social = {"si-enrolment", "si-termination", "unemployment-benefit"}
    assert {"si-enrolment", "si-termination"} <= codes("社会保险")
    assert "unemployment-benefit" in codes("失业保险")
    assert codes("社保") >= social | codes("社会保险")
    assert "si-contribution-record" in codes("社保")  # its own name says 社保
    assert "food-licence" in codes("food business license")  # the American spelling
    assert "food-licence" in codes("执照")
    assert "individual-tax-record" in codes("个税")
    assert "annual-report" in codes("年报")
    assert "unemployment-benefit" in codes("失业金")
    assert "fw-work-permit" in codes("工作签证") and "fw-work-permit" in codes("work visa")
    assert "fw-residence-permit" in codes("居住证")
    assert {"si-enrolment", "si-termination"} <= codes("social insurance")


def test_operators_edit_synonyms_in_the_back_office_and_search_follows(client: Client, login_staff: Login) -> None:
    version = make_service(code="pension-print")
    assert "pension-print" not in codes("养老")
    operator = StaffRoleFactory(city_operator=True)
    login_staff(client, operator.account)
    response = client.post(
        "/en/backoffice/catalogue/synonyms/",
        {"term": " 养老 ", "expansions": "测试事项；Test SERVICE", "language": "both"},
    )
    assert response.status_code == 302
    synonym = SearchSynonym.objects.get()
    assert (synonym.term, synonym.expansions, synonym.language) == ("养老", ["测试事项", "test service"], "both")
    event = AuditEvent.objects.get(action="catalogue.synonym_saved")
    assert event.object_id == "养老|both" and event.data["after"] == ["测试事项", "test service"]
    assert event.data["versions_changed"] == 1  # only texts with the words are rebuilt
    assert "pension-print" in codes("养老")
    page = client.get("/en/services/", {"q": "养老"}).content.decode()
    assert 'href="/en/services/pension-print/"' in page
    listing = client.get("/zh/backoffice/catalogue/synonyms/").content.decode()
    assert "养老" in listing and "test service" in listing
    response = client.post(f"/en/backoffice/catalogue/synonyms/{synonym.pk}/remove/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="catalogue.synonym_removed", object_id="养老|both").exists()
    assert "pension-print" not in codes("养老")
    assert "pension-print" not in {
        v.item.code for v in ServiceVersion.objects.filter(search_text__contains="养老").select_related("item")
    }
    assert version.pk


@pytest.mark.parametrize("role", ["agency_admin", "officer", "supervisor"])
def test_only_city_operators_edit_synonyms(client: Client, login_staff: Login, role: str) -> None:
    staff = StaffRoleFactory(role=role)
    login_staff(client, staff.account)
    assert client.get("/en/backoffice/catalogue/synonyms/").status_code == 403
    response = client.post("/en/backoffice/catalogue/synonyms/", {"term": "x", "expansions": "y", "language": "en"})
    assert response.status_code == 403
    with pytest.raises(PermissionDeniedError):
        search_synonym_save(term="x", expansions=["y"], language="en", editor=staff.account, actor=ACTOR)
    assert not SearchSynonym.objects.exists()


def test_bad_synonyms_are_refused_and_record_nothing() -> None:
    for term, expansions, language in (
        ("", ["社会保险"], "zh"),
        ("社保", [" ", "社保"], "zh"),
        ("社保", ["社会保险"], "fr"),
    ):
        with pytest.raises(ValidationError):
            search_synonym_save(term=term, expansions=expansions, language=language, editor=ACTOR, actor=ACTOR)
    assert not SearchSynonym.objects.exists() and not AuditEvent.objects.filter(action__contains="synonym").exists()


def test_saving_a_term_again_replaces_its_words_and_removing_twice_is_not_found() -> None:
    first = search_synonym_save(term="社保", expansions=["社会保险"], language="zh", editor=ACTOR, actor=ACTOR)
    again = search_synonym_save(term="社保", expansions=["社会保障"], language="zh", editor=ACTOR, actor=ACTOR)
    assert first.pk == again.pk and SearchSynonym.objects.get().expansions == ["社会保障"]
    search_synonym_remove(synonym_id=first.pk, editor=ACTOR, actor=ACTOR)
    with pytest.raises(Exception, match="no longer exists"):
        search_synonym_remove(synonym_id=first.pk, editor=ACTOR, actor=ACTOR)


def test_a_search_with_synonyms_is_one_query_with_one_test_per_term(catalogue: None) -> None:
    with CaptureQueriesContext(connection) as queries:
        found = codes("社保 登记")
    assert "si-enrolment" in found
    assert len(queries) == 1
    assert "synonym" not in queries[0]["sql"].lower()
    assert queries[0]["sql"].upper().count("LIKE") == 2
