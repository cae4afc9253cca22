"""My space: what the signed-in person must do first, then their profile, firms, cases (their own and
their firms'), certificates and messages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tongban.cases.overview import cases_to_act_on, with_outlook
from tongban.cases.selectors import cases_of_person
from tongban.core.clock import now
from tongban.core.requests import actor_from_request
from tongban.forms.selectors import open_drafts
from tongban.identity.requests import PersonRequest
from tongban.identity.selectors import firms_of_person
from tongban.identity.services import account_profile_update
from tongban.notifications.models import Preference
from tongban.notifications.selectors import unread_count
from tongban.notifications.services import channels_for, preference_set
from tongban.portal.decorators import person_required
from tongban.portal.forms import NotificationChoiceForm, ProfileForm
from tongban.portal.views.cases import MY_CASES_PER_FIRM, firm_sections


@person_required
def my_space(request: PersonRequest) -> HttpResponse:
    """Everything the person must act on first (supplements asked for on her own cases and on those
    of every firm she acts for, in the areas of her live powers), then her drafts, her latest
    cases and each firm's newest cases: the sections My cases has. Queries do not grow with the
    number of firms or cases."""
    person = request.person
    moment = now()
    firms = firms_of_person(person=person, now=moment)
    return render(
        request,
        "portal/my_space.html",
        {
            "person": person,
            "account": request.user,
            "firms": firms,
            "to_do": cases_to_act_on(person=person, firms=firms, now=moment),
            "cases": with_outlook(cases_of_person(person=person, limit=5), now=moment),
            "firm_sections": firm_sections(firms, now=moment),
            "per_firm": MY_CASES_PER_FIRM,
            "drafts": list(open_drafts(person=person)[:5]),
            "draft_count": open_drafts(person=person).count(),
            "unread": unread_count(recipient=request.user),
        },
    )


@person_required
def profile_edit(request: PersonRequest) -> HttpResponse:
    account = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"email": account.email, "phone": account.phone, "preferred_language": account.preferred_language},
    )
    if request.method == "POST" and form.is_valid():
        account_profile_update(account=account, actor=actor_from_request(request), **form.cleaned_data)
        messages.success(request, _("Your details are saved."))
        return redirect("portal:my_space")
    return render(request, "portal/profile_edit.html", {"form": form})


@person_required
def notification_choice(request: PersonRequest) -> HttpResponse:
    """How the person's notices reach her besides the inbox: e-mail, text message."""
    account = request.user
    preference = Preference.objects.filter(account=account).first()
    current = channels_for(account, preference)
    form = NotificationChoiceForm(
        request.POST or None,
        initial={
            "email": preference.email if preference else True,
            "sms": preference.sms if preference else False,
        },
        account_email=account.email,
        account_phone=account.phone,
    )
    if request.method == "POST" and form.is_valid():
        preference_set(
            account=account,
            email=form.cleaned_data["email"],
            sms=form.cleaned_data["sms"],
            actor=actor_from_request(request),
            now=now(),
        )
        messages.success(request, _("Your choice is saved."))
        return redirect("portal:notification_choice")
    return render(request, "portal/notification_choice.html", {"form": form, "current": current, "account": account})
