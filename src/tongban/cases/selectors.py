"""Reads of cases: who may see and act on a case, the back-office queues, "My cases", history
and the deadline as of now.

Permissions are decided here, on every request:
* staff — an officer handles the cases of their own office; supervisors and agency
  administrators those of their whole agency; nobody sees another agency's cases;
* applicants — the person who applied; for a firm's case also its legal representative and staff
  holding an active power in the case's area; persons concerned see the case read-only.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case, CaseData, CaseEvent, CaseParty, status_label
from tongban.cases.permissions import applicant_case_access, staff_roles_for_case
from tongban.cases.workflow import OPEN, Clock, Role, Status, clock_actions, next_step
from tongban.catalogue.models import ServiceVersion
from tongban.core.calendar import get_work_calendar
from tongban.core.db import Read, select_batch, select_objects
from tongban.core.deadlines import Deadline, Outlook, Pause, case_deadline
from tongban.core.errors import NotFoundError
from tongban.exchange.models import Grant
from tongban.exchange.selectors import KnownApplication, active_grants
from tongban.exchange.services import subject_of
from tongban.forms import engine
from tongban.forms.models import Application, Upload
from tongban.forms.selectors import uploads_read
from tongban.identity.models import Account, Firm, Person, StaffRoleKind
from tongban.identity.selectors import Authority, active_staff_roles

_CASE_RELATED = ("version", "item", "agency", "office", "applicant", "firm", "assigned_to")


def case_for_staff(*, number: str, account: Account) -> tuple[Case, frozenset[Role]]:
    """The case and the account's roles on it; NotFoundError if they have none (another agency's
    or another office's case does not exist for them)."""
    case = Case.objects.select_related(*_CASE_RELATED).filter(number=number).first()
    if case is None:
        raise NotFoundError(_("No such case in your queues."))
    roles = staff_roles_for_case(roles=active_staff_roles(account=account), case=case)
    if not roles:
        raise NotFoundError(_("No such case in your queues."))
    return case, roles


@dataclass(frozen=True)
class ApplicantAccess:
    case: Case
    can_act: bool  # may withdraw or supply; persons concerned only read
    authority: Authority | None  # for a firm's case: the basis the person acts on


#: The guide texts of a case's service version: never needed to act on a case, so not read with it
#: (``VERSION_FIELDS_WITHOUT_GUIDE`` are the others: for static reads that join the version).
_VERSION_GUIDE = frozenset(
    {
        *(
            f"{name}_{lang}"
            for name in ("summary", "eligibility", "legal_basis", "conditions", "fee", "contact")
            for lang in ("zh", "en")
        ),
        "search_text",
    }
)
VERSION_FIELDS_WITHOUT_GUIDE = tuple(
    field.name for field in ServiceVersion._meta.concrete_fields if field.name not in _VERSION_GUIDE
)


#: The applicant's case with its version (without the guide texts); its history and its files
#: found by the case number, so that all three can be read in one round trip.
#: The case with its service version (without the guide texts) and its firm (NULL for a person's
#: own case), in one statement.
_CASE_READ: dict[str, Any] = {"joins": (("version", VERSION_FIELDS_WITHOUT_GUIDE), ("firm", None))}
_CASE_TABLE = Case._meta.db_table
_EVENTS_BY_NUMBER = f'WHERE t.case_id = (SELECT c.id FROM "{_CASE_TABLE}" c WHERE c.number = %s) ORDER BY t.id'  # noqa: S608
_FILES_BY_NUMBER = f'WHERE t.application_id = (SELECT c.application_id FROM "{_CASE_TABLE}" c WHERE c.number = %s)'  # noqa: S608


def case_for_person(*, number: str, person: Person, now: datetime) -> ApplicantAccess:
    """The case with this number if ``person`` may see it (NotFoundError otherwise), with its firm
    and its service version (without the guide texts). Static statements
    (``core.db.select_objects``): the applicant's case page is the platform's most read page."""
    found = select_objects(Case, "WHERE t.number = %s", [number], **_CASE_READ)
    return _applicant_access(found, person=person, now=now)


