"""The applicant's view of cases: My cases, a case's timeline and time left, supplying what an
officer asked for, withdrawing, the firm's cases, and the inbox."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.cases.history import history_steps, material_codes
from tongban.cases.models import Case
from tongban.cases.overview import newest_cases_of_firms, with_outlook
from tongban.cases.selectors import (
    CaseRow,
    case_deadline_now,
    case_for_person,
    case_page_for_person,
    cases_of_firm,
    cases_of_person,
)
from tongban.cases.services import case_act
from tongban.cases.workflow import OPEN, Status, next_step
from tongban.catalogue.models import Material
from tongban.certificates.models import Certificate, CertificateStatus
from tongban.certificates.permissions import may_view
from tongban.certificates.selectors import certificates_of_case_read
from tongban.core import bilingual
from tongban.core.calendar import get_work_calendar
from tongban.core.clock import now
from tongban.core.deadlines import Outlook, list_outlook
from tongban.core.errors import ConflictError
from tongban.core.pages import render_keyed
from tongban.core.requests import actor_from_request, key_before, posted_lock_version
from tongban.core.web import domain_errors, refusal_text, uploaded_file_response
from tongban.forms.models import Upload
from tongban.forms.selectors import open_drafts
from tongban.forms.services import application_upload
from tongban.identity.models import Person
from tongban.identity.permissions import firm_access
from tongban.identity.requests import PersonRequest
from tongban.identity.selectors import FirmAccess, FirmHeader, firms_of_person
from tongban.notifications.models import Message
from tongban.notifications.selectors import inbox
from tongban.notifications.services import message_mark_read
from tongban.portal.decorators import person_required
from tongban.reviews import rules as review_rules
from tongban.reviews.models import Review
from tongban.reviews.selectors import case_rating_read, unrated_cases
from tongban.service_centres.delivery.selectors import delivery_of_case
from tongban.service_centres.delivery.services import NO_RESULT

#: How many of each firm's newest cases My cases shows, and for how many firms (the rest are one
#: link away: the firm's cases, and My space's list of firms).
MY_CASES_PER_FIRM = 5
MY_CASES_FIRMS = 10


class FirmCases(NamedTuple):
    """One firm's section of My cases: the firm, and its newest cases (one more than shown, so the
    page knows whether there are more)."""

    firm: FirmHeader
    cases: list[CaseRow]


def firm_sections(firms: list[FirmAccess], *, now: datetime) -> list[FirmCases]:
    """For each firm the person acts for in some area (the first ``MY_CASES_FIRMS``), its newest
    cases in those areas: My cases and My space show the same sections. One query in all."""
    shown = [access for access in firms if access.areas][:MY_CASES_FIRMS]
    newest = newest_cases_of_firms(firms=shown, per_firm=MY_CASES_PER_FIRM + 1, now=now)
    return [
        FirmCases(FirmHeader(access.firm.uscc, access.firm.name_zh, access.firm.name_en), newest[access.firm.pk])
        for access in shown
    ]


@person_required
def my_cases(request: PersonRequest) -> HttpResponse:
    """The person's own cases and those that concern them; then, for each firm they act for, the
    firm's newest cases in the areas of their powers (all areas for its legal representative),
    with a link to all of them; each open case with what happens next and its time left."""
    person = request.person
    moment = now()
    firms = firms_of_person(person=person, now=moment)
    cases = with_outlook(cases_of_person(person=person), now=moment)
    sections = firm_sections(firms, now=moment)
    # "Rate this service" beside the cases the person filed, decided or closed, not rated yet.
    shown = [*cases, *(row for section in sections for row in section.cases[:MY_CASES_PER_FIRM])]
    rating_open = unrated_cases(
        case_ids=[row.id for row in shown if row.applicant_id == person.pk and review_rules.case_rateable(row.status)]
    )
    return render(
        request,
        "portal/my_cases.html",
        {
            "cases": cases,
            "rating_open": rating_open,
            "drafts": list(open_drafts(person=person)[:20]),
            "person": person,
            "firm_sections": sections,
            "per_firm": MY_CASES_PER_FIRM,
            "more_firms": len([access for access in firms if access.areas]) > MY_CASES_FIRMS,
        },
    )


@person_required
def firm_cases(request: PersonRequest, uscc: str) -> HttpResponse:
    person = request.person
    access = firm_access(person=person, uscc=uscc, now=now())
    before = key_before(request)
    cases = with_outlook(
        cases_of_firm(firm_id=access.firm.pk, areas=access.areas, limit=21, before_id=before), now=now()
    )
    firm = FirmHeader(access.firm.uscc, access.firm.name_zh, access.firm.name_en)
    # Plain values read fresh above, after the access check: the page's HTML is reused while they
    # are the same (tongban.core.pages).
    return render_keyed(
        request,
        "portal/firm_cases.html",
        {"firm": firm, "cases": cases[:20], "next_before": cases[19].id if len(cases) > 20 else None},
    )


@person_required
def my_case(request: PersonRequest, number: str) -> HttpResponse:
    person = request.person
    moment = now()
    # The case, its history and files, its certificates and its rating: one round trip.
    page = case_page_for_person(
        number=number,
        person=person,
        now=moment,
        also=(certificates_of_case_read(case_number=number), case_rating_read(case_number=number)),
    )
    access, case, events, uploads = page.access, page.access.case, page.events, page.uploads
    certificates, ratings = page.also
    requested = [item["material"] for item in case.supplement_items if item.get("material")]
    # The materials named by the open request and by the history's requests: one query, only when
    # a request named any.
    codes = sorted({*requested, *material_codes(events)})
    materials = (
        {m.code: m for m in Material.objects.filter(version_id=case.version_id, code__in=codes)} if codes else {}
    )
    deadline = case_deadline_now(case=case, events=events, now=moment)
    return render(
        request,
        "portal/my_case.html",
        {
            "case": case,
            "access": access,
            "next_step": next_step(case.status),
            "results": _results(certificates, person, moment),
            # Only the texts addressed to the applicant: internal notes stay on the staff's page.
            "history": history_steps(events, materials=materials, language=request.LANGUAGE_CODE, for_staff=False),
            "deadline": deadline,
            "before_acceptance": _before_acceptance(case, moment) if deadline is None else None,
            "uploads": uploads,
            "requested_materials": [materials[code] for code in requested if code in materials],
            "points": case.data.get("_points"),
            "can_withdraw": access.can_act and case.status in OPEN,
            **_rating(case, person, ratings),
            "data_items": [(key, value) for key, value in case.data.items() if not key.startswith("_")],
            **_delivery(case),
        },
    )


def _delivery(case: Case) -> dict[str, object]:
    """The paper result's delivery, read only for a service that has one (ADR 0040)."""
    if not case.version.paper_result:
        return {}
    return {"delivery": delivery_of_case(case), "delivery_open": case.status not in NO_RESULT}


