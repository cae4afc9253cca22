"""PDFs with active content are refused (ADR 0027): scripts, launch actions, automatic actions,
embedded files, rich media and XFA, also when the name is written with ``#xx`` escapes or hidden in
a compressed object stream; a plain PDF, and one whose open action only shows a page, pass."""

from __future__ import annotations

import io
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from tongban.forms.uploads import UploadRejected, active_pdf_names, inspect_upload


def _pdf(extra: dict[str, object] | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    for key, value in (extra or {}).items():
        writer._root_object[NameObject(key)] = value
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _js_action() -> DictionaryObject:
    return DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )


def _pdf_with_js_in_an_object_stream() -> bytes:
    """A PDF 1.5 whose open action (a script) is compressed in an object stream, with an xref stream."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def obj(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    obj(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>")
    obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>")
    header, body = b"4 0 ", b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    packed = zlib.compress(header + body)
    obj(
        5,
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (len(header), len(packed))
        + packed
        + b"\nendstream",
    )
    rows = [b"\x00" + (0).to_bytes(4, "big") + b"\xff\xff"]
    rows += [b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00\x00" for n in (1, 2, 3)]
    rows += [b"\x02" + (5).to_bytes(4, "big") + b"\x00\x00"]
    rows += [b"\x01" + offsets[5].to_bytes(4, "big") + b"\x00\x00"]
    xref_at = len(out)
    rows += [b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"]
    table = b"".join(rows)
    out.extend(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
        + table
        + b"\nendstream\nendobj\n"
    )
    out.extend(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return bytes(out)


def _check(data: bytes) -> None:
    inspect_upload(io.BytesIO(data))


def test_a_plain_pdf_and_a_page_open_action_pass() -> None:
    _check(_pdf())
    _check(_pdf({"/OpenAction": ArrayObject([NumberObject(0), NameObject("/Fit")])}))


@pytest.mark.parametrize(
    "extra",
    [
        {"/OpenAction": _js_action()},
        {"/OpenAction": DictionaryObject({NameObject("/S"): NameObject("/Launch")})},
        {"/AA": DictionaryObject({NameObject("/WC"): _js_action()})},
        {"/AcroForm": DictionaryObject({NameObject("/XFA"): TextStringObject("<xdp/>")})},
        {"/Names": DictionaryObject({NameObject("/EmbeddedFiles"): DictionaryObject()})},
    ],
)
def test_active_content_is_refused_with_a_clear_message(extra: dict[str, object]) -> None:
    with pytest.raises(UploadRejected) as refused:
        _check(_pdf(extra))
    assert refused.value.code == "active_content"
    assert "Print to PDF" in str(refused.value.message)


def test_names_written_with_hex_escapes_are_decoded() -> None:
    data = _pdf({"/OpenAction": _js_action()}).replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    assert active_pdf_names(data) == {b"JavaScript", b"JS"}
    with pytest.raises(UploadRejected) as refused:
        _check(data)
    assert refused.value.code == "active_content"
    assert active_pdf_names(b"/JSON /AAA /Launcher /EmbeddedFilesX") == set()


def test_a_script_hidden_in_a_compressed_object_stream_is_found() -> None:
    data = _pdf_with_js_in_an_object_stream()
    assert active_pdf_names(data) == set()  # invisible to a plain byte search
    with pytest.raises(UploadRejected) as refused:
        _check(data)
    assert refused.value.code == "active_content"
