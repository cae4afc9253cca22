"""How the catalogue follows signals of the contexts below it (connected in ``CatalogueConfig.ready``).

``identity.signals.agency_renamed``: the agency's names are part of the search text of its
published services, so they are rebuilt in the renaming transaction and the search caches move
to a new revision when it commits (``catalogue.services.service_search_text_rebuild``).
"""

from __future__ import annotations

from typing import Any

from tongban.catalogue.services import service_search_text_rebuild
from tongban.identity.models import Agency


def agency_renamed(sender: Any, agency: Agency, **kwargs: Any) -> None:
    service_search_text_rebuild(agency=agency)
