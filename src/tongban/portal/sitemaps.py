"""sitemap.xml: every public page, the catalogue, every published service's guide and every
service centre's page, in both languages, with hreflang alternates. One query for the services, however many there are."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from tongban.catalogue.models import ServiceItem
from tongban.identity.models import ServiceCentre
from tongban.portal.content import GUIDE

PUBLIC_PAGES = [
    "portal:home",
    "portal:services",
    "portal:individuals",
    "portal:firms",
    "portal:international",
    "portal:guide",
    "portal:verify_token",
    "portal:contact",
    "portal:faq",
    "portal:privacy",
    "portal:accessibility",
    "portal:agencies",
    "portal:centres",
    "opendata:index",
    "portal:statistics",
    "portal:register",
    "portal:login",
]


class PortalSitemap(Sitemap[str]):
    i18n = True
    alternates = True
    changefreq = "weekly"

    def items(self) -> list[str]:
        return PUBLIC_PAGES

    def location(self, item: str) -> str:
        return reverse(item)


class GuideSitemap(Sitemap[str]):
    """The pages of the "How to use Tongban" guide."""

    i18n = True
    alternates = True
    changefreq = "monthly"

    def items(self) -> list[str]:
        return [part.slug for part in GUIDE]

    def location(self, item: str) -> str:
        return reverse("portal:guide_page", args=[item])


class ServiceSitemap(Sitemap[str]):
    """The guide of every service with a published version: the pages a search engine should index
    first. The codes are read once (``items`` is called once per sitemap page)."""

    i18n = True
    alternates = True
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> list[str]:
        return list(
            ServiceItem.objects.filter(published_version__isnull=False).order_by("code").values_list("code", flat=True)
        )

    def location(self, item: str) -> str:
        return reverse("portal:service", args=[item])


class CentreSitemap(Sitemap[str]):
    """Each service centre's page (one query for the codes)."""

    i18n = True
    alternates = True
    changefreq = "weekly"

    def items(self) -> list[str]:
        return list(ServiceCentre.objects.order_by("code").values_list("code", flat=True))

    def location(self, item: str) -> str:
        return reverse("portal:centre", args=[item])


SITEMAPS = {"portal": PortalSitemap, "guide": GuideSitemap, "services": ServiceSitemap, "centres": CentreSitemap}
