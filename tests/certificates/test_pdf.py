"""The printable certificate: one bilingual A4 page whose text, metadata and QR code can be read back.

No database. The PDF is read back the way a person or a phone would: poppler's ``pdftotext`` for
the text layer, ``pdftoppm`` to rasterise the page at 150 dpi, and zxing-cpp to decode the QR code
from those pixels. ``make test`` installs poppler-utils (scripts/system-deps.sh test).
"""

from __future__ import annotations

import base64
import dataclasses
import io
import re
import shutil
import socket
import subprocess
from datetime import date
from pathlib import Path

import pytest
import segno
import zxingcpp
from django.conf import settings
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import FatalURLFetchingError  # type: ignore[import-untyped]

from tongban.certificates.pdf import (
    CertificateDocument,
    PdfField,
    offline_url_fetcher,
    qr_svg,
    render_html,
    render_pdf,
)

VERIFY_URL = "https://services.tongban.example.cn/verify/TB-WP-2025-000123"

WORK_PERMIT = CertificateDocument(
    number="TB-WP-2025-000123",
    type_zh="外国人来华工作许可",
    type_en="Foreigner's Work Permit",
    holder_zh="约翰·史密斯",
    holder_en="John SMITH",
    agency_zh="通办市科学技术局",
    agency_en="Tongban Municipal Bureau of Science and Technology",
    issued_on=date(2025, 3, 1),
    valid_from=date(2025, 3, 1),
    valid_until=date(2027, 2, 28),
    fields=(
        PdfField("类别", "Category", "A类"),
        PdfField("国籍", "Nationality", "英国 United Kingdom"),
        PdfField("护照号码", "Passport number", "123456789"),
        PdfField("工作单位", "Employer", "通办市未来科技有限公司"),
        PdfField("职位", "Position", "首席科学家 Chief Scientist"),
    ),
    verify_url=VERIFY_URL,
)
REVOKED = dataclasses.replace(WORK_PERMIT, status_note_zh="已撤销", status_note_en="REVOKED")
NO_EXPIRY = dataclasses.replace(
    WORK_PERMIT,
    number="TB-RP-2025-000007",
    type_zh="永久居留身份证明",
    type_en="Permanent Residence Certificate",
    holder_zh="Maria GARCIA",  # no Chinese name: the Latin name is printed, once
    holder_en="Maria GARCIA",
    valid_until=None,
    fields=(PdfField("类别", "Category", "长期"),),
    verify_url="https://services.tongban.example.cn/verify/TB-RP-2025-000007",
)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"`{name}` is missing: these tests read the PDF back with poppler-utils. "
            "`make test` installs it (scripts/system-deps.sh test); or run: apt-get install -y poppler-utils"
        )
    return path


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        [_tool("pdftotext"), "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode("utf-8")


def _rasterise(pdf: bytes, tmp_path: Path, dpi: int = 150) -> Image.Image:
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    prefix = tmp_path / "page"
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", str(dpi), "-singlefile", str(source), str(prefix)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return Image.open(prefix.with_suffix(".png")).convert("RGB")


@pytest.fixture(scope="module")
def work_permit_pdf() -> bytes:
    return render_pdf(WORK_PERMIT)


@pytest.fixture(scope="module")
def work_permit_text(work_permit_pdf: bytes, tmp_path_factory: pytest.TempPathFactory) -> str:
    return _pdftotext(work_permit_pdf, tmp_path_factory.mktemp("text"))


def test_one_a4_page_titled_with_type_and_number_in_chinese(work_permit_pdf: bytes) -> None:
    assert work_permit_pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(work_permit_pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert reader.metadata is not None
    assert reader.metadata.title == "外国人来华工作许可 Foreigner's Work Permit TB-WP-2025-000123"
    assert reader.root_object["/Lang"] == "zh-Hans"
    assert "/StructTreeRoot" in reader.root_object  # tagged, for screen readers


def test_every_part_is_real_text_in_both_languages(work_permit_text: str) -> None:
    lines = [line.strip() for line in work_permit_text.splitlines()]
    assert VERIFY_URL in lines, "the verification URL must be printed whole, on a line of its own"
    text = " ".join(work_permit_text.split())  # values may wrap in their table cells
    for expected in (
        settings.CITY_NAME_ZH,
        settings.CITY_NAME_EN,
        "外国人来华工作许可",
        "Foreigner's Work Permit",
        "TB-WP-2025-000123",
        "约翰·史密斯",
        "John SMITH",
        "通办市科学技术局",
        "Tongban Municipal Bureau of Science and Technology",
        "类别",
        "Category",
        "A类",
        "通办市未来科技有限公司",
        "2025年3月1日",
        "2027年2月28日",
        "1 March 2025",
        "28 February 2027",
        "Verify at:",
        "扫码或访问以上网址核验",
    ):
        assert expected in text, f"{expected!r} missing from the PDF's text"
    assert "长期有效" not in text
    assert "已撤销" not in text


def test_qr_code_on_the_printed_page_encodes_exactly_the_verify_url(work_permit_pdf: bytes, tmp_path: Path) -> None:
    page = _rasterise(work_permit_pdf, tmp_path, dpi=150)
    codes = zxingcpp.read_barcodes(page)
    assert [(code.format, code.text) for code in codes] == [(zxingcpp.BarcodeFormat.QRCode, VERIFY_URL)]
    assert codes[0].ec_level == "M"


def test_qr_svg_is_the_segno_code_for_the_url_and_is_what_the_page_embeds() -> None:
    code = segno.make(VERIFY_URL, error="m", boost_error=False, micro=False)
    png = io.BytesIO()
    code.save(png, kind="png", scale=8)
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.getvalue())))
    assert [(barcode.text, barcode.ec_level) for barcode in decoded] == [(VERIFY_URL, "M")]

    svg = qr_svg(VERIFY_URL)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'viewBox="0 0 ' in svg  # scales to the size the page gives it
    expected = io.BytesIO()
    code.save(expected, kind="svg", xmldecl=False, svgclass=None, lineclass=None, omitsize=True, nl=False)
    assert svg == expected.getvalue().decode()

    html = render_html(WORK_PERMIT)
    embedded = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    assert [base64.b64decode(data).decode() for data in embedded] == [svg]


