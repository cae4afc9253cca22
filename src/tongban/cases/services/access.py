"""Reading a case file: the audit events that say which officer opened which case and which of
its documents, and data fetched through the exchange about one of the case's parties (kept with
the case, with its access-log entry)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.cases.models import Case, CaseData
from tongban.cases.permissions import staff_roles_for_case
from tongban.cases.selectors import case_parties
from tongban.cases.workflow import Status
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from tongban.exchange.selectors import active_grants
from tongban.exchange.services import Basis, exchange_query
from tongban.identity.models import Account
from tongban.identity.selectors import active_staff_roles


@transaction.atomic
def case_record_opened(*, case: Case, account: Account, actor: Actor) -> None:
    """An officer opened a case file: who read which case, when (an audit event, no state change)."""
    audit_record(
        action="cases.case_opened", actor=actor, object_type="case", object_id=case.number, data={"account": account.pk}
    )


@transaction.atomic
def case_record_material_opened(
    *, case: Case, upload_id: int, material_code: str, account: Account, actor: Actor
) -> None:
    """An officer opened one of the case's uploaded materials (a passport scan, a contract): who
    read which document of which case, when (an audit event, no state change)."""
    audit_record(
        action="cases.material_opened",
        actor=actor,
        object_type="case",
        object_id=case.number,
        data={"account": account.pk, "upload": upload_id, "material": material_code},
    )


@transaction.atomic
def case_fetch_data(
    *, case: Case, resource_code: str, subject_ref: str, account: Account, actor: Actor, now: datetime
) -> CaseData:
    """An officer fetches, through the exchange, what the agency's grant allows about one party of
    the case, for the case's service. The case layer asserts the parties (the applicant, the
    persons concerned, the firm); the exchange checks the grant and, for restricted data, that the
    subject is among them. The answer — or the refusal — is kept with the case."""
    roles = staff_roles_for_case(roles=active_staff_roles(account=account), case=case)
    if not roles:
        raise NotFoundError(_("No such case in your queues."))
    if case.status in (Status.CLOSED, Status.WITHDRAWN):
        raise ConflictError(_("This case is finished: no more data is fetched for it."))
    parties = case_parties(case=case)
    party = next((p for p in parties if p.ref == subject_ref), None)
    if party is None:
        raise PermissionDeniedError(_("Only data about the parties of this case can be fetched for it."))
    grant = next(
        (
            g
            for g in active_grants(consumer=case.agency, purpose=case.item.code, now=now)
            if g.resource.code == resource_code
        ),
        None,
    )
    if grant is None:
        raise ConflictError(_("Your agency holds no active grant to this data for this service."))
    result = exchange_query(
        consumer=case.agency,
        resource_code=resource_code,
        fields=list(grant.fields),
        purpose=case.item.code,
        basis=Basis(kind="case", reference=case.number, parties=tuple(p.ref for p in parties)),
        actor=actor,
        now=now,
        person=party.person,
        firm=party.firm,
    )
    row = CaseData.objects.create(
        case=case,
        resource=resource_code,
        subject_ref=party.ref,
        subject_label=party.label[:150],
        outcome=result.outcome,
        reason=result.reason,
        found=result.found,
        values=result.values,
        source=result.source[:120],
        fetched_at=now,
        fetched_by=account,
        access_log_id=result.log_id,
    )
    audit_record(
        action="cases.data_fetched",
        actor=actor,
        object_type="case",
        object_id=case.number,
        data={"resource": resource_code, "subject": party.ref, "outcome": result.outcome, "access_log": result.log_id},
    )
    return row
