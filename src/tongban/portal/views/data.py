"""My data: who used it (the exchange's access log about the signed-in person, or about a firm for
its legal representative), as a page and as a CSV file; the consents the person gives agencies,
and those a firm's legal representative gives for the firm; and checking one's identity (or the firm's) against the registry through the exchange.

Every page makes a constant number of queries: one page of the log, then the agencies, resources
and service items it names, fetched once (``log_labels``), never per row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongban.core import bilingual
from tongban.core.actors import Actor
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.errors import ConflictError, NotFoundError
from tongban.core.forms import FirstRadioSelect, TongbanForm
from tongban.core.requests import actor_from_request, key_before
from tongban.exchange.models import AccessLogEntry, AccessOutcome, Consent, Grant
from tongban.exchange.selectors import (
    PAGE,
    LogLabels,
    access_log,
    access_log_all,
    access_log_labels,
    consent_of_firm,
    consent_of_person,
    consentable_grants,
    consents_of,
    log_labels,
)
from tongban.exchange.services import consent_give, consent_withdraw, reason_text, subject_of
from tongban.exchange.verification import PURPOSE as VERIFICATION_PURPOSE
from tongban.exchange.verification import firm_verify_against_registry, person_verify_against_registry
from tongban.identity.models import Firm
from tongban.identity.selectors import firm_access
from tongban.portal.decorators import person_required

#: The legal basis an entry records, as the subject reads it.
BASIS_LABELS: dict[str, Any] = {
    "case": gettext_lazy("Case"),
    "application": gettext_lazy("Application"),
    "own_request": gettext_lazy("Your own request"),
    "consent": gettext_lazy("Your consent"),
    "grant": gettext_lazy("The agency's grant"),
    "open": gettext_lazy("Open data"),
    "none": gettext_lazy("None given"),
}
OUTCOME_LABELS: dict[str, Any] = {
    AccessOutcome.ANSWERED: gettext_lazy("Answered"),
    AccessOutcome.REFUSED: gettext_lazy("Refused"),
    AccessOutcome.FAILED: gettext_lazy("Source failed"),
}
#: Cells a spreadsheet would read as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK = 500
CONSENT_MAX_YEARS = 5


# --- Who used my data -----------------------------------------------------------------------


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
    reference: str
    outcome: str
    outcome_label: str
    reason: str


def _purpose(code: str, labels: LogLabels, language: str, *, firm: bool) -> str:
    if code == VERIFICATION_PURPOSE:
        return _("Verifying the firm's identity") if firm else _("Verifying your identity")
    item = labels.services.get(code)
    version = item.published_version if item is not None else None
    if version is None:
        return code
    return bilingual.localized(version, "name", language)


def data_use_row(entry: AccessLogEntry, labels: LogLabels, language: str, *, firm: bool = False) -> DataUseRow:
    """Turn a log entry into what the subject reads: names instead of codes, translated terms."""
    agency = labels.agencies.get(entry.consumer)
    resource = labels.resources.get(entry.resource)
    names = [str(name) for name in entry.fields]
    return DataUseRow(
        id=entry.pk,
        at=entry.at,
        agency=bilingual.localized(agency, "name", language) if agency is not None else entry.consumer,
        resource=resource.name(language) if resource is not None else entry.resource,
        fields=[resource.field_label(name, language) for name in names] if resource is not None else names,
        purpose=_purpose(entry.purpose, labels, language, firm=firm),
        basis=str(BASIS_LABELS.get(entry.basis, entry.basis)),
        reference=entry.case_number,
        outcome=entry.outcome,
        outcome_label=str(OUTCOME_LABELS.get(entry.outcome, entry.outcome)),
        reason=reason_text(entry.reason) if entry.outcome != AccessOutcome.ANSWERED and entry.reason else "",
    )


def _data_use_page(request: HttpRequest, *, subject_ref: str, firm: Firm | None) -> HttpResponse:
    before = key_before(request)
    entries = access_log(subject_ref=subject_ref, before_id=before, limit=PAGE + 1)
    shown = entries[:PAGE]
    labels = access_log_labels(entries=shown)
    language = bilingual.language()
    rows = [data_use_row(entry, labels, language, firm=firm is not None) for entry in shown]
    return render(
        request,
        "portal/data_use.html",
        {
            "rows": rows,
            "firm": firm,
            "older": shown[-1].pk if len(entries) > PAGE else None,
            "paged": before is not None,
        },
    )


def _legal_representative_firm(request: HttpRequest, uscc: str) -> Firm:
    """The firm, for its legal representative only; anyone else learns nothing (404), staff with
    powers included: the firm's access log is not part of any service area."""
    access = firm_access(person=request.person, uscc=uscc, now=now())  # type: ignore[attr-defined]
    if not access.is_legal_representative:
        raise NotFoundError(_("No such firm among the firms you represent."))
    return access.firm


