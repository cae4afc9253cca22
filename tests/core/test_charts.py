"""Charts drawn on the server (tongban.core.charts, ADR 0044): well-formed SVG with nothing that
runs or fetches, the same bytes for the same data, Chinese labels kept as text, colours with
enough contrast, and the serving view's cache headers and 304."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from tongban.core.charts import (
    BACKGROUND,
    PALETTE,
    SVG_POLICY,
    Series,
    bar_chart,
    chart_response,
    chart_view,
    line_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"

LABELS = ["一月", "二月", "三月"]
SERIES = [Series("办件量", [12, 30, None]), Series("全程网办", [5, 21, 9])]


def _charts() -> list[bytes]:
    return [
        bar_chart(labels=LABELS, series=SERIES, title="办件量 <按月>", lang="zh-hans", value_label="件"),
        line_chart(labels=LABELS, series=SERIES, title="Cases by month", lang="en"),
        bar_chart(labels=[f"M{n}" for n in range(12)], series=[Series("n", list(range(12)))], title="one", lang="en"),
    ]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_chart_is_well_formed_svg_that_runs_and_fetches_nothing(index: int) -> None:
    body = _charts()[index]
    root = ET.fromstring(body)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title") is not None
    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject", f"{SVG}image")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
        href = element.attrib.get(XLINK) or element.attrib.get("href")
        assert href is None or href.startswith("#"), "only references inside the file"
    text = body.decode()
    assert "http://" not in text.replace("http://www.w3.org/", "")
    assert "https://" not in text
    assert "<!DOCTYPE" not in text


def test_the_same_data_gives_the_same_bytes_and_other_data_others() -> None:
    assert _charts() == _charts()
    other = bar_chart(labels=LABELS, series=[Series("办件量", [12, 31, None])], title="办件量 <按月>", lang="zh-hans")
    assert other != _charts()[0]


def test_chinese_labels_title_and_legend_are_text_not_outlines() -> None:
    root = ET.fromstring(_charts()[0])
    texts = {"".join(element.itertext()) for element in root.iter(f"{SVG}text")}
    assert {"一月", "二月", "三月", "办件量", "全程网办", "件"} <= texts
    assert "办件量 <按月>" in texts, "the title, escaped in the file and whole when read"
    assert root.find(f"{SVG}title").text == "办件量 <按月>"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-hans"
    assert any("Noto Sans CJK SC" in (element.get("font-family") or "") for element in root.iter(f"{SVG}text"))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_series_colour_has_3_to_1_contrast_against_the_background() -> None:
    assert all(_contrast(colour, BACKGROUND) >= 3 for colour in PALETTE)
    used = set(re.findall(r'fill="(#[0-9a-f]{6})"', _charts()[0].decode()))
    assert {PALETTE[0], PALETTE[1]} <= used


def test_the_view_serves_svg_under_a_strict_policy_with_an_etag_and_304() -> None:
    cache.clear()
    made: list[int] = []

    def render() -> bytes:
        made.append(1)
        return _charts()[0]

    view = chart_view(lambda request: (f"cases:{request.GET.get('agency', '')}", "rev-7", render))
    factory = RequestFactory()
    first = view(factory.get("/charts/cases.svg"))
    assert first.status_code == 200
    assert first["Content-Type"] == "image/svg+xml"
    assert first["Content-Security-Policy"] == SVG_POLICY
    assert "script-src 'none'" in SVG_POLICY and "sandbox" in SVG_POLICY
    assert first["Cache-Control"].startswith("public")
    assert first.content == _charts()[0]
    again = view(factory.get("/charts/cases.svg"))
    assert again.content == first.content and made == [1], "made once per revision"
    unchanged = view(factory.get("/charts/cases.svg", HTTP_IF_NONE_MATCH=first["ETag"]))
    assert unchanged.status_code == 304 and not unchanged.content
    filtered = view(factory.get("/charts/cases.svg?agency=hr", HTTP_IF_NONE_MATCH=first["ETag"]))
    assert filtered.status_code == 200 and filtered["ETag"] != first["ETag"]
    assert view(factory.post("/charts/cases.svg")).status_code == 405


def test_a_series_must_have_one_value_per_label() -> None:
    with pytest.raises(ValueError, match="one value per label"):
        bar_chart(labels=LABELS, series=[Series("x", [1])], title="t", lang="en")


def test_a_new_revision_makes_a_new_chart() -> None:
    cache.clear()
    factory = RequestFactory()
    old = chart_response(factory.get("/c.svg"), key="k", revision="1", render=lambda: b"<svg/>")
    new = chart_response(
        factory.get("/c.svg", HTTP_IF_NONE_MATCH=old["ETag"]), key="k", revision="2", render=lambda: b"<svg></svg>"
    )
    assert new.status_code == 200 and new.content == b"<svg></svg>" and new["ETag"] != old["ETag"]
