"""Public pages: home, audience sections, search, contact, FAQ, policies, agencies, sitemap."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tongban.identity.models import Agency, ServiceCentre
from tongban.portal import content


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"nav": "home"})


@require_safe
def individuals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/section.html",
        {"nav": "individuals", "section": "individuals", "topics": content.INDIVIDUAL_TOPICS},
    )


@require_safe
def firms(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/section.html", {"nav": "firms", "section": "firms", "topics": content.FIRM_TOPICS})


@require_safe
def international(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/international.html", {"nav": "international", "topics": content.INTERNATIONAL_TOPICS}
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
def agencies(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/agencies.html", {"nav": "help", "agencies": Agency.objects.order_by("code")})
