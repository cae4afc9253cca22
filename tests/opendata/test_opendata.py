"""Open data (ADR 0044, docs/open-data.md): the datasets' CSV and JSON files parse, agree with each
other and with the catalogue and centres they come from; a file is made once per revision, its
ETag is the revision and a changed catalogue or centre makes a new one; the DCAT-AP catalogue has
what a harvester needs; the page lists every dataset in both languages."""

from __future__ import annotations

import csv
import io
import json
from datetime import time
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import AgencyFactory, ServiceCentreFactory, StaffRoleFactory
from tests.services import make_service
from tongban.catalogue.models import ServiceVersion
from tongban.core.actors import Actor
from tongban.identity.models import ServiceCentre
from tongban.opendata import files, registry
from tongban.opendata.registry import Dataset, Field, Frequency
from tongban.service_centres.services import opening_hours_replace, window_save

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("tests")
WEEK = [(weekday, time(9), time(12)) for weekday in range(5)] + [(0, time(13, 30), time(17))]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _operator() -> Any:
    return StaffRoleFactory.create(city_operator=True).account


@pytest.fixture
def city() -> dict[str, Any]:
    """Two published services of two agencies; a centre with a comprehensive window and its week,
    a centre whose window takes the first agency's services, and a centre with no window."""
    first = make_service(code="work-permit")
    second = make_service(code="birth-record", for_individuals=True, for_firms=False, agency=AgencyFactory.create())
    editor = _operator()
    hub = ServiceCentreFactory.create(code="hub", name_zh="市民中心", name_en="Citizen Centre")
    opening_hours_replace(centre=hub, rows=WEEK, editor=editor, actor=ACTOR)
    window_save(centre=hub, number="1", scope="comprehensive", label_zh="综合窗口", editor=editor, actor=ACTOR)
    east = ServiceCentreFactory.create(code="east")
    window_save(centre=east, number="7", scope="agencies", agencies=[first.item.agency], editor=editor, actor=ACTOR)
    ServiceCentreFactory.create(code="quiet")
    return {"first": first, "second": second, "hub": hub, "east": east, "editor": editor}


def _csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    assert b"\r\n" in body
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _both(client: Client, dataset_id: str, language: str = "zh") -> tuple[list[dict[str, str]], dict[str, Any]]:
    as_csv = client.get(f"/{language}/open-data/{dataset_id}.csv")
    as_json = client.get(f"/{language}/open-data/{dataset_id}.json")
    assert as_csv.status_code == as_json.status_code == 200
    assert as_csv["Content-Type"].startswith("text/csv; charset=utf-8")
    assert as_json["Content-Type"] == "application/json"
    rows = _csv(as_csv.content)
    document = json.loads(as_json.content)
    names = [field["name"] for field in document["fields"]]
    assert list(rows[0].keys()) == names if rows else True
    assert as_csv.content.decode("utf-8-sig").splitlines()[0] == ",".join(names), "header row = field names"
    assert [{k: _cell(v) for k, v in row.items()} for row in document["rows"]] == rows, "CSV and JSON agree"
    assert all(list(row) == names for row in document["rows"])
    return rows, document


