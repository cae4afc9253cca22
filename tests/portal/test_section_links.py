"""Every service named on a section page is one click from it: walked over every section page of
the demo city in both languages (issue 19, "Finding things")."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.services import make_service
from tongban.catalogue.models import ServiceVersion, VersionStatus
from tongban.demo import data
from tongban.demo.catalogue_loader import load_catalogue
from tongban.identity.models import Agency

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

#: Every section page and the audience whose services it must reach.
SECTIONS = {"individuals/": "for_individuals", "firms/": "for_firms", "international/": "for_foreigners"}


class MainLinks(HTMLParser):
    """The links (href, text) and the text of a page's <main>, and whether each <h2> of a card
    is a link."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []
        self._in_card_h2 = False
        self._card_h2_linked = False
        self._in_card = 0
        self.unlinked_headings: list[str] = []
        self._h2_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "main":
            self.depth += 1
        if not self.depth:
            return
        if tag == "li" and "card" in (attributes.get("class") or "").split():
            self._in_card += 1
        if tag == "h2" and self._in_card:
            self._in_card_h2, self._card_h2_linked, self._h2_text = True, False, []
        if tag == "a":
            self._href, self._link_text = attributes.get("href") or "", []
            if self._in_card_h2:
                self._card_h2_linked = True

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "main":
            self.depth -= 1
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._link_text).split())))
            self._href = None
        if tag == "h2" and self._in_card_h2:
            self._in_card_h2 = False
            if not self._card_h2_linked:
                self.unlinked_headings.append("".join(self._h2_text))
        if tag == "li" and self._in_card:
            self._in_card -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            return
        self.text.append(data)
        if self._href is not None:
            self._link_text.append(data)
        if self._in_card_h2:
            self._h2_text.append(data)


def parse(html: str) -> MainLinks:
    parser = MainLinks()
    parser.feed(html)
    return parser


@pytest.fixture
def catalogue() -> None:
    for agency in data.AGENCIES:
        Agency.objects.get_or_create(code=agency.code, defaults=vars(agency))
    load_catalogue(now=NOW)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_every_service_named_on_a_section_page_links_to_its_guide(
    client: Client, catalogue: None, lang: str, signed_in: bool, person, login_person
) -> None:
    if signed_in:
        login_person(client, person.account)
    published = list(ServiceVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("item"))
    assert len(published) >= 10
    for section, audience in SECTIONS.items():
        response = client.get(f"/{lang}/{section}")
        assert response.status_code == 200
        page = parse(response.content.decode())
        text = " ".join("".join(page.text).split())
        links = set(page.links)
        assert not page.unlinked_headings, (section, page.unlinked_headings)
        named = 0
        for version in published:
            name = version.name_zh if lang == "zh" else version.name_en
            guide = f"/{lang}/services/{version.item.code}/"
            if name in text:
                named += 1
                assert (guide, name) in links, f"{section} names {name!r} without a link to {guide}"
            if getattr(version, audience):
                assert (guide, name) in links, f"{section} does not lead to {name!r}, a service for its audience"
        assert named >= 3, section


def test_the_international_section_names_the_services_its_cards_describe(client: Client, catalogue: None) -> None:
    page = parse(client.get("/en/international/").content.decode())
    hrefs = {href for href, _text in page.links}
    for code in ("fw-work-permit", "fw-residence-permit", "si-enrolment", "annual-report"):
        assert f"/en/services/{code}/" in hrefs
    # A card naming exactly one service leads to that guide from its heading.
    assert ("/en/services/annual-report/", "Annual report for foreign-invested enterprises") in page.links


def test_a_section_page_costs_the_same_queries_for_few_and_many_services(client: Client, catalogue: None) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/en/firms/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(3):
        make_service(code=f"more-firm-service-{n}")
    cache.clear()
    assert queries() == few
    assert "/en/services/more-firm-service-2/" in client.get("/en/firms/").content.decode()
