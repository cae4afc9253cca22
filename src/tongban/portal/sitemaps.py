"""sitemap.xml: every public page in both languages, with hreflang alternates."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

PUBLIC_PAGES = [
    "portal:home",
    "portal:individuals",
    "portal:firms",
    "portal:international",
    "portal:contact",
    "portal:faq",
    "portal:privacy",
    "portal:accessibility",
    "portal:agencies",
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
