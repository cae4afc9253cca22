"""Reads of the exchange: the resource catalogue, grants, consents, a subject's access log and the
operators' usage statistics. Every list is bounded and served by an index (keyset pages by id).
At the end, the rows of the portal's "My data" pages: a log entry, a consent and a grant one may
consent to, as the data subject reads them (names instead of codes, in the page's language)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.catalogue.models import ServiceItem
from tongban.core import bilingual
from tongban.exchange.models import (
    AccessLogEntry,
    AccessOutcome,
    Classification,
    Consent,
    DataResource,
    Grant,
    GrantStatus,
)
from tongban.exchange.services import CENTRE_PREFIX, WINDOW_LOOK, reason_text
from tongban.exchange.verification import PURPOSE as VERIFICATION_PURPOSE
from tongban.identity.models import Account, Agency, Firm, Person, ServiceCentre, StaffRoleKind
from tongban.identity.selectors import active_staff_roles

PAGE = 50


def resources() -> QuerySet[DataResource]:
    return DataResource.objects.select_related("owner").order_by("code")


def resource_by_code(code: str) -> DataResource | None:
    return DataResource.objects.select_related("owner").filter(code=code).first()


def active_grants(*, consumer: Agency, purpose: str, now: datetime) -> list[Grant]:
    """The grants an agency may use now for a purpose (a service item code)."""
    grants = Grant.objects.select_related("resource", "resource__owner").filter(
        consumer=consumer, purpose=purpose, status=GrantStatus.APPROVED, revoked_at__isnull=True, expires_at__gt=now
    )
    return list(grants.order_by("resource__code"))


def administered_agencies(account: Account) -> tuple[bool, list[int]]:
    """(is a city operator, ids of the agencies the account administers)."""
    roles = active_staff_roles(account=account)
    operator = any(role.role == StaffRoleKind.CITY_OPERATOR for role in roles)
    agencies = [role.agency_id for role in roles if role.role == StaffRoleKind.AGENCY_ADMIN and role.agency_id]
    return operator, agencies


def grants_visible_to(account: Account) -> QuerySet[Grant]:
    """Grants an administrator may see: their agency's, as owner or consumer; all for operators."""
    operator, agencies = administered_agencies(account)
    grants = Grant.objects.select_related("resource", "resource__owner", "consumer", "requested_by", "decided_by")
    if not operator:
        grants = grants.filter(Q(consumer_id__in=agencies) | Q(resource__owner_id__in=agencies))
    return grants.order_by("-requested_at", "-id")


