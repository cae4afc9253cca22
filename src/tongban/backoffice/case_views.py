"""The officers' workbench: queues by status and deadline, the case file, actions, assignment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST, require_safe

from tongban.backoffice.decorators import staff_account, staff_required
from tongban.cases.history import history_steps
from tongban.cases.holders import unverified_holder
from tongban.cases.models import Case, CaseMaterial, MaterialSource
from tongban.cases.selectors import (
    case_deadline_now,
    case_events,
    case_fetch_options,
    case_fetched_data,
    case_for_staff,
    case_parties,
    party_roles,
    staff_queue,
)
from tongban.cases.services import (
    case_act,
    case_assign,
    case_fetch_data,
    case_record_material_opened,
    case_record_opened,
)
from tongban.cases.workflow import Proposal, Role, Status, Transition, available
from tongban.catalogue.models import Material
from tongban.certificates.models import Certificate
from tongban.certificates.selectors import certificates_of_case
from tongban.core import bilingual
from tongban.core.calendar import get_work_calendar, unknown_years_warning
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.core.requests import actor_from_request, page_number, posted_int, posted_lock_version
from tongban.core.web import domain_errors, uploaded_file_response
from tongban.exchange.display import value_for_people
from tongban.exchange.models import DataResource
from tongban.exchange.services import reason_text
from tongban.forms.models import Upload
from tongban.forms.selectors import answer_sections, form_of
from tongban.identity.models import Account, StaffRoleKind
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import has_role

PAGE = 50
FINISHED = (Status.CLOSED, Status.WITHDRAWN)
#: What each action's button says (imperative; the history uses the past tense of CaseAction).
ACTION_BUTTONS = {
    "accept": pgettext_lazy("case action button", "Accept"),
    "refuse_acceptance": pgettext_lazy("case action button", "Do not accept"),
    "start_review": pgettext_lazy("case action button", "Start the review"),
    "request_supplement": pgettext_lazy("case action button", "Request a supplement"),
    "propose_approval": pgettext_lazy("case action button", "Propose approval"),
    "propose_rejection": pgettext_lazy("case action button", "Propose rejection"),
    "approve": pgettext_lazy("case action button", "Approve"),
    "reject": pgettext_lazy("case action button", "Reject"),
    "return_to_review": pgettext_lazy("case action button", "Return to review"),
    "close": pgettext_lazy("case action button", "Close the case"),
}

#: Actions that say no: their buttons look different from the ones that move a case forward.
REFUSALS = frozenset({"refuse_acceptance", "propose_rejection", "reject"})


@dataclass(frozen=True)
class ActionForm:
    """One action's form on the case page: its button, and the text it records in the history
    (required where the step says no or sends work back), with whom the text is for."""

    transition: Transition
    button: str
    text_label: str
    text_required: bool
    text_hint: str
    refusal: bool


def action_form(transition: Transition) -> ActionForm:
    """The form of ``transition``: every staff step takes a text; the table says whether it is
    required and whether the applicant reads it (``Transition.tells_applicant``)."""
    if transition.supplement is not None:
        label = _("Note to the applicant (optional)")
    elif transition.needs_reason:
        label = _("Reason")
    elif transition.records_decision:
        label = _("Reasons for the decision (optional)")
    elif transition.proposal is not None:
        label = _("Reasons for the proposal (optional)")
    else:
        label = _("Comment (optional)")
    if transition.tells_applicant:
        hint = _("Kept in the case history and shown to the applicant.")
    elif transition.proposal is not None and transition.proposal != Proposal.CLEAR:
        hint = _("An internal note for the supervisor; it becomes the decision's reasons if they agree.")
    else:
        hint = _("An internal note, kept in the case history; the applicant does not see it.")
    return ActionForm(
        transition=transition,
        button=str(ACTION_BUTTONS.get(transition.action, transition.action)),
        text_label=label,
        text_required=transition.needs_reason,
        text_hint=hint,
        refusal=transition.action in REFUSALS,
    )


@staff_required
def queue(request: StaffRequest) -> HttpResponse:
    """The queue, most urgent first. The calendar warning goes to whoever can act on it: the city
    operator sees that next year's holidays are missing (with the way to the calendar); an officer
    sees, on each of the listed cases whose time limit runs into an unknown year, that its due
    date may be too early — nothing about years none of their cases reach."""
    account = staff_account(request)
    status = request.GET.get("status", "")
    mine = request.GET.get("mine") == "1"
    page = page_number(request)
    cases = staff_queue(account=account, status=status, mine=mine, limit=PAGE + 1, offset=(page - 1) * PAGE)
    today = local_date(now())
    calendar = get_work_calendar()
    rows = []
    for case in cases[:PAGE]:
        state = ""
        if case.statutory_due_on and today > case.statutory_due_on:
            state = "overdue"
        elif case.promised_due_on and calendar.workdays_between(today, case.promised_due_on) <= 2:
            state = "due_soon"
        unknown = (
            calendar.unknown_years(local_date(case.accepted_at), case.statutory_due_on)
            if case.accepted_at and case.statutory_due_on
            else []
        )
        rows.append((case, state, ", ".join(str(year) for year in unknown)))
    operator = has_role(request.staff_roles, StaffRoleKind.CITY_OPERATOR)
    return render(
        request,
        "backoffice/queue.html",
        {
            "rows": rows,
            "status": status,
            "mine": mine,
            "page": page,
            "has_next": len(cases) > PAGE,
            "statuses": Status.choices,
            "calendar_warning": unknown_years_warning(today, today.replace(year=today.year + 1), calendar=calendar)
            if operator
            else None,
            "uncertain_due_dates": any(years for _case, _state, years in rows),
        },
    )


@require_safe
@staff_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    account = staff_account(request)
    case, roles = case_for_staff(number=number, account=account)
    case_record_opened(case=case, account=account, actor=actor_from_request(request))
    events = list(case_events(case=case))
    transitions = available(status=case.status, roles=roles, four_eyes=case.version.four_eyes)
    materials = list(Material.objects.filter(version_id=case.version_id).order_by("position"))
    definition = form_of(case.version).definition
    data_sections, other_data = answer_sections(definition=definition, data=case.data, language=request.LANGUAGE_CODE)
    officers = Account.objects.filter(
        staff_roles__role=StaffRoleKind.OFFICER, staff_roles__office=case.office, staff_roles__revoked_at__isnull=True
    ).distinct()
    return render(
        request,
        "backoffice/case.html",
        {
            "case": case,
            "roles": roles,
            "is_supervisor": Role.SUPERVISOR in roles,
            "history": history_steps(
                events, materials={m.code: m for m in materials}, language=request.LANGUAGE_CODE, for_staff=True
            ),
            "deadline": case_deadline_now(case=case, events=events, now=now()),
            "action_forms": [action_form(transition) for transition in transitions],
            "uploads": list(
                Upload.objects.filter(application_id=case.application_id)
                .select_related("material")
                .order_by("uploaded_at")
            ),
            "materials": materials,
            "assigned_to_me": case.assigned_to_id == account.pk,
            "data_sections": data_sections,
            "other_data": other_data,
            "reused": _reused_materials(case, {m.code: m for m in materials}),
            "points": case.data.get("_points"),
            "officers": officers,
            "unverified_holder": unverified_holder(case),
            "results": [(c, c.status(now())) for c in certificates_of_case(case_number=case.number)],
            **_exchange_context(case, layout=definition.layout, lang=request.LANGUAGE_CODE),
        },
    )


def _exchange_context(case: Case, *, layout: dict[str, Any], lang: str) -> dict[str, Any]:
    """The data fetched for the case and what may be fetched, as officers read them: each party
    by its role in the case ("Employee: MARTIN Lucas"), each resource, field and coded value by
    its label in the page's language, dates in the language's format (``exchange.display``)."""
    fetched = case_fetched_data(case=case)
    options = case_fetch_options(case=case, now=now()) if case.status not in FINISHED else []
    parties = case_parties(case=case)
    roles = party_roles(case=case, parties=parties, layout=layout, language=lang)
    names = {
        party.ref: bilingual.localized(party.firm, "name", lang) if party.firm is not None else party.label
        for party in parties
    }
    codes = {row.resource for row in fetched} | {option.grant.resource.code for option in options}
    resources = {r.code: r for r in DataResource.objects.filter(code__in=codes).select_related("owner")}

    def party(ref: str, label: str) -> str:
        name = names.get(ref, label)
        return _("%(role)s: %(name)s") % {"role": roles[ref], "name": name} if ref in roles else name

    rows = [
        {
            "row": row,
            "resource": resources[row.resource].name(lang) if row.resource in resources else row.resource,
            "party": party(row.subject_ref, row.subject_label),
            "source": bilingual.localized(resources[row.resource].owner, "name", lang)
            if row.resource in resources
            else row.source,
            "values": [
                (
                    resources[row.resource].field_label(key, lang) if row.resource in resources else key,
                    value_for_people(resources.get(row.resource), key, value, lang),
                )
                for key, value in row.values.items()
            ],
            "reason": reason_text(row.reason) if row.reason else "",
        }
        for row in fetched
    ]
    return {
        "fetched": rows,
        "fetch_options": [
            {
                "resource": option.grant.resource.code,
                "resource_name": option.grant.resource.name(lang),
                "subject": option.party.ref,
                "party": party(option.party.ref, option.party.label),
                "fields": ", ".join(option.grant.resource.field_label(f, lang) for f in option.grant.fields),
            }
            for option in options
        ],
    }


@require_POST
@staff_required
def case_fetch(request: HttpRequest, number: str) -> HttpResponse:
    account = staff_account(request)
    case, _roles = case_for_staff(number=number, account=account)
    with domain_errors(request, catch=(ConflictError, PermissionDeniedError)) as done:
        row = case_fetch_data(
            case=case,
            resource_code=request.POST.get("resource", ""),
            subject_ref=request.POST.get("subject", ""),
            account=account,
            actor=actor_from_request(request),
            now=now(),
        )
    if done:
        if row.outcome == "answered":
            messages.success(
                request,
                _("Fetched through the data exchange.")
                if row.found
                else _("The source holds no record about this person or firm."),
            )
        else:
            messages.error(request, _("Not fetched: %(reason)s") % {"reason": reason_text(row.reason)})
    return redirect(f"{reverse('backoffice:case', args=[number])}#exchange")


def _reused_materials(case: Case, materials: dict[str, Material]) -> list[tuple[CaseMaterial, str, Material | None]]:
    """Materials a government-issued certificate stood in for, with the certificate's status now
    and the material (named in the page's language, not by its code)."""
    rows = list(CaseMaterial.objects.filter(case=case, source=MaterialSource.CERTIFICATE))
    certificates = {c.number: c for c in Certificate.objects.filter(number__in=[r.certificate_number for r in rows])}
    moment = now()
    return [
        (
            row,
            str(certificates[row.certificate_number].status(moment).label)
            if row.certificate_number in certificates
            else "",
            materials.get(row.material_code),
        )
        for row in rows
    ]


@require_POST
@staff_required
def case_action(request: HttpRequest, number: str) -> HttpResponse:
    account = staff_account(request)
    case, _roles = case_for_staff(number=number, account=account)
    with domain_errors(request) as done:
        case_act(
            case=case,
            action=request.POST.get("action", ""),
            expected_version=posted_lock_version(request),
            account=account,
            actor=actor_from_request(request),
            now=now(),
            reason=request.POST.get("reason", ""),
            legal_basis=request.POST.get("legal_basis", ""),
            items=[line for line in request.POST.get("items", "").splitlines() if line.strip()],
            materials=request.POST.getlist("materials"),
        )
    if done:
        messages.success(request, _("Done."))
    return redirect("backoffice:case", number=number)


@require_POST
@staff_required
def case_assign_view(request: HttpRequest, number: str) -> HttpResponse:
    account = staff_account(request)
    case, _roles = case_for_staff(number=number, account=account)
    assignee = get_object_or_404(Account, pk=posted_int(request, "assignee") or account.pk)
    with domain_errors(request) as done:
        case_assign(
            case=case,
            assignee=assignee,
            by=account,
            expected_version=posted_lock_version(request),
            actor=actor_from_request(request),
            now=now(),
        )
    if done:
        messages.success(request, _("The case is assigned."))
    return redirect("backoffice:case", number=number)


@require_safe
@staff_required
def case_file(request: HttpRequest, number: str, upload_id: int) -> FileResponse:
    account = staff_account(request)
    case, _roles = case_for_staff(number=number, account=account)
    upload = get_object_or_404(
        Upload.objects.select_related("material"), pk=upload_id, application_id=case.application_id
    )
    case_record_material_opened(
        case=case,
        upload_id=upload.pk,
        material_code=upload.material.code,
        account=account,
        actor=actor_from_request(request),
    )
    return uploaded_file_response(
        upload.file.open("rb"),
        content_type=upload.content_type,
        filename=f"{case.number}-{upload.material.code}.{upload.file.name.rsplit('.', 1)[-1]}",
    )