@person_required
def data_use(request: HttpRequest) -> HttpResponse:
    _subject, ref = subject_of(person=request.person)  # type: ignore[attr-defined]
    return _data_use_page(request, subject_ref=ref, firm=None)


@person_required
def firm_data_use(request: HttpRequest, uscc: str) -> HttpResponse:
    firm = _legal_representative_firm(request, uscc)
    _subject, ref = subject_of(firm=firm)
    return _data_use_page(request, subject_ref=ref, firm=firm)


# --- The CSV export ---------------------------------------------------------------------------


class _Echo:
    """A file-like object whose ``write`` returns the line, so csv.writer feeds a generator."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _csv_lines(subject_ref: str, language_code: str, *, firm: bool) -> Iterator[str]:
    # The response streams after the view returns: keep the page's language for every line.
    with translation.override(language_code):
        language = bilingual.language()
        writer = csv.writer(_Echo())
        header = [
            _("Time"), _("Agency"), _("Data"), _("Fields"), _("Purpose"), _("Basis"), _("Case or application"),
            _("Outcome"), _("Reason"),
        ]  # fmt: skip
        yield "\ufeff" + writer.writerow([csv_cell(str(cell)) for cell in header])
        entries = access_log_all(subject_ref=subject_ref)
        labels = LogLabels()
        while chunk := list(islice(entries, CSV_CHUNK)):
            labels = access_log_labels(entries=chunk, known=labels)
            for entry in chunk:
                row = data_use_row(entry, labels, language, firm=firm)
                cells = [
                    timezone.localtime(row.at).isoformat(timespec="seconds"), row.agency, row.resource,
                    "; ".join(row.fields), row.purpose, row.basis, row.reference, row.outcome_label, row.reason,
                ]  # fmt: skip
                yield writer.writerow([csv_cell(cell) for cell in cells])


def _csv_response(subject_ref: str, *, firm: bool) -> StreamingHttpResponse:
    language_code = translation.get_language() or settings.LANGUAGE_CODE
    response = StreamingHttpResponse(
        _csv_lines(subject_ref, language_code, firm=firm), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="data-use-{local_date(now()).isoformat()}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@person_required
def data_use_csv(request: HttpRequest) -> StreamingHttpResponse:
    _subject, ref = subject_of(person=request.person)  # type: ignore[attr-defined]
    return _csv_response(ref, firm=False)


@person_required
def firm_data_use_csv(request: HttpRequest, uscc: str) -> StreamingHttpResponse:
    firm = _legal_representative_firm(request, uscc)
    _subject, ref = subject_of(firm=firm)
    return _csv_response(ref, firm=True)


# --- Consents ---------------------------------------------------------------------------------


def years_later(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class ConsentForm(TongbanForm):
    expires_on = forms.DateField(
        label=gettext_lazy("Consent valid until (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("A date within the next five years, for example 2030-12-31."),
        error_messages={"invalid": gettext_lazy("Enter a real date, for example 2030-12-31.")},
    )

    def clean_expires_on(self) -> date:
        day: date = self.cleaned_data["expires_on"]
        today = local_date(now())
        if day <= today:
            raise ValidationError(_("Choose a date in the future."))
        if day > years_later(today, CONSENT_MAX_YEARS):
            raise ValidationError(_("Choose a date at most five years from today."))
        return day


def _consent_form(grant: Grant, data: Any = None) -> ConsentForm:
    default = years_later(local_date(now()), 1)
    return ConsentForm(data, auto_id=f"id_grant{grant.pk}_%s", initial={"expires_on": default})


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    status: str  # active, withdrawn, expired
    purpose: str


@dataclass(frozen=True)
class GrantRow:
    grant: Grant
    fields: list[str]
    purpose: str
    form: ConsentForm
    consented_until: datetime | None


def _consent_status(consent: Consent, moment: datetime) -> str:
    if consent.withdrawn_at is not None:
        return "withdrawn"
    return "active" if consent.is_active(moment) else "expired"


def _consent_grants(subject_kind: str, moment: datetime) -> list[Grant]:
    """Grants a data subject of this kind may consent to. The platform reads for identity
    verification only on the subject's own request: no consent to give for it."""
    return [g for g in consentable_grants(subject_kind=subject_kind, now=moment) if g.purpose != VERIFICATION_PURPOSE]


