"""Back-office views: workbench, agency staff and roles (adding a new member of staff), second-factor
resets, in-person verification, audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongban.backoffice.decorators import reauth_required, staff_account, staff_required
from tongban.backoffice.forms import InPersonVerifyForm, PersonLookupForm, RoleGrantForm, StaffAddForm, TotpResetForm
from tongban.backoffice.selectors import audit_events
from tongban.core.calendar import unknown_years_warning
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.identity import idnumbers
from tongban.identity.emails import send_password_link
from tongban.identity.models import Account, Agency, Person, StaffRole, StaffRoleKind
from tongban.identity.permissions import require_agency_role
from tongban.identity.requests import StaffRequest
from tongban.identity.selectors import agency_staff, has_role, person_by_identifier
from tongban.identity.services import (
    person_open_account_at_window,
    person_verify_in_person,
    staff_member_add,
    staff_role_grant,
    staff_role_office_error,
    staff_role_revoke,
    staff_totp_reset,
)


@staff_required
def home(request: StaffRequest) -> HttpResponse:
    roles = request.staff_roles
    today = local_date(now())
    return render(
        request,
        "backoffice/home.html",
        {
            "roles": roles,
            "is_operator": has_role(roles, StaffRoleKind.CITY_OPERATOR),
            # Only the city operator can load next year's holidays: the warning is theirs.
            "calendar_warning": unknown_years_warning(today, today.replace(year=today.year + 1))
            if has_role(roles, StaffRoleKind.CITY_OPERATOR)
            else None,
            "is_clerk": has_role(roles, StaffRoleKind.CLERK),
            "sees_dashboard": has_role(roles, StaffRoleKind.CITY_OPERATOR, StaffRoleKind.AGENCY_ADMIN),
            "agencies": Agency.objects.order_by("code")
            if has_role(roles, StaffRoleKind.CITY_OPERATOR)
            else sorted({role.agency for role in roles if role.agency is not None}, key=lambda agency: agency.code),
        },
    )


@staff_required
@reauth_required(methods=("POST",))  # granting a role
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    agency = get_object_or_404(Agency, code=code)
    role = require_agency_role(account=staff_account(request), agency=agency)
    can_manage = role.role in (StaffRoleKind.AGENCY_ADMIN, StaffRoleKind.CITY_OPERATOR)
    form = RoleGrantForm(request.POST or None, agency=agency) if can_manage else None
    if form is not None and request.method == "POST" and form.is_valid():
        account = Account.objects.filter(username=form.cleaned_data["username"].strip().lower()).first()
        if account is None:  # named together with the office, as the service would name it
            form.add_error("username", _("No account has this user name."))
            office_problem = staff_role_office_error(
                role=form.cleaned_data["role"], agency=agency, office=form.cleaned_data["office"]
            )
            if office_problem:
                form.add_error("office", office_problem)
        else:
            with domain_errors(request, form) as done:
                staff_role_grant(
                    account=account,
                    role=form.cleaned_data["role"],
                    agency=agency,
                    office=form.cleaned_data["office"],
                    granted_by=staff_account(request),
                    actor=actor_from_request(request),
                    now=now(),
                )
            if done:
                messages.success(request, _("The role is granted."))
                return redirect("backoffice:agency", code=code)
    return render(
        request,
        "backoffice/agency.html",
        {
            "agency": agency,
            "staff": list(agency_staff(agency=agency)),
            "form": form,
            "add_form": StaffAddForm(agency=agency, prefix=STAFF_ADD_PREFIX) if can_manage else None,
            "can_manage": can_manage,
            "self_id": staff_account(request).pk,
        },
    )


STAFF_ADD_PREFIX = "new"  # the agency page also holds the role form, whose fields have the same names


@require_http_methods(["GET", "POST"])
@staff_required
@reauth_required(methods=("POST",))  # a new account with its first role
def staff_add(request: HttpRequest, code: str) -> HttpResponse:
    """Add a new member of the agency's staff: their account and first role, in one service call;
    they are e-mailed a link to choose their password.

    The agency page posts here from its "Add a staff member" form; this page shows the same form
    alone (and again with its errors and the values typed)."""
    agency = get_object_or_404(Agency, code=code)
    require_agency_role(account=staff_account(request), agency=agency, kinds=[StaffRoleKind.AGENCY_ADMIN])
    form = StaffAddForm(request.POST if request.method == "POST" else None, agency=agency, prefix=STAFF_ADD_PREFIX)
    if form.is_valid():
        data = form.cleaned_data
        with domain_errors(request, form) as done:
            account = staff_member_add(
                username=data["username"],
                display_name=data["display_name"],
                email=data["email"],
                preferred_language=data["preferred_language"],
                role=data["role"],
                agency=agency,
                office=data["office"],
                granted_by=staff_account(request),
                actor=actor_from_request(request),
                now=now(),
            )
        if done:
            messages.success(
                request,
                _("%(name)s is added to the staff; a link to choose the password was sent to %(email)s.")
                % {"name": account.username, "email": account.email},
            )
            return redirect("backoffice:agency", code=code)
    return render(request, "backoffice/staff_add.html", {"agency": agency, "form": form})


@require_POST
@staff_required
@reauth_required()
def role_revoke(request: HttpRequest, code: str, role_id: int) -> HttpResponse:
    agency = get_object_or_404(Agency, code=code)
    require_agency_role(account=staff_account(request), agency=agency, kinds=[StaffRoleKind.AGENCY_ADMIN])
    staff_role = get_object_or_404(StaffRole, pk=role_id, agency=agency)
    with domain_errors(request, catch=(ConflictError, PermissionDeniedError)) as done:
        staff_role_revoke(
            staff_role=staff_role, revoked_by=staff_account(request), actor=actor_from_request(request), now=now()
        )
    if done:
        messages.success(request, _("The role is revoked."))
    return redirect("backoffice:agency", code=code)


@require_http_methods(["GET", "POST"])
@staff_required
@reauth_required()
def totp_reset(request: HttpRequest, code: str, account_id: int) -> HttpResponse:
    """Reset the second factor of a member of the agency's staff who lost their authenticator.

    The agency page posts here from a small form on each staff row; this page shows the same form
    alone (without JavaScript, and again with its error when the reason is missing)."""
    agency = get_object_or_404(Agency, code=code)
    require_agency_role(account=staff_account(request), agency=agency, kinds=[StaffRoleKind.AGENCY_ADMIN])
    target = agency_staff(agency=agency).filter(account_id=account_id).first()
    if target is None:
        raise NotFoundError(_("No such member of this agency's staff."))
    account = target.account
    form = TotpResetForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        # Refused for this account: said on the agency's page; a reason refused: said on the form.
        with (
            domain_errors(request, catch=(PermissionDeniedError,)) as allowed,
            domain_errors(request, form, catch=(ValidationError,)) as done,
        ):
            staff_totp_reset(
                account=account,
                reset_by=staff_account(request),
                reason=form.cleaned_data["reason"],
                actor=actor_from_request(request),
            )
        if not allowed:
            return redirect("backoffice:agency", code=code)
        if done:
            messages.success(
                request,
                _(
                    "The two-step login of %(name)s is reset and their password replaced. They have been e-mailed "
                    "a link to choose a new password; then they set up a new authenticator app."
                )
                % {"name": account.username},
            )
            return redirect("backoffice:agency", code=code)
    return render(request, "backoffice/totp_reset.html", {"agency": agency, "account": account, "form": form})


@staff_required
def person_verify(request: StaffRequest) -> HttpResponse:
    """At the window: find a person by document number, check the original, record it."""
    if not has_role(request.staff_roles, StaffRoleKind.CLERK):
        raise PermissionDeniedError(_("Only service-centre clerks verify people in person."))
    lookup = PersonLookupForm(request.GET or None)
    person: Person | None = None
    verify_form = None
    if request.method == "POST":
        verify_form = InPersonVerifyForm(request.POST)
        if verify_form.is_valid():
            data = verify_form.cleaned_data
            person = get_object_or_404(Person, pk=data["person_id"])
            if person.account_id is None:
                if not data["username"] or not data["email"]:
                    verify_form.add_error(
                        None, _("This person has no account yet: give a user name and an e-mail address.")
                    )
                    return render(
                        request,
                        "backoffice/person_verify.html",
                        {"lookup": lookup, "person": person, "form": verify_form},
                    )
                with domain_errors(request, verify_form, catch=(ValidationError,)) as done:
                    account = person_open_account_at_window(
                        person=person,
                        clerk=staff_account(request),
                        username=data["username"],
                        email=data["email"],
                        document=data["document"],
                        actor=actor_from_request(request),
                    )
                if not done:
                    return render(
                        request,
                        "backoffice/person_verify.html",
                        {"lookup": lookup, "person": person, "form": verify_form},
                    )
                send_password_link(account=account, public_base_url=request.build_absolute_uri("/"))
                messages.success(
                    request,
                    _("Account opened for %(name)s; a link to choose the password was sent to %(email)s.")
                    % {"name": person.display_name, "email": account.email},
                )
                return redirect("backoffice:person_verify")
            person_verify_in_person(
                person=person,
                clerk=staff_account(request),
                document=data["document"],
                actor=actor_from_request(request),
            )
            messages.success(request, _("Recorded: %(name)s was verified in person.") % {"name": person.display_name})
            return redirect("backoffice:person_verify")
        person = Person.objects.filter(pk=verify_form.cleaned_data.get("person_id") or 0).first()
    elif lookup.is_bound and lookup.is_valid():
        number = idnumbers.normalise(lookup.cleaned_data["id_number"])
        person = person_by_identifier(id_number=number, nationality=lookup.cleaned_data["nationality"].upper() or None)
        if person is None:
            lookup.add_error("id_number", _("No registered person has this document number."))
        else:
            verify_form = InPersonVerifyForm(initial={"person_id": person.pk})
    return render(request, "backoffice/person_verify.html", {"lookup": lookup, "person": person, "form": verify_form})


@staff_required
def audit_trail(request: StaffRequest) -> HttpResponse:
    if not has_role(request.staff_roles, StaffRoleKind.CITY_OPERATOR):
        raise PermissionDeniedError(_("Only city operators read the whole audit trail."))
    action = request.GET.get("action", "")[:64]
    events = list(audit_events(action=action))
    return render(request, "backoffice/audit.html", {"events": events, "action": action})
