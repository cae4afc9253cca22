"""Writes to the search synonyms: city operators add, change and remove the everyday words and
abbreviations search understands (社保 → 社会保险). Each edit is audited and rebuilds, in the same
transaction, the search text of the published versions it can change (ADR 0031), so a search
never expands anything at query time.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.catalogue.models import SearchSynonym, SynonymLanguage
from tongban.catalogue.permissions import CITY_ONLY
from tongban.catalogue.search_text import fold
from tongban.catalogue.services import search_texts_rebuild
from tongban.core.actors import Actor
from tongban.core.errors import NotFoundError
from tongban.identity.permissions import Editor, require_city_operator

#: At most this many expansions per term, each at most this long.
MAX_EXPANSIONS = 10
MAX_EXPANSION_CHARS = 120


def _clean(term: str, expansions: Iterable[str], language: str) -> tuple[str, list[str]]:
    errors: dict[str, str] = {}
    folded = fold(term)
    if not folded:
        errors["term"] = str(_("Give the word people search for."))
    elif len(folded) > 60:
        errors["term"] = str(_("At most 60 characters."))
    cleaned: list[str] = []
    for expansion in expansions:
        value = fold(expansion)
        if value and value not in cleaned and value != folded:
            cleaned.append(value)
    if not cleaned:
        errors["expansions"] = str(_("Give at least one word the catalogue uses for it."))
    elif len(cleaned) > MAX_EXPANSIONS or any(len(value) > MAX_EXPANSION_CHARS for value in cleaned):
        errors["expansions"] = str(_("At most 10 words, each at most 120 characters."))
    if language not in SynonymLanguage.values:
        errors["language"] = str(_("Choose the language."))
    if errors:
        raise ValidationError(errors)
    return folded, cleaned


@transaction.atomic
def search_synonym_save(
    *, term: str, expansions: Iterable[str], language: str, editor: Editor, actor: Actor
) -> SearchSynonym:
    """Add a synonym, or replace the expansions of the term in that language (city operators).
    Terms and expansions are case-folded; every published version's search text is rebuilt."""
    require_city_operator(account=editor, message=CITY_ONLY)
    folded, cleaned = _clean(term, expansions, language)
    synonym = SearchSynonym.objects.select_for_update().filter(term=folded, language=language).first()
    before = list(synonym.expansions) if synonym else None
    if synonym is None:
        synonym = SearchSynonym(term=folded, language=language)
    synonym.expansions = cleaned
    synonym.full_clean()
    synonym.save()
    # Only a text with the term or one of its old or new words can change (a text holds its source).
    changed = search_texts_rebuild(containing=[folded, *(before or []), *cleaned])
    audit_record(
        action="catalogue.synonym_saved",
        actor=actor,
        object_type="search_synonym",
        object_id=f"{folded}|{language}",
        data={"before": before, "after": cleaned, "versions_changed": changed},
    )
    return synonym


@transaction.atomic
def search_synonym_remove(*, synonym_id: int, editor: Editor, actor: Actor) -> None:
    """Remove a synonym (city operators); search no longer finds services by it."""
    require_city_operator(account=editor, message=CITY_ONLY)
    synonym = SearchSynonym.objects.select_for_update().filter(pk=synonym_id).first()
    if synonym is None:
        raise NotFoundError(_("This search synonym no longer exists."))
    synonym.delete()
    changed = search_texts_rebuild(containing=[synonym.term])
    audit_record(
        action="catalogue.synonym_removed",
        actor=actor,
        object_type="search_synonym",
        object_id=f"{synonym.term}|{synonym.language}",
        data={"expansions": synonym.expansions, "versions_changed": changed},
    )