def case_for_person_with(
    *, number: str, person: Person, now: datetime, also: tuple[Read, ...]
) -> tuple[ApplicantAccess, list[list[Any]]]:
    """``case_for_person``, and the results of the reads of upper layers that find their rows by
    the case number (``also``), sent in the same round trip (``core.db.select_batch``). What they
    return is the caller's to show only after the access check passed, as here."""
    found, *more = select_batch(Read(Case, "WHERE t.number = %s", [number], **_CASE_READ), *also)
    return _applicant_access(found, person=person, now=now), more


@dataclass(frozen=True)
class CasePage:
    """What the applicant's page of one case shows: the access, the history, the files, and the
    results of the caller's own reads sent in the same round trip (``also``), in their order."""

    access: ApplicantAccess
    events: list[CaseEvent]
    uploads: list[Upload]
    also: tuple[list[Any], ...] = ()


def case_page_for_person(*, number: str, person: Person, now: datetime, also: tuple[Read, ...] = ()) -> CasePage:
    """``case_for_person`` with the case's history and files, read in the same round trip to the
    database (``core.db.select_batch``), and the reads of upper layers passed as ``also`` (the
    case's certificates, its rating: each found by the case number too). None of the reads waits
    for another; what they return is shown only once the access check passed (NotFoundError
    otherwise, as ``case_for_person``)."""
    found, events, uploads, *more = select_batch(
        Read(Case, "WHERE t.number = %s", [number], **_CASE_READ),
        Read(CaseEvent, _EVENTS_BY_NUMBER, [number]),
        uploads_read(_FILES_BY_NUMBER, [number]),
        *also,
    )
    return CasePage(_applicant_access(found, person=person, now=now), events, uploads, tuple(more))


def _applicant_access(found: list[Case], *, person: Person, now: datetime) -> ApplicantAccess:
    if not found:
        raise NotFoundError(_("No such case among yours."))
    case = found[0]  # with its version and firm (``_CASE_READ``)
    can_act, authority = applicant_case_access(person=person, case=case, now=now)
    return ApplicantAccess(case, can_act, authority)


class CaseRow(NamedTuple):
    """One row of a list of cases (portal/_case_table.html), as plain values: a list page shows 20
    rows, so it reads these columns, not the case's data, the version's guide or the applicant."""

    id: int
    number: str
    status: str
    submitted_at: datetime
    promised_due_on: date | None
    applicant_id: int
    service_zh: str
    service_en: str
    statutory_limit_workdays: int
    outlook: Outlook | None = None  # an open case's time (``cases.overview.with_outlook``)

    def get_status_display(self) -> str:
        return status_label(self.status)

    @property
    def next_step(self) -> str:
        """What happens next, in the active language (``cases.workflow.NEXT_STEPS``)."""
        return next_step(self.status)


_ROW_COLUMNS = ("id", "number", "status", "submitted_at", "promised_due_on", "applicant_id")
#: The ``values_list`` a ``CaseRow`` is made of (``_row``).
ROW_VALUES = (*_ROW_COLUMNS, "version__name_zh", "version__name_en", "version__statutory_limit_workdays")


def _aware(value: datetime) -> datetime:
    """A datetime as the ORM returns it (SQLite hands raw SQL naive UTC values)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def row_of(values: tuple[Any, ...]) -> CaseRow:
    row = CaseRow(*values)
    submitted_at = _aware(row.submitted_at)
    if isinstance(row.promised_due_on, str):  # SQLite: a DATE column read by raw SQL
        return row._replace(submitted_at=submitted_at, promised_due_on=date.fromisoformat(row.promised_due_on))
    return row._replace(submitted_at=submitted_at)


def cases_of_person(*, person: Person, limit: int = 50) -> list[CaseRow]:
    """The person's own applications (not for a firm) and the cases they are concerned by."""
    columns = ROW_VALUES
    own = list(
        Case.objects.filter(applicant=person, firm__isnull=True).order_by("-submitted_at").values_list(*columns)[:limit]
    )
    concerned_ids = CaseParty.objects.filter(person=person).values_list("case_id", flat=True)
    concerned = list(Case.objects.filter(pk__in=list(concerned_ids[:limit])).values_list(*columns))
    merged = {values[0]: row_of(values) for values in [*own, *concerned]}
    return sorted(merged.values(), key=lambda row: row.submitted_at, reverse=True)[:limit]


