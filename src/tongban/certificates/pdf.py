"""Render an electronic certificate (电子证照) as a one-page, bilingual A4 PDF.

The page is HTML (``certificates/pdf.html``) laid out by weasyprint: Chinese first, then English,
every field as real text, and a QR code that encodes exactly the certificate's verification URL,
with that URL printed under it. Rendering is offline: the QR code is embedded as a data URI and
the URL fetcher refuses anything else, so a certificate never makes weasyprint touch the network
or the file system. Chinese glyphs come from Debian's fonts-noto-cjk ("Noto Sans CJK SC"), which
``scripts/system-deps.sh`` installs.

This module only draws what it is given: the caller (issuing, the wallet, the verify page) builds
a :class:`CertificateDocument` from the certificate and decides what status note to print.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from PIL import ImageFile

# weasyprint ships no type information.
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

# weasyprint switches Pillow to accept truncated images for the whole process when it is imported.
# Certificates embed no raster images, and uploaded materials must be refused when truncated
# (tongban.forms.uploads), so put Pillow's default back.
ImageFile.LOAD_TRUNCATED_IMAGES = False

__all__ = ["CertificateDocument", "PdfField", "offline_url_fetcher", "qr_svg", "render_html", "render_pdf"]

TEMPLATE = "certificates/pdf.html"

# weasyprint's accessible profile: a tagged PDF (structure tree, reading order, table headers,
# alternative text), with the title shown instead of the file name, and XMP metadata.
PDF_VARIANT = "pdf/ua-1"

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class PdfField:
    """One row of the certificate's own data (类别 / Category: A类), labelled in both languages."""

    label_zh: str
    label_en: str
    value: str
    value_en: str = ""  # printed under the value when it differs (a country's, a firm's English name)


@dataclass(frozen=True)
class CertificateDocument:
    """Everything printed on a certificate, already resolved to display strings and dates."""

    number: str
    type_zh: str
    type_en: str
    holder_zh: str  # the holder's name as it should appear (Chinese name, or the Latin name)
    holder_en: str
    agency_zh: str
    agency_en: str
    issued_on: date
    valid_from: date
    valid_until: date | None
    fields: tuple[PdfField, ...]
    verify_url: str  # absolute: <PUBLIC_BASE_URL>/verify/<number>
    status_note_zh: str = ""  # e.g. "已撤销", printed prominently if the certificate was revoked
    status_note_en: str = ""


def qr_svg(url: str) -> str:
    """The QR code (error correction M, never a Micro QR) encoding exactly ``url``, as a standalone
    SVG document with a namespace and a viewBox, so it scales to any size as an ``<img>``."""
    code = segno.make(url, error="m", boost_error=False, micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", xmldecl=False, svgclass=None, lineclass=None, omitsize=True, nl=False)
    return buffer.getvalue().decode("utf-8")


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _date_en(day: date) -> str:
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def _context(document: CertificateDocument) -> dict[str, Any]:
    until = document.valid_until
    return {
        "doc": document,
        "city_zh": settings.CITY_NAME_ZH,
        "city_en": settings.CITY_NAME_EN,
        "pdf_title": f"{document.type_zh} {document.type_en} {document.number}",
        "issued_zh": _date_zh(document.issued_on),
        "issued_en": _date_en(document.issued_on),
        "issued_iso": document.issued_on.isoformat(),
        # The template words the validity: "<from> 至 <until>", or "<from>起 长期有效" with no end.
        "valid_from_zh": _date_zh(document.valid_from),
        "valid_from_en": _date_en(document.valid_from),
        "valid_until_zh": _date_zh(until) if until else "",
        "valid_until_en": _date_en(until) if until else "",
        "holder_same": document.holder_zh == document.holder_en,
        "agency_same": document.agency_zh == document.agency_en,
        "revoked": bool(document.status_note_zh or document.status_note_en),
        "qr_src": _svg_data_uri(qr_svg(document.verify_url)),
    }


def render_html(document: CertificateDocument) -> str:
    """The certificate page as HTML: what :func:`render_pdf` lays out (also handy for previews)."""
    return render_to_string(TEMPLATE, _context(document))


def offline_url_fetcher() -> Any:
    """A weasyprint URL fetcher that serves ``data:`` URIs only and makes any other request
    (http, https, ftp, file) fail the rendering, rather than silently leaving a hole in the page."""
    return URLFetcher(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=True, timeout=1)


def render_pdf(document: CertificateDocument) -> bytes:
    """The certificate as PDF bytes: A4 portrait, tagged (PDF/UA-1), titled ``<type> <number>``,
    language zh-Hans, rendered without any network or file access."""
    html = HTML(string=render_html(document), base_url=None, url_fetcher=offline_url_fetcher())
    pdf: bytes = html.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf
