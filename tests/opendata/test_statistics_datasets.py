"""The statistics as open data (issue 17): every statistics dataset's CSV and JSON parse, agree
with each other and with the figures the public statistics page shows; satisfaction rows are
aggregates above the minimum count; a file is made once per catch-up revision and read from the
fact tables only; the DCAT-AP catalogue lists them with bilingual metadata."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.opendata.test_opendata import _both, _texts
from tests.statistics.conftest import small_world
from tests.world import World
from tongban.cases.models import Case
from tongban.core.actors import Actor
from tongban.opendata import registry, statistics_datasets
from tongban.reviews import services as reviews
from tongban.statistics.services import facts_catch_up

pytestmark = pytest.mark.django_db

IDS = [dataset.id for dataset in statistics_datasets.datasets()]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def counted(world: World, settings: Any) -> World:
    """The statistics tests' small world, one good and one bad rating, counted by a catch-up."""
    settings.REVIEW_MIN_PUBLIC_COUNT = 2
    cases = small_world(world)
    actor = Actor.system("tests")
    for case, level in ((cases[0], 5), (cases[5], 1)):
        reviews.review_submit(
            account=world.hr.account,
            target=Case.objects.get(pk=case.pk),
            level=level,
            reasons=[],
            comment="",
            actor=actor,
            now=timezone.now(),
        )
    facts_catch_up(now=timezone.now())
    return world


def _rows(client: Client, dataset_id: str) -> list[dict[str, Any]]:
    _csv_rows, document = _both(client, dataset_id)
    dataset = registry.dataset(dataset_id)
    assert dataset is not None
    assert document["fields"] and all(
        field["description"]["zh-Hans"] and field["description"]["en"] for field in document["fields"]
    )
    assert [field["name"] for field in document["fields"]] == dataset.field_names
    return list(document["rows"])


@pytest.mark.parametrize("dataset_id", IDS)
def test_each_statistics_dataset_parses_and_csv_and_json_agree(client: Client, counted: World, dataset_id: str) -> None:
    rows = _rows(client, dataset_id)
    assert rows, "the small world has figures in every dataset"
    metadata = client.get(f"/en/open-data/{dataset_id}.json").json()["metadata"]
    assert set(metadata["title"]) == set(metadata["description"]) == {"zh-Hans", "en"}
    assert metadata["licence"]["id"] == "CC-BY-4.0" and metadata["update_frequency"]["code"] == "UPDATE_CONT"


def test_the_datasets_agree_with_the_page(client: Client, counted: World) -> None:
    page = client.get("/en/statistics/").content.decode()
    months = _rows(client, "statistics-cases-monthly")
    assert sum(row["submitted"] for row in months) == 6 and sum(row["completed"] for row in months) == 3
    assert f'"figure">{sum(row["submitted"] for row in months)}</span> services delivered' in page
    for row in months:
        assert f'<th scope="row">{row["month"]}</th><td>{row["submitted"]}</td><td>{row["completed"]}</td>' in page
    zero = sum(row["zero_visits"] for row in months)
    assert (zero, round(zero / 3, 4)) == (2, months[-1]["one_stop_rate"])  # one of three needed a visit
    agency = counted.version.item.agency
    (by_agency,) = _rows(client, "statistics-cases-by-agency")
    assert (by_agency["agency_code"], by_agency["agency_en"], by_agency["agency_zh"]) == (
        agency.code,
        agency.name_en,
        agency.name_zh,
    )
    assert (
        f'<th scope="row">{agency.name_en}</th><td>{by_agency["submitted"]}</td><td>{by_agency["completed"]}</td>'
        in page
    )
    for row in _rows(client, "statistics-cases-by-channel"):
        assert f'<th scope="row">{row["channel_en"]}</th><td>{row["submitted"]}</td><td>{row["completed"]}</td>' in page
    for row in _rows(client, "statistics-registrations"):
        assert (
            f'<th scope="row">{row["month"]}</th><td>{row["persons"]}</td>'
            f"<td>{row['verified_persons']}</td><td>{row['firms']}</td>" in page
        )
    (wait,) = _rows(client, "statistics-waiting-times")
    assert (wait["tickets"], wait["p90_minutes"]) == (1, 17)
    assert f'<th scope="row">{wait["centre_en"]}</th><td>1</td><td>17.0</td><td>17</td>' in page
    (month,) = _rows(client, "statistics-satisfaction-monthly")
    assert (month["ratings"], month["satisfied"], month["satisfaction_rate"]) == (2, 1, 0.5)
    assert f'<th scope="row">{month["month"]}</th><td>2</td><td>50.0 %</td>' in page
    assert "2 ratings; satisfaction rate 50.0 %." in page


def test_satisfaction_is_published_as_aggregates_above_the_minimum(
    client: Client, counted: World, settings: Any
) -> None:
    rows = {(row["dimension"], row["code"]): row for row in _rows(client, "statistics-satisfaction")}
    item = counted.version.item
    agency = rows[("agency", item.agency.code)]
    assert (agency["ratings"], agency["satisfied"], agency["satisfaction_rate"]) == (2, 1, 0.5)
    assert agency["rectifications"] == 1, "the bad rating opened a rectification ticket"
    service = rows[("service", item.code)]
    assert service["ratings"] == 2 and service["name_en"] == counted.version.name_en
    assert {dimension for dimension, _code in rows} <= {"agency", "service", "centre"}
    assert "comment" not in json.dumps(list(rows.values()))
    settings.REVIEW_MIN_PUBLIC_COUNT = 3
    cache.clear()
    assert _rows(client, "statistics-satisfaction") == []
    assert _rows(client, "statistics-satisfaction-monthly") == []


def test_a_statistics_file_is_made_per_revision_from_the_facts_only(client: Client, counted: World) -> None:
    url = "/zh/open-data/statistics-cases-monthly.csv"
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "cases_case" not in sql and "reviews_review" not in sql
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    facts_catch_up(now=timezone.now())  # nothing new: the same revision
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    counted.submitted_case()
    facts_catch_up(now=timezone.now())
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    assert b"\r\n" in again.content and again.content != first.content
    lines = again.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[1] == "submitted"
    assert sum(int(line.split(",")[1]) for line in lines[1:]) == 7, "the new case is counted"


def test_the_dcat_catalogue_lists_the_statistics_datasets(client: Client, counted: World) -> None:
    document = json.loads(client.get("/open-data/catalog.jsonld").content)
    entries = {entry["dct:identifier"]: entry for entry in document["dcat:dataset"]}
    for dataset_id in IDS:
        entry = entries[dataset_id]
        assert set(_texts(entry["dct:title"])) == {"zh-Hans", "en"}
        assert set(_texts(entry["dct:description"])) == {"zh-Hans", "en"}
        urls = sorted(d["dcat:downloadURL"]["@id"] for d in entry["dcat:distribution"])
        assert urls == [f"http://testserver/zh/open-data/{dataset_id}.{fmt}" for fmt in ("csv", "json")]
    page = client.get("/en/open-data/").content.decode()
    assert "Government service cases per month, city-wide" in page
