"""{% memo %} renders a fragment once per language and vary values, then reuses it; {% url_with %}
reverses a URL once and fills in the argument."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation


def test_memo_varies_by_language_and_declared_values_only() -> None:
    template = Template(
        '{% load tongban i18n %}{% memo nav %}{% translate "Help" %}:{{ nav }}:{{ other }}{% endmemo %}'
    )
    with translation.override("en"):
        first = template.render(Context({"nav": "a", "other": 1}))
        again = template.render(Context({"nav": "a", "other": 2}))
        other_nav = template.render(Context({"nav": "b", "other": 3}))
    with translation.override("zh-hans"):
        chinese = template.render(Context({"nav": "a", "other": 4}))
    assert first == again == "Help:a:1"  # "other" is not a vary value: the first rendering is reused
    assert other_nav == "Help:b:3"
    assert chinese.startswith("帮助") and chinese.endswith(":a:4")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_url_with_is_the_same_as_url(language: str) -> None:
    template = Template("{% load tongban %}{% url_with 'portal:my_case' number %}|{% url 'portal:my_case' number %}")
    with translation.override(language):
        for number in ["TB20261127FYWX1J", "TB2026 a&b", "中文"]:
            fast, slow = template.render(Context({"number": number})).split("|")
            assert fast == slow, (fast, slow)
            assert fast.startswith("/en/" if language == "en" else "/zh/")