def consentable_grants(*, subject_kind: str, now: datetime) -> list[Grant]:
    """Approved grants on restricted resources about this kind of subject: where consent matters."""
    grants = Grant.objects.select_related("resource", "consumer").filter(
        resource__classification=Classification.RESTRICTED,
        resource__subject_kind=subject_kind,
        status=GrantStatus.APPROVED,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    return list(grants.order_by("consumer__code", "resource__code", "purpose"))


def consents_of(*, person: Person | None = None, firm: Firm | None = None) -> QuerySet[Consent]:
    consents = Consent.objects.select_related("consumer", "resource")
    consents = consents.filter(person=person) if person is not None else consents.filter(firm=firm)
    return consents.order_by("-given_at", "-id")


def access_log(*, subject_ref: str, before_id: int | None = None, limit: int = PAGE) -> list[AccessLogEntry]:
    """A subject's log, newest first, one keyset page (index exchange_log_subject)."""
    entries = AccessLogEntry.objects.filter(subject_ref=subject_ref)
    if before_id is not None:
        entries = entries.filter(id__lt=before_id)
    return list(entries.order_by("-id")[:limit])


def access_log_all(*, subject_ref: str, batch: int = 2000) -> Any:
    """Every entry of a subject's log, newest first, in batches (for the CSV export)."""
    before: int | None = None
    while True:
        page = access_log(subject_ref=subject_ref, before_id=before, limit=batch)
        yield from page
        if len(page) < batch:
            return
        before = page[-1].pk


@dataclass(frozen=True)
class UsageRow:
    consumer: str
    resource: str
    answered: int
    refused: int
    failed: int


def usage_statistics(*, now: datetime, days: int = 30) -> list[UsageRow]:
    """Accesses per consumer and resource over the last ``days`` (index exchange_log_stats)."""
    rows = (
        AccessLogEntry.objects.filter(at__gte=now - timedelta(days=days), at__lte=now)
        .values("consumer", "resource")
        .annotate(
            answered=Count("id", filter=Q(outcome="answered")),
            refused=Count("id", filter=Q(outcome="refused")),
            failed=Count("id", filter=Q(outcome="failed")),
        )
        .order_by("consumer", "resource")
    )
    return [UsageRow(**row) for row in rows]


# --- The back office's grant administration -------------------------------------------------------

#: The platform's own purposes, beside service item codes.
PLATFORM_PURPOSES = ("identity-verification",)
#: At most this many grants in each section of the grants page.
GRANT_SECTION_LIMIT = 200


@dataclass(frozen=True)
class GrantOverview:
    """An administrator's grants in four disjoint sections (a grant is in exactly one)."""

    awaiting: list[Grant]  # requests the account decides on (its agency owns the resource; operators: all)
    requested: list[Grant]  # requests its agency made to another agency, awaiting the owner
    active: list[Grant]  # approved, neither revoked nor expired
    history: list[Grant]  # refused, revoked, or expired (requests too), newest first


def grant_overview(*, account: Account, now: datetime, limit: int = GRANT_SECTION_LIMIT) -> GrantOverview:
    """The grants page of an agency administrator or a city operator: four queries, however many grants."""
    operator, agencies = administered_agencies(account)
    grants = Grant.objects.select_related(
        "resource", "resource__owner", "consumer", "requested_by", "decided_by", "revoked_by"
    )
    if not operator:
        grants = grants.filter(Q(consumer_id__in=agencies) | Q(resource__owner_id__in=agencies))
    live = Q(revoked_at__isnull=True, expires_at__gt=now)
    pending = grants.filter(live, status=GrantStatus.REQUESTED)
    decidable = pending if operator else pending.filter(resource__owner_id__in=agencies)
    requested = (
        []
        if operator
        else list(pending.exclude(resource__owner_id__in=agencies).order_by("requested_at", "id")[:limit])
    )
    active = grants.filter(live, status=GrantStatus.APPROVED)
    history = grants.exclude(live & Q(status__in=[GrantStatus.REQUESTED, GrantStatus.APPROVED]))
    return GrantOverview(
        awaiting=list(decidable.order_by("requested_at", "id")[:limit]),
        requested=requested,
        active=list(active.order_by("expires_at", "id")[:limit]),
        history=list(history.order_by("-requested_at", "-id")[:limit]),
    )


def grant_visible(*, account: Account, grant_id: int) -> Grant | None:
    """The grant if the account may see it (its agency owns the resource or consumes it; operators: any)."""
    return grants_visible_to(account).filter(pk=grant_id).first()


def service_item_names(codes: set[str]) -> dict[str, tuple[str, str]]:
    """{code: (Chinese name, English name)} of the published service items among ``codes`` (one query)."""
    items = ServiceItem.objects.filter(code__in=codes, published_version__isnull=False).select_related(
        "published_version"
    )
    return {
        item.code: (item.published_version.name_zh, item.published_version.name_en)
        for item in items
        if item.published_version is not None
    }


def purposes_of(consumer: Agency) -> list[tuple[str, str, str]]:
    """The service items of an agency a grant may serve: [(code, Chinese name, English name)], by code."""
    items = ServiceItem.objects.filter(agency=consumer).select_related("published_version").order_by("code")
    return [
        (
            item.code,
            *(
                (item.published_version.name_zh, item.published_version.name_en)
                if item.published_version is not None
                else (item.code, item.code)
            ),
        )
        for item in items
    ]


def requestable_resources() -> list[DataResource]:
    """Resources an agency must be granted (shared or restricted; open data needs no grant)."""
    return list(resources().exclude(classification=Classification.OPEN))


def usage_names(rows: list[UsageRow]) -> tuple[dict[str, Agency], dict[str, DataResource]]:
    """The agencies and resources named in usage rows, by code (two queries), for their names."""
    agencies = Agency.objects.filter(code__in={row.consumer for row in rows})
    named = DataResource.objects.filter(code__in={row.resource for row in rows})
    return {agency.code: agency for agency in agencies}, {resource.code: resource for resource in named}


# --- Names for what a subject's log mentions (the portal's "who used my data") ------------------


@dataclass
class LogLabels:
    """The agencies, resources and service items a page of log entries (or consents) names, by
    code: fetched once per page, so showing a row never queries."""

    agencies: dict[str, Agency] = field(default_factory=dict)
    resources: dict[str, DataResource] = field(default_factory=dict)
    services: dict[str, ServiceItem] = field(default_factory=dict)
    #: What the subject knows an application by, by its id (the basis reference of a read made
    #: for an application): filled by the caller, which knows applications and cases.
    applications: dict[str, KnownApplication] = field(default_factory=dict)
    #: The service centres whose clerks looked at the subject's drafts and cases, by code.
    centres: dict[str, ServiceCentre] = field(default_factory=dict)


@dataclass(frozen=True)
class KnownApplication:
    """An application as its applicant knows it: the case number it became, else the service."""

    case_number: str
    service_zh: str
    service_en: str


#: Looks up the applications a page of log entries names, by id (one query for the page).
ApplicationLookup = Callable[[set[str]], dict[str, KnownApplication]]


def application_ids(entries: Iterable[AccessLogEntry]) -> set[str]:
    """The applications (by id) a page of entries read data for."""
    return {entry.case_number for entry in entries if entry.basis == "application" and entry.case_number}


def log_labels(
    *,
    agency_codes: Iterable[str] = (),
    resource_codes: Iterable[str] = (),
    purposes: Iterable[str] = (),
    known: LogLabels | None = None,
) -> LogLabels:
    """Look up the codes not yet in ``known``: at most three queries, none for codes already known."""
    labels = known if known is not None else LogLabels()
    agencies = set(agency_codes) - labels.agencies.keys()
    if agencies:
        labels.agencies.update((agency.code, agency) for agency in Agency.objects.filter(code__in=agencies))
    codes = set(resource_codes) - labels.resources.keys()
    if codes:
        labels.resources.update((res.code, res) for res in DataResource.objects.filter(code__in=codes))
    items = set(purposes) - labels.services.keys()
    if items:
        found = ServiceItem.objects.filter(code__in=items).select_related("published_version")
        labels.services.update((item.code, item) for item in found)
    return labels


def access_log_labels(*, entries: Iterable[AccessLogEntry], known: LogLabels | None = None) -> LogLabels:
    """The names a page of log entries needs (consumers, resources, purposes; the centres of
    window looks): at most four queries."""
    entries = list(entries)
    labels = log_labels(
        agency_codes={entry.consumer for entry in entries if not entry.consumer.startswith(CENTRE_PREFIX)},
        resource_codes={entry.resource for entry in entries if entry.resource != WINDOW_LOOK},
        purposes={entry.purpose for entry in entries if entry.purpose},
        known=known,
    )
    centres = {
        entry.consumer.removeprefix(CENTRE_PREFIX) for entry in entries if entry.consumer.startswith(CENTRE_PREFIX)
    } - labels.centres.keys()
    if centres:
        labels.centres.update((centre.code, centre) for centre in ServiceCentre.objects.filter(code__in=centres))
    return labels


def consent_of_person(*, consent_id: int, person: Person) -> Consent | None:
    """One of the person's own consents (None for anyone else's)."""
    return Consent.objects.select_related("consumer", "resource").filter(pk=consent_id, person=person).first()


def consent_of_firm(*, consent_id: int, firm: Firm) -> Consent | None:
    """One of the firm's consents (None for a person's or another firm's)."""
    return Consent.objects.select_related("consumer", "resource").filter(pk=consent_id, firm=firm).first()


# --- The rows of the portal's "My data": what the data subject reads --------------------------------

#: The legal basis an entry records, in words, as the subject reads it: (a person's, a firm's).
BASIS_LABELS: dict[str, tuple[Any, Any]] = {
    "case": (
        gettext_lazy("Handling a case that concerns you"),
        gettext_lazy("Handling a case that concerns the firm"),
    ),
    "application": (
        gettext_lazy("Filling in an application that concerns you from the government's records"),
        gettext_lazy("Filling in an application that concerns the firm from the government's records"),
    ),
    "own_request": (gettext_lazy("You asked for it"), gettext_lazy("The firm's legal representative asked for it")),
    "consent": (gettext_lazy("You consented"), gettext_lazy("The firm consented")),
    "grant": (
        gettext_lazy("A data-sharing agreement between the agencies"),
        gettext_lazy("A data-sharing agreement between the agencies"),
    ),
    "open": (gettext_lazy("Open data: anyone may read it"), gettext_lazy("Open data: anyone may read it")),
    "window": (
        gettext_lazy("You were being served at the window"),
        gettext_lazy("The firm's representative was being served at the window"),
    ),
    "none": (gettext_lazy("None given: the read was refused"), gettext_lazy("None given: the read was refused")),
}
OUTCOME_LABELS: dict[str, Any] = {
    AccessOutcome.ANSWERED: gettext_lazy("Answered"),
    AccessOutcome.REFUSED: gettext_lazy("Refused"),
    AccessOutcome.FAILED: gettext_lazy("Source failed"),
}


@dataclass(frozen=True)
class DataUseRow:
    """One log entry as the data subject reads it, in the page's language."""

    id: int
    at: datetime
    agency: str
    resource: str
    fields: list[str]
    purpose: str
    basis: str
    reference: str  # the case number, or "Application in progress for …"; "" if none
    reference_is_number: bool
    outcome: str
    outcome_label: str
    reason: str


def purpose_label(code: str, labels: LogLabels, language: str, *, firm: bool) -> str:
    """A purpose as the subject reads it: the service's name (its code if it has none), or the
    platform's identity verification. ``language`` is "en" or "zh"."""
    if code == VERIFICATION_PURPOSE:
        return _("Verifying the firm's identity") if firm else _("Verifying your identity")
    item = labels.services.get(code)
    version = item.published_version if item is not None else None
    if version is None:
        return code
    return bilingual.localized(version, "name", language)


#: What a clerk looked at (a window look's field), as the person reads it.
WINDOW_LOOK_LABELS: dict[str, Any] = {
    "list": gettext_lazy("The list of your drafts and cases"),
    "draft": gettext_lazy("A draft application"),
    "case": gettext_lazy("A case"),
}


def _window_look_row(entry: AccessLogEntry, labels: LogLabels, language: str, *, firm: bool) -> DataUseRow:
    """A clerk's look at the window, as the person reads it: the centre, what was looked at."""
    centre = labels.centres.get(entry.consumer.removeprefix(CENTRE_PREFIX))
    basis = BASIS_LABELS["window"]
    return DataUseRow(
        id=entry.pk,
        at=entry.at,
        agency=bilingual.localized(centre, "name", language) if centre is not None else entry.consumer,
        resource=str(gettext_lazy("Your drafts and cases, seen by a service-centre clerk")),
        fields=[str(WINDOW_LOOK_LABELS.get(name, name)) for name in entry.fields],
        purpose=purpose_label(entry.purpose, labels, language, firm=firm) if entry.purpose else "",
        basis=str(basis[1 if firm else 0]),
        reference=entry.case_number,
        reference_is_number=bool(entry.case_number),
        outcome=entry.outcome,
        outcome_label=str(OUTCOME_LABELS.get(entry.outcome, entry.outcome)),
        reason=reason_text(entry.reason) if entry.outcome != AccessOutcome.ANSWERED and entry.reason else "",
    )


def data_use_row(entry: AccessLogEntry, labels: LogLabels, language: str, *, firm: bool = False) -> DataUseRow:
    """Turn a log entry into what the subject reads: names instead of codes, translated terms, the
    application by the case number or service the subject knows it by (never its internal id)."""
    if entry.resource == WINDOW_LOOK:
        return _window_look_row(entry, labels, language, firm=firm)
    agency = labels.agencies.get(entry.consumer)
    resource = labels.resources.get(entry.resource)
    names = [str(name) for name in entry.fields]
    reference, is_number = _reference(entry, labels, language)
    basis = BASIS_LABELS.get(entry.basis)
    return DataUseRow(
        id=entry.pk,
        at=entry.at,
        agency=bilingual.localized(agency, "name", language) if agency is not None else entry.consumer,
        resource=resource.name(language) if resource is not None else entry.resource,
        fields=[resource.field_label(name, language) for name in names] if resource is not None else names,
        purpose=purpose_label(entry.purpose, labels, language, firm=firm),
        basis=str(basis[1 if firm else 0]) if basis is not None else entry.basis,
        reference=reference,
        reference_is_number=is_number,
        outcome=entry.outcome,
        outcome_label=str(OUTCOME_LABELS.get(entry.outcome, entry.outcome)),
        reason=reason_text(entry.reason) if entry.outcome != AccessOutcome.ANSWERED and entry.reason else "",
    )


def _reference(entry: AccessLogEntry, labels: LogLabels, language: str) -> tuple[str, bool]:
    """(what the subject knows the entry's case or application by, whether it is a case number)."""
    if entry.basis != "application":
        return entry.case_number, bool(entry.case_number)
    known = labels.applications.get(entry.case_number)
    if known is None:
        return "", False
    if known.case_number:
        return known.case_number, True
    service = bilingual.pick(known.service_zh, known.service_en, language)
    return _("Application in progress for “%(service)s”") % {"service": service}, False


def data_use_log(
    *, subject_ref: str, language: str, firm: bool, chunk: int = 500, applications: ApplicationLookup | None = None
) -> Iterator[DataUseRow]:
    """A subject's whole log as :class:`DataUseRow`, newest first (for the CSV export): the names
    (and, with ``applications``, the applications) are looked up once per chunk of entries, only
    those not yet known, never per row."""
    entries = access_log_all(subject_ref=subject_ref)
    labels = LogLabels()
    while part := list(islice(entries, chunk)):
        labels = access_log_labels(entries=part, known=labels)
        wanted = application_ids(part) - labels.applications.keys()
        if applications is not None and wanted:
            labels.applications.update(applications(wanted))
        for entry in part:
            yield data_use_row(entry, labels, language, firm=firm)


def consent_grants(*, subject_kind: str, now: datetime) -> list[Grant]:
    """Grants a data subject of this kind may consent to. The platform reads for identity
    verification only on the subject's own request: no consent to give for it."""
    return [g for g in consentable_grants(subject_kind=subject_kind, now=now) if g.purpose != VERIFICATION_PURPOSE]


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    status: str  # active, withdrawn, expired
    purpose: str


def consent_status(consent: Consent, moment: datetime) -> str:
    if consent.withdrawn_at is not None:
        return "withdrawn"
    return "active" if consent.is_active(moment) else "expired"


def consent_rows(
    given: list[Consent], labels: LogLabels, language: str, *, now: datetime, firm: bool
) -> list[ConsentRow]:
    """The consents given, each with its status now and its purpose as the subject reads it."""
    return [ConsentRow(c, consent_status(c, now), purpose_label(c.purpose, labels, language, firm=firm)) for c in given]


def consent_expiries(given: list[Consent], moment: datetime) -> dict[tuple[int, int, str], datetime]:
    """(consumer, resource, purpose) -> the latest expiry among the active consents given."""
    until: dict[tuple[int, int, str], datetime] = {}
    for consent in given:
        if consent.is_active(moment):
            key = (consent.consumer_id, consent.resource_id, consent.purpose)
            until[key] = max(consent.expires_at, until.get(key, consent.expires_at))
    return until


@dataclass(frozen=True)
class ConsentOffer:
    """A grant the subject may consent to, as they read it: the fields it reads, its purpose, and
    until when an active consent already allows it (None if none does)."""

    grant: Grant
    fields: list[str]
    purpose: str
    consented_until: datetime | None

    @property
    def value(self) -> str:
        """The offer's value among a form's choices: its grant's id."""
        return str(self.grant.pk)


def consent_offers(
    grants: list[Grant], given: list[Consent], labels: LogLabels, language: str, *, now: datetime, firm: bool
) -> list[ConsentOffer]:
    """The grants the subject may consent to, in order, each as :class:`ConsentOffer`."""
    active_until = consent_expiries(given, now)
    return [
        ConsentOffer(
            grant=grant,
            fields=[grant.resource.field_label(n, language) for n in grant.resource.field_names() if n in grant.fields],
            purpose=purpose_label(grant.purpose, labels, language, firm=firm),
            consented_until=active_until.get((grant.consumer_id, grant.resource_id, grant.purpose)),
        )
        for grant in grants
    ]


def consented_values(grant: Grant, labels: LogLabels, language: str, until: date, *, firm: bool) -> dict[str, str]:
    """What the "you consented" message names: the agency, the data, the purpose and the date."""
    return {
        "agency": bilingual.localized(grant.consumer, "name", language),
        "data": grant.resource.name(language),
        "purpose": purpose_label(grant.purpose, labels, language, firm=firm),
        "date": until.isoformat(),
    }
