"""The service catalogue in the portal: search with filters, and each service's guide."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from tongban.catalogue.selectors import (
    AUDIENCES,
    SEARCH_CACHE_SECONDS,
    ServiceSummary,
    filter_choices,
    published_version,
    search_key,
    search_page,
)
from tongban.core.clock import now
from tongban.core.requests import page_number
from tongban.forms.models import FormDefinition
from tongban.forms.permissions import firm_may_apply, person_may_apply
from tongban.forms.selectors import open_drafts
from tongban.identity.models import Person
from tongban.identity.selectors import firms_of_person
from tongban.service_centres.selectors import centres_for_service

PAGE_SIZE = 20


class _SearchPage:
    """The results and filter choices of one search, fetched only if the page's cached fragment
    is missing (the template reads them inside ``{% cache %}``)."""

    def __init__(self, *, query: str, audience: str, agency: str, topic: str, page: int) -> None:
        self._args = {"query": query, "audience": audience, "agency_code": agency, "topic_code": topic, "page": page}

    @cached_property
    def _page(self) -> tuple[list[ServiceSummary], bool]:
        return search_page(**self._args, page_size=PAGE_SIZE)  # type: ignore[arg-type]

    @property
    def results(self) -> list[ServiceSummary]:
        return self._page[0]

    @property
    def has_next(self) -> bool:
        return self._page[1]

    @cached_property
    def _choices(self) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
        return filter_choices()

    @property
    def agencies(self) -> list[tuple[str, str, str]]:
        return self._choices[0]

    @property
    def topics(self) -> list[tuple[str, str, str]]:
        return self._choices[1]


@require_safe
def service_list(request: HttpRequest) -> HttpResponse:
    """Search and filters. The page body is the same for everyone who asks the same thing in the
    same language, so it is rendered once and kept in the shared cache until the next publication
    or agency rename (the key carries the catalogue revision) or a minute; only the page's frame
    is per user."""
    query = request.GET.get("q", "")[:100]
    audience = request.GET.get("audience", "")[:16]
    agency = request.GET.get("agency", "")[:32]
    topic = request.GET.get("topic", "")[:40]
    page = page_number(request)
    key = search_key(
        query=query, audience=audience, agency_code=agency, topic_code=topic, page=page, page_size=PAGE_SIZE
    )
    return render(
        request,
        "portal/services.html",
        {
            "nav": "services",
            "search": _SearchPage(query=query, audience=audience, agency=agency, topic=topic, page=page),
            "search_key": key,
            "cache_seconds": SEARCH_CACHE_SECONDS,
            "page": page,
            "query": query,
            "audience": audience,
            "agency": agency,
            "topic": topic,
            "audiences": AUDIENCES,
            "searched": bool(query or audience or agency or topic),
        },
    )


@require_safe
def service_guide(request: HttpRequest, code: str) -> HttpResponse:
    version = published_version(code=code)
    if version is None:
        raise Http404
    materials = list(version.materials.all())
    held = sum(1 for material in materials if material.government_may_hold or material.certificate_type_id)
    firms = []
    person = Person.objects.filter(account_id=request.user.pk).first() if request.user.is_authenticated else None
    if person is not None and firm_may_apply(version):
        firms = [
            access.firm for access in firms_of_person(person=person, now=now()) if version.item.area in access.areas
        ]
    # Drafts of this service the person has already started: offered before a new one is started.
    drafts = list(open_drafts(person=person).filter(version__item_id=version.item_id)[:5]) if person else []
    return render(
        request,
        "portal/service_guide.html",
        {
            "drafts": drafts,
            "centres": list(centres_for_service(version.item)),
            "version": version,
            "item": version.item,
            "materials": materials,
            "held_count": held,
            "person": person,
            "firms": firms,
            "can_apply_self": person_may_apply(version),
            # Every publication path creates the form; a version without one (an older release, the
            # API) is said so here rather than failing when "Start" is pressed.
            "online_form": version.channel == "window" or FormDefinition.objects.filter(version=version).exists(),
        },
    )
