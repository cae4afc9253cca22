"""The case lifecycle: one transition service, ``case_act``, and ``case_assign``.

``case_act`` is the story of one step: load the case, check the version the actor saw, find the
transition the table (``cases.workflow``) allows, clean the inputs, apply the effects the
transition declares, update the case, write the history step, issue the certificate if the step
does, store the due dates, audit, notify. What a step *does* is declared beside it in the table;
this module only knows how to apply each kind of effect.

Concurrency: every transition names the ``lock_version`` the actor saw; the UPDATE only applies
if it is still current, so of two officers acting at once one wins and the other is told the
case changed — nothing is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.cases.models import Case, CaseAction, CaseEvent
from tongban.cases.permissions import staff_roles_for_case
from tongban.cases.selectors import case_deadline_now
from tongban.cases.services._common import event, notify
from tongban.cases.services.certificates import case_certificate_issue
from tongban.cases.workflow import Action, IllegalTransitionError, Proposal, Role, Supplement, Transition, find
from tongban.catalogue.models import Material
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.core.validators import validate_multiline_text
from tongban.forms.permissions import may_apply
from tongban.identity.models import Account, Person
from tongban.identity.selectors import active_staff_roles

CHANGED = _("The case changed since you opened it (someone else acted on it). Reload it and check before acting.")


@dataclass(frozen=True)
class StepInputs:
    """What the actor gave with a step, cleaned: the reason, the legal basis, and (asking for a
    supplement) the free-text items and the service's materials to supply again."""

    reason: str
    legal_basis: str
    items: list[str]
    materials: list[Material]


@transaction.atomic
def case_act(
    *,
    case: Case,
    action: str,
    expected_version: int,
    actor: Actor,
    now: datetime,
    account: Account | None = None,
    person: Person | None = None,
    reason: str = "",
    legal_basis: str = "",
    items: list[str] | None = None,
    materials: list[str] | None = None,
    certificate_number: str | None = None,
) -> Case:
    """Apply one lifecycle action. Staff pass ``account``; applicants pass ``person``."""
    case = Case.objects.select_related("version", "applicant", "firm", "item").get(pk=case.pk)
    roles, acting = _roles_and_actor(case, account=account, person=person, actor=actor, now=now)
    if case.lock_version != expected_version:
        raise ConflictError(CHANGED)
    transition = _transition(case, action, roles)
    given = _clean_inputs(transition, case, reason=reason, legal_basis=legal_basis, items=items, materials=materials)
    fields = _effects(transition, case, given, account=account, now=now)
    updated = Case.objects.filter(pk=case.pk, lock_version=expected_version).update(
        lock_version=F("lock_version") + 1, **fields
    )
    if not updated:
        raise ConflictError(CHANGED)
    # The history is the record of what was decided and why: a decision's step keeps the reasons
    # it recorded (the supervisor's, else those of the proposal it follows).
    reason = fields.get("decision_reason", given.reason)
    basis = fields.get("decision_legal_basis", given.legal_basis)
    event(
        case,
        transition.action,
        at=now,
        role=_primary(roles),
        actor=acting,
        account_id=account.pk if account else (person.account_id if person else None),
        from_status=case.status,
        to_status=transition.target,
        reason=reason,
        legal_basis=basis,
        data={"items": given.items, "materials": [m.code for m in given.materials]} if transition.needs_items else {},
    )
    case.refresh_from_db()
    if transition.issues_certificate:
        case_certificate_issue(case, acting, now, number=certificate_number)
    audit_record(
        action=f"cases.{transition.action}",
        actor=acting,
        object_type="case",
        object_id=case.number,
        data={"from": case_status_before(transition), "to": transition.target, "reason": reason, "legal_basis": basis},
    )
    if transition.then is not None:
        case = _system_step(case, transition.then, after=transition.action, now=now)
    _store_due_dates(case, now)
    notify(
        case,
        transition.action,
        now,
        reason=given.reason or case.decision_reason,
        items=given.items,
        materials=given.materials,
    )
    return case


