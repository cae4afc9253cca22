"""The app's URLs plus two bare Django views, served by the same process through the same
middleware (sessions, language prefix, locale, CSRF, auth, OTP, messages, axes):

* ``POST /bench/baseline/insert`` inserts one row (CSRF-exempt, otherwise the full stack);
* ``GET /bench/baseline/read/<id>`` reads one row by primary key.

They are what the app's pages are measured against: the cost of Django + the database for the
least a write or a read can do. They deliberately touch neither ``request.user`` nor the
session, so the session and account queries the portal pages need count as the app's cost.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bench.models import BaselineRow
from tongban.urls import urlpatterns as app_urlpatterns


@csrf_exempt
@require_POST
def baseline_insert(request: HttpRequest) -> HttpResponse:
    row = BaselineRow.objects.create(value=request.POST.get("value", "")[:64], created_at=timezone.now())
    return HttpResponse(str(row.pk), content_type="text/plain")


@require_GET
def baseline_read(request: HttpRequest, row_id: int) -> HttpResponse:
    value = BaselineRow.objects.filter(pk=row_id).values_list("value", flat=True).first()
    if value is None:
        raise Http404
    return HttpResponse(value, content_type="text/plain")


urlpatterns = [
    path("bench/baseline/insert", baseline_insert, name="bench_baseline_insert"),
    path("bench/baseline/read/<int:row_id>", baseline_read, name="bench_baseline_read"),
    *app_urlpatterns,
]
