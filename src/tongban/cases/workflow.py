"""The case lifecycle as one explicit transition table (pure: no database, no clock).

::

    submitted ──accept──▶ accepted ──start_review──▶ under_review ──approve / reject──▶ approved / rejected ──close──▶ closed
        │                                             │   ▲    │
        └─refuse_acceptance─▶ not_accepted ──close──▶ │   │    └─propose_*─▶ awaiting_approval ─approve/reject (supervisor)─▶ …
                                                      │   │                        └─return_to_review─▶ under_review
                                   request_supplement ▼   │ start_review
                                   supplement_requested ──resubmit──▶ resubmitted
    withdraw: by the applicant from any open status before a decision.

Which steps a case uses is catalogue data: an *instant* service's case is accepted and closed with
a receipt at once (by the system); a *review* service goes through review and a decision; with
*four eyes* an officer proposes and a supervisor decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    UNDER_REVIEW = "under_review"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    RESUBMITTED = "resubmitted"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Role(StrEnum):
    APPLICANT = "applicant"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


class Action(StrEnum):
    ACCEPT = "accept"
    REFUSE_ACCEPTANCE = "refuse_acceptance"
    START_REVIEW = "start_review"
    REQUEST_SUPPLEMENT = "request_supplement"
    RESUBMIT = "resubmit"
    PROPOSE_APPROVAL = "propose_approval"
    PROPOSE_REJECTION = "propose_rejection"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN_TO_REVIEW = "return_to_review"
    CLOSE = "close"
    WITHDRAW = "withdraw"


OPEN = frozenset(
    {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.UNDER_REVIEW,
        Status.SUPPLEMENT_REQUESTED,
        Status.RESUBMITTED,
        Status.AWAITING_APPROVAL,
    }
)
DECIDED = frozenset({Status.APPROVED, Status.REJECTED, Status.NOT_ACCEPTED})
FINAL = frozenset({Status.CLOSED, Status.WITHDRAWN})
STAFF = frozenset({Role.OFFICER, Role.SUPERVISOR})


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status
    roles: frozenset[Role]
    needs_reason: bool = False
    needs_legal_basis: bool = False
    needs_items: bool = False
    four_eyes: bool | None = None  # None: any service; True/False: only services with/without four eyes


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.ACCEPT, frozenset({Status.SUBMITTED}), Status.ACCEPTED, STAFF | {Role.SYSTEM}),
    Transition(Action.REFUSE_ACCEPTANCE, frozenset({Status.SUBMITTED}), Status.NOT_ACCEPTED, STAFF, needs_reason=True),
    Transition(Action.START_REVIEW, frozenset({Status.ACCEPTED, Status.RESUBMITTED}), Status.UNDER_REVIEW, STAFF),
    Transition(
        Action.REQUEST_SUPPLEMENT,
        frozenset({Status.UNDER_REVIEW}),
        Status.SUPPLEMENT_REQUESTED,
        STAFF,
        needs_items=True,
    ),
    Transition(
        Action.RESUBMIT, frozenset({Status.SUPPLEMENT_REQUESTED}), Status.RESUBMITTED, frozenset({Role.APPLICANT})
    ),
    Transition(
        Action.PROPOSE_APPROVAL,
        frozenset({Status.UNDER_REVIEW}),
        Status.AWAITING_APPROVAL,
        frozenset({Role.OFFICER}),
        four_eyes=True,
    ),
    Transition(
        Action.PROPOSE_REJECTION,
        frozenset({Status.UNDER_REVIEW}),
        Status.AWAITING_APPROVAL,
        frozenset({Role.OFFICER}),
        needs_reason=True,
        needs_legal_basis=True,
        four_eyes=True,
    ),
    Transition(Action.APPROVE, frozenset({Status.UNDER_REVIEW}), Status.APPROVED, STAFF, four_eyes=False),
    Transition(
        Action.APPROVE,
        frozenset({Status.AWAITING_APPROVAL}),
        Status.APPROVED,
        frozenset({Role.SUPERVISOR}),
        four_eyes=True,
    ),
    Transition(
        Action.REJECT,
        frozenset({Status.UNDER_REVIEW}),
        Status.REJECTED,
        STAFF,
        needs_reason=True,
        needs_legal_basis=True,
        four_eyes=False,
    ),
    Transition(
        Action.REJECT,
        frozenset({Status.AWAITING_APPROVAL}),
        Status.REJECTED,
        frozenset({Role.SUPERVISOR}),
        needs_reason=True,
        needs_legal_basis=True,
        four_eyes=True,
    ),
    Transition(
        Action.RETURN_TO_REVIEW,
        frozenset({Status.AWAITING_APPROVAL}),
        Status.UNDER_REVIEW,
        frozenset({Role.SUPERVISOR}),
        needs_reason=True,
    ),
    Transition(Action.CLOSE, DECIDED, Status.CLOSED, STAFF | {Role.SYSTEM}),
    Transition(Action.WITHDRAW, OPEN, Status.WITHDRAWN, frozenset({Role.APPLICANT})),
)


class IllegalTransitionError(ValueError):
    """The action is not allowed from this status, for this role, on this service."""


def find(action: str, *, status: str, roles: frozenset[Role], four_eyes: bool) -> Transition:
    """The transition ``action`` takes from ``status`` for an actor holding ``roles``."""
    for transition in TRANSITIONS:
        if transition.action != action or Status(status) not in transition.sources:
            continue
        if transition.four_eyes is not None and transition.four_eyes != four_eyes:
            continue
        if roles & transition.roles:
            return transition
        raise IllegalTransitionError(f"{action} from {status} is not allowed for {', '.join(sorted(roles))}")
    raise IllegalTransitionError(f"{action} is not possible from {status}")


def available(*, status: str, roles: frozenset[Role], four_eyes: bool) -> list[Transition]:
    """The transitions an actor with ``roles`` may take now (for showing the right buttons)."""
    return [
        transition
        for transition in TRANSITIONS
        if Status(status) in transition.sources
        and (transition.four_eyes is None or transition.four_eyes == four_eyes)
        and roles & transition.roles
    ]


def pauses_clock(status: str) -> bool:
    """The statutory clock stands still while the applicant owes a supplement."""
    return status == Status.SUPPLEMENT_REQUESTED
