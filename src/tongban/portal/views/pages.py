"""Public pages: home, audience sections, search, contact, FAQ, the guide, policies, agencies."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from tongban.catalogue.selectors import ServiceLink, section_services
from tongban.identity.models import Agency, ServiceCentre
from tongban.portal import content


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"nav": "home"})


#: Services of a section's audience listed beyond those its cards name; the rest are one link away
#: in the catalogue, filtered by that audience.
SECTION_OTHERS = 30


@dataclass(frozen=True)
class SectionCard:
    """A topic card of a section page: its heading's link and the services it names, linked."""

    topic: content.Topic
    url: str
    services: list[ServiceLink]


def _section(
    request: HttpRequest, *, template: str, section: str, audience: str, topics: tuple[content.Topic, ...]
) -> HttpResponse:
    """A section page: every service it names is a link to its guide (one query for them all)."""
    named = list(dict.fromkeys(code for topic in topics for code in topic.services))
    links, more = section_services(audience=audience, codes=named, limit=SECTION_OTHERS)
    catalogue = reverse("portal:services")
    cards = []
    for topic in topics:
        services = [links[code] for code in topic.services if code in links]
        if len(services) == 1:
            url = reverse("portal:service", args=[services[0].code])
        elif topic.url_name != f"portal:{section}":  # a page of its own (contact, my space)
            url = reverse(topic.url_name)
        else:
            query = (
                {"audience": audience, "topic": topic.catalogue_topic}
                if topic.catalogue_topic
                else {"audience": audience}
            )
            url = f"{catalogue}?{urlencode(query)}"
        cards.append(SectionCard(topic, url, services))
    others = [link for code, link in links.items() if code not in named][:SECTION_OTHERS]
    return render(
        request,
        template,
        {
            "nav": section,
            "section": section,
            "cards": cards,
            "others": others,
            "more": more,
            "catalogue_url": f"{catalogue}?{urlencode({'audience': audience})}",
        },
    )


@require_safe
def individuals(request: HttpRequest) -> HttpResponse:
    return _section(
        request,
        template="portal/section.html",
        section="individuals",
        audience="individuals",
        topics=content.INDIVIDUAL_TOPICS,
    )


@require_safe
def firms(request: HttpRequest) -> HttpResponse:
    return _section(
        request, template="portal/section.html", section="firms", audience="firms", topics=content.FIRM_TOPICS
    )


@require_safe
def international(request: HttpRequest) -> HttpResponse:
    return _section(
        request,
        template="portal/international.html",
        section="international",
        audience="foreigners",
        topics=content.INTERNATIONAL_TOPICS,
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    hits = content.search_pages(query)
    return render(request, "portal/search.html", {"query": query, "hits": hits})


@require_safe
def contact(request: HttpRequest) -> HttpResponse:
    centres = ServiceCentre.objects.order_by("code")
    return render(request, "portal/contact.html", {"nav": "help", "centres": centres})


@require_safe
def faq(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/faq.html", {"nav": "help", "faqs": content.FAQS})


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html", {"nav": "help"})


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html", {"nav": "help"})


@require_safe
def guide(request: HttpRequest) -> HttpResponse:
    """The "How to use Tongban" guide: its table of contents."""
    return render(request, "portal/guide/index.html", {"nav": "help", "parts": content.GUIDE})


@require_safe
def guide_page(request: HttpRequest, part: str) -> HttpResponse:
    """One page of the guide."""
    if part not in {entry.slug for entry in content.GUIDE}:
        raise Http404
    return render(request, f"portal/guide/{part}.html", {"nav": "help", "parts": content.GUIDE, "current": part})


@require_safe
def agencies(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/agencies.html", {"nav": "help", "agencies": Agency.objects.order_by("code")})
