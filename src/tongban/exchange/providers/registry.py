"""A registry of plugins by code: the one way an outside system (or any other pluggable source)
plugs in. Model: open-forms' ``src/openforms/plugins/registry.py``.

The exchange keeps its data providers in one (``providers.base.registry``); forms keep their
prefill sources in another (``forms.prefill.base.registry``). A code names one plugin for good: a
second plugin under a code already taken is refused at registration, naming the code and both
classes, so a copy-pasted module or a setting that repeats a built-in code fails at start-up
instead of silently replacing the first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured


class Coded(Protocol):
    """What a registry needs of a plugin: its code."""

    @property
    def code(self) -> str: ...


P = TypeVar("P", bound=Coded)


class DuplicateCode(ImproperlyConfigured):
    """A plugin was registered under a code another plugin already has."""


def _class_name(plugin: object) -> str:
    kind = type(plugin)
    return f"{kind.__module__}.{kind.__qualname__}"


class Registry(Generic[P]):
    """Plugins of one kind by their code, in the order they were registered."""

    def __init__(self, kind: str) -> None:
        #: What the plugins are, for messages: "provider", "prefill source".
        self.kind = kind
        self._plugins: dict[str, P] = {}

    def register(self, plugin: P) -> P:
        """Add ``plugin`` under its code; refuse (:class:`DuplicateCode`) a code already taken."""
        taken = self._plugins.get(plugin.code)
        if taken is not None:
            raise DuplicateCode(
                f"{self.kind} code {plugin.code!r} is already registered by {_class_name(taken)}; "
                f"refused for {_class_name(plugin)}. Give each {self.kind} its own code."
            )
        self._plugins[plugin.code] = plugin
        return plugin

    def __getitem__(self, code: str) -> P:
        """The plugin with this code; ``KeyError`` when there is none."""
        return self._plugins[code]

    def get(self, code: str) -> P | None:
        """The plugin with this code, or None."""
        return self._plugins.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._plugins

    def __iter__(self) -> Iterator[P]:
        return iter(list(self._plugins.values()))

    def __len__(self) -> int:
        return len(self._plugins)

    def registered(self) -> dict[str, P]:
        """Code -> plugin, a copy."""
        return dict(self._plugins)

    def copy(self) -> Registry[P]:
        """A registry with the same plugins: a test swaps it in to add its own without leaking them."""
        other: Registry[P] = Registry(self.kind)
        other._plugins = dict(self._plugins)
        return other