def test_the_service_catalogue_agrees_in_csv_and_json_and_with_the_catalogue(
    client: Client, city: dict[str, Any]
) -> None:
    rows, document = _both(client, "service-catalogue")
    by_code = {row["code"]: row for row in document["rows"]}
    assert set(by_code) == {"work-permit", "birth-record"}
    first: ServiceVersion = city["first"]
    work = by_code["work-permit"]
    assert work["name_zh"] == first.name_zh and work["name_en"] == first.name_en
    assert work["agency_code"] == first.item.agency.code and work["agency_zh"] == first.item.agency.name_zh
    assert work["for_firms"] is True and work["for_individuals"] is False
    assert work["statutory_limit_workdays"] == 10 and work["promised_limit_workdays"] == 5
    assert work["fully_online"] is first.fully_online and work["fee_amount_fen"] == 0
    assert work["in_person_centres"] == "east;hub", "its agency's window and the comprehensive one"
    assert by_code["birth-record"]["in_person_centres"] == "hub"
    assert by_code["birth-record"]["for_individuals"] is True
    meta = document["metadata"]
    assert meta["id"] == "service-catalogue"
    assert meta["title"] == {"zh-Hans": "政务服务事项目录", "en": "Catalogue of government services"}
    assert meta["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert meta["update_frequency"]["code"] == "UPDATE_CONT"
    assert all(set(field["description"]) == {"zh-Hans", "en"} for field in document["fields"])
    types = {field["name"]: field["type"] for field in document["fields"]}
    assert types["fully_online"] == "boolean" and types["fee_amount_fen"] == "integer"
    assert next(row for row in rows if row["code"] == "work-permit")["for_firms"] == "true"


def test_an_online_only_service_has_no_centre(client: Client, city: dict[str, Any]) -> None:
    ServiceVersion.objects.filter(pk=city["second"].pk).update(channel="online")
    cache.clear()  # the change was made behind the services' backs, so the revision cannot know it
    _rows, document = _both(client, "service-catalogue")
    assert {row["code"]: row["in_person_centres"] for row in document["rows"]}["birth-record"] == ""


def test_the_centres_with_their_week_and_the_windows(client: Client, city: dict[str, Any]) -> None:
    _rows, document = _both(client, "service-centres")
    centres = {row["code"]: row for row in document["rows"]}
    assert set(centres) == set(ServiceCentre.objects.values_list("code", flat=True))
    hub = centres["hub"]
    assert hub["name_zh"] == "市民中心" and hub["name_en"] == "Citizen Centre"
    assert hub["hours_monday"] == "09:00-12:00;13:30-17:00"
    assert hub["hours_friday"] == "09:00-12:00" and hub["hours_saturday"] == hub["hours_sunday"] == ""
    assert hub["windows"] == 1 and hub["comprehensive_windows"] == 1
    assert centres["quiet"]["windows"] == 0
    _rows, document = _both(client, "service-centre-windows")
    windows = {(row["centre_code"], row["number"]): row for row in document["rows"]}
    assert windows[("hub", "1")]["scope"] == "comprehensive" and windows[("hub", "1")]["label_zh"] == "综合窗口"
    assert windows[("east", "7")]["agencies"] == city["first"].item.agency.code
    assert windows[("east", "7")]["services"] == ""


def test_the_files_are_the_same_in_both_languages(client: Client, city: dict[str, Any]) -> None:
    for dataset_id in ("service-catalogue", "service-centres"):
        for fmt in ("csv", "json"):
            zh = client.get(f"/zh/open-data/{dataset_id}.{fmt}")
            en = client.get(f"/en/open-data/{dataset_id}.{fmt}")
            assert zh.content == en.content and zh["ETag"] == en["ETag"]


def test_a_file_is_made_once_per_revision_and_answered_304_while_it_holds(client: Client, city: dict[str, Any]) -> None:
    first = client.get("/zh/open-data/service-centres.json")
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, max-age=300"
    with CaptureQueriesContext(connection) as again:
        second = client.get("/zh/open-data/service-centres.json")
    assert second.content == first.content
    # only the revision's indexed look-ups: no row is read again
    assert all('"identity_servicecentre"."name_zh"' not in q["sql"] for q in again.captured_queries)
    assert all('"service_centres_openinghours"."start"' not in q["sql"] for q in again.captured_queries)
    assert len(again.captured_queries) <= 7
    unchanged = client.get("/zh/open-data/service-centres.json", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag
    # the operator closes Monday afternoon: a new revision, a new file
    opening_hours_replace(centre=city["hub"], rows=WEEK[:-1], editor=city["editor"], actor=ACTOR)
    changed = client.get("/zh/open-data/service-centres.json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    hub = next(row for row in json.loads(changed.content)["rows"] if row["code"] == "hub")
    assert hub["hours_monday"] == "09:00-12:00"


def test_a_new_window_or_a_new_service_changes_the_catalogue_s_revision(client: Client, city: dict[str, Any]) -> None:
    etag = client.get("/en/open-data/service-catalogue.csv")["ETag"]
    window_save(
        centre=city["east"],
        number="8",
        scope="services",
        services=[city["second"].item],
        editor=city["editor"],
        actor=ACTOR,
    )
    after_window = client.get("/en/open-data/service-catalogue.csv", HTTP_IF_NONE_MATCH=etag)
    assert after_window.status_code == 200
    row = next(r for r in _csv(after_window.content) if r["code"] == "birth-record")
    assert row["in_person_centres"] == "east;hub"
    make_service(code="new-one", agency=city["first"].item.agency)
    after_service = client.get("/en/open-data/service-catalogue.csv", HTTP_IF_NONE_MATCH=after_window["ETag"])
    assert after_service.status_code == 200
    assert "new-one" in {r["code"] for r in _csv(after_service.content)}


def test_an_unknown_dataset_is_not_found_and_a_post_refused(client: Client) -> None:
    assert client.get("/zh/open-data/nothing-here.csv").status_code == 404
    assert client.get("/zh/open-data/service-catalogue.xml").status_code == 404
    assert client.post("/zh/open-data/service-catalogue.csv").status_code == 405


def test_a_large_dataset_is_written_in_chunks_that_parse_whole() -> None:
    big = Dataset(
        id="big-one",
        title_zh="大",
        title_en="Big",
        description_zh="大",
        description_en="Big",
        frequency=Frequency.DAILY,
        fields=(Field("n", "integer", "数", "Number"), Field("label", "string", "名", "Label")),
        revision=lambda: "1",
        rows=lambda: ({"n": n, "label": f'第{n}行, "quoted"\n'} for n in range(files.CHUNK_ROWS * 2 + 3)),
        large=True,
    )
    json_parts = list(files.chunks(big, "json", "1"))
    csv_parts = list(files.chunks(big, "csv", "1"))
    assert len(json_parts) == len(csv_parts) == 3
    document = json.loads(b"".join(json_parts))
    rows = _csv(b"".join(csv_parts))
    assert len(document["rows"]) == len(rows) == files.CHUNK_ROWS * 2 + 3
    assert [{k: _cell(v) for k, v in row.items()} for row in document["rows"]] == rows


def test_the_registry_refuses_a_bad_id_a_repeated_field_and_a_second_dataset_of_one_id() -> None:
    kwargs: dict[str, Any] = {
        "title_zh": "x",
        "title_en": "x",
        "description_zh": "x",
        "description_en": "x",
        "frequency": Frequency.DAILY,
        "revision": lambda: "1",
        "rows": list,
    }
    with pytest.raises(ValueError, match="lower-case"):
        Dataset(id="Bad Id", fields=(), **kwargs)
    with pytest.raises(ValueError, match="twice"):
        Dataset(id="twice", fields=(Field("a", "string", "", ""), Field("a", "string", "", "")), **kwargs)
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(Dataset(id="service-catalogue", fields=(), **kwargs))
    assert [d.id for d in registry.datasets()][:3] == ["service-catalogue", "service-centres", "service-centre-windows"]


# --- DCAT-AP ------------------------------------------------------------------------------------


def _texts(values: list[dict[str, str]]) -> dict[str, str]:
    return {value["@language"]: value["@value"] for value in values}


def test_the_dcat_catalogue_has_what_a_harvester_needs(client: Client, city: dict[str, Any]) -> None:
    response = client.get("/open-data/catalog.jsonld")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    document = json.loads(response.content)
    context = document["@context"]
    assert context["dcat"] == "http://www.w3.org/ns/dcat#" and context["dct"] == "http://purl.org/dc/terms/"
    assert document["@type"] == "dcat:Catalog" and document["@id"] == "http://testserver/open-data/catalog.jsonld"
    assert set(_texts(document["dct:title"])) == {"zh-Hans", "en"}
    assert document["dct:publisher"]["@type"] == "foaf:Agent"
    datasets = {entry["dct:identifier"]: entry for entry in document["dcat:dataset"]}
    assert set(datasets) == {d.id for d in registry.datasets()}
    catalogue = datasets["service-catalogue"]
    assert catalogue["@type"] == "dcat:Dataset" and catalogue["@id"].startswith("http://testserver/zh/open-data/")
    assert _texts(catalogue["dct:title"]) == {"zh-Hans": "政务服务事项目录", "en": "Catalogue of government services"}
    assert set(_texts(catalogue["dct:description"])) == {"zh-Hans", "en"}
    assert catalogue["dct:license"] == {"@id": "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"}
    assert catalogue["dct:accrualPeriodicity"] == {
        "@id": "http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT"
    }
    formats = {}
    for distribution in catalogue["dcat:distribution"]:
        assert distribution["@type"] == "dcat:Distribution"
        assert distribution["dcat:accessURL"] == distribution["dcat:downloadURL"]
        assert distribution["dct:license"] == catalogue["dct:license"]
        formats[distribution["dct:format"]["@id"].rsplit("/", 1)[1]] = distribution
    assert set(formats) == {"CSV", "JSON"}
    assert formats["CSV"]["dcat:mediaType"] == {"@id": "http://www.iana.org/assignments/media-types/text/csv"}
    # every download link answers, and with the file the page offers
    for fmt, distribution in formats.items():
        url = distribution["dcat:downloadURL"]["@id"]
        assert url == f"http://testserver/zh/open-data/service-catalogue.{fmt.lower()}"
        assert client.get(url.removeprefix("http://testserver")).status_code == 200
    again = client.get("/open-data/catalog.jsonld", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


# --- The page -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "title"),
    [("zh", "开放数据", "政务服务事项目录"), ("en", "Open data", "Catalogue of government services")],
)
def test_the_page_lists_every_dataset_with_its_metadata_and_links(
    client: Client, language: str, heading: str, title: str
) -> None:
    response = client.get(f"/{language}/open-data/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page and title in page
    for dataset in registry.datasets():
        assert f'href="/{language}/open-data/{dataset.id}.csv"' in page
        assert f'href="/{language}/open-data/{dataset.id}.json"' in page
    assert 'href="/open-data/catalog.jsonld"' in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page
    assert "<code>in_person_centres</code>" in page
    assert ("随时更新" if language == "zh" else "Updated continuously") in page
    assert f'<a href="/{language}/open-data/">{heading}</a>' in page, "linked from the footer"


def test_the_sitemap_lists_the_page_in_both_languages(client: Client) -> None:
    xml = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/zh/open-data/" in xml and "http://testserver/en/open-data/" in xml
