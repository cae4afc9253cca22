"""Writes for cases: submit an application, move a case through its lifecycle, assign it, and
record that an officer opened it. Each is one transaction with its history row, its audit event
and its notices (e-mail queued after commit).

Concurrency: every transition names the ``lock_version`` the actor saw; the UPDATE only applies
if it is still current, so of two officers acting at once one wins and the other is told the
case changed — nothing is overwritten. Submitting is idempotent: an application makes at most
one case, however often the button is pressed.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.cases import notices
from tongban.cases.models import (
    Case,
    CaseAction,
    CaseChannel,
    CaseData,
    CaseEvent,
    CaseMaterial,
    CaseParty,
    CaseStatus,
    MaterialSource,
)
from tongban.cases.selectors import VERSION_FIELDS_WITHOUT_GUIDE, case_deadline_now, case_parties, staff_roles_for_case
from tongban.cases.workflow import Action, IllegalTransitionError, Role, Status, find
from tongban.catalogue.models import CertificateHolder, CertificateType, Material, Workflow
from tongban.catalogue.selectors import competent_office
from tongban.certificates.models import Certificate
from tongban.certificates.services import certificate_issue
from tongban.core.actors import Actor
from tongban.core.db import insert_object_unless_taken, insert_objects, select_objects, update_object
from tongban.core.deadlines import local_date
from tongban.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from tongban.core.masking import mask_identifier
from tongban.core.validators import validate_multiline_text
from tongban.exchange.selectors import active_grants
from tongban.exchange.services import Basis, exchange_query
from tongban.forms import engine
from tongban.forms.models import Application, ApplicationStatus, FormDefinition, Upload
from tongban.forms.selectors import PublishedForm, application_points, current_uploads, form_of
from tongban.forms.services import application_attach_held, authority_for
from tongban.identity.models import Account, AgencyOffice, Person
from tongban.identity.selectors import active_staff_roles, person_by_identifier
from tongban.identity.services import person_record
from tongban.notifications.services import message_send

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHANGED = _("The case changed since you opened it (someone else acted on it). Reload it and check before acting.")


def new_case_number(now: datetime) -> str:
    """``TB`` + the date in Shanghai + six random Crockford base-32 characters: readable on the
    phone, unique by constraint (a clash, one in a billion a day, is retried)."""
    suffix = "".join(secrets.choice(_CROCKFORD) for _ in range(6))
    return f"TB{local_date(now):%Y%m%d}{suffix}"


def completeness_errors(
    application: Application, form: PublishedForm, held: frozenset[int] = frozenset(), *, today: date
) -> dict[str, str]:
    """Everything still missing before the application can be submitted (``held``: materials a
    government-issued e-certificate stands in for; ``today``: the city's date, for date fields
    that must be in the past or the future)."""
    definition = form.definition
    names = engine.visible_fields(definition.layout, application.data)
    errors = engine.validate(definition.schema, definition.layout, application.data, names, today=today)
    required = [material for material in form.materials if material.required and material.pk not in held]
    uploads = current_uploads(application=application) if required else {}
    for material in required:
        if material.pk not in uploads:
            name = material.name_en if get_language() == "en" else material.name_zh
            errors[f"material_{material.code}"] = str(_("Upload “%(name)s”.") % {"name": name})
    return errors


def _persons_concerned(
    definition: FormDefinition, data: dict[str, Any], applicant: Person, actor: Actor
) -> list[Person]:
    """The persons the case concerns: found by the identity the form names, or recorded now (without
    an account) so that a certificate can be issued to them."""
    people: list[Person] = []
    for spec in definition.layout.get("persons_concerned", []):
        number = str(data.get(spec["id_number_field"], "")).strip().upper().replace(" ", "")
        if not number:
            continue
        nationality = str(data.get(spec.get("nationality_field", ""), "")) or None
        person = person_by_identifier(id_number=number, nationality=nationality)
        if person is None and spec.get("name_field"):
            try:
                person = person_record(
                    id_type=spec.get("id_type", "passport"), id_number=number, nationality=nationality or "",
                    name="", latin_name=str(data.get(spec["name_field"], "")), actor=actor,
                )  # fmt: skip
            except ValidationError:
                person = None
        if person is not None and person.pk != applicant.pk:
            people.append(person)
    return people


_CURRENT_FILES = "WHERE t.application_id = %s AND t.superseded_at IS NULL"


def _record_materials(case: Case, form: PublishedForm, held: dict[int, Any]) -> None:
    uploaded = {
        upload.material_id
        for upload in select_objects(Upload, _CURRENT_FILES, [case.application_id], fields=("material",))
    } if form.materials else set()  # fmt: skip
    rows = []
    for material in form.materials:
        if material.pk in held:
            rows.append(CaseMaterial(case=case, material_code=material.code, source=MaterialSource.CERTIFICATE,
                                     certificate_number=held[material.pk].certificate.number))  # fmt: skip
        elif material.pk in uploaded:
            rows.append(CaseMaterial(case=case, material_code=material.code, source=MaterialSource.UPLOAD))
    if rows:
        insert_objects(rows)


def _event(
    case: Case, action: str, *, at: datetime, role: str, actor: Actor, account_id: int | None, **extra: Any
) -> None:
    _event_row(case, action, at=at, role=role, actor=actor, account_id=account_id, **extra).save()


def _event_row(
    case: Case, action: str, *, at: datetime, role: str, actor: Actor, account_id: int | None, **extra: Any
) -> CaseEvent:
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


def _notify(case: Case, action: str, now: datetime, *, applicant_account: Account | None = None, **kwargs: Any) -> None:
    if action not in notices.NOTIFIED_ACTIONS:
        return
    render = notices.for_action(case, action, **kwargs)
    recipients: dict[int, Account] = {}
    if applicant_account is not None:
        recipients[applicant_account.pk] = applicant_account
    elif case.applicant.account_id:
        recipients[case.applicant.account_id] = Account.objects.get(pk=case.applicant.account_id)
    if action in ("approve", "reject", "refuse_acceptance"):
        for party in case.parties.select_related("person__account"):
            if party.person.account is not None:
                recipients.setdefault(party.person.account.pk, party.person.account)
    for account in recipients.values():
        message_send(recipient=account, render=render, now=now, case_number=case.number)


#: What a submission reads with its application, in one locked statement (``core.db``): the ORM
#: compiled this six-table join anew on every submit. The version without its guide texts.
_APPLICATION_JOINS = (
    ("version", VERSION_FIELDS_WITHOUT_GUIDE),
    ("version__item", None),
    ("version__item__agency", None),
    ("firm", None),
    ("person", None),
    ("person__account", None),
)


def _locked_application(application: Application | str, person: Person) -> Application:
    if isinstance(application, Application):
        where, params = "WHERE t.id = %s", [application.pk]
    else:
        try:
            public_id = Application._meta.get_field("public_id").get_db_prep_value(application, connection)
        except ValidationError:
            raise NotFoundError(_("No such application among yours.")) from None
        where, params = "WHERE t.public_id = %s AND t.person_id = %s", [public_id, person.pk]
    found = select_objects(Application, where, params, joins=_APPLICATION_JOINS, lock=True)
    if not found:
        raise NotFoundError(_("No such application among yours."))
    return found[0]


def case_submit(
    *, application: Application | str, person: Person, actor: Actor, now: datetime, office_id: int | None = None
) -> Case:
    """Submit a complete application (or its public id): one case, however often this is called.
    ``office_id``: the office the applicant chose, for district-level services.

    The e-certificates that stand in for materials are read through the exchange inside the
    submission's transaction; an incomplete submission commits those reads (and refusals) and
    their access-log entries, writes nothing else, and is refused after the commit."""
    outcome = _case_submit(application=application, person=person, actor=actor, now=now, office_id=office_id)
    if isinstance(outcome, dict):
        raise ValidationError(outcome)  # after the commit of the certificate reads: they stay logged
    return outcome


@transaction.atomic
def _case_submit(
    *, application: Application | str, person: Person, actor: Actor, now: datetime, office_id: int | None
) -> Case | dict[str, Any]:
    application = _locked_application(application, person)
    if application.status == ApplicationStatus.SUBMITTED:
        return Case.objects.get(application=application)  # a double click or a retried request
    if application.person_id != person.pk:
        raise PermissionDeniedError(_("This is not your application."))
    if application.status != ApplicationStatus.DRAFT:
        raise ConflictError(_("This application was deleted."))
    version = application.version
    authority = authority_for(person=person, firm=application.firm, version=version, now=now)
    form = form_of(version)
    definition = form.definition
    held = (
        application_attach_held(application=application, actor=actor, now=now) if form.has_certificate_materials else {}
    )
    errors = completeness_errors(application, form, frozenset(held), today=local_date(now))
    district = application.firm.registered_district if application.firm else person.registered_district
    if office_id is not None and office_id != application.office_id:
        application.office = AgencyOffice.objects.filter(pk=office_id, agency_id=version.item.agency_id).first()
    office = competent_office(version=version, district=district, chosen=application.office)
    if office is None:
        errors["office"] = str(_("Choose the office that should handle your application."))
    if errors:
        return errors  # nothing but the certificate reads was written; the caller raises after the commit
    assert office is not None
    shown = set(engine.visible_fields(definition.layout, application.data))
    data = {name: value for name, value in application.data.items() if name in shown}
    points = application_points(application=application, definition=definition, today=local_date(now))
    if points is not None:
        data["_points"] = {
            "total": points.total,
            "category": points.category,
            "lines": [
                {"factor": line.factor.code, "option": line.option.code if line.option else "", "points": line.points}
                for line in points.lines
            ],
        }
    acting = actor.for_firm(authority.firm.uscc, authority.power_id) if authority else actor
    instant = version.workflow == Workflow.INSTANT
    case = _create_case(
        application, office=office, data=data, authority_power=authority.power if authority else None, now=now,
        instant=instant,
    )  # fmt: skip
    concerned = _persons_concerned(definition, application.data, person, actor)
    if concerned:
        insert_objects([CaseParty(case=case, person=p) for p in concerned], ignore_conflicts=True)
    _record_materials(case, form, held)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    update_object(application, ("status", "submitted_at", "office", "updated_at"))
    events = [_event_row(case, CaseAction.SUBMIT, at=now, role=Role.APPLICANT, actor=acting,
                         account_id=person.account_id, to_status=Status.SUBMITTED)]  # fmt: skip
    if instant:  # accepted and closed at once by the system, with a receipt
        system = Actor.system("instant-filing")
        for action, source, target in (
            (Action.ACCEPT, Status.SUBMITTED, Status.ACCEPTED),
            (Action.CLOSE, Status.ACCEPTED, Status.CLOSED),
        ):
            events.append(_event_row(case, action, at=now, role=Role.SYSTEM, actor=system, account_id=None,
                                     from_status=source, to_status=target))  # fmt: skip
    insert_objects(events)
    audit_record(
        action="cases.case_submitted", actor=acting, object_type="case", object_id=case.number,
        data={"service": version.item.code, "version": version.number, "office": office.pk, "instant": instant},
    )  # fmt: skip
    if instant:
        _issue_certificate(case, acting, now)
    _notify(case, "receipt" if instant else "submit", now, applicant_account=person.account)
    return case


def _create_case(
    application: Application,
    *,
    office: Any,
    data: dict[str, Any],
    authority_power: Any,
    now: datetime,
    instant: bool,
) -> Case:
    version = application.version
    finished = {"accepted_at": now, "decided_at": now, "closed_at": now} if instant else {}
    for _attempt in range(5):
        case = Case(
            number=new_case_number(now),
            application=application,
            version=version,
            item=version.item,
            area=version.item.area,
            agency=version.item.agency,
            office=office,
            applicant=application.person,
            firm=application.firm,
            power=authority_power,
            channel=CaseChannel.ONLINE,
            status=CaseStatus.CLOSED if instant else CaseStatus.SUBMITTED,
            data=data,
            submitted_at=now,
            **finished,
        )
        # A clash of the random number (one in a billion a day) draws another; Case has no signals.
        if insert_object_unless_taken(case, "number"):
            return case
    raise ConflictError(_("Could not allocate a case number; please try again."))


def certificate_fields(case: Case, certificate_type: CertificateType, holder: Person | None) -> dict[str, Any]:
    """The certificate's structured fields, from the sources its type names (see CertificateType)."""
    points = case.data.get("_points", {})
    values: dict[str, Any] = {}
    for spec in certificate_type.fields:
        source = str(spec.get("source", ""))
        kind, _, name = source.partition(".")
        value: Any = None
        if kind == "data":
            value = case.data.get(name)
        elif kind == "points":
            value = points.get(name)
        elif source == "case.number":
            value = case.number
        elif source == "case.service":
            value = case.version.name_zh
        elif holder is not None and source == "holder.name":
            value = holder.latin_name or holder.name
        elif holder is not None and source == "holder.nationality":
            value = str(holder.nationality)
        elif holder is not None and source == "holder.id_number":
            value = holder.id_number if spec.get("mask") is False else mask_identifier(holder.id_number)
        elif case.firm is not None and source == "firm.name":
            value = case.firm.name_zh
        elif case.firm is not None and source == "firm.uscc":
            value = case.firm.uscc
        if value not in (None, ""):
            values[spec["name"]] = value
    return values