def _system_step(case: Case, action: Action, *, after: str, now: datetime) -> Case:
    """The step the system takes at once after another (``Transition.then``: a supplement that
    arrives puts the case back under review), with its own history step and audit event."""
    transition = find(action, status=case.status, roles=frozenset({Role.SYSTEM}), four_eyes=case.version.four_eyes)
    fields = _effects(transition, case, StepInputs("", "", [], []), account=None, now=now)
    Case.objects.filter(pk=case.pk).update(lock_version=F("lock_version") + 1, **fields)
    system = Actor.system()
    event(
        case,
        transition.action,
        at=now,
        role=Role.SYSTEM,
        actor=system,
        account_id=None,
        from_status=case.status,
        to_status=transition.target,
    )
    audit_record(
        action=f"cases.{transition.action}",
        actor=system,
        object_type="case",
        object_id=case.number,
        data={"from": case.status, "to": transition.target, "after": after},
    )
    case.refresh_from_db()
    return case


def _transition(case: Case, action: str, roles: frozenset[Role]) -> Transition:
    """The step ``action`` takes from the case's status for these roles, or a conflict saying why not."""
    try:
        return find(action, status=case.status, roles=roles, four_eyes=case.version.four_eyes)
    except IllegalTransitionError:
        raise ConflictError(
            _("“%(action)s” is not possible while the case is “%(status)s”.")
            % {
                "action": CaseAction(action).label if action in CaseAction.values else action,
                "status": case.get_status_display(),
            }
        ) from None


def _clean_inputs(
    transition: Transition,
    case: Case,
    *,
    reason: str,
    legal_basis: str,
    items: list[str] | None,
    materials: list[str] | None,
) -> StepInputs:
    """The inputs, cleaned and checked against what the transition needs."""
    reason = _clean_text("reason", reason, required=transition.needs_reason)
    legal_basis = _clean_text("legal_basis", legal_basis, required=transition.needs_legal_basis)
    clean_items = [_clean_text("items", item, required=False) for item in (items or [])]
    clean_items = [item for item in clean_items if item]
    requested = list(
        Material.objects.filter(version_id=case.version_id, code__in=materials or []).order_by("position", "code")
    )
    if transition.needs_items and not (clean_items or requested):
        raise ValidationError({"items": _("Say exactly which materials or information the applicant must supply.")})
    return StepInputs(reason, legal_basis, clean_items, requested)


