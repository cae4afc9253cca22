"""Prefill sources are plugins: one registry by code, a second source under a code already taken
is refused, and a form may name only what a registered source offers. No database."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.translation import gettext_lazy

from tongban.exchange.providers.registry import DuplicateCode
from tongban.forms import prefill
from tongban.forms.prefill import base
from tongban.forms.prefill.base import PrefillContext, PrefillSource
from tongban.forms.prefill.plugins.person import PersonSource
from tongban.forms.services import form_definition_errors


class Salary(PrefillSource):
    code = "salary"
    label = gettext_lazy("From the payroll")
    attributes = frozenset({"monthly_yuan"})

    def read(self, context: PrefillContext, attributes: tuple[str, ...]) -> dict[str, Any]:
        return {"monthly_yuan": 12000} if "monthly_yuan" in attributes else {}


def form(source: str) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = {"type": "object", "properties": {"pay": {"type": "string", "title": "Pay"}}}
    layout = {
        "steps": [{"key": "pay", "title": {"zh": "工资", "en": "Pay"}, "fields": ["pay"]}],
        "fields": {"pay": {"label": {"zh": "工资", "en": "Pay"}, "prefill": source}},
    }
    return schema, layout


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "registry", base.registry.copy())


def test_the_built_in_sources_are_registered() -> None:
    assert {source.code for source in base.registry} == {"account", "certificate", "firm", "person"}
    assert {code: str(label) for code, label in prefill.SOURCE_LABELS.items()}["person"] == "From your identity record"


@pytest.mark.usefixtures("registry")
def test_a_second_source_with_a_code_already_taken_is_refused() -> None:
    class Impostor(Salary):
        code = "person"

    with pytest.raises(DuplicateCode, match=r"'person'.*PersonSource.*Impostor"):
        base.register(Impostor())
    assert isinstance(base.registry["person"], PersonSource)


@pytest.mark.usefixtures("registry")
def test_a_form_names_only_what_a_registered_source_offers() -> None:
    assert "layout" in form_definition_errors(*form("salary.monthly_yuan"), points_fields={})  # unknown code
    base.register(Salary())
    assert form_definition_errors(*form("salary.monthly_yuan"), points_fields={}) == {}
    assert "layout" in form_definition_errors(*form("salary.yearly_yuan"), points_fields={})  # unknown attribute
    assert "salary" in prefill.SOURCE_LABELS
