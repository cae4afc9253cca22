"""The app's URLs plus two bare Django views, served by the same process through the same
middleware (sessions, language prefix, locale, CSRF, auth, OTP, messages, staff idle):

* ``POST /bench/baseline/insert`` inserts one row (CSRF-exempt, otherwise the full stack);
* ``GET /bench/baseline/read/<id>`` reads one row by primary key;
* ``GET /bench/exchange/<person id>`` reads a person's population-registry record through
  ``exchange_query`` — resource, grant and basis checks, the registry read and the access-log
  write, in one transaction — as an agency's case would (the exchange phase of ``make bench``).

They are what the app's pages are measured against: the cost of Django + the database for the
least a write or a read can do. They deliberately touch neither ``request.user`` nor the
session, so the session and account queries the portal pages need count as the app's cost.

Two **floors** show what no signed-in page on this stack can go below, whatever it renders:

* ``GET /bench/floor/read/<case number>``: the session and the signed-in account with its person,
  loaded exactly as every portal page loads them, then one owner-checked read of the case's
  status; plain text, no template.
* ``POST /bench/floor/write``: the same sign-in, then the least an acknowledged change may write
  under the platform's rule that every state change is audited in its own transaction: one row and
  its audit entry, committed together. CSRF-exempt, as the bare insert.
"""

from __future__ import annotations

import json
from functools import cache

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bench.models import BaselineRow
from tongban.audit.services import audit_record
from tongban.cases.models import Case
from tongban.core.actors import Actor
from tongban.core.requests import actor_from_request
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
        consumer=_consumer(),
        resource_code=EXCHANGE_RESOURCE,
        fields=["name", "birth_date"],
        purpose=EXCHANGE_PURPOSE,
        basis=Basis(kind="case", reference="BENCH", parties=(ref,)),
        actor=_BENCH_ACTOR,
        now=timezone.now(),
        person=person,
    )
    if not (result.answered and result.found):
        return HttpResponse(result.outcome + " " + result.reason, status=500, content_type="text/plain")
    return HttpResponse(json.dumps(result.values, ensure_ascii=False), content_type="application/json")


def _signed_in_person_id(request: HttpRequest) -> int | None:
    user = request.user
    person = getattr(user, "person", None) if user.is_authenticated else None
    return person.pk if person is not None else None


@require_GET
def floor_read(request: HttpRequest, number: str) -> HttpResponse:
    person_id = _signed_in_person_id(request)
    if person_id is None:
        return HttpResponse("not signed in", status=403, content_type="text/plain")
    status = Case.objects.filter(number=number, applicant_id=person_id).values_list("status", flat=True).first()
    if status is None:
        raise Http404
    return HttpResponse(status, content_type="text/plain")


@csrf_exempt
@require_POST
def floor_write(request: HttpRequest) -> HttpResponse:
    person_id = _signed_in_person_id(request)
    if person_id is None:
        return HttpResponse("not signed in", status=403, content_type="text/plain")
    with transaction.atomic():
        row = BaselineRow.objects.create(value=request.POST.get("value", "")[:64], created_at=timezone.now())
        audit_record(
            action="bench.floor_write", actor=actor_from_request(request), object_type="bench", object_id=row.pk
        )
    return HttpResponse(str(row.pk), content_type="text/plain")


urlpatterns = [
    path("bench/floor/read/<str:number>", floor_read, name="bench_floor_read"),
    path("bench/floor/write", floor_write, name="bench_floor_write"),
    path("bench/exchange/<int:person_id>", exchange_read, name="bench_exchange"),
    path("bench/baseline/insert", baseline_insert, name="bench_baseline_insert"),
    path("bench/baseline/read/<int:row_id>", baseline_read, name="bench_baseline_read"),
    *app_urlpatterns,
]
