"""Back office: city operators edit the search synonyms (everyday words and abbreviations search
understands: 社保 → 社会保险), through ``catalogue.synonyms`` (audited; ADR 0031)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongban.backoffice.decorators import staff_account, staff_required
from tongban.catalogue.models import SearchSynonym, SynonymLanguage
from tongban.catalogue.permissions import CITY_ONLY
from tongban.catalogue.synonyms import search_synonym_remove, search_synonym_save
from tongban.core.forms import TongbanForm
from tongban.core.requests import actor_from_request
from tongban.core.validators import validate_plain_text
from tongban.core.web import domain_errors
from tongban.identity.permissions import require_city_operator


class SynonymForm(TongbanForm):
    term = forms.CharField(
        label=gettext_lazy("Everyday word or abbreviation"),
        max_length=60,
        validators=[validate_plain_text],
        help_text=gettext_lazy("What people type, e.g. 社保 or business licence."),
    )
    expansions = forms.CharField(
        label=gettext_lazy("The catalogue's words for it"),
        max_length=1300,
        validators=[validate_plain_text],
        help_text=gettext_lazy(
            "Separate several with a semicolon, e.g. 社会保险; 社会保障. A service whose text contains one "
            "of them is found by the everyday word too."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Look for them in"), choices=SynonymLanguage.choices, initial=SynonymLanguage.BOTH
    )


@staff_required
def synonyms(request: HttpRequest) -> HttpResponse:
    """The list of search synonyms and the form to add one or change a term's words."""
    account = staff_account(request)
    require_city_operator(account=account, message=CITY_ONLY)
    form = SynonymForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with domain_errors(request, form, catch=(ValidationError,)) as done:
            saved = search_synonym_save(
                term=data["term"],
                expansions=data["expansions"].replace("；", ";").split(";"),
                language=data["language"],
                editor=account,
                actor=actor_from_request(request),
            )
        if done:
            messages.success(request, _("Search now finds services by “%(term)s”.") % {"term": saved.term})
            return redirect("backoffice:synonyms")
    rows = SearchSynonym.objects.order_by("term", "language")
    return render(request, "backoffice/synonyms.html", {"rows": rows, "form": form})


@require_POST
@staff_required
def synonym_remove(request: HttpRequest, synonym_id: int) -> HttpResponse:
    search_synonym_remove(synonym_id=synonym_id, editor=staff_account(request), actor=actor_from_request(request))
    messages.success(request, _("The search synonym is removed."))
    return redirect("backoffice:synonyms")
