"""A case's history as people read it: each step's name, who took it, its text, and what a
supplement request asked for — the record of what was decided and why.

Staff read every step's text. The applicant (and the persons concerned) read only the texts
addressed to them (``cases.workflow.tells_applicant``: what a supplement asks, a decision's
reasons); internal notes between staff — acceptance and review comments, proposals to the
supervisor, returns to review, closing notes — are left out of their page. Pure: it takes the
events and the service version's materials by code, and queries nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.timezone import localtime

from tongban.cases.models import CaseEvent
from tongban.cases.workflow import Role, tells_applicant
from tongban.catalogue.models import Material
from tongban.core import bilingual


@dataclass(frozen=True)
class HistoryStep:
    """One step of the history, in the page's language."""

    at: datetime  # in the city's time zone
    action: str  # what happened ("Supplement requested")
    action_code: str
    by: str  # the staff member's name (staff pages only), or "" (the applicant, the system)
    by_system: bool
    reason: str
    legal_basis: str
    asked: list[str] = field(default_factory=list)  # material names, then the free-text items
    internal: bool = False  # the text is a note between staff, not shown to the applicant

    @property
    def at_iso(self) -> str:
        return self.at.isoformat()

    @property
    def at_shown(self) -> str:
        return self.at.strftime("%Y-%m-%d %H:%M")


def material_codes(events: Iterable[CaseEvent]) -> set[str]:
    """The materials the history's supplement requests name (to fetch their names at once)."""
    return {code for event in events for code in (event.data or {}).get("materials", [])}


def history_steps(
    events: Iterable[CaseEvent], *, materials: Mapping[str, Material], language: str, for_staff: bool
) -> list[HistoryStep]:
    """The history for a staff page (``for_staff``: every text, the staff member's name; the events'
    ``actor_account`` loaded) or for the applicant's (only what is addressed to them)."""
    steps = []
    for event in events:
        data = event.data or {}
        asked = [
            bilingual.localized(materials.get(code), "name", language) or code for code in data.get("materials", [])
        ]
        asked += [str(item) for item in data.get("items", [])]
        internal = not tells_applicant(event.action)
        shown = for_staff or not internal
        by = ""
        if for_staff and event.actor_account_id is not None:
            account = event.actor_account
            by = (account.display_name or account.username) if account is not None else ""
        steps.append(
            HistoryStep(
                at=localtime(event.at),
                action=event.get_action_display(),
                action_code=event.action,
                by=by,
                by_system=event.actor_role == Role.SYSTEM,
                reason=event.reason if shown else "",
                legal_basis=event.legal_basis if shown else "",
                asked=asked,
                internal=internal and bool(event.reason or event.legal_basis),
            )
        )
    return steps
