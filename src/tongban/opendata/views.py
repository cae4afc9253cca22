"""The open-data pages: the list of datasets, each dataset's files, and the DCAT-AP catalogue.

A file answers 304 when the browser's ``If-None-Match`` names the current revision's ETag; else
it is read from the cache (made there once per revision) or, for a large dataset, streamed.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from tongban.opendata import files, registry

#: Seconds a browser or proxy may reuse a file before asking again with its ETag.
MAX_AGE = 300


def _matches(header: str, etag: str) -> bool:
    return any(tag.strip().removeprefix("W/") in (etag, "*") for tag in header.split(",")) if header else False


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opendata/index.html",
        {"nav": "help", "datasets": registry.datasets(), "formats": list(files.FORMATS)},
    )


@require_safe
def download(request: HttpRequest, dataset_id: str, fmt: str) -> HttpResponseBase:
    dataset = registry.dataset(dataset_id)
    if dataset is None or fmt not in files.FORMATS:
        raise Http404
    revision = dataset.revision()
    etag = files.file_etag(dataset, fmt, revision)
    response: HttpResponseBase
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponse(status=304)
    elif dataset.large:
        response = StreamingHttpResponse(files.chunks(dataset, fmt, revision), content_type=files.FORMATS[fmt])
    else:
        response = HttpResponse(files.cached_file(dataset, fmt, revision), content_type=files.FORMATS[fmt])
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Content-Disposition"] = f'{"attachment" if fmt == "csv" else "inline"}; filename="{dataset.id}.{fmt}"'
    return response


@require_safe
def catalog(request: HttpRequest) -> HttpResponse:
    """The DCAT-AP catalogue (JSON-LD), with an ETag of its content (it reads no rows, so it is
    made on each request; a harvester asking again gets 304). Download links are the Chinese site's (the files are the
    same in both languages); titles and descriptions carry both languages."""
    datasets = registry.datasets()
    with translation.override(settings.LANGUAGE_CODE):
        landing = request.build_absolute_uri(reverse("opendata:index"))
        links = {
            (dataset.id, fmt): request.build_absolute_uri(
                reverse(f"opendata:download_{fmt}", kwargs={"dataset_id": dataset.id})
            )
            for dataset in datasets
            for fmt in files.FORMATS
        }
    document = files.dcat_catalog(
        catalog_url=request.build_absolute_uri(reverse("opendata_catalog")),
        landing_url=landing,
        download_url=links,
        publisher_zh=f"{settings.CITY_NAME_ZH}人民政府",
        publisher_en=f"{settings.CITY_NAME_EN} People's Government",
        homepage=request.build_absolute_uri("/"),
        datasets=datasets,
    )
    body = json.dumps(document, ensure_ascii=False, indent=1).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/ld+json")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
