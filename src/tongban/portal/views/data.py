"""My data: who used it (the exchange's access log about the signed-in person, or about a firm for
its legal representative), as a page and as a CSV file; the consents the person gives agencies,
and those a firm's legal representative gives for the firm; and checking one's identity (or the firm's) against the registry through the exchange.

Every page makes a constant number of queries: one page of the log, then the agencies, resources
and service items it names, fetched once (``log_labels``), and the applications it names, by the
case number or service their applicant knows them by (``cases.selectors.known_applications``),
never per row. The rows the pages show
are built in ``exchange.selectors``; the consent forms are in ``portal.forms``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.cases.selectors import known_applications
from tongban.core import bilingual
from tongban.core.actors import Actor
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.errors import ConflictError, NotFoundError
from tongban.core.requests import actor_from_request, key_before
from tongban.core.web import csv_lines, domain_errors
from tongban.exchange.selectors import (
    PAGE,
    ConsentOffer,
    access_log,
    access_log_labels,
    application_ids,
    consent_grants,
    consent_of_firm,
    consent_of_person,
    consent_offers,
    consent_rows,
    consented_values,
    consents_of,
    data_use_log,
    data_use_row,
    log_labels,
)
from tongban.exchange.services import consent_give, consent_withdraw, subject_of
from tongban.exchange.verification import firm_verify_against_registry, person_verify_against_registry
from tongban.identity.models import Firm
from tongban.identity.permissions import firm_access
from tongban.identity.requests import PersonRequest
from tongban.portal.decorators import person_required
from tongban.portal.forms import ConsentForm, FirmConsentForm, consent_form, years_later

# --- Who used my data -----------------------------------------------------------------------


def _data_use_page(request: HttpRequest, *, subject_ref: str, firm: Firm | None) -> HttpResponse:
    before = key_before(request)
    entries = access_log(subject_ref=subject_ref, before_id=before, limit=PAGE + 1)
    shown = entries[:PAGE]
    labels = access_log_labels(entries=shown)
    if wanted := application_ids(shown):  # one query: the case number (or service) each is known by
        labels.applications.update(known_applications(wanted))
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


def _legal_representative_firm(request: PersonRequest, uscc: str) -> Firm:
    """The firm, for its legal representative only; anyone else learns nothing (404), staff with
    powers included: the firm's access log is not part of any service area."""
    access = firm_access(person=request.person, uscc=uscc, now=now())
    if not access.is_legal_representative:
        raise NotFoundError(_("No such firm among the firms you represent."))
    return access.firm


@person_required
def data_use(request: PersonRequest) -> HttpResponse:
    _subject, ref = subject_of(person=request.person)
    return _data_use_page(request, subject_ref=ref, firm=None)


@person_required
def firm_data_use(request: PersonRequest, uscc: str) -> HttpResponse:
    firm = _legal_representative_firm(request, uscc)
    _subject, ref = subject_of(firm=firm)
    return _data_use_page(request, subject_ref=ref, firm=firm)


# --- The CSV export ---------------------------------------------------------------------------


def _csv_lines(subject_ref: str, language_code: str, *, firm: bool) -> Iterator[str]:
    # The response streams after the view returns: keep the page's language for every line.
    with translation.override(language_code):
        language = bilingual.language()
        header = [
            _("Time"),
            _("Agency"),
            _("Data"),
            _("Fields"),
            _("Purpose"),
            _("Basis"),
            _("Case or application"),
            _("Outcome"),
            _("Reason"),
        ]
        rows = (
            [
                timezone.localtime(row.at).isoformat(timespec="seconds"),
                row.agency,
                row.resource,
                "; ".join(row.fields),
                row.purpose,
                row.basis,
                row.reference,
                row.outcome_label,
                row.reason,
            ]
            for row in data_use_log(
                subject_ref=subject_ref, language=language, firm=firm, applications=known_applications
            )
        )
        yield from csv_lines(header, rows)


