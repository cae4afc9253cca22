"""Every public page exists in both languages, says so in <html lang>, and switches in place."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PUBLIC = [
    "",
    "individuals/",
    "firms/",
    "international/",
    "search/?q=permit",
    "contact/",
    "faq/",
    "privacy/",
    "accessibility/",
    "agencies/",
    "login/",
    "register/",
    "password-reset/",
]


@pytest.mark.parametrize("page", PUBLIC)
@pytest.mark.parametrize(("prefix", "lang"), [("zh", "zh-Hans"), ("en", "en")])
def test_public_pages_in_both_languages(client: Client, page: str, prefix: str, lang: str) -> None:
    response = client.get(f"/{prefix}/{page}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'name="viewport"' in html


def test_language_switch_keeps_the_page_and_query(client: Client) -> None:
    html = client.get("/en/search/?q=permit").content.decode()
    switch = re.search(r'<nav class="lang-switch".*?</nav>', html, re.S)
    assert switch is not None
    assert 'href="/zh/search/?q=permit"' in switch.group(0)
    assert 'aria-current="true" lang="en"' in switch.group(0)


def test_chinese_and_english_content_differ(client: Client) -> None:
    zh = client.get("/zh/faq/").content.decode()
    en = client.get("/en/faq/").content.decode()
    assert "Frequently asked questions" in en
    assert "常见问题" in zh and "Frequently asked questions" not in zh


def test_zh_hans_prefix_redirects_to_zh(client: Client) -> None:
    response = client.get("/zh-hans/contact/?x=1")
    assert response.status_code == 301
    assert response["Location"] == "/zh/contact/?x=1"


def test_root_redirects_by_browser_language(client: Client) -> None:
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")["Location"] == "/en/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")["Location"] == "/zh/"


def test_unprefixed_page_redirects(client: Client) -> None:
    response = client.get("/international/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == "/en/international/"


def test_search_finds_chinese_without_spaces(client: Client) -> None:
    html = client.get("/zh/search/", {"q": "工作许可"}).content.decode()
    assert "外国员工工作许可" in html or "工作许可" in html.split("<h2", 2)[-1]


def test_sitemap_lists_both_languages(client: Client) -> None:
    xml = client.get("/sitemap.xml").content.decode()
    assert "/zh/international/" in xml and "/en/international/" in xml
    assert 'hreflang="en"' in xml


def test_robots_points_to_sitemap(client: Client) -> None:
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_unknown_page_is_a_bilingual_404(client: Client) -> None:
    assert client.get("/en/no-such-page/").status_code == 404
