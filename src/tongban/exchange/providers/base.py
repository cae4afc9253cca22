"""The provider contract every data source implements, and the registry of providers.

A provider answers one question: the values of some fields of one resource about one subject.
It never decides who may ask — the exchange service does that before calling it — and it never
logs: the exchange writes the access log for every call, answered or not. Model: open-forms'
plugin registry (``src/openforms/plugins/registry.py``). Providers are registered once, when the
app is ready (``exchange.apps``), each under its own code: a second provider with a code already
taken is refused (``providers.registry.DuplicateCode``). How to add a kind of provider: docs/exchange.md.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, Literal

from tongban.exchange.providers.registry import Registry

SubjectKind = Literal["person", "firm"]


@dataclass(frozen=True)
class Subject:
    """Whom the data is about: a person by document, or a firm by USCC."""

    kind: SubjectKind
    #: person: "<id_type>:<number>[:<nationality>]"; firm: the USCC
    key: str

    @property
    def id_type(self) -> str:
        return self.key.split(":", 1)[0] if self.kind == "person" else "uscc"

    @property
    def number(self) -> str:
        return self.key.split(":")[1] if self.kind == "person" else self.key

    @property
    def nationality(self) -> str:
        parts = self.key.split(":")
        return parts[2] if self.kind == "person" and len(parts) > 2 else ""


@dataclass(frozen=True)
class ProviderRequest:
    resource: str
    subject: Subject
    fields: tuple[str, ...]
    consumer: str  # agency code
    purpose: str  # service item code
    request_id: str


@dataclass(frozen=True)
class ProviderAnswer:
    """The values found (only the fields asked for); ``found`` False when the subject has no record."""

    values: dict[str, Any]
    found: bool = True
    source: str = ""  # a human-readable name of the record's source, e.g. "population registry"


class ProviderError(Exception):
    """The provider could not answer. ``code``: unavailable, timeout, bad_response, bad_signature."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Health:
    ok: bool
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Provider(abc.ABC):
    """A source of data resources."""

    #: The provider's code, referenced by ``DataResource.provider``.
    code: str

    @abc.abstractmethod
    def fetch(self, request: ProviderRequest) -> ProviderAnswer:
        """Answer the request or raise ProviderError. Must return within the provider's timeout."""

    def health(self) -> Health:
        """Whether the provider can answer now (its endpoint reachable, its keys loaded). Cheap: no
        query about anyone. The default says yes; a provider behind a network overrides it."""
        return Health(ok=True)


#: Every configured provider, by code (``DataResource.provider`` names one).
registry: Registry[Provider] = Registry("provider")


def register(provider: Provider) -> Provider:
    """Add a provider; a code already taken is refused (``providers.registry.DuplicateCode``)."""
    return registry.register(provider)


def get(code: str) -> Provider:
    """The provider with this code; ``ProviderError("unavailable")`` when none is configured."""
    try:
        return registry[code]
    except KeyError:
        raise ProviderError("unavailable", f"no provider {code!r} is configured") from None


def registered() -> dict[str, Provider]:
    """Code -> provider, a copy."""
    return registry.registered()