#: A firm's cases in some areas, newest first (keyset paging on id; index cases_firm_recent), as
#: one static statement: the ORM spent longer compiling it than PostgreSQL running it.
_FIRM_ROWS_SQL = (  # noqa: S608 - identifiers from model metadata; every value is a parameter
    "SELECT {columns}, v.name_zh, v.name_en, v.statutory_limit_workdays FROM {case} c JOIN {version} v ON v.id = c.version_id "
    "WHERE c.firm_id = %s AND c.area IN ({{areas}}) {{before}}ORDER BY c.id DESC LIMIT %s"
).format(
    columns=", ".join(f"c.{Case._meta.get_field(name).column}" for name in _ROW_COLUMNS),  # type: ignore[union-attr]
    case=Case._meta.db_table,
    version=Case._meta.get_field("version").related_model._meta.db_table,  # type: ignore[union-attr]
)


def cases_of_firm(*, firm_id: int, areas: list[str], limit: int = 20, before_id: int | None = None) -> list[CaseRow]:
    """A firm's cases in the areas the person may see, newest first (keyset paging on id)."""
    if not areas:
        return []
    sql = _FIRM_ROWS_SQL.format(areas=", ".join(["%s"] * len(areas)), before="AND c.id < %s " if before_id else "")
    params: list[Any] = [firm_id, *areas, *([before_id] if before_id else []), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row_of(values) for values in cursor.fetchall()]


def staff_queue(
    *, account: Account, status: str = "", mine: bool = False, limit: int = 50, offset: int = 0
) -> list[Case]:
    """The cases an account's roles cover, open ones by default, most urgent (promised due date) first."""
    roles = active_staff_roles(account=account)
    scope = Q(pk__in=[])
    for role in roles:
        if role.role == StaffRoleKind.OFFICER and role.office_id:
            scope |= Q(office_id=role.office_id)
        elif role.role in (StaffRoleKind.SUPERVISOR, StaffRoleKind.AGENCY_ADMIN) and role.agency_id:
            scope |= Q(agency_id=role.agency_id)
    cases = Case.objects.filter(scope).select_related("version", "applicant", "firm", "assigned_to", "office")
    if status in Status.values:
        cases = cases.filter(status=status)
    else:
        cases = cases.filter(status__in=[status.value for status in OPEN])
    if mine:
        cases = cases.filter(assigned_to=account)
    return list(cases.order_by("promised_due_on", "id")[offset : offset + limit])


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    """A case's history, oldest first, with the actors' accounts (the back office names them;
    the applicant's page reads its history with ``case_page_for_person``)."""
    return CaseEvent.objects.filter(case=case).order_by("id").select_related("actor_account")


#: The actions that stop and restart the statutory clock (declared in the transition table).
_PAUSING, _RESUMING = clock_actions(Clock.PAUSE), clock_actions(Clock.RESUME)


def pauses_of(events: list[CaseEvent]) -> list[Pause]:
    """Supplement pauses from a case's history: from each request to the next resubmission."""
    pauses: list[Pause] = []
    started: datetime | None = None
    for event in events:
        if event.action in _PAUSING:
            started = event.at
        elif event.action in _RESUMING and started is not None:
            pauses.append(Pause(started, event.at))
            started = None
    if started is not None:
        pauses.append(Pause(started, None))
    return pauses


