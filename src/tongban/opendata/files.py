"""The files of a dataset (CSV and JSON) and the DCAT-AP catalogue of all of them.

* **CSV**: UTF-8 *with* a byte-order mark, comma-separated, CRLF line ends, quoted where needed
  (RFC 4180); the header row is the field names. The mark is what makes the spreadsheet most
  people open a CSV with (Excel, WPS) read the Chinese text as UTF-8 instead of GBK; CSV readers
  in code skip it (Python's ``utf-8-sig``, pandas, R). Booleans are ``true``/``false``, an absent
  value is an empty cell.
* **JSON**: ``{"metadata": {...}, "fields": [...], "rows": [{...}, ...]}``, UTF-8, values typed
  (numbers, booleans, ``null``), keys as the field names.

Both are made by generators, chunk by chunk: a small dataset's file is joined once per revision
and kept in Django's cache (:func:`cached_file`); a ``large`` one is streamed to each download.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.cache import cache

from tongban.opendata.registry import Dataset, Row, Value

FORMATS = {"csv": "text/csv; charset=utf-8; header=present", "json": "application/json"}
#: The IANA media types and the EU file-type names of the formats, for DCAT.
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
FILE_TYPES = {"csv": "CSV", "json": "JSON"}
#: Seconds a made file stays in the cache; a new revision makes a new key anyway.
CACHE_SECONDS = 60 * 60 * 24
#: Rows written per chunk of a streamed file.
CHUNK_ROWS = 500
BOM = "\ufeff"


def _cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_chunks(dataset: Dataset, rows: Iterable[Row]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(dataset.field_names)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(row.get(name)) for name in dataset.field_names])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def metadata(dataset: Dataset, revision: str) -> dict[str, Any]:
    """What a dataset is, in both languages: the JSON file's ``metadata``."""
    return {
        "id": dataset.id,
        "title": {"zh-Hans": dataset.title_zh, "en": dataset.title_en},
        "description": {"zh-Hans": dataset.description_zh, "en": dataset.description_en},
        "licence": {
            "id": dataset.licence.id,
            "title": {"zh-Hans": dataset.licence.title_zh, "en": dataset.licence.title_en},
            "url": dataset.licence.url,
        },
        "update_frequency": {
            "code": dataset.frequency.code,
            "uri": dataset.frequency.uri,
            "label": {"zh-Hans": dataset.frequency.label_zh, "en": dataset.frequency.label_en},
        },
        "revision": revision,
    }


def fields(dataset: Dataset) -> list[dict[str, Any]]:
    return [
        {"name": f.name, "type": f.type, "description": {"zh-Hans": f.description_zh, "en": f.description_en}}
        for f in dataset.fields
    ]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_chunks(dataset: Dataset, rows: Iterable[Row], revision: str) -> Iterator[bytes]:
    head = f'{{"metadata":{_dumps(metadata(dataset, revision))},"fields":{_dumps(fields(dataset))},"rows":['
    parts = [head]
    for count, row in enumerate(rows, start=1):
        parts.append(("" if count == 1 else ",") + _dumps({name: row.get(name) for name in dataset.field_names}))
        if count % CHUNK_ROWS == 0:
            yield "".join(parts).encode()
            parts = []
    parts.append("]}")
    yield "".join(parts).encode()


def chunks(dataset: Dataset, fmt: str, revision: str) -> Iterator[bytes]:
    rows = dataset.rows()
    return csv_chunks(dataset, rows) if fmt == "csv" else json_chunks(dataset, rows, revision)


def file_etag(dataset: Dataset, fmt: str, revision: str) -> str:
    """The strong ETag of one file: its dataset, format and the data's revision."""
    return '"' + hashlib.sha256(f"{dataset.id}\x00{fmt}\x00{revision}".encode()).hexdigest()[:32] + '"'


