"""The service catalogue in the portal: search with filters, and each service's guide."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from tongban.catalogue.selectors import AUDIENCES, filter_choices, published_version, search_page
from tongban.core.clock import now
from tongban.identity.models import Person
from tongban.identity.selectors import firms_of_person

PAGE_SIZE = 20


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    audience = request.GET.get("audience", "")
    agency = request.GET.get("agency", "")[:32]
    topic = request.GET.get("topic", "")[:40]
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    results, has_next = search_page(
        query=query, audience=audience, agency_code=agency, topic_code=topic, page=page, page_size=PAGE_SIZE
    )
    agencies, topic_choices = filter_choices()
    return render(
        request,
        "portal/services.html",
        {
            "nav": "services",
            "results": results,
            "has_next": has_next,
            "page": page,
            "query": query,
            "audience": audience,
            "agency": agency,
            "topic": topic,
            "audiences": AUDIENCES,
            "agencies": agencies,
            "topics": topic_choices,
            "searched": bool(query or audience or agency or topic),
        },
    )


@require_GET
def service_guide(request: HttpRequest, code: str) -> HttpResponse:
    version = published_version(code=code)
    if version is None:
        raise Http404
    materials = list(version.materials.all())
    held = sum(1 for material in materials if material.government_may_hold or material.certificate_type_id)
    firms = []
    person = Person.objects.filter(account_id=request.user.pk).first() if request.user.is_authenticated else None
    if person is not None and version.for_firms:
        firms = [
            access.firm for access in firms_of_person(person=person, now=now()) if version.item.area in access.areas
        ]
    return render(
        request,
        "portal/service_guide.html",
        {
            "version": version,
            "item": version.item,
            "materials": materials,
            "held_count": held,
            "english": get_language() == "en",
            "person": person,
            "firms": firms,
            "can_apply_self": version.for_individuals,
        },
    )
