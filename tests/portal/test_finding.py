"""Finding things (issue 19): verifying a certificate by its typed number, links to verification
and to the "How to use Tongban" guide on every public page, the guide in both languages, the
sitemap's catalogue and service guides, and the search page saying what was searched for."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import ServiceCentreFactory
from tests.services import make_service
from tongban.catalogue.models import VersionStatus
from tongban.catalogue.services import service_item_create
from tongban.certificates.numbers import normalize_number
from tongban.conf.limits import DEFAULT_RATE_LIMITS
from tongban.core.actors import Actor
from tongban.portal.content import GUIDE

pytestmark = pytest.mark.django_db


# --- The certificate number, typed --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("WP2026K7Q2M9XD", "WP2026K7Q2M9XD"),
        (" wp 2026 k7q2 m9xd ", "WP2026K7Q2M9XD"),
        ("wp-2026-k7q2-m9xd", "WP2026K7Q2M9XD"),
        ("ＷＰ２０２６ＤＥＭＯ０００１", "WP2026DEMO0001"),  # full-width, as a Chinese keyboard types it
        ("wp2026demo0001\n", "WP2026DEMO0001"),
    ],
)
def test_typed_numbers_are_normalised(typed: str, stored: str) -> None:
    assert normalize_number(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "   ", "2026K7Q2M9XD", "WP26K7Q2", "WP2026", "<script>", "WP2026K7Q2M9XD/../x", "A" * 30]
)
def test_malformed_numbers_are_refused(typed: str) -> None:
    assert normalize_number(typed) is None


@given(st.text(max_size=60))
def test_a_normalised_number_is_a_safe_path_segment(typed: str) -> None:
    number = normalize_number(typed)
    assert number is None or re.fullmatch(r"[A-Z0-9]{9,24}", number)


@pytest.mark.parametrize(("lang", "message"), [("en", "This is not a certificate number"), ("zh", "这不是证照编号")])
def test_the_number_field_leads_to_the_verification_page(client: Client, lang: str, message: str) -> None:
    page = client.get(f"/{lang}/verify/").content.decode()
    assert f'<form method="get" action="/{lang}/verify/"' in page
    assert 'name="number"' in page and '<label for="number">' in page
    response = client.get(f"/{lang}/verify/", {"number": " wp 2026 demo 0001 "})
    assert response.status_code == 302 and response["Location"] == f"/{lang}/verify/WP2026DEMO0001/"
    assert client.get(response["Location"]).status_code == 404  # no such certificate: said so
    wrong = client.get(f"/{lang}/verify/", {"number": "<b>12</b>"})
    assert wrong.status_code == 200
    html = wrong.content.decode()
    assert message in html and 'aria-invalid="true"' in html
    assert "<b>12</b>" not in html and "&lt;b&gt;12&lt;/b&gt;" in html


def test_a_number_in_lower_case_in_the_address_is_sent_to_its_stored_form(client: Client) -> None:
    assert client.get("/en/verify/wp2026demo0001/")["Location"] == "/en/verify/WP2026DEMO0001/"
    assert client.get("/verify/wp2026demo0001")["Location"] == "/verify/WP2026DEMO0001"


@override_settings(RATE_LIMITS={**DEFAULT_RATE_LIMITS, "verify.client": (2, 60)})
def test_typed_numbers_count_against_the_public_look_up_limit() -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert client.get("/en/verify/", {"number": "WP2026AAAA0001"}).status_code == 302
    assert client.get("/en/verify/", {"number": "WP2026AAAA0002"}).status_code == 302
    assert client.get("/en/verify/", {"number": "WP2026AAAA0003"}).status_code == 429


# --- Links from every public page ----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", ["", "services/", "individuals/", "contact/", "faq/"])
def test_every_public_page_links_verification_and_the_guide(client: Client, lang: str, page: str) -> None:
    html = client.get(f"/{lang}/{page}").content.decode()
    footer = html.split('<footer class="site-footer">', 1)[1]
    assert f'href="/{lang}/verify/"' in footer and f'href="/{lang}/guide/"' in footer
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert nav is not None and f'href="/{lang}/guide/"' in nav.group(0)  # the header's Help


def test_the_home_page_offers_verification(client: Client) -> None:
    main = client.get("/en/").content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert 'href="/en/verify/"' in main


# --- The guide -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "title"), [("en", "How to use Tongban"), ("zh", "通办使用指南")])
def test_the_guide_in_both_languages(client: Client, lang: str, title: str) -> None:
    index = client.get(f"/{lang}/guide/").content.decode()
    assert f"<h1>{title}</h1>" in index
    for part in GUIDE:
        assert f'href="/{lang}/guide/{part.slug}/"' in index
        page = client.get(f"/{lang}/guide/{part.slug}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "<figure" in html and "<figcaption>" in html and 'alt="' in html
        assert "style=" not in html.split('<main id="main"', 1)[1] and "<script>" not in html
    assert client.get(f"/{lang}/guide/nothing/").status_code == 404
    english_steps = client.get("/en/guide/verify/").content.decode()
    chinese_steps = client.get("/zh/guide/verify/").content.decode()
    assert "certificate number" in english_steps and "证照编号" in chinese_steps


# --- The sitemap ---------------------------------------------------------------------------------


def test_the_sitemap_lists_the_catalogue_and_every_service_guide(client: Client, django_assert_num_queries) -> None:
    versions = [make_service(code=f"sitemap-{n}") for n in range(2)]
    assert all(version.status == VersionStatus.PUBLISHED for version in versions)
    draft_only = service_item_create(
        code="sitemap-draft",
        agency=versions[0].item.agency,
        area="foreign_staff",
        content={
            "name_zh": "草稿",
            "name_en": "Draft",
            "summary_zh": "草稿。",
            "summary_en": "Draft.",
            "for_firms": True,
            "statutory_limit_workdays": 5,
            "promised_limit_workdays": 5,
        },
        materials=[],
        topic_codes=[],
        editor=Actor.system("tests"),
        actor=Actor.system("tests"),
    )
    with django_assert_num_queries(2):  # the services' codes and the centres' codes
        few = client.get("/sitemap.xml").content.decode()
    make_service(code="sitemap-9")
    ServiceCentreFactory(code="sitemap-centre")
    with django_assert_num_queries(2):
        many = client.get("/sitemap.xml").content.decode()
    assert "/en/services/sitemap-9/" in many and "/en/services/sitemap-9/" not in few
    assert "/zh/centres/sitemap-centre/" in many and "/en/centres/</loc>" in few
    for lang in ("zh", "en"):
        assert f"/{lang}/services/</loc>" in few
        assert f"/{lang}/guide/verify/</loc>" in few
        for version in versions:
            assert f"/{lang}/services/{version.item.code}/</loc>" in few
        assert f"/{lang}/services/{draft_only.item.code}/" not in few
    assert 'hreflang="zh-hans" href="http://testserver/zh/services/sitemap-0/"' in few.lower()


# --- The search page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "said"), [("en", "Results for “&lt;i&gt;permit”"), ("zh", "“&lt;i&gt;permit”的搜索结果")]
)
def test_the_search_page_says_what_was_searched_for(client: Client, lang: str, said: str) -> None:
    html = client.get(f"/{lang}/services/", {"q": "<i>permit"}).content.decode()
    assert said in html and "<i>permit" not in html
