"""Portal pages of reviews (好差评): rate a decided case, a served window visit or an attended
appointment with one form (and change the rating within the edit window), My ratings with the answers to low ones and a re-rating, the public satisfaction page,
and the anonymous "was this page helpful?" answer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tongban.cases.selectors import case_for_person_with
from tongban.core import ratelimit
from tongban.core.clock import now
from tongban.core.errors import ConflictError, NotFoundError
from tongban.core.requests import actor_from_request
from tongban.identity.requests import PersonRequest
from tongban.portal.decorators import person_required
from tongban.reviews import rules, selectors, services
from tongban.reviews.models import Review
from tongban.service_centres.appointment_rules import normalise_code
from tongban.service_centres.selectors import appointment_of_person
from tongban.statistics import selectors as statistics_selectors


def _choices(review: Any) -> dict[str, Any]:
    return {
        "levels": [(value, str(label)) for value, label in rules.LEVELS.items()],
        "negative_reasons": [r for r in rules.REASONS if not r.positive],
        "positive_reasons": [r for r in rules.REASONS if r.positive],
    }


@person_required
def case_rating(request: PersonRequest, number: str) -> HttpResponse:
    """Rate a decided or closed case of one's own; change the rating within the edit window; rate
    once more after a low rating was answered."""
    # The case, its rating and the rating's rectification ticket: one round trip.
    access, (reviews, rectifications) = case_for_person_with(
        number=number, person=request.person, now=now(), also=selectors.case_review_reads(case_number=number)
    )
    case = access.case
    return _rating_page(
        request,
        target=case,
        review=selectors.review_with_rectification(reviews, rectifications),
        here=reverse("portal:case_rating", args=[case.number]),
        template="reviews/case_rating.html",
        context={"case": case, "back_url": reverse("portal:my_case", args=[case.number])},
    )


@person_required
def visit_rating(request: PersonRequest, ticket_id: int) -> HttpResponse:
    """Rate one's own served window visit (a queue ticket), with the same form and rules."""
    ticket = selectors.ticket_of_person(person=request.person, ticket_id=ticket_id)
    if ticket is None:
        raise Http404
    return _rating_page(
        request,
        target=ticket,
        review=selectors.review_of_ticket(ticket_id=ticket.pk),
        here=reverse("portal:visit_rating", args=[ticket.pk]),
        template="reviews/service_rating.html",
        context={
            "ticket": ticket,
            "subject": _("Window visit %(ticket)s") % {"ticket": ticket.label},
            "back_url": reverse("portal:my_appointments"),
        },
    )


@person_required
def appointment_rating(request: PersonRequest, code: str) -> HttpResponse:
    """Rate one's own attended appointment (arrived, or its ticket served), with the same form and
    rules. A firm's appointment is rated by the staff member who booked it under the firm's power."""
    try:
        appointment = appointment_of_person(request.person, normalise_code(code))
    except NotFoundError as exc:
        raise Http404 from exc
    return _rating_page(
        request,
        target=appointment,
        review=selectors.review_of_appointment(appointment_id=appointment.pk),
        here=reverse("portal:appointment_rating", args=[appointment.code]),
        template="reviews/service_rating.html",
        context={
            "appointment": appointment,
            "subject": _("Appointment %(code)s") % {"code": appointment.code},
            "back_url": reverse("portal:appointment", args=[appointment.code]),
        },
    )


def _rating_page(
    request: PersonRequest,
    *,
    target: services.Rated,
    review: Review | None,
    here: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The one rating form of every channel: rate once, change within the edit window while not
    answered, rate once more after the answer. Another's, or not yet rateable: 404."""
    account = request.user
    assert not account.is_anonymous
    moment = now()
    if review is not None and review.account_id != account.pk:
        raise Http404
    if review is None and not services.rateable(account=account, target=target):
        raise Http404
    rectification = getattr(review, "rectification", None) if review is not None else None
    editable = review is not None and (
        rules.editable(created_at=review.created_at, now=moment, edit_days=int(settings.REVIEW_EDIT_DAYS))
        and (rectification is None or rectification.answered_at is None)
    )
    may_rerate = review is not None and rules.may_rerate(
        answered_at=rectification.answered_at if rectification else None, rerated_at=review.rerated_at
    )
    errors: dict[str, list[str]] = {}
    posted: dict[str, Any] = {}
    if request.method == "POST":
        posted = {
            "level": request.POST.get("level", ""),
            "reasons": request.POST.getlist("reasons"),
            "comment": request.POST.get("comment", ""),
        }
        actor = actor_from_request(request)
        try:
            if request.POST.get("action") == "rerate" and review is not None:
                services.review_rerate(review=review, account=account, level=posted["level"], actor=actor, now=moment)
                messages.success(request, _("Thank you: your new rating is recorded."))
            elif review is None:
                services.review_submit(account=account, target=target, actor=actor, now=moment, **posted)
                messages.success(request, _("Thank you for your rating."))
            else:
                services.review_edit(review=review, account=account, actor=actor, now=moment, **posted)
                messages.success(request, _("Your rating is changed."))
            return redirect(here)
        except ValidationError as error:
            errors = error.message_dict
        except (ConflictError, NotFoundError) as error:
            errors = {"__all__": [str(error.message)]}
    elif review is not None:
        posted = {"level": str(review.level), "reasons": review.reasons, "comment": review.comment}
    return render(
        request,
        template,
        {
            **context,
            "review": review,
            "rectification": rectification,
            "editable": review is None or editable,
            "may_rerate": may_rerate,
            "posted": posted,
            "errors": errors,
            **_choices(review),
        },
        status=400 if errors else 200,
    )


@require_safe
@person_required
def my_ratings(request: PersonRequest) -> HttpResponse:
    account = request.user
    assert not account.is_anonymous
    return render(request, "reviews/my_ratings.html", {"reviews": selectors.reviews_of(account=account)})


@require_safe
def satisfaction(request: HttpRequest) -> HttpResponse:
    """Public satisfaction figures: aggregates only, rows below the minimum count left out; read
    from the statistics fact tables (up to date within the catch-up's few minutes)."""
    return render(
        request,
        "reviews/satisfaction.html",
        {"figures": statistics_selectors.satisfaction(), "minimum": int(settings.REVIEW_MIN_PUBLIC_COUNT)},
    )


@require_POST
def helpful(request: HttpRequest) -> HttpResponse:
    """Keep an anonymous yes/no about a page; the client's address only counts against the rate
    limit (hashed there, never stored here)."""
    path = request.POST.get("path", "")
    if not (path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts=None)) or len(path) > 200:
        raise Http404
    answer = request.POST.get("helpful", "")
    if answer not in ("yes", "no"):
        raise Http404
    if ratelimit.hit("reviews.helpfulness", ratelimit.client_address(request)).allowed:
        services.helpfulness_record(path=path, helpful=answer == "yes", now=now())
    messages.success(request, _("Thank you for telling us."))
    return redirect(path + "#helpful")
