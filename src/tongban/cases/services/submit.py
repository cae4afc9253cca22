"""Submitting an application: one case, however often the button is pressed.

The application is read and locked in one statement; the e-certificates that stand in for
materials are read through the exchange; if anything is still missing the submission is refused
with ``SubmissionIncomplete`` (after the commit of those reads, so they stay in the access log),
else the case is written with its persons concerned, how each material was provided, its first
history steps, the audit event and the receipt. An *instant* service's case is accepted and
closed at once by the system, and its certificate issued.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.cases.models import Case, CaseAction, CaseChannel, CaseEvent, CaseMaterial, CaseParty, MaterialSource
from tongban.cases.services._common import event_row, notify
from tongban.cases.services._queries import locked_application, uploaded_material_ids
from tongban.cases.services.certificates import case_certificate_issue
from tongban.cases.workflow import Action, Role, Status
from tongban.catalogue.models import Workflow
from tongban.catalogue.selectors import competent_office
from tongban.core import bilingual
from tongban.core.actors import Actor
from tongban.core.db import insert_object_unless_taken, insert_objects, update_object
from tongban.core.deadlines import local_date
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.forms import engine
from tongban.forms.held import persons_named
from tongban.forms.models import Application, ApplicationChannel, ApplicationStatus, FormDefinition
from tongban.forms.permissions import may_apply
from tongban.forms.selectors import PublishedForm, application_points, current_uploads, form_of
from tongban.forms.services import WindowHand, application_attach_held
from tongban.identity.models import AgencyOffice, Person
from tongban.identity.services import person_record

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class SubmissionIncomplete(ValidationError):  # noqa: N818 - the name the plan gives callers: what the applicant is told
    """The application is not complete: ``errors`` maps each missing field or material (or the
    office) to what the applicant must still give. A ``ValidationError``, with the same messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


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
            name = bilingual.localized(material, "name")
            errors[f"material_{material.code}"] = str(_("Upload “%(name)s”.") % {"name": name})
    return errors


def case_submit(
    *,
    application: Application | str,
    person: Person,
    actor: Actor,
    now: datetime,
    office_id: int | None = None,
    hand: WindowHand | None = None,
) -> Case:
    """Submit a complete application (or its public id): one case, however often this is called.
    ``office_id``: the office the applicant chose, for district-level services. ``hand``: a clerk
    submits it at a window for ``person``, who confirmed the contents (``actor`` is the clerk):
    the case's channel is ``window`` and the clerk and centre are recorded on the application, the
    case, its first history step and the audit event (ADR 0039).

    The e-certificates that stand in for materials are read through the exchange inside the
    submission's transaction; an incomplete submission commits those reads (and refusals) and
    their access-log entries, writes nothing else, and is refused (``SubmissionIncomplete``)
    after the commit."""
    refused: SubmissionIncomplete
    with transaction.atomic():
        try:
            return _case_submit(
                application=application, person=person, actor=actor, now=now, office_id=office_id, hand=hand
            )
        except SubmissionIncomplete as incomplete:
            refused = incomplete  # nothing but the certificate reads was written: they commit, logged
    raise refused


def _case_submit(
    *,
    application: Application | str,
    person: Person,
    actor: Actor,
    now: datetime,
    office_id: int | None,
    hand: WindowHand | None,
) -> Case:
    application = locked_application(application, person)
    if application.status == ApplicationStatus.SUBMITTED:
        return Case.objects.get(application=application)  # a double click or a retried request
    if application.person_id != person.pk:
        raise PermissionDeniedError(_("This is not your application."))
    if application.status != ApplicationStatus.DRAFT:
        raise ConflictError(_("This application was deleted."))
    version = application.version
    authority = may_apply(person=person, firm=application.firm, version=version, now=now)
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
        raise SubmissionIncomplete(errors)
    assert office is not None
    data = _case_data(application, definition, now)
    acting = actor.for_firm(authority.firm.uscc, authority.power_id) if authority else actor
    instant = version.workflow == Workflow.INSTANT
    case = _create_case(
        application,
        office=office,
        data=data,
        authority_power=authority.power if authority else None,
        now=now,
        instant=instant,
        hand=hand,
    )
    concerned = _persons_concerned(definition, application.data, person, actor)
    if concerned:
        insert_objects([CaseParty(case=case, person=p) for p in concerned], ignore_conflicts=True)
    _record_materials(case, form, held)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    fields: tuple[str, ...] = ("status", "submitted_at", "office", "updated_at")
    if hand is not None:
        application.channel = ApplicationChannel.WINDOW
        application.entered_by = hand.clerk
        application.entered_at_centre = hand.centre
        fields += ("channel", "entered_by", "entered_at_centre")
    update_object(application, fields)
    insert_objects(_first_steps(case, acting=acting, account_id=person.account_id, now=now, instant=instant, hand=hand))
    audit_record(
        action="cases.case_submitted",
        actor=acting,
        object_type="case",
        object_id=case.number,
        data={
            "service": version.item.code,
            "version": version.number,
            "office": office.pk,
            "instant": instant,
            **(hand.record() if hand else {"channel": "online"}),
        },
    )
    if instant:
        case_certificate_issue(case, acting, now)
    notify(case, "receipt" if instant else "submit", now, applicant_account=person.account)
    return case


