"""Charts drawn by matplotlib on the server as SVG files, served to ``<img>`` (ADR 0044).

A chart is a picture of numbers that a page also shows in a table beside it: the page puts it in
``<img src=... alt=...>``, so no script runs, nothing comes from a CDN and the page's strict
Content-Security-Policy is untouched. matplotlib (maintained, no JavaScript, no network) draws it
with its SVG backend, which is made to give the same bytes for the same data:

* ``svg.hashsalt`` is fixed, so the ids of clip paths and markers are derived from the content
  instead of a random UUID; the ``Date`` and ``Creator`` metadata are dropped;
* ``svg.fonttype = "none"`` keeps every label as ``<text>``: the viewer's own fonts draw the
  Chinese characters (the server only measures them with Noto Sans CJK SC where it is installed),
  no glyph outlines are embedded and screen readers and search can read the labels;
* the ``style="..."`` attributes and the one ``<style>`` block matplotlib writes are rewritten as
  SVG presentation attributes (``fill="#1f5fa8"``), so the file itself needs no inline CSS and can
  be served under a policy that forbids style, script and every fetch (:data:`SVG_POLICY`).

Colours: :data:`PALETTE` has at least 3:1 contrast against the white background (WCAG 1.4.11,
non-text contrast) and stays apart for the common colour-vision deficiencies; text is black.

Serving: :func:`chart_response` answers one chart for a *revision* of its data (the statistics
watermark, say): the bytes are made once per revision and kept in Django's cache (Redis in
production, local memory under ``make run`` and in tests), the ETag is the revision's digest, a
repeated request with ``If-None-Match`` gets 304. :func:`chart_path` makes the URL pattern.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

#: Series colours, each with ≥ 3:1 contrast against white (checked by tests/core/test_charts.py):
#: dark blue, dark orange, green, purple, dark red, teal.
PALETTE = ("#1f5fa8", "#b4490b", "#2e7d32", "#6a3d9a", "#a61b29", "#00695c")
BACKGROUND = "#ffffff"
INK = "#000000"
GRID = "#767676"
#: Fonts the labels ask for, in order; the browser uses the first it has. Chinese first for
#: Chinese charts, so Latin digits in a Chinese chart come from the same family.
FONTS = {
    "zh-hans": [
        "Noto Sans CJK SC",
        "Source Han Sans SC",
        "PingFang SC",
        "Microsoft YaHei",
        "DejaVu Sans",
        "sans-serif",
    ],
    "en": ["DejaVu Sans", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "sans-serif"],
}
#: The policy of a chart's own response: it may do nothing but be drawn.
SVG_POLICY = "default-src 'none'; img-src 'none'; style-src 'none'; script-src 'none'; sandbox"
#: Seconds a browser may reuse a chart before asking again (with its ETag).
MAX_AGE = 300
#: Seconds a made chart stays in the cache; a new revision makes a new key anyway.
CACHE_SECONDS = 60 * 60 * 24

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "tongban-charts",
        "axes.unicode_minus": False,
        "font.family": "sans-serif",
        "font.size": 11,
    }
)
# A family the machine lacks is expected (the list names the fonts of every viewer's system).
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
_STYLE = re.compile(r' style="([^"]*)"')
_STYLE_BLOCK = re.compile(r"\s*<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>")
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*")
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


@dataclass(frozen=True)
class Series:
    """One named row of numbers, one value per label (``None``: no value for that label)."""

    name: str
    values: Sequence[float | None]


def _attributes(match: re.Match[str]) -> str:
    """``style="fill: #fff; stroke-width: 0.8"`` as ``fill="#fff" stroke-width="0.8"``: every
    property matplotlib writes is also an SVG presentation attribute."""
    out = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        if name.strip():
            out.append(f' {name.strip()}="{value.strip()}"')
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _svg(figure: Figure, *, title: str, lang: str) -> bytes:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = _DOCTYPE.sub("", text)
    text = _METADATA.sub("", text)
    text = _STYLE_BLOCK.sub("", text)
    text = _STYLE.sub(_attributes, text)
    # the root: what the <style> block said, the language, a role and a title for screen readers
    text = text.replace(
        "<svg ",
        f'<svg role="img" xml:lang="{_escape(lang)}" stroke-linejoin="round" stroke-linecap="butt" ',
        1,
    )
    head = text.index(">", text.index("<svg ")) + 1
    text = f"{text[:head]}\n <title>{_escape(title)}</title>{text[head:]}"
    return text.encode("utf-8")


def _check(labels: Sequence[str], series: Sequence[Series]) -> None:
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(f"series {one.name!r}: one value per label ({len(labels)}), not {len(one.values)}")


def _figure(*, title: str, lang: str, value_label: str) -> tuple[Figure, object]:
    figure = Figure(figsize=(7.2, 3.6), facecolor=BACKGROUND, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title, color=INK, fontfamily=FONTS.get(lang, FONTS["en"]))
    if value_label:
        axes.set_ylabel(value_label, color=INK, fontfamily=FONTS.get(lang, FONTS["en"]))
    axes.set_facecolor(BACKGROUND)
    axes.grid(axis="y", color=GRID, linewidth=0.5)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=INK)
    return figure, axes


def _labels(axes: object, labels: Sequence[str], lang: str) -> None:
    for text in [*axes.get_xticklabels(), *axes.get_yticklabels()]:  # type: ignore[attr-defined]
        text.set_fontfamily(FONTS.get(lang, FONTS["en"]))
    if len(labels) > 8:
        axes.tick_params(axis="x", labelrotation=45)  # type: ignore[attr-defined]


def _legend(axes: object, series: Sequence[Series], lang: str) -> None:
    if len(series) > 1:
        axes.legend(frameon=False, prop={"family": FONTS.get(lang, FONTS["en"])})  # type: ignore[attr-defined]


def bar_chart(
    *, labels: Sequence[str], series: Sequence[Series], title: str, lang: str, value_label: str = ""
) -> bytes:
    """Bars, grouped by label, one colour per series; the SVG file's bytes."""
    _check(labels, series)
    figure, axes = _figure(title=title, lang=lang, value_label=value_label)
    count = max(len(series), 1)
    width = 0.8 / count
    positions = range(len(labels))
    for index, one in enumerate(series):
        offset = (index - (count - 1) / 2) * width
        values = [0.0 if value is None else float(value) for value in one.values]
        axes.bar(  # type: ignore[attr-defined]
            [p + offset for p in positions], values, width, label=one.name, color=PALETTE[index % len(PALETTE)]
        )
    axes.set_xticks(list(positions), list(labels))  # type: ignore[attr-defined]
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # type: ignore[attr-defined]
    _labels(axes, labels, lang)
    _legend(axes, series, lang)
    return _svg(figure, title=title, lang=lang)


