"""The notices a case sends its applicant, rendered in whichever language is active."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

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
) -> Callable[[], tuple[str, str]]:
    """A renderer of (subject, body) for the notice of ``action`` on ``case``."""

    def render() -> tuple[str, str]:
        values = {"number": case.number, "service": _service(case), "reason": reason}
        wanted = [bilingual.localized(m, "name") for m in materials or []] + list(items or [])
        texts: dict[str, tuple[str, str]] = {
            "submit": (
                _("Application %(number)s received") % values,
                _("We received your application for “%(service)s”. Its case number is %(number)s.") % values,
            ),
            "receipt": (
                _("Filing %(number)s completed") % values,
                _(
                    "Your filing for “%(service)s” (case %(number)s) was accepted and completed. This message is your receipt."
                )
                % values,
            ),
            "accept": (
                _("Case %(number)s accepted") % values,
                _(
                    "Your application for “%(service)s” (case %(number)s) was accepted. The time limit runs from the next working day."
                )
                % values,
            ),
            "refuse_acceptance": (
                _("Case %(number)s not accepted") % values,
                _("Your application for “%(service)s” (case %(number)s) was not accepted. Reason: %(reason)s") % values,
            ),
            "request_supplement": (
                _("Case %(number)s: please supply more") % values,
                _("To continue with case %(number)s (“%(service)s”) we need:") % values
                + "\n"
                + "\n".join(f"- {item}" for item in wanted)
                + "\n"
                + (_("The agency's note: %(reason)s") % values + "\n" if reason else "")
                + _("Open the case in My space to supply them. The time limit is paused until then."),
            ),
            "resubmit": (
                _("Case %(number)s: supplement received") % values,
                _("We received what you supplied for case %(number)s. The review continues.") % values,
            ),
            "start_review": (
                _("Case %(number)s under review") % values,
                _("The agency started reviewing case %(number)s (“%(service)s”).") % values,
            ),
            "propose_approval": (
                _("Case %(number)s: decision being taken") % values,
                _("Case %(number)s (“%(service)s”) was reviewed and is with the supervisor for the decision.") % values,
            ),
            "propose_rejection": (
                _("Case %(number)s: decision being taken") % values,
                _("Case %(number)s (“%(service)s”) was reviewed and is with the supervisor for the decision.") % values,
            ),
            "return_to_review": (
                _("Case %(number)s under review again") % values,
                _("Case %(number)s (“%(service)s”) is being reviewed again before the decision.") % values,
            ),
            "approve": (
                _("Case %(number)s approved") % values,
                _("Your application for “%(service)s” (case %(number)s) was approved.") % values,
            ),
            "reject": (
                _("Case %(number)s rejected") % values,
                _("Your application for “%(service)s” (case %(number)s) was rejected. Reason: %(reason)s") % values,
            ),
            "withdraw": (
                _("Case %(number)s withdrawn") % values,
                _("Case %(number)s (“%(service)s”) was withdrawn at your request.") % values,
            ),
            "close": (
                _("Case %(number)s closed") % values,
                _("Case %(number)s (“%(service)s”) is closed.") % values,
            ),
        }
        return texts.get(action, (_("Case %(number)s updated") % values, _("Case %(number)s was updated.") % values))

    return render


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