def _case_data(application: Application, definition: FormDefinition, now: datetime) -> dict[str, Any]:
    """What the case keeps of the application: the fields shown, and the points if the form scores."""
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
    return data


def _create_case(
    application: Application,
    *,
    office: Any,
    data: dict[str, Any],
    authority_power: Any,
    now: datetime,
    instant: bool,
    hand: WindowHand | None = None,
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
            channel=CaseChannel.WINDOW if hand else CaseChannel.ONLINE,
            entered_by=hand.clerk if hand else None,
            entered_at_centre=hand.centre if hand else None,
            status=Status.CLOSED if instant else Status.SUBMITTED,
            data=data,
            submitted_at=now,
            **finished,
        )
        # A clash of the random number (one in a billion a day) draws another; Case has no signals.
        if insert_object_unless_taken(case, "number"):
            return case
    raise ConflictError(_("Could not allocate a case number; please try again."))


def _persons_concerned(
    definition: FormDefinition, data: dict[str, Any], applicant: Person, actor: Actor
) -> list[Person]:
    """The persons the case concerns: found by the identity the form names, or recorded now (without
    an account) so that a certificate can be issued to them."""
    people: list[Person] = []
    for named in persons_named(definition, data):
        person = named.person
        if person is None and named.spec.get("name_field"):
            try:
                person = person_record(
                    id_type=named.spec.get("id_type", "passport"),
                    id_number=named.id_number,
                    nationality=named.nationality or "",
                    name="",
                    latin_name=str(data.get(named.spec["name_field"], "")),
                    actor=actor,
                )
            except ValidationError:
                person = None
        if person is not None and person.pk != applicant.pk:
            people.append(person)
    return people


def _record_materials(case: Case, form: PublishedForm, held: dict[int, Any]) -> None:
    """How each material was provided: held as an e-certificate, or uploaded."""
    uploaded = uploaded_material_ids(case.application_id) if form.materials else set()
    rows = []
    for material in form.materials:
        if material.pk in held:
            rows.append(
                CaseMaterial(
                    case=case,
                    material_code=material.code,
                    source=MaterialSource.CERTIFICATE,
                    certificate_number=held[material.pk].certificate.number,
                )
            )
        elif material.pk in uploaded:
            rows.append(CaseMaterial(case=case, material_code=material.code, source=MaterialSource.UPLOAD))
    if rows:
        insert_objects(rows)


def _first_steps(
    case: Case, *, acting: Actor, account_id: int | None, now: datetime, instant: bool, hand: WindowHand | None = None
) -> list[CaseEvent]:
    """The history a submission starts: submitted (at a window: by the clerk's hand, said in the
    step's data); for an instant service, also accepted and closed by the system (with a receipt)."""
    submitted = event_row(
        case,
        CaseAction.SUBMIT,
        at=now,
        role=Role.APPLICANT,
        actor=acting,
        account_id=account_id,
        to_status=Status.SUBMITTED,
    )
    if hand is not None:
        submitted.data = {**submitted.data, **hand.record(), "confirmed_by_applicant": True}
    events = [submitted]
    if instant:
        system = Actor.system("instant-filing")
        for action, source, target in (
            (Action.ACCEPT, Status.SUBMITTED, Status.ACCEPTED),
            (Action.CLOSE, Status.ACCEPTED, Status.CLOSED),
        ):
            events.append(
                event_row(
                    case,
                    action,
                    at=now,
                    role=Role.SYSTEM,
                    actor=system,
                    account_id=None,
                    from_status=source,
                    to_status=target,
                )
            )
    return events
