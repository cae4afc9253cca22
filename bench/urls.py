"""The app's URLs plus two bare Django views, served by the same process through the same
middleware (sessions, language prefix, locale, CSRF, auth, OTP, messages, axes):

* ``POST /bench/baseline/insert`` inserts one row (CSRF-exempt, otherwise the full stack);
* ``GET /bench/baseline/read/<id>`` reads one row by primary key;
* ``GET /bench/exchange/<person id>`` reads a person's population-registry record through
  ``exchange_query`` — resource, grant and basis checks, the registry read and the access-log
  write, in one transaction — as an agency's case would (the exchange phase of ``make bench``).

They are what the app's pages are measured against: the cost of Django + the database for the
least a write or a read can do. They deliberately touch neither ``request.user`` nor the
session, so the session and account queries the portal pages need count as the app's cost.
"""

from __future__ import annotations

import json
from functools import cache

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bench.models import BaselineRow
from tongban.core.actors import Actor
from tongban.exchange.services import Basis, exchange_query, subject_of
from tongban.identity.models import Agency, Person
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


#: The exchange phase's resource, purpose and consumer (set up by ``bench.run.prepare_exchange``).
EXCHANGE_RESOURCE = "population.record"
EXCHANGE_PURPOSE = "bench-exchange"
EXCHANGE_CONSUMER = "bench-consumer"
_BENCH_ACTOR = Actor.system("bench")


@cache
def _consumer() -> Agency:
    return Agency.objects.get(code=EXCHANGE_CONSUMER)


@require_GET
def exchange_read(request: HttpRequest, person_id: int) -> HttpResponse:
    person = Person.objects.only("public_id", "id_type", "id_number", "nationality").filter(pk=person_id).first()
    if person is None:
        raise Http404
    ref = subject_of(person=person)[1]
    # Called on its own (as an API call would), the access-log INSERT is the only write: it commits
    # by itself. Inside a caller's transaction it commits with the caller's rows.
    result = exchange_query(
        consumer=_consumer(), resource_code=EXCHANGE_RESOURCE, fields=["name", "birth_date"],
        purpose=EXCHANGE_PURPOSE, basis=Basis(kind="case", reference="BENCH", parties=(ref,)),
        actor=_BENCH_ACTOR, now=timezone.now(), person=person,
    )  # fmt: skip
    if not (result.answered and result.found):
        return HttpResponse(result.outcome + " " + result.reason, status=500, content_type="text/plain")
    return HttpResponse(json.dumps(result.values, ensure_ascii=False), content_type="application/json")


urlpatterns = [
    path("bench/exchange/<int:person_id>", exchange_read, name="bench_exchange"),
    path("bench/baseline/insert", baseline_insert, name="bench_baseline_insert"),
    path("bench/baseline/read/<int:row_id>", baseline_read, name="bench_baseline_read"),
    *app_urlpatterns,
]
