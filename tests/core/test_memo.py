"""{% memo %} renders a fragment once per language and vary values, then reuses it."""

from __future__ import annotations

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