def line_chart(
    *, labels: Sequence[str], series: Sequence[Series], title: str, lang: str, value_label: str = ""
) -> bytes:
    """Lines over the labels (months, say), one colour and marker per series; gaps where a value
    is ``None``."""
    _check(labels, series)
    figure, axes = _figure(title=title, lang=lang, value_label=value_label)
    markers = ("o", "s", "^", "D", "v", "P")
    positions = list(range(len(labels)))
    for index, one in enumerate(series):
        values = [float("nan") if value is None else float(value) for value in one.values]
        axes.plot(  # type: ignore[attr-defined]
            positions,
            values,
            label=one.name,
            color=PALETTE[index % len(PALETTE)],
            marker=markers[index % len(markers)],
            linewidth=2,
        )
    axes.set_xticks(positions, list(labels))  # type: ignore[attr-defined]
    _labels(axes, labels, lang)
    _legend(axes, series, lang)
    return _svg(figure, title=title, lang=lang)


# --- Serving ----------------------------------------------------------------------------------


def chart_etag(key: str, revision: str) -> str:
    """The strong ETag of one chart at one revision of its data."""
    return '"' + hashlib.sha256(f"{key}\x00{revision}".encode()).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    return any(tag.strip().removeprefix("W/") in (etag, "*") for tag in header.split(",")) if header else False


def chart_response(request: HttpRequest, *, key: str, revision: str, render: Callable[[], bytes]) -> HttpResponse:
    """Answer the chart ``key`` (all that tells this chart from another: its name, language and
    filters) at ``revision`` of its data: 304 if the browser has it, else the SVG bytes, made by
    ``render`` only if the cache does not hold them yet."""
    etag = chart_etag(key, revision)
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponse(status=304)
    else:
        cache_key = "chart:" + etag.strip('"')
        body = cache.get(cache_key)
        if body is None:
            body = render()
            cache.set(cache_key, body, CACHE_SECONDS)
        response = HttpResponse(body, content_type="image/svg+xml")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Content-Security-Policy"] = SVG_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response


#: What a chart view is made of: given the request (its language and filters), the chart's key,
#: the revision of its data and how to draw it.
ChartSource = Callable[[HttpRequest], tuple[str, str, Callable[[], bytes]]]


def chart_view(source: ChartSource) -> Callable[..., HttpResponse]:
    """A GET view serving the chart ``source`` describes."""

    @require_safe
    def view(request: HttpRequest, **kwargs: object) -> HttpResponse:
        key, revision, render = source(request)
        return chart_response(request, key=key, revision=revision, render=render)

    return view


def chart_path(route: str, source: ChartSource, *, name: str) -> URLPattern:
    """The URL pattern of one chart, e.g. ``chart_path("charts/cases.svg", cases_chart, name=...)``."""
    return path(route, chart_view(source), name=name)