def test_revoked_note_is_printed_prominently(tmp_path: Path) -> None:
    pdf = render_pdf(REVOKED)
    text = _pdftotext(pdf, tmp_path)
    assert "已撤销" in text
    assert "REVOKED" in text
    assert VERIFY_URL in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert 'role="alert"' in render_html(REVOKED)


def test_no_expiry_and_a_latin_only_name(tmp_path: Path) -> None:
    text = _pdftotext(render_pdf(NO_EXPIRY), tmp_path)
    assert "长期有效" in text
    assert "no expiry" in text
    assert "2027" not in text
    assert text.count("Maria GARCIA") == 1
    assert NO_EXPIRY.verify_url in text.splitlines()


def test_values_are_printed_as_text_never_as_markup(tmp_path: Path) -> None:
    hostile = dataclasses.replace(
        WORK_PERMIT,
        fields=(PdfField("备注", "Remarks", '<img src="http://127.0.0.1:9/x.png"> & <b>bold</b>'),),
    )
    html = render_html(hostile)
    assert '<img src="http://' not in html
    text = _pdftotext(render_pdf(hostile), tmp_path)
    assert '<img src="http://127.0.0.1:9/x.png"> & <b>bold</b>' in text


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_rendering_fetches_nothing_from_the_network_or_disk(scheme: str) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        url = f"http://127.0.0.1:{port}/logo.png" if scheme == "http" else "file:///etc/hostname"
        html = HTML(string=f'<p>x</p><img src="{url}" alt="">', url_fetcher=offline_url_fetcher())
        with pytest.raises(FatalURLFetchingError):
            html.write_pdf()
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
