"""Public pages: home, audience sections, search, contact, FAQ, policies, agencies, sitemap."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.identity.models import Agency, ServiceCentre
from tongban.portal import content


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"nav": "home"})


@require_GET
def individuals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/section.html",
        {"nav": "individuals", "section": "individuals", "topics": content.INDIVIDUAL_TOPICS},
    )


@require_GET
def firms(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/section.html", {"nav": "firms", "section": "firms", "topics": content.FIRM_TOPICS})


@require_GET
def international(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/international.html", {"nav": "international", "topics": content.INTERNATIONAL_TOPICS}
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    hits = content.search_pages(query)
    return render(request, "portal/search.html", {"query": query, "hits": hits})


@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    centres = ServiceCentre.objects.order_by("code")
    return render(request, "portal/contact.html", {"nav": "help", "centres": centres})


@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/faq.html", {"nav": "help", "faqs": content.FAQS})


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html", {"nav": "help"})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html", {"nav": "help"})


@require_GET
def agencies(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/agencies.html", {"nav": "help", "agencies": Agency.objects.order_by("code")})