def _csv_response(subject_ref: str, *, firm: bool) -> StreamingHttpResponse:
    language_code = translation.get_language() or settings.LANGUAGE_CODE
    response = StreamingHttpResponse(
        _csv_lines(subject_ref, language_code, firm=firm), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="data-use-{local_date(now()).isoformat()}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@person_required
def data_use_csv(request: PersonRequest) -> StreamingHttpResponse:
    _subject, ref = subject_of(person=request.person)
    return _csv_response(ref, firm=False)


@person_required
def firm_data_use_csv(request: PersonRequest, uscc: str) -> StreamingHttpResponse:
    firm = _legal_representative_firm(request, uscc)
    _subject, ref = subject_of(firm=firm)
    return _csv_response(ref, firm=True)


# --- Consents ---------------------------------------------------------------------------------


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass(frozen=True)
class GrantRow(ConsentOffer):
    """A grant the person may consent to, with its own consent form."""

    form: ConsentForm


@person_required
def consents(request: PersonRequest) -> HttpResponse:
    """The person's consents, and the agencies that may ask for their data with consent."""
    person = request.person
    moment = now()
    given = list(consents_of(person=person))
    grants = consent_grants(subject_kind="person", now=moment)
    language = bilingual.language()
    labels = log_labels(purposes={c.purpose for c in given} | {g.purpose for g in grants})
    bound: ConsentForm | None = None
    bound_grant_id: int | None = None
    if request.method == "POST":
        grant = next((g for g in grants if str(g.pk) == request.POST.get("grant", "")), None)
        if grant is None:
            messages.error(request, _("This agency can no longer ask for your data with consent."))
            return redirect("portal:consents")
        bound = consent_form(grant, request.POST)
        if bound.is_valid():
            with domain_errors(request, bound, catch=(ValidationError,)) as done:
                consent_give(
                    consumer=grant.consumer,
                    resource=grant.resource,
                    purpose=grant.purpose,
                    expires_at=_end_of_day(bound.cleaned_data["expires_on"]),
                    actor=actor_from_request(request),
                    now=moment,
                    person=person,
                )
            if done:
                messages.success(
                    request,
                    _("You consented: %(agency)s may read %(data)s for “%(purpose)s” until %(date)s.")
                    % consented_values(grant, labels, language, bound.cleaned_data["expires_on"], firm=False),
                )
                return redirect("portal:consents")
        bound_grant_id = grant.pk
    grant_rows = [
        GrantRow(
            offer.grant,
            offer.fields,
            offer.purpose,
            offer.consented_until,
            form=bound if bound is not None and offer.grant.pk == bound_grant_id else consent_form(offer.grant),
        )
        for offer in consent_offers(grants, given, labels, language, now=moment, firm=False)
    ]
    rows = consent_rows(given, labels, language, now=moment, firm=False)
    return render(
        request,
        "portal/consents.html",
        {"rows": rows, "grant_rows": grant_rows, "error_form": bound if bound is not None and bound.errors else None},
    )


@require_POST
@person_required
def consent_withdraw_view(request: PersonRequest, consent_id: int) -> HttpResponse:
    person = request.person
    consent = consent_of_person(consent_id=consent_id, person=person)
    if consent is None:
        raise NotFoundError(_("No such consent among yours."))
    with domain_errors(request, catch=(ConflictError,)) as done:
        consent_withdraw(consent=consent, person=person, actor=actor_from_request(request), now=now())
    if done:
        messages.success(request, _("Your consent is withdrawn. The agency can no longer rely on it."))
    return redirect("portal:consents")


# --- The firm's consents (its legal representative) -------------------------------------------


def _for_firm(request: HttpRequest, firm: Firm) -> Actor:
    """The signed-in legal representative, acting for the firm (no delegated power: the registry's authority)."""
    return actor_from_request(request).for_firm(firm.uscc, None)


@person_required
def firm_consents(request: PersonRequest, uscc: str) -> HttpResponse:
    """The firm's consents, and a form to give one: for its legal representative only."""
    firm = _legal_representative_firm(request, uscc)
    moment = now()
    given = list(consents_of(firm=firm))
    grants = consent_grants(subject_kind="firm", now=moment)
    language = bilingual.language()
    labels = log_labels(purposes={c.purpose for c in given} | {g.purpose for g in grants})
    initial: dict[str, Any] = {"expires_on": years_later(local_date(moment), 1)}
    if len(grants) == 1:
        initial["grant"] = grants[0].pk
    form = FirmConsentForm(request.POST if request.method == "POST" else None, grants=grants, initial=initial)
    if request.method == "POST" and form.is_valid():
        grant = next(g for g in grants if g.pk == form.cleaned_data["grant"])
        with domain_errors(request, form, catch=(ValidationError,)) as done:
            consent_give(
                consumer=grant.consumer,
                resource=grant.resource,
                purpose=grant.purpose,
                expires_at=_end_of_day(form.cleaned_data["expires_on"]),
                actor=_for_firm(request, firm),
                now=moment,
                firm=firm,
                given_by=request.person,
            )
        if done:
            messages.success(
                request,
                _("The firm consented: %(agency)s may read %(data)s for “%(purpose)s” until %(date)s.")
                % consented_values(grant, labels, language, form.cleaned_data["expires_on"], firm=True),
            )
            return redirect("portal:firm_consents", uscc=firm.uscc)
    options = consent_offers(grants, given, labels, language, now=moment, firm=True)
    rows = consent_rows(given, labels, language, now=moment, firm=True)
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
def firm_consent_withdraw_view(request: PersonRequest, uscc: str, consent_id: int) -> HttpResponse:
    firm = _legal_representative_firm(request, uscc)
    consent = consent_of_firm(consent_id=consent_id, firm=firm)
    if consent is None:
        raise NotFoundError(_("No such consent among the firm's."))
    with domain_errors(request, catch=(ConflictError,)) as done:
        consent_withdraw(consent=consent, person=request.person, actor=_for_firm(request, firm), now=now())
    if done:
        messages.success(request, _("The firm's consent is withdrawn. The agency can no longer rely on it."))
    return redirect("portal:firm_consents", uscc=firm.uscc)


# --- Verification against the registries ------------------------------------------------------


@require_POST
@person_required
def verify_registry(request: PersonRequest) -> HttpResponse:
    with domain_errors(request, catch=(ConflictError,)) as done:
        outcome = person_verify_against_registry(person=request.person, actor=actor_from_request(request), now=now())
    if done:
        (messages.success if outcome.verified else messages.error)(request, outcome.message)
    return redirect("portal:my_space")


@require_POST
@person_required
def firm_verify_registry(request: PersonRequest, uscc: str) -> HttpResponse:
    firm = _legal_representative_firm(request, uscc)
    with domain_errors(request, catch=(ConflictError,)) as done:
        outcome = firm_verify_against_registry(
            firm=firm, person=request.person, actor=actor_from_request(request), now=now()
        )
    if done:
        (messages.success if outcome.verified else messages.error)(request, outcome.message)
    return redirect("portal:firm_space", uscc=uscc)