def cached_file(dataset: Dataset, fmt: str, revision: str) -> bytes:
    """The whole file at ``revision``: from the cache, or made now and kept."""
    key = "opendata:" + file_etag(dataset, fmt, revision).strip('"')
    body = cache.get(key)
    if body is None:
        body = b"".join(chunks(dataset, fmt, revision))
        cache.set(key, body, CACHE_SECONDS)
    return bytes(body)


# --- DCAT-AP --------------------------------------------------------------------------------------

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_LANGUAGES = "http://publications.europa.eu/resource/authority/language/"
_FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"


def _text(zh: str, en: str) -> list[dict[str, str]]:
    return [{"@value": zh, "@language": "zh-Hans"}, {"@value": en, "@language": "en"}]


def _ref(uri: str) -> dict[str, str]:
    return {"@id": uri}


def dcat_catalog(
    *,
    catalog_url: str,
    landing_url: str,
    download_url: dict[tuple[str, str], str],
    publisher_zh: str,
    publisher_en: str,
    homepage: str,
    datasets: list[Dataset],
) -> dict[str, Any]:
    """The DCAT-AP catalogue (JSON-LD): one ``dcat:Dataset`` per dataset with its bilingual title
    and description, keywords, licence, update frequency and one ``dcat:Distribution`` per
    format (``download_url[(dataset id, format)]``)."""
    publisher_id = homepage + "#publisher"
    publisher = {"@id": publisher_id, "@type": "foaf:Agent", "foaf:name": _text(publisher_zh, publisher_en)}
    entries = []
    for dataset in datasets:
        licence = _ref(dataset.licence.authority_uri)
        distributions = [
            {
                "@id": download_url[(dataset.id, fmt)],
                "@type": "dcat:Distribution",
                "dct:title": _text(
                    f"{dataset.title_zh}（{FILE_TYPES[fmt]}）", f"{dataset.title_en} ({FILE_TYPES[fmt]})"
                ),
                "dcat:accessURL": _ref(download_url[(dataset.id, fmt)]),
                "dcat:downloadURL": _ref(download_url[(dataset.id, fmt)]),
                "dcat:mediaType": _ref(_MEDIA_TYPES + MEDIA_TYPES[fmt]),
                "dct:format": _ref(_FILE_TYPES + FILE_TYPES[fmt]),
                "dct:license": licence,
            }
            for fmt in FORMATS
        ]
        entries.append(
            {
                "@id": f"{landing_url}#{dataset.id}",
                "@type": "dcat:Dataset",
                "dct:identifier": dataset.id,
                "dct:title": _text(dataset.title_zh, dataset.title_en),
                "dct:description": _text(dataset.description_zh, dataset.description_en),
                "dcat:keyword": [
                    *({"@value": k, "@language": "zh-Hans"} for k in dataset.keywords_zh),
                    *({"@value": k, "@language": "en"} for k in dataset.keywords_en),
                ],
                "dct:publisher": _ref(publisher_id),
                "dct:license": licence,
                "dct:accrualPeriodicity": _ref(dataset.frequency.uri),
                "dct:language": [_ref(_LANGUAGES + "ZHO"), _ref(_LANGUAGES + "ENG")],
                "dcat:landingPage": _ref(f"{landing_url}#{dataset.id}"),
                "dcat:distribution": distributions,
            }
        )
    return {
        "@context": CONTEXT,
        "@id": catalog_url,
        "@type": "dcat:Catalog",
        "dct:title": _text("通办 开放数据", "Tongban open data"),
        "dct:description": _text(
            "政务服务平台公开的数据集：事项目录、服务中心及开放时间、统计数据。",
            "The public datasets of the government services platform: the service catalogue, the service "
            "centres and their hours, and the statistics.",
        ),
        "dct:publisher": publisher,
        "dct:language": [_ref(_LANGUAGES + "ZHO"), _ref(_LANGUAGES + "ENG")],
        "dct:license": _ref(datasets[0].licence.authority_uri) if datasets else None,
        "foaf:homepage": _ref(landing_url),
        "dcat:dataset": entries,
    }
