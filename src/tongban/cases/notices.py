"""The notices a case sends its applicant: which event template, with which values."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

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

    context: dict[str, Any] = {
        "number": case.number,
        "service": lambda: _service(case),
        "reason": reason,
        "wanted": wanted,
    }
    if action in RATING_INVITED:
        context["rating_url"] = lambda: rating_url(case)
    return event, context


def rating_url(case: Case) -> str:
    """The absolute address of the case's rating page in the active language (the portal's route
    ``portal:case_rating``, resolved by name: nothing of the portal is imported)."""
    return f"{str(settings.PUBLIC_BASE_URL).rstrip('/')}{reverse('portal:case_rating', args=[case.number])}"


#: The decisions after which the applicant is invited to rate the service (reviews, 好差评); only
#: the applicant's notice carries the link (:func:`for_recipient`).
RATING_INVITED = frozenset({"approve", "reject", "refuse_acceptance", "close"})


def for_recipient(context: dict[str, Any], *, applicant: bool) -> dict[str, Any]:
    """The notice's context for one recipient: persons concerned get no rating link (only the
    applicant rates)."""
    if applicant or "rating_url" not in context:
        return context
    return {key: value for key, value in context.items() if key != "rating_url"}


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