def _clean_text(field: str, value: str, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    try:
        validate_multiline_text(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return value


def _effects(
    transition: Transition, case: Case, given: StepInputs, *, account: Account | None, now: datetime
) -> dict[str, Any]:
    """The columns the step sets, from the effects its transition declares (``workflow.Transition``)."""
    fields: dict[str, Any] = {"status": transition.target}
    if transition.stamp is not None:
        fields[transition.stamp.value] = now
    if transition.proposal == Proposal.CLEAR:
        fields["proposal"] = {}
    elif transition.proposal is not None:
        fields["proposal"] = {
            "decision": transition.proposal.value,
            "reason": given.reason,
            "legal_basis": given.legal_basis,
            "by": account.pk if account else None,
            "at": now.isoformat(),
        }
    if transition.not_by_proposer and account is not None and case.proposal.get("by") == account.pk:
        raise PermissionDeniedError(_("Four eyes: the supervisor who decides must not be the officer who proposed."))
    if transition.records_decision:
        fields["decision_reason"] = given.reason or case.proposal.get("reason", "")
        fields["decision_legal_basis"] = given.legal_basis or case.proposal.get("legal_basis", "")
    if transition.supplement == Supplement.REQUEST:
        fields["supplement_items"] = [
            *({"material": m.code, "name_zh": m.name_zh, "name_en": m.name_en} for m in given.materials),
            *({"material": "", "name_zh": item, "name_en": item} for item in given.items),
        ]
    elif transition.supplement == Supplement.SUPPLIED:
        _check_supplement_supplied(case)
        fields["supplement_items"] = []
    return fields


def case_status_before(transition: Transition) -> list[str]:
    """The statuses a transition may start from, as the audit event records them."""
    return sorted(str(status) for status in transition.sources)


def _primary(roles: frozenset[Role]) -> str:
    for role in (Role.SUPERVISOR, Role.OFFICER, Role.APPLICANT, Role.SYSTEM):
        if role in roles:
            return role
    return ""


def _roles_and_actor(
    case: Case, *, account: Account | None, person: Person | None, actor: Actor, now: datetime
) -> tuple[frozenset[Role], Actor]:
    if account is not None:
        roles = staff_roles_for_case(roles=active_staff_roles(account=account), case=case)
        if not roles:
            raise PermissionDeniedError(_("This case is not in your office or agency."))
        return roles, actor
    if person is not None:
        if case.firm is not None:
            authority = may_apply(person=person, firm=case.firm, version=case.version, now=now)
            assert authority is not None
            return frozenset({Role.APPLICANT}), actor.for_firm(case.firm.uscc, authority.power_id)
        if case.applicant_id == person.pk:
            return frozenset({Role.APPLICANT}), actor
    raise PermissionDeniedError(_("Only the applicant can do this."))


def _check_supplement_supplied(case: Case) -> None:
    request = CaseEvent.objects.filter(case=case, action=Action.REQUEST_SUPPLEMENT).order_by("-id").first()
    if request is None:
        return
    requested = set(request.data.get("materials", []))
    if not requested:
        return
    supplied = set(
        case.application.uploads.filter(uploaded_at__gte=request.at, superseded_at__isnull=True).values_list(
            "material__code", flat=True
        )
    )
    missing = requested - supplied
    if missing:
        raise ValidationError({"materials": _("Upload the requested materials first.")})


def _store_due_dates(case: Case, now: datetime) -> None:
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))
    deadline = case_deadline_now(case=case, events=events, now=now)
    if deadline is not None:
        Case.objects.filter(pk=case.pk).update(
            statutory_due_on=deadline.statutory_due_on, promised_due_on=deadline.promised_due_on
        )
        case.statutory_due_on, case.promised_due_on = deadline.statutory_due_on, deadline.promised_due_on


@transaction.atomic
def case_assign(
    *, case: Case, assignee: Account, by: Account, expected_version: int, actor: Actor, now: datetime
) -> Case:
    """Give a case to an officer of its office (supervisors assign; officers take a case themselves)."""
    roles = staff_roles_for_case(roles=active_staff_roles(account=by), case=case)
    if Role.SUPERVISOR not in roles and not (Role.OFFICER in roles and assignee.pk == by.pk):
        raise PermissionDeniedError(
            _("Only a supervisor assigns cases to others; officers can take a case themselves.")
        )
    if not staff_roles_for_case(roles=active_staff_roles(account=assignee), case=case):
        raise ValidationError({"assignee": _("This person does not work on this office's cases.")})
    if case.assigned_to_id == assignee.pk:
        raise ConflictError(
            _("The case is already yours.") if assignee.pk == by.pk else _("The case is already assigned to them.")
        )
    updated = Case.objects.filter(pk=case.pk, lock_version=expected_version).update(
        assigned_to=assignee, lock_version=F("lock_version") + 1
    )
    if not updated:
        raise ConflictError(CHANGED)
    event(
        case,
        CaseAction.ASSIGN,
        at=now,
        role=_primary(roles),
        actor=actor,
        account_id=by.pk,
        data={"assignee": assignee.pk},
    )
    audit_record(
        action="cases.case_assigned",
        actor=actor,
        object_type="case",
        object_id=case.number,
        data={"assignee": assignee.pk},
    )
    case.refresh_from_db()
    return case
