"""The registry of authorization rules: every ``<app>/permissions.py`` function that answers one
question ("may this actor see / act on this object?") is declared with :func:`rule`, so that the
table of who may do what (``docs/authorization.md``, written by ``manage.py authorization_doc``)
is generated from the code that decides, and a test keeps the two alike (ADR 0026).

This module decides nothing itself: it only records the rules the contexts declare.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

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
    """Every rule declared so far, by context then name (``cases.permissions.all_rules`` imports
    every permissions module first)."""
    return sorted(REGISTRY.values(), key=lambda r: (r.context, r.name))