def _active_until(given: list[Consent], moment: datetime) -> dict[tuple[int, int, str], datetime]:
    """(consumer, resource, purpose) -> the latest expiry among the active consents given."""
    until: dict[tuple[int, int, str], datetime] = {}
    for consent in given:
        if consent.is_active(moment):
            key = (consent.consumer_id, consent.resource_id, consent.purpose)
            until[key] = max(consent.expires_at, until.get(key, consent.expires_at))
    return until


def _consented_values(grant: Grant, labels: LogLabels, language: str, until: date, *, firm: bool) -> dict[str, str]:
    """What the "you consented" message names: the agency, the data, the purpose and the date."""
    return {
        "agency": bilingual.localized(grant.consumer, "name", language),
        "data": grant.resource.name(language),
        "purpose": _purpose(grant.purpose, labels, language, firm=firm),
        "date": until.isoformat(),
    }


@person_required
def consents(request: HttpRequest) -> HttpResponse:
    """The person's consents, and the agencies that may ask for their data with consent."""
    person = request.person  # type: ignore[attr-defined]
    moment = now()
    given = list(consents_of(person=person))
    grants = _consent_grants("person", moment)
    language = bilingual.language()
    labels = log_labels(purposes={c.purpose for c in given} | {g.purpose for g in grants})
    bound: ConsentForm | None = None
    bound_grant_id: int | None = None
    if request.method == "POST":
        grant = next((g for g in grants if str(g.pk) == request.POST.get("grant", "")), None)
        if grant is None:
            messages.error(request, _("This agency can no longer ask for your data with consent."))
            return redirect("portal:consents")
        bound = _consent_form(grant, request.POST)
        if bound.is_valid():
            try:
                consent_give(
                    consumer=grant.consumer, resource=grant.resource, purpose=grant.purpose,
                    expires_at=_end_of_day(bound.cleaned_data["expires_on"]), actor=actor_from_request(request),
                    now=moment, person=person,
                )  # fmt: skip
            except ValidationError as exc:
                bound.add_service_error(exc)
            else:
                messages.success(
                    request,
                    _("You consented: %(agency)s may read %(data)s for “%(purpose)s” until %(date)s.")
                    % _consented_values(grant, labels, language, bound.cleaned_data["expires_on"], firm=False),
                )
                return redirect("portal:consents")
        bound_grant_id = grant.pk
    active_until = _active_until(given, moment)
    grant_rows = [
        GrantRow(
            grant=grant,
            fields=[grant.resource.field_label(n, language) for n in grant.resource.field_names() if n in grant.fields],
            purpose=_purpose(grant.purpose, labels, language, firm=False),
            form=bound if bound is not None and grant.pk == bound_grant_id else _consent_form(grant),
            consented_until=active_until.get((grant.consumer_id, grant.resource_id, grant.purpose)),
        )
        for grant in grants
    ]
    rows = [ConsentRow(c, _consent_status(c, moment), _purpose(c.purpose, labels, language, firm=False)) for c in given]
    return render(
        request,
        "portal/consents.html",
        {"rows": rows, "grant_rows": grant_rows, "error_form": bound if bound is not None and bound.errors else None},
    )


