"""The transition table (pure)."""

from __future__ import annotations

import pytest

from tongban.cases.workflow import TRANSITIONS, Action, IllegalTransitionError, Role, Status, available, find

OFFICER = frozenset({Role.OFFICER})
SUPERVISOR = frozenset({Role.SUPERVISOR})
APPLICANT = frozenset({Role.APPLICANT})


def test_happy_path_without_four_eyes() -> None:
    status = Status.SUBMITTED
    for action, roles in [
        (Action.ACCEPT, OFFICER),
        (Action.START_REVIEW, OFFICER),
        (Action.REQUEST_SUPPLEMENT, OFFICER),
        (Action.RESUBMIT, APPLICANT),
        (Action.START_REVIEW, OFFICER),
        (Action.APPROVE, OFFICER),
        (Action.CLOSE, OFFICER),
    ]:
        status = find(action, status=status, roles=roles, four_eyes=False).target
    assert status == Status.CLOSED


def test_four_eyes_officer_proposes_supervisor_decides() -> None:
    with pytest.raises(IllegalTransitionError):
        find(Action.APPROVE, status=Status.UNDER_REVIEW, roles=OFFICER, four_eyes=True)
    proposed = find(Action.PROPOSE_APPROVAL, status=Status.UNDER_REVIEW, roles=OFFICER, four_eyes=True)
    assert proposed.target == Status.AWAITING_APPROVAL
    with pytest.raises(IllegalTransitionError):
        find(Action.APPROVE, status=Status.AWAITING_APPROVAL, roles=OFFICER, four_eyes=True)
    assert (
        find(Action.APPROVE, status=Status.AWAITING_APPROVAL, roles=SUPERVISOR, four_eyes=True).target
        == Status.APPROVED
    )


@pytest.mark.parametrize(
    ("action", "status", "roles"),
    [
        (Action.APPROVE, Status.SUBMITTED, OFFICER),
        (Action.ACCEPT, Status.SUBMITTED, APPLICANT),
        (Action.WITHDRAW, Status.APPROVED, APPLICANT),
        (Action.WITHDRAW, Status.UNDER_REVIEW, OFFICER),
        (Action.RESUBMIT, Status.UNDER_REVIEW, APPLICANT),
        (Action.REQUEST_SUPPLEMENT, Status.CLOSED, SUPERVISOR),
        ("fly", Status.SUBMITTED, OFFICER),
    ],
)
def test_illegal_transitions_are_refused(action: str, status: Status, roles: frozenset[Role]) -> None:
    with pytest.raises(IllegalTransitionError):
        find(action, status=status, roles=roles, four_eyes=False)


def test_withdraw_possible_from_every_open_status_and_no_other() -> None:
    for status in Status:
        allowed = Action.WITHDRAW in {t.action for t in available(status=status, roles=APPLICANT, four_eyes=False)}
        assert allowed == (
            status not in {Status.APPROVED, Status.REJECTED, Status.NOT_ACCEPTED, Status.CLOSED, Status.WITHDRAWN}
        )


def test_decisions_need_reasons_and_legal_basis() -> None:
    reject = find(Action.REJECT, status=Status.UNDER_REVIEW, roles=OFFICER, four_eyes=False)
    assert reject.needs_reason and reject.needs_legal_basis
    assert find(Action.REFUSE_ACCEPTANCE, status=Status.SUBMITTED, roles=OFFICER, four_eyes=False).needs_reason
    assert find(Action.REQUEST_SUPPLEMENT, status=Status.UNDER_REVIEW, roles=OFFICER, four_eyes=False).needs_items


def test_every_target_is_a_known_status() -> None:
    assert all(isinstance(t.target, Status) and t.sources for t in TRANSITIONS)
