"""The notices a case sends its applicant: which event template, with which values."""

from __future__ import annotations

from typing import Any

from tongban.cases.models import Case
from tongban.catalogue.models import Material
from tongban.core import bilingual


def _service(case: Case) -> str:
    return bilingual.localized(case.version, "name")


def for_action(
    case: Case,
    action: str,
    *,
    reason: str = "",
    items: list[str] | None = None,
    materials: list[Material] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The event type (template folder) and template context of the notice of ``action`` on
    ``case``. The texts are files: ``cases/templates/notifications/case/<action>/``. Names that
    depend on the language are callables, called under the language rendered."""
    event = f"case/{action}" if action in NOTIFIED_ACTIONS else "case/updated"
    chosen = list(materials or [])

    def wanted() -> list[str]:
        return [bilingual.localized(m, "name") for m in chosen] + list(items or [])

    return event, {"number": case.number, "service": lambda: _service(case), "reason": reason, "wanted": wanted}


#: Every transition is notified: the applicant always knows where the case stands.
NOTIFIED_ACTIONS = frozenset(
    {
        "submit",
        "receipt",
        "accept",
        "refuse_acceptance",
        "start_review",
        "request_supplement",
        "resubmit",
        "propose_approval",
        "propose_rejection",
        "return_to_review",
        "approve",
        "reject",
        "withdraw",
        "close",
    }
)
