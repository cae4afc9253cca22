"""What the case services share: a history row (``CaseEvent``) and the notices a step sends.
Private to ``cases.services``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tongban.cases import notices
from tongban.cases.models import Case, CaseEvent
from tongban.core.actors import Actor
from tongban.identity.models import Account
from tongban.notifications.services import message_send


def event(
    case: Case, action: str, *, at: datetime, role: str, actor: Actor, account_id: int | None, **extra: Any
) -> None:
    """Write one step of the case's history."""
    event_row(case, action, at=at, role=role, actor=actor, account_id=account_id, **extra).save()


def event_row(
    case: Case, action: str, *, at: datetime, role: str, actor: Actor, account_id: int | None, **extra: Any
) -> CaseEvent:
    """One step of the case's history, not yet written (a submission inserts its steps at once)."""
    return CaseEvent(
        case=case,
        at=at,
        action=action,
        actor_role=role,
        actor_account_id=account_id,
        acting_for=actor.acting_for,
        power_id=actor.power_id,
        **extra,
    )


def notify(case: Case, action: str, now: datetime, *, applicant_account: Account | None = None, **kwargs: Any) -> None:
    """Tell the applicant (and, of a decision, the persons concerned) what ``action`` did."""
    if action not in notices.NOTIFIED_ACTIONS:
        return
    event_type, context = notices.for_action(case, action, **kwargs)
    recipients: dict[int, Account] = {}
    if applicant_account is not None:
        recipients[applicant_account.pk] = applicant_account
    elif case.applicant.account_id:
        recipients[case.applicant.account_id] = Account.objects.get(pk=case.applicant.account_id)
    if action in ("approve", "reject", "refuse_acceptance"):
        for party in case.parties.select_related("person__account"):
            if party.person.account is not None:
                recipients.setdefault(party.person.account.pk, party.person.account)
    applicant_id = applicant_account.pk if applicant_account is not None else case.applicant.account_id
    for account in recipients.values():
        own = notices.for_recipient(context, applicant=account.pk == applicant_id)
        message_send(recipient=account, event=event_type, context=own, now=now, case_number=case.number)
