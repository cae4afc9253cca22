"""My space: "Download my data" — a page saying what the export holds, and the export itself, a
JSON file of everything the platform holds about the signed-in person (``core.personal_data``,
built and audited by ``identity.services.personal_data_export``). Only the person's own data: a
firm's appears only as far as the person represents it or holds a power for it."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from tongban.core import personal_data
from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.requests import actor_from_request
from tongban.identity.requests import PersonRequest
from tongban.identity.services import personal_data_export
from tongban.portal.decorators import person_required


@person_required
def personal_data_page(request: PersonRequest) -> HttpResponse:
    return render(
        request,
        "portal/personal_data.html",
        {"schema": personal_data.SCHEMA, "sections": personal_data.sections()},
    )


@person_required
def personal_data_download(request: PersonRequest) -> HttpResponse:
    """The export as a JSON file; a read, recorded in the audit trail (the only write of a GET)."""
    at = now()
    document = personal_data_export(person=request.person, actor=actor_from_request(request), now=at)
    response = HttpResponse(personal_data.to_json(document), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-data-{local_date(at).isoformat()}.json"'
    response["Cache-Control"] = "private, no-store"
    return response
