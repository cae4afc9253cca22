"""The registry of authorization rules: every ``<app>/permissions.py`` function that answers one
question ("may this actor see / act on this object?") is declared with :func:`rule`, so that the
table of who may do what (``docs/authorization.md``, written by ``manage.py authorization_doc``)
is generated from the code that decides, and a test keeps the two alike (ADR 0026).

This module decides nothing itself: it only records the rules the contexts declare.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TypeVar

from django.apps import apps
from django.utils.module_loading import module_has_submodule

F = TypeVar("F", bound=Callable[..., object])


@dataclass(frozen=True)
class Rule:
    """One authorization question and who passes it, as the docs table shows it."""

    context: str  # the app: "forms", "cases", "certificates", "identity" …
    name: str  # the function's name
    question: str  # "May this person see or change this draft?"
    who: str  # who passes, in one sentence
    refusal: str  # what the others get: "404", "403" …


REGISTRY: dict[str, Rule] = {}


def rule(*, question: str, who: str, refusal: str) -> Callable[[F], F]:
    """Declare the decorated function as the one answer to ``question`` in its context."""

    def register(function: F) -> F:
        module = function.__module__
        context = module.split(".")[1] if module.startswith("tongban.") else module
        key = f"{module}.{function.__name__}"
        REGISTRY[key] = Rule(context, function.__name__, question, who, refusal)
        return function

    return register


def rules() -> list[Rule]:
    """Every rule declared so far, by context then name (:func:`all_rules` imports every
    permissions module first)."""
    return sorted(REGISTRY.values(), key=lambda r: (r.context, r.name))


def all_rules() -> list[Rule]:
    """Every context's declared rules: the ``permissions`` module of each installed Tongban app is
    imported (found through Django's app registry, as ``autodiscover_modules`` does), so that it
    registers. No context names another, so a context added above ``cases`` (service_centres,
    reviews …) is included without an upward import."""
    for config in apps.get_app_configs():
        if config.name.startswith("tongban.") and module_has_submodule(config.module, "permissions"):
            import_module(f"{config.name}.permissions")
    return rules()