@require_POST
@person_required
def consent_withdraw_view(request: HttpRequest, consent_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    consent = consent_of_person(consent_id=consent_id, person=person)
    if consent is None:
        raise NotFoundError(_("No such consent among yours."))
    try:
        consent_withdraw(consent=consent, person=person, actor=actor_from_request(request), now=now())
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your consent is withdrawn. The agency can no longer rely on it."))
    return redirect("portal:consents")


# --- The firm's consents (its legal representative) -------------------------------------------


class FirmConsentForm(ConsentForm):
    """Which agency may read which data about the firm, for which purpose (one approved grant), and until when."""

    grant = forms.TypedChoiceField(
        label=gettext_lazy("Agency, data and purpose"),
        coerce=int,
        widget=FirstRadioSelect,
        error_messages={
            "required": gettext_lazy("Choose the agency, data and purpose the firm consents to."),
            "invalid_choice": gettext_lazy(
                "This agency can no longer ask for the firm's data with consent. Choose one of those listed."
            ),
        },
    )
    field_order = ["grant", "expires_on"]

    def __init__(self, *args: Any, grants: list[Grant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grant"].choices = [(grant.pk, str(grant)) for grant in grants]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FirmGrantOption:
    """One radio of the firm's consent form: an agency allowed to read restricted firm data with consent."""

    grant: Grant
    value: str
    fields: list[str]
    purpose: str
    consented_until: datetime | None


def _for_firm(request: HttpRequest, firm: Firm) -> Actor:
    """The signed-in legal representative, acting for the firm (no delegated power: the registry's authority)."""
    return actor_from_request(request).for_firm(firm.uscc, None)


@person_required
def firm_consents(request: HttpRequest, uscc: str) -> HttpResponse:
    """The firm's consents, and a form to give one: for its legal representative only."""
    firm = _legal_representative_firm(request, uscc)
    moment = now()
    given = list(consents_of(firm=firm))
    grants = _consent_grants("firm", moment)
    language = bilingual.language()
    labels = log_labels(purposes={c.purpose for c in given} | {g.purpose for g in grants})
    initial: dict[str, Any] = {"expires_on": years_later(local_date(moment), 1)}
    if len(grants) == 1:
        initial["grant"] = grants[0].pk
    form = FirmConsentForm(request.POST if request.method == "POST" else None, grants=grants, initial=initial)
    if request.method == "POST" and form.is_valid():
        grant = next(g for g in grants if g.pk == form.cleaned_data["grant"])
        try:
            consent_give(
                consumer=grant.consumer, resource=grant.resource, purpose=grant.purpose,
                expires_at=_end_of_day(form.cleaned_data["expires_on"]), actor=_for_firm(request, firm), now=moment,
                firm=firm, given_by=request.person,  # type: ignore[attr-defined]
            )  # fmt: skip
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("The firm consented: %(agency)s may read %(data)s for “%(purpose)s” until %(date)s.")
                % _consented_values(grant, labels, language, form.cleaned_data["expires_on"], firm=True),
            )
            return redirect("portal:firm_consents", uscc=firm.uscc)
    active_until = _active_until(given, moment)
    options = [
        FirmGrantOption(
            grant=grant,
            value=str(grant.pk),
            fields=[grant.resource.field_label(n, language) for n in grant.resource.field_names() if n in grant.fields],
            purpose=_purpose(grant.purpose, labels, language, firm=True),
            consented_until=active_until.get((grant.consumer_id, grant.resource_id, grant.purpose)),
        )
        for grant in grants
    ]
    rows = [ConsentRow(c, _consent_status(c, moment), _purpose(c.purpose, labels, language, firm=True)) for c in given]
    chosen = form["grant"].value()
    return render(
        request,
        "portal/firm_consents.html",
        {
            "firm": firm,
            "rows": rows,
            "options": options,
            "form": form,
            "chosen": "" if chosen is None else str(chosen),
        },
    )


@require_POST
@person_required
def firm_consent_withdraw_view(request: HttpRequest, uscc: str, consent_id: int) -> HttpResponse:
    firm = _legal_representative_firm(request, uscc)
    consent = consent_of_firm(consent_id=consent_id, firm=firm)
    if consent is None:
        raise NotFoundError(_("No such consent among the firm's."))
    try:
        consent_withdraw(
            consent=consent,
            person=request.person,  # type: ignore[attr-defined]
            actor=_for_firm(request, firm),
            now=now(),
        )
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The firm's consent is withdrawn. The agency can no longer rely on it."))
    return redirect("portal:firm_consents", uscc=firm.uscc)


# --- Verification against the registries ------------------------------------------------------


@require_POST
@person_required
def verify_registry(request: HttpRequest) -> HttpResponse:
    try:
        outcome = person_verify_against_registry(
            person=request.person,  # type: ignore[attr-defined]
            actor=actor_from_request(request),
            now=now(),
        )
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    else:
        (messages.success if outcome.verified else messages.error)(request, outcome.message)
    return redirect("portal:my_space")


@require_POST
@person_required
def firm_verify_registry(request: HttpRequest, uscc: str) -> HttpResponse:
    firm = _legal_representative_firm(request, uscc)
    try:
        outcome = firm_verify_against_registry(
            firm=firm,
            person=request.person,  # type: ignore[attr-defined]
            actor=actor_from_request(request),
            now=now(),
        )
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    else:
        (messages.success if outcome.verified else messages.error)(request, outcome.message)
    return redirect("portal:firm_space", uscc=uscc)