def _rating(case: Case, person: Person, ratings: list[Review]) -> dict[str, object]:
    """Invite the applicant of a decided or closed case to rate it, or to see their rating."""
    invited = case.applicant_id == person.pk and review_rules.case_rateable(case.status)
    return {"rating_invited": invited, "rating": ratings[0] if invited and ratings else None}


def _results(
    certificates: list[Certificate], person: Person, moment: datetime
) -> list[tuple[Certificate, CertificateStatus]]:
    """What the case produced (certificates, receipts) that the person may see, with its status."""
    return [
        (certificate, certificate.status(moment))
        for certificate in certificates
        if may_view(person=person, certificate=certificate, now=moment)
    ]


def _before_acceptance(case: Case, moment: datetime) -> Outlook | None:
    """A case not accepted yet has no due date: the statutory limit counted from submission."""
    if case.status != Status.SUBMITTED:
        return None
    return list_outlook(
        get_work_calendar(),
        submitted_at=case.submitted_at,
        promised_due_on=None,
        statutory_limit_workdays=case.version.statutory_limit_workdays,
        paused=False,
        now=moment,
    )


@require_POST
@person_required
def case_withdraw(request: PersonRequest, number: str) -> HttpResponse:
    person = request.person
    access = case_for_person(number=number, person=person, now=now())
    with domain_errors(request, catch=(ConflictError, ValidationError)) as done:
        case_act(
            case=access.case,
            action="withdraw",
            expected_version=posted_lock_version(request),
            person=person,
            actor=actor_from_request(request),
            now=now(),
        )
    if done:
        messages.success(request, _("The application is withdrawn."))
    return redirect("portal:my_case", number=number)


@require_POST
@person_required
def case_supplement(request: PersonRequest, number: str) -> HttpResponse:
    """Upload what the officer asked for, then send it: the clock resumes."""
    person = request.person
    access = case_for_person(number=number, person=person, now=now())
    case = access.case
    failed = False
    for item in case.supplement_items:
        code = item.get("material")
        uploaded = request.FILES.get(f"material_{code}") if code else None
        if uploaded is None:
            continue
        material = get_object_or_404(Material, version_id=case.version_id, code=code)
        try:
            application_upload(
                application=case.application,
                material=material,
                file=uploaded,
                person=person,
                actor=actor_from_request(request),
                now=now(),
                for_supplement=True,
            )
        except ValidationError as exc:
            failed = True
            messages.error(request, f"{bilingual.localized(material, 'name')}: {_message(exc)}")
    if failed:
        return redirect("portal:my_case", number=number)
    with domain_errors(request, catch=(ConflictError, ValidationError)) as done:
        case_act(
            case=case,
            action="resubmit",
            expected_version=posted_lock_version(request),
            person=person,
            actor=actor_from_request(request),
            now=now(),
        )
    if done:
        messages.success(request, _("Sent. The review continues and the time limit runs again."))
    return redirect("portal:my_case", number=number)


@person_required
def case_file(request: PersonRequest, number: str, upload_id: int) -> FileResponse:
    person = request.person
    access = case_for_person(number=number, person=person, now=now())
    upload = get_object_or_404(Upload, pk=upload_id, application_id=access.case.application_id)
    return _file_response(upload)


def _file_response(upload: Upload) -> FileResponse:
    return uploaded_file_response(
        upload.file.open("rb"),
        content_type=upload.content_type,
        filename=f"{upload.sha256[:12]}.{upload.file.name.rsplit('.', 1)[-1]}",
    )


def _message(exc: ValidationError) -> str:
    return refusal_text(exc)


@person_required
def messages_inbox(request: PersonRequest) -> HttpResponse:
    return render(request, "portal/inbox.html", {"messages_list": list(inbox(recipient=request.user))})


@person_required
def message_detail(request: PersonRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=message_id, recipient_id=request.user.pk)
    message_mark_read(message=message, recipient=request.user, now=now())
    case = Case.objects.filter(number=message.case_number).first() if message.case_number else None
    return render(request, "portal/message.html", {"message": message, "case": case})
