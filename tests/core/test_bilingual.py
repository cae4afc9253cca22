"""One place picks a record's text for the active language: ``core.bilingual.language()`` /
``localized()`` / ``pick()`` and the template filter ``{{ obj|localized:"name" }}`` (English,
Chinese, the fallback to the other language, dict rows, and escaping as before)."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe

from tongban.core.bilingual import language, localized, pick


@dataclass(frozen=True)
class Named:
    name_zh: str
    name_en: str


AGENCY = Named(name_zh="市场监督管理局", name_en="Market Regulation Bureau")


def _render(source: str, language_code: str, **context: object) -> str:
    with translation.override(language_code):
        return Template("{% load bilingual %}" + source).render(Context(context))


@pytest.mark.parametrize(("code", "expected"), [("en", "en"), ("zh-hans", "zh")])
def test_language_is_the_active_one_as_en_or_zh(code: str, expected: str) -> None:
    with translation.override(code):
        assert language() == expected
    assert language(code) == expected


def test_language_when_none_is_active_is_the_default_chinese() -> None:
    with translation.override(None):
        assert language() == "zh"


def test_localized_picks_the_active_language() -> None:
    with translation.override("en"):
        assert localized(AGENCY, "name") == "Market Regulation Bureau"
    with translation.override("zh-hans"):
        assert localized(AGENCY, "name") == "市场监督管理局"


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "Market Regulation Bureau"), ("zh", "市场监督管理局"), ("zh-hans", "市场监督管理局")]
)
def test_localized_with_an_explicit_language_ignores_the_active_one(lang: str, expected: str) -> None:
    with translation.override("en" if lang != "en" else "zh-hans"):
        assert localized(AGENCY, "name", lang) == expected


def test_an_empty_text_falls_back_to_the_other_language() -> None:
    only_zh = Named(name_zh="某公司", name_en="")
    only_en = Named(name_zh="", name_en="Some Firm Ltd")
    assert localized(only_zh, "name", "en") == "某公司"
    assert localized(only_en, "name", "zh") == "Some Firm Ltd"
    assert localized(Named("", ""), "name", "en") == ""
    assert pick("是", "", "en") == "是" and pick("", "yes", "zh") == "yes"
    assert localized(SimpleNamespace(name_zh=None, name_en="x"), "name", "zh") == "x"


def test_dict_rows_and_missing_fields() -> None:
    row = {"agency_zh": "公安局", "agency_en": "Public Security Bureau"}
    assert localized(row, "agency", "en") == "Public Security Bureau"
    assert localized(row, "agency", "zh") == "公安局"
    assert localized(row, "name", "en") == ""
    assert localized(None, "name", "en") == ""


def test_the_filter_picks_the_field_for_the_page_language() -> None:
    source = '{{ agency|localized:"name" }}|{{ row|localized:"agency" }}'
    row = {"agency_zh": "公安局", "agency_en": "Public Security Bureau"}
    assert _render(source, "en", agency=AGENCY, row=row) == "Market Regulation Bureau|Public Security Bureau"
    assert _render(source, "zh-hans", agency=AGENCY, row=row) == "市场监督管理局|公安局"


def test_the_filter_falls_back_and_tolerates_a_missing_object() -> None:
    firm = Named(name_zh="某公司", name_en="")
    assert _render('{{ firm|localized:"name" }}', "en", firm=firm) == "某公司"
    assert _render('[{{ nothing|localized:"name" }}]', "en") == "[]"


def test_the_filter_output_is_escaped_like_the_field_was() -> None:
    hostile = Named(name_zh="<b>局</b>", name_en='<script>alert("x")</script> & Co')
    old = '{% if html_lang == "en" %}{{ x.name_en }}{% else %}{{ x.name_zh }}{% endif %}'
    for code, html_lang in (("en", "en"), ("zh-hans", "zh-Hans")):
        new = _render('{{ x|localized:"name" }}', code, x=hostile)
        assert new == _render(old, code, x=hostile, html_lang=html_lang)
    assert (
        _render('{{ x|localized:"name" }}', "en", x=hostile)
        == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"
    )
    # Even text someone marked safe comes back as a plain string: the template escapes it.
    marked = Named(name_zh=mark_safe("<i>安</i>"), name_en="")
    assert not isinstance(localized(marked, "name", "zh"), SafeData)
    assert _render('{{ x|localized:"name" }}', "zh-hans", x=marked) == "&lt;i&gt;安&lt;/i&gt;"
    assert _render('{{ x|localized:"name"|linebreaksbr }}', "en", x=Named("", "a<b\nc")) == "a&lt;b<br>c"


def test_the_pick_tag_chooses_between_two_texts_and_escapes() -> None:
    source = "{% pick zh en %}"
    assert _render(source, "en", zh="公安局", en="Public <Security>") == "Public &lt;Security&gt;"
    assert _render(source, "zh-hans", zh="公安局", en="Public Security") == "公安局"
    assert _render(source, "en", zh="公安局", en="") == "公安局"
