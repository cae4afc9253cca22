"""Root URL configuration: operational endpoints, the API, and the two language-prefixed sites."""

from __future__ import annotations

from django.contrib.sitemaps.views import sitemap
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from tongban.api.v1 import api as api_v1
from tongban.core.i18n import i18n_urlpatterns
from tongban.core.views import healthz
from tongban.core.wellknown import jwks
from tongban.opendata.views import catalog as opendata_catalog
from tongban.portal.sitemaps import SITEMAPS
from tongban.portal.views import certificates


def robots(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /zh/my/",
        "Disallow: /en/my/",
        "Disallow: /zh/backoffice/",
        "Disallow: /en/backoffice/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(".well-known/jwks.json", jwks, name="jwks"),
    path("api/v1/", api_v1.urls),
    path("verify/<slug:number>.jws", certificates.verify_jws, name="certificate_jws"),
    path("verify/<slug:number>.json", certificates.verify_status, name="certificate_status"),
    path("verify/s/<str:token>", certificates.verify_shared, name="certificate_shared"),
    path("verify/<slug:number>", certificates.verify, name="certificate_verify"),
    path("contexts/certificates/v1", certificates.context_document, name="certificate_context"),
    path("open-data/catalog.jsonld", opendata_catalog, name="opendata_catalog"),
    *i18n_urlpatterns(
        path("", include("tongban.portal.urls")),
        path("backoffice/", include("tongban.backoffice.urls")),
        path("open-data/", include("tongban.opendata.urls")),
    ),
]

# The platform's own error pages, in the page's language (tongban.core.error_views).
handler400 = "tongban.core.error_views.bad_request"
handler403 = "tongban.core.error_views.permission_denied"
handler404 = "tongban.core.error_views.page_not_found"
handler500 = "tongban.core.error_views.server_error"
