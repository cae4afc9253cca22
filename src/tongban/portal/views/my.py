"""My space: the signed-in person's profile, firms and (later) cases, certificates, messages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tongban.cases.selectors import cases_of_person
from tongban.core.clock import now
from tongban.core.requests import actor_from_request
from tongban.forms.selectors import open_drafts
from tongban.identity.requests import PersonRequest
from tongban.identity.selectors import firms_of_person
from tongban.identity.services import account_profile_update
from tongban.notifications.selectors import unread_count
from tongban.portal.decorators import person_required
from tongban.portal.forms import ProfileForm


@person_required
def my_space(request: PersonRequest) -> HttpResponse:
    person = request.person
    return render(
        request,
        "portal/my_space.html",
        {
            "person": person,
            "account": request.user,
            "firms": firms_of_person(person=person, now=now()),
            "cases": cases_of_person(person=person, limit=5),
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
