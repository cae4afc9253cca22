"""The case lifecycle as one explicit transition table (pure: no database, no clock).

::

    submitted ──accept──▶ accepted ──start_review──▶ under_review ──approve / reject──▶ approved / rejected ──close──▶ closed
        │                                             │   ▲    │
        └─refuse_acceptance─▶ not_accepted ──close──▶ │   │    └─propose_*─▶ awaiting_approval ─approve/reject (supervisor)─▶ …
                                                      │   │                        └─return_to_review─▶ under_review
                                   request_supplement ▼   │ start_review (by the system, at once: ``then``)
                                   supplement_requested ──resubmit──▶ resubmitted
    withdraw: by the applicant from any open status before a decision.

Which steps a case uses is catalogue data: an *instant* service's case is accepted and closed with
a receipt at once (by the system); a *review* service goes through review and a decision; with
*four eyes* an officer proposes and a supervisor decides.

Each transition also declares its *effects* — which timestamp it sets, what it does to the
proposal and the supplement items, whether it records the decision, issues the certificate,
must be taken by someone other than the proposer, pauses or resumes the statutory clock, and
which step the system takes next at once (``then``: a supplement that arrives puts the case back
under review, as its own audited step). ``cases.services.act`` applies them; adding a step is one
row here.

Every staff step carries a text — required where the step says no or sends work back
(``needs_reason``), optional otherwise — kept in the history. ``tells_applicant`` says whether
that text is addressed to the applicant (shown on their case page: what a supplement asks, a
decision's reasons) or is an internal note between staff (acceptance, review, proposals to the
supervisor, returns to review, closing).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Status(TextChoices):
    """A case's status: the values stored in ``Case.status``, with their labels."""

    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    UNDER_REVIEW = "under_review", _("Under review")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    RESUBMITTED = "resubmitted", _("Supplement received")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting the supervisor's decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: What happens next, for each status, as the applicant's pages say it (one line each; the case
#: page, My cases and My space show it beside the status).
NEXT_STEPS: dict[Status, StrOrPromise] = {
    Status.SUBMITTED: _(
        "Next: the agency checks whether your application can be accepted; the time limit starts then."
    ),
    Status.ACCEPTED: _("Next: an officer reviews your application."),
    Status.NOT_ACCEPTED: _("The application was not accepted. See the reason; you may apply again."),
    Status.UNDER_REVIEW: _("Next: the officer decides, or asks you for more."),
    Status.SUPPLEMENT_REQUESTED: _("Next: supply what the agency asked for. The time limit is paused until you do."),
    Status.RESUBMITTED: _("Next: the officer reviews what you supplied; the time limit runs again."),
    Status.AWAITING_APPROVAL: _("Next: a supervisor checks the officer's proposal and decides."),
    Status.APPROVED: _("Your application was approved."),
    Status.REJECTED: _("Rejected. See the reason; you may apply again or ask for an administrative review."),
    Status.CLOSED: _("Finished: nothing more to do."),
    Status.WITHDRAWN: _("Withdrawn. Nothing more to do."),
}


def next_step(status: str) -> str:
    """The "what happens next" line of a status, in the active language ("" for an unknown one)."""
    try:
        return str(NEXT_STEPS[Status(status)])
    except ValueError:
        return ""


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
#: Open statuses in which the agency works the case and its time limits run (not while it waits
#: for the applicant's supplement: the clock is paused). The dashboards count these (ADR 0046).
RUNNING = OPEN - {Status.SUPPLEMENT_REQUESTED}
DECIDED = frozenset({Status.APPROVED, Status.REJECTED, Status.NOT_ACCEPTED})
FINAL = frozenset({Status.CLOSED, Status.WITHDRAWN})
STAFF = frozenset({Role.OFFICER, Role.SUPERVISOR})


class Stamp(StrEnum):
    """The case's timestamp a transition sets to the moment it is taken."""

    ACCEPTED_AT = "accepted_at"
    DECIDED_AT = "decided_at"
    CLOSED_AT = "closed_at"


class Proposal(StrEnum):
    """What a transition does to the officer's proposal (four eyes)."""

    APPROVE = "approve"  # an officer proposes to approve (the supervisor decides)
    REJECT = "reject"  # an officer proposes to reject
    CLEAR = "clear"  # the supervisor sends the case back: the proposal is withdrawn


class Supplement(StrEnum):
    """What a transition does to the list of items the applicant owes."""

    REQUEST = "request"  # the officer names the materials and information to supply
    SUPPLIED = "supplied"  # the applicant resubmits: the requested materials must be uploaded again


class Clock(StrEnum):
    """What a transition does to the statutory clock (补正期间不计入审批时限)."""

    PAUSE = "pause"
    RESUME = "resume"


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
    # Effects, applied by ``cases.services.act`` in this order:
    stamp: Stamp | None = None
    proposal: Proposal | None = None
    records_decision: bool = False  # decision reason and legal basis: as given, else the proposal's
    supplement: Supplement | None = None
    not_by_proposer: bool = False  # four eyes: the supervisor who decides did not propose
    issues_certificate: bool = False  # the certificate the service declares, in the same transaction
    clock: Clock | None = None
    then: Action | None = None  # the step the system takes at once after this one (its own event and audit)
    tells_applicant: bool = False  # the step's text is addressed to the applicant (else: an internal note)


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.ACCEPT, frozenset({Status.SUBMITTED}), Status.ACCEPTED, STAFF | {Role.SYSTEM},
               stamp=Stamp.ACCEPTED_AT),
    Transition(Action.REFUSE_ACCEPTANCE, frozenset({Status.SUBMITTED}), Status.NOT_ACCEPTED, STAFF,
               needs_reason=True, stamp=Stamp.DECIDED_AT, records_decision=True, tells_applicant=True),
    Transition(Action.START_REVIEW, frozenset({Status.ACCEPTED, Status.RESUBMITTED}), Status.UNDER_REVIEW,
               STAFF | {Role.SYSTEM}),
    Transition(Action.REQUEST_SUPPLEMENT, frozenset({Status.UNDER_REVIEW}), Status.SUPPLEMENT_REQUESTED, STAFF,
               needs_items=True, supplement=Supplement.REQUEST, clock=Clock.PAUSE, tells_applicant=True),
    Transition(Action.RESUBMIT, frozenset({Status.SUPPLEMENT_REQUESTED}), Status.RESUBMITTED, frozenset({Role.APPLICANT}),
               supplement=Supplement.SUPPLIED, clock=Clock.RESUME, then=Action.START_REVIEW, tells_applicant=True),
    Transition(Action.PROPOSE_APPROVAL, frozenset({Status.UNDER_REVIEW}), Status.AWAITING_APPROVAL,
               frozenset({Role.OFFICER}), four_eyes=True, proposal=Proposal.APPROVE),
    Transition(Action.PROPOSE_REJECTION, frozenset({Status.UNDER_REVIEW}), Status.AWAITING_APPROVAL,
               frozenset({Role.OFFICER}), needs_reason=True, needs_legal_basis=True, four_eyes=True,
               proposal=Proposal.REJECT),
    Transition(Action.APPROVE, frozenset({Status.UNDER_REVIEW}), Status.APPROVED, STAFF, four_eyes=False,
               stamp=Stamp.DECIDED_AT, records_decision=True, issues_certificate=True, tells_applicant=True),
    Transition(Action.APPROVE, frozenset({Status.AWAITING_APPROVAL}), Status.APPROVED, frozenset({Role.SUPERVISOR}),
               four_eyes=True, stamp=Stamp.DECIDED_AT, records_decision=True, not_by_proposer=True,
               issues_certificate=True, tells_applicant=True),
    Transition(Action.REJECT, frozenset({Status.UNDER_REVIEW}), Status.REJECTED, STAFF, needs_reason=True,
               needs_legal_basis=True, four_eyes=False, stamp=Stamp.DECIDED_AT, records_decision=True,
               tells_applicant=True),
    Transition(Action.REJECT, frozenset({Status.AWAITING_APPROVAL}), Status.REJECTED, frozenset({Role.SUPERVISOR}),
               needs_reason=True, needs_legal_basis=True, four_eyes=True, stamp=Stamp.DECIDED_AT,
               records_decision=True, not_by_proposer=True, tells_applicant=True),
    Transition(Action.RETURN_TO_REVIEW, frozenset({Status.AWAITING_APPROVAL}), Status.UNDER_REVIEW,
               frozenset({Role.SUPERVISOR}), needs_reason=True, proposal=Proposal.CLEAR),
    Transition(Action.CLOSE, DECIDED, Status.CLOSED, STAFF | {Role.SYSTEM}, stamp=Stamp.CLOSED_AT),
    Transition(Action.WITHDRAW, OPEN, Status.WITHDRAWN, frozenset({Role.APPLICANT}), stamp=Stamp.CLOSED_AT,
               tells_applicant=True),
)  # fmt: skip


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


def clock_actions(clock: Clock) -> frozenset[Action]:
    """The actions that pause (or resume) the statutory clock: the deadline reads them from the history."""
    return frozenset(transition.action for transition in TRANSITIONS if transition.clock == clock)


def pauses_clock(status: str) -> bool:
    """The statutory clock stands still while the applicant owes a supplement."""
    return status in {transition.target for transition in TRANSITIONS if transition.clock == Clock.PAUSE}


def tells_applicant(action: str) -> bool:
    """Whether the text of a step ``action`` is addressed to the applicant (shown on their case
    page) rather than an internal note between staff. The submission is the applicant's own."""
    if action == "submit":
        return True
    return any(transition.tells_applicant for transition in TRANSITIONS if transition.action == action)
