"""The prefill-source contract and the registry of sources: Open Forms' prefill plugins, built
like the exchange's providers (``exchange.providers``): an abstract contract, a registry, one
small module per source.

A form field names its source as ``"prefill": "<code>.<attribute>"`` (``person.name``,
``certificate.work-permit.number``). The code picks the source from :data:`registry`; the
attribute is the source's business. A source never decides whether its value locks the field
(``authoritative`` in the layout does) and never writes: ``forms.prefill`` puts what it reads into
the draft. Adding a source: docs/exchange.md, "Adding a prefill source".
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tongban.exchange.providers.registry import Registry

if TYPE_CHECKING:
    from datetime import datetime

    from django.utils.functional import Promise

    from tongban.core.actors import Actor
    from tongban.forms.models import Application, FormDefinition
    from tongban.identity.models import Firm, Person


@dataclass(frozen=True)
class PrefillContext:
    """What a source reads about: the applicant and the firm applied for; for a source that
    ``needs_application``, also the draft (with what was typed so far), its form, the moment and
    who reads (an exchange read is logged under that actor)."""

    person: Person
    firm: Firm | None
    application: Application | None = None
    definition: FormDefinition | None = None
    now: datetime | None = None
    actor: Actor | None = None


class PrefillSource(abc.ABC):
    """A source of values a form field can be prefilled from."""

    #: The first part of a field's ``prefill`` key: ``person`` in ``person.name``.
    code: str
    #: Shown beside a value it gave ("From your identity record"): a lazy translation.
    label: Promise
    #: False: read from the applicant's own records, when a draft opens and on every save.
    #: True: read about the draft (e.g. the person its form names), on every save only.
    needs_application: bool = False
    #: The attributes it offers, when they are a fixed list (the definition checks accept these).
    attributes: frozenset[str] = frozenset()

    def accepts(self, attribute: str) -> bool:
        """Whether a form may name ``<code>.<attribute>`` (the editor and publish check it)."""
        return attribute in self.attributes

    @abc.abstractmethod
    def read(self, context: PrefillContext, attributes: tuple[str, ...]) -> dict[str, Any]:
        """attribute -> value for those of ``attributes`` it has; the caller drops empty values."""


#: Every prefill source, by code.
registry: Registry[PrefillSource] = Registry("prefill source")


def register(source: PrefillSource) -> PrefillSource:
    """Add a source; a code already taken is refused (``exchange.providers.registry.DuplicateCode``)."""
    return registry.register(source)