def case_deadline_now(*, case: Case, events: list[CaseEvent], now: datetime) -> Deadline | None:
    """The case's time limits as of ``now`` (None before acceptance or for a finished case)."""
    if case.accepted_at is None or case.status not in [status.value for status in OPEN]:
        return None
    return case_deadline(
        calendar=get_work_calendar(),
        accepted_at=case.accepted_at,
        statutory_limit_workdays=case.version.statutory_limit_workdays,
        promised_limit_workdays=case.version.promised_limit_workdays,
        pauses=pauses_of(events),
        now=now,
    )


@dataclass(frozen=True)
class Party:
    """A data subject of a case, as the case layer asserts it to the exchange."""

    ref: str  # person:<public id> or firm:<USCC>
    kind: str  # person or firm
    label: str
    person: Person | None = None
    firm: Firm | None = None


def case_parties(*, case: Case) -> list[Party]:
    """The applicant, the persons concerned and the firm: the only subjects the case is a basis for."""
    people = [case.applicant, *(row.person for row in CaseParty.objects.filter(case=case).select_related("person"))]
    parties: dict[str, Party] = {}
    for person in people:
        _subject, ref = subject_of(person=person)
        parties.setdefault(ref, Party(ref, "person", person.display_name, person=person))
    if case.firm is not None:
        _subject, ref = subject_of(firm=case.firm)
        parties[ref] = Party(ref, "firm", case.firm.name_zh, firm=case.firm)
    return list(parties.values())


def party_roles(*, case: Case, parties: list[Party], layout: Mapping[str, Any], language: str) -> dict[str, str]:
    """Each party's role in the case, by its subject reference, as the back office names it: the
    applicant (a person applying for herself, or the firm), the person handling a firm's case,
    and each person concerned by the title of the form's step that identifies them ("Employee"),
    else "Person concerned". ``layout`` is the case's form layout."""
    titles: dict[str, str] = {}  # identity number given in the form -> the title of its step
    for spec in layout.get("persons_concerned", []):
        field_name = spec.get("id_number_field", "")
        number = str(case.data.get(field_name, "")).strip().upper()
        step = next((s for s in engine.steps(layout) if field_name in s.get("fields", [])), None)
        if number and step is not None:
            titles.setdefault(number, engine.text(step.get("title"), language))
    roles = {}
    for party in parties:
        if party.firm is not None:
            roles[party.ref] = str(_("Applicant (firm)"))
        elif party.person is not None and party.person.pk == case.applicant_id:
            roles[party.ref] = str(_("Handling it for the firm") if case.firm_id else _("Applicant"))
        elif party.person is not None:
            roles[party.ref] = titles.get(party.person.id_number.upper()) or str(_("Person concerned"))
    return roles


@dataclass(frozen=True)
class FetchOption:
    grant: Grant
    party: Party


def case_fetch_options(*, case: Case, now: datetime) -> list[FetchOption]:
    """What an officer may fetch for this case: each resource the agency holds an active grant for,
    for this service, about each party of the right kind."""
    parties = case_parties(case=case)
    return [
        FetchOption(grant, party)
        for grant in active_grants(consumer=case.agency, purpose=case.item.code, now=now)
        for party in parties
        if party.kind == grant.resource.subject_kind
    ]


def case_fetched_data(*, case: Case, limit: int = 50) -> list[CaseData]:
    return list(CaseData.objects.filter(case=case).select_related("fetched_by").order_by("-id")[:limit])


def known_applications(ids: set[str]) -> dict[str, KnownApplication]:
    """The applications (by public id) as their applicant knows them: the number of the case each
    became, else the service applied for. One query, for a page of the access log."""
    valid = set()
    for value in ids:
        try:
            valid.add(uuid.UUID(value))
        except ValueError:
            continue
    if not valid:
        return {}
    rows = Application.objects.filter(public_id__in=valid).values_list(
        "public_id", "case__number", "version__name_zh", "version__name_en"
    )
    return {str(public_id): KnownApplication(number or "", zh, en) for public_id, number, zh, en in rows}
