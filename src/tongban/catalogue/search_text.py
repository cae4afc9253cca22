"""A published version's search text: its names, summaries, eligibility, agency and topics in both
languages, case-folded, plus the everyday words (search synonyms) whose expansions occur in it.

Synonyms are applied here, when the text is built (at publication, agency rename and synonym
edit), so a search stays one substring test per typed term (ADR 0031). Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the models are only named in annotations; this module stays pure
    from tongban.catalogue.models import ServiceVersion, Topic


@dataclass(frozen=True)
class SynonymSpec:
    """A search synonym as plain values: ``term`` is added to a text in which any of
    ``expansions`` occurs, in the Chinese half, the English half or either (``language``)."""

    term: str
    expansions: tuple[str, ...]
    language: str  # "zh", "en" or "both"


def fold(text: str) -> str:
    """Case-folded, with runs of white space as one space: how terms and texts are compared."""
    return " ".join(text.split()).casefold()


def with_synonyms(zh: str, en: str, synonyms: Iterable[SynonymSpec]) -> list[str]:
    """The terms of ``synonyms`` to add to a text whose Chinese half is ``zh`` and English half
    ``en`` (both folded): those with an expansion in the half of their language, not yet in it."""
    whole = f"{zh} {en}"
    added: list[str] = []
    for synonym in synonyms:
        half = zh if synonym.language == "zh" else en if synonym.language == "en" else whole
        if synonym.term not in whole and synonym.term not in added and any(e in half for e in synonym.expansions):
            added.append(synonym.term)
    return added


def build_search_text(version: ServiceVersion, topics: Sequence[Topic], synonyms: Iterable[SynonymSpec]) -> str:
    """The version's search text (its item and agency must be loaded)."""
    zh_parts = [
        version.name_zh,
        version.summary_zh,
        version.eligibility_zh,
        version.item.agency.name_zh,
        *(topic.name_zh for topic in topics),
    ]
    en_parts = [
        version.name_en,
        version.summary_en,
        version.eligibility_en,
        version.item.agency.name_en,
        *(topic.name_en for topic in topics),
    ]
    zh = " ".join(fold(part) for part in zh_parts if part)
    en = " ".join(fold(part) for part in en_parts if part)
    base = " ".join(part for part in (fold(version.item.code), zh, en) if part)
    return " ".join([base, *with_synonyms(zh, en, synonyms)])
