"""Back office: the rectification queue (整改工单) of low ratings — agency staff see their
agency's tickets, a centre's head their centre's, city operators the city's own and every
escalated one — and one ticket's page with its steps: record the contact, mark it complex,
answer. The person's comment is shown escaped, to the responsible only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tongban.backoffice.decorators import staff_account, staff_required
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.errors import ConflictError, NotFoundError
from tongban.core.requests import actor_from_request
from tongban.identity.requests import StaffRequest
from tongban.reviews import rules, services
from tongban.reviews.models import RectificationStatus
from tongban.reviews.selectors import rectification_for, rectification_queue


@staff_required
def rectification_list(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in RectificationStatus.values else ""
    moment = now()
    rows = [
        (
            row,
            row.answered_at is None
            and rules.overdue(
                now=moment,
                contact_due_on=row.contact_due_on,
                rectify_due_on=row.rectify_due_on,
                contacted_at=row.contacted_at,
                answered_at=row.answered_at,
            ),
        )
        for row in rectification_queue(roles=request.staff_roles, status=status)
    ]
    return render(
        request,
        "backoffice/rectifications.html",
        {"rows": rows, "statuses": RectificationStatus.choices, "status": status},
    )


@staff_required
def rectification_detail(request: StaffRequest, rectification_id: int) -> HttpResponse:
    ticket = rectification_for(roles=request.staff_roles, pk=rectification_id)
    if ticket is None:
        raise Http404
    errors: dict[str, list[str]] = {}
    posted = {"note": "", "answer": ""}
    if request.method == "POST":
        action = request.POST.get("action", "")
        account = staff_account(request)
        actor = actor_from_request(request)
        moment = now()
        posted = {"note": request.POST.get("note", ""), "answer": request.POST.get("answer", "")}
        try:
            if action == "contact":
                services.rectification_contact(
                    rectification=ticket, account=account, note=posted["note"], actor=actor, now=moment
                )
                messages.success(request, _("The contact is recorded."))
            elif action == "complex":
                services.rectification_mark_complex(rectification=ticket, account=account, actor=actor, now=moment)
                messages.success(request, _("The ticket is marked complex: the longer deadline applies."))
            elif action == "answer":
                services.rectification_answer(
                    rectification=ticket, account=account, answer=posted["answer"], actor=actor, now=moment
                )
                messages.success(request, _("The answer is recorded and the person is told."))
            else:
                raise Http404
            return redirect("backoffice:rectification", rectification_id=ticket.pk)
        except ValidationError as error:
            errors = error.message_dict
        except (ConflictError, NotFoundError) as error:
            errors = {"__all__": [str(error.message)]}
    return render(
        request,
        "backoffice/rectification.html",
        {
            "ticket": ticket,
            "review": ticket.review,
            "reasons": [rules.reason_label(code) for code in ticket.review.reasons],
            "today": local_date(now()),
            "errors": errors,
            "posted": posted,
        },
        status=400 if errors else 200,
    )