def _issue_certificate(case: Case, actor: Actor, now: datetime, number: str | None = None) -> Certificate | None:
    """Issue the certificate the case's service declares, in the deciding transaction."""
    certificate_type = case.version.certificate_type
    if certificate_type is None:
        return None
    person: Person | None = None
    firm = None
    if certificate_type.holder == CertificateHolder.FIRM:
        firm = case.firm
    elif certificate_type.holder == CertificateHolder.PERSON_CONCERNED:
        party = case.parties.select_related("person").order_by("id").first()
        person = party.person if party else (case.applicant if case.firm is None else None)
    else:
        person = case.applicant
    if person is None and firm is None:
        return None  # nobody identifiable to hold it (recorded in the case history by the caller)
    return certificate_issue(
        certificate_type=certificate_type, agency=case.agency, fields=certificate_fields(case, certificate_type, person),
        actor=actor, now=now, holder_person=person, holder_firm=firm, case_number=case.number,
        applicant_firm=case.firm, area=case.area, number=number,
    )  # fmt: skip


def _clean_text(field: str, value: str, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    try:
        validate_multiline_text(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return value


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
    try:
        transition = find(action, status=case.status, roles=roles, four_eyes=case.version.four_eyes)
    except IllegalTransitionError:
        raise ConflictError(
            _("“%(action)s” is not possible while the case is “%(status)s”.")
            % {
                "action": CaseAction(action).label if action in CaseAction.values else action,
                "status": case.get_status_display(),
            }
        ) from None
    reason = _clean_text("reason", reason, required=transition.needs_reason)
    legal_basis = _clean_text("legal_basis", legal_basis, required=transition.needs_legal_basis)
    clean_items = [_clean_text("items", item, required=False) for item in (items or [])]
    clean_items = [item for item in clean_items if item]
    requested = list(
        Material.objects.filter(version_id=case.version_id, code__in=materials or []).order_by("position", "code")
    )
    if transition.needs_items and not (clean_items or requested):
        raise ValidationError({"items": _("Say exactly which materials or information the applicant must supply.")})

    fields: dict[str, Any] = {"status": transition.target}
    if transition.target == Status.ACCEPTED:
        fields["accepted_at"] = now
    if transition.action in (Action.PROPOSE_APPROVAL, Action.PROPOSE_REJECTION):
        fields["proposal"] = {
            "decision": "approve" if transition.action == Action.PROPOSE_APPROVAL else "reject",
            "reason": reason, "legal_basis": legal_basis, "by": account.pk if account else None, "at": now.isoformat(),
        }  # fmt: skip
    deciding = case.status == Status.AWAITING_APPROVAL and transition.action in (Action.APPROVE, Action.REJECT)
    if deciding and account is not None and case.proposal.get("by") == account.pk:
        raise PermissionDeniedError(_("Four eyes: the supervisor who decides must not be the officer who proposed."))
    if transition.action == Action.RETURN_TO_REVIEW:
        fields["proposal"] = {}
    if transition.target in (Status.APPROVED, Status.REJECTED, Status.NOT_ACCEPTED):
        fields.update(decided_at=now, decision_reason=reason or case.proposal.get("reason", ""))
        fields["decision_legal_basis"] = legal_basis or case.proposal.get("legal_basis", "")
    if transition.target in (Status.CLOSED, Status.WITHDRAWN):
        fields["closed_at"] = now
    if transition.action == Action.REQUEST_SUPPLEMENT:
        fields["supplement_items"] = [
            *({"material": m.code, "name_zh": m.name_zh, "name_en": m.name_en} for m in requested),
            *({"material": "", "name_zh": item, "name_en": item} for item in clean_items),
        ]
    if transition.action == Action.RESUBMIT:
        _check_supplement_supplied(case)
        fields["supplement_items"] = []

    updated = Case.objects.filter(pk=case.pk, lock_version=expected_version).update(
        lock_version=F("lock_version") + 1, **fields
    )
    if not updated:
        raise ConflictError(CHANGED)
    _event(
        case, transition.action, at=now, role=_primary(roles), actor=acting, account_id=account.pk if account else (person.account_id if person else None),
        from_status=case.status, to_status=transition.target, reason=reason, legal_basis=legal_basis,
        data={"items": clean_items, "materials": [m.code for m in requested]} if transition.needs_items else {},
    )  # fmt: skip
    case.refresh_from_db()
    if transition.target == Status.APPROVED:
        _issue_certificate(case, acting, now, number=certificate_number)
    _store_due_dates(case, now)
    audit_record(
        action=f"cases.{transition.action}", actor=acting, object_type="case", object_id=case.number,
        data={"from": case_status_before(transition), "to": transition.target, "reason": reason, "legal_basis": legal_basis},
    )  # fmt: skip
    _notify(case, transition.action, now, reason=reason or case.decision_reason, items=clean_items, materials=requested)
    return case


def case_status_before(transition: Any) -> list[str]:
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
            authority = authority_for(person=person, firm=case.firm, version=case.version, now=now)
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
    updated = Case.objects.filter(pk=case.pk, lock_version=expected_version).update(
        assigned_to=assignee, lock_version=F("lock_version") + 1
    )
    if not updated:
        raise ConflictError(CHANGED)
    _event(
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
    if case.status in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN):
        raise ConflictError(_("This case is finished: no more data is fetched for it."))
    parties = case_parties(case=case)
    party = next((p for p in parties if p.ref == subject_ref), None)
    if party is None:
        raise PermissionDeniedError(_("Only data about the parties of this case can be fetched for it."))
    grant = next((g for g in active_grants(consumer=case.agency, purpose=case.item.code, now=now)
                  if g.resource.code == resource_code), None)  # fmt: skip
    if grant is None:
        raise ConflictError(_("Your agency holds no active grant to this data for this service."))
    result = exchange_query(
        consumer=case.agency, resource_code=resource_code, fields=list(grant.fields), purpose=case.item.code,
        basis=Basis(kind="case", reference=case.number, parties=tuple(p.ref for p in parties)), actor=actor,
        now=now, person=party.person, firm=party.firm,
    )  # fmt: skip
    row = CaseData.objects.create(
        case=case, resource=resource_code, subject_ref=party.ref, subject_label=party.label[:150],
        outcome=result.outcome, reason=result.reason, found=result.found, values=result.values,
        source=result.source[:120], fetched_at=now, fetched_by=account, access_log_id=result.log_id,
    )  # fmt: skip
    audit_record(
        action="cases.data_fetched", actor=actor, object_type="case", object_id=case.number,
        data={"resource": resource_code, "subject": party.ref, "outcome": result.outcome, "access_log": result.log_id},
    )  # fmt: skip
    return row
