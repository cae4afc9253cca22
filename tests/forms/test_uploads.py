"""Uploaded materials are checked by content: real PDFs, JPEGs and PNGs pass, everything else is refused.

No database: the files are built in memory with Pillow and pypdf, the way a scanner or phone would.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import struct
import warnings
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.functional import Promise
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter

from tongban.core.errors import DomainError
from tongban.forms.uploads import (
    DEFAULT_MAX_BYTES,
    MAX_IMAGE_PIXELS,
    UploadCheck,
    UploadRejected,
    for_storage,
    inspect_upload,
    storage_name,
)

# --- files as scanners and phones make them ------------------------------------------------------


def make_png(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 1 if mode == "1" else (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def make_jpeg(size: tuple[int, int] = (320, 240)) -> bytes:
    out = io.BytesIO()
    image = Image.linear_gradient("L").resize(size).convert("RGB")  # some detail, so the scan data is not trivial
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def make_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_encrypted_pdf(*, user_password: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("scan.pdf", make_pdf())
    return out.getvalue()


def with_jpeg_dimensions(data: bytes, *, width: int, height: int) -> bytes:
    """The same JPEG with the frame header (SOF0) claiming other dimensions."""
    sof = data.index(b"\xff\xc0")
    return data[: sof + 5] + struct.pack(">HH", height, width) + data[sof + 9 :]


PNG = make_png()
JPEG = make_jpeg()
PDF = make_pdf()

ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x00" * 200
WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode." * 4
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SHELL = b"#!/bin/sh\nrm -rf ~\n"


def upload(data: bytes, name: str = "material.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def rejection(data: bytes, **kwargs: int) -> UploadRejected:
    with pytest.raises(UploadRejected) as excinfo:
        inspect_upload(io.BytesIO(data), **kwargs)
    return excinfo.value


# --- accepted -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type", "extension"),
    [(PDF, "application/pdf", "pdf"), (JPEG, "image/jpeg", "jpg"), (PNG, "image/png", "png")],
    ids=["pdf", "jpeg", "png"],
)
def test_accepts_each_allowed_type(data: bytes, content_type: str, extension: str) -> None:
    check = inspect_upload(upload(data, name=f"material.{extension}", content_type=content_type))

    assert check == UploadCheck(
        content_type=content_type, extension=extension, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


def test_accepts_a_multi_page_pdf_and_a_large_jpeg_photo() -> None:
    assert inspect_upload(io.BytesIO(make_pdf(pages=3))).content_type == "application/pdf"
    assert inspect_upload(io.BytesIO(make_jpeg((4000, 3000)))).content_type == "image/jpeg"


def test_the_detected_type_wins_over_name_and_declared_type() -> None:
    # A phone photo saved as "scan.pdf" is still a good PNG: accepted as what it is, with its own extension.
    check = inspect_upload(upload(PNG, name="scan.pdf", content_type="application/pdf"))
    assert (check.content_type, check.extension) == ("image/png", "png")
    # And a real PDF with a wrong name and a wrong declared type is a PDF.
    check = inspect_upload(upload(PDF, name="photo.png", content_type="text/html"))
    assert (check.content_type, check.extension) == ("application/pdf", "pdf")


def test_sha256_and_size_match_hashlib_over_the_same_bytes() -> None:
    data = make_jpeg((1200, 900))  # several read chunks
    check = inspect_upload(io.BytesIO(data))
    assert check.sha256 == hashlib.sha256(data).hexdigest()
    assert check.size == len(data)


def test_check_is_frozen() -> None:
    check = inspect_upload(io.BytesIO(PNG))
    with pytest.raises(AttributeError):
        check.size = 0


# --- refused --------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [ELF, WINDOWS_EXE, HTML, SHELL, make_zip()], ids=["elf", "exe", "html", "sh", "zip"])
@pytest.mark.parametrize(("name", "declared"), [("scan.pdf", "application/pdf"), ("photo.png", "image/png")])
def test_disguised_files_are_not_allowed(data: bytes, name: str, declared: str) -> None:
    with pytest.raises(UploadRejected) as excinfo:
        inspect_upload(upload(data, name=name, content_type=declared))
    assert excinfo.value.code == "type_not_allowed"


def test_other_image_formats_are_not_allowed() -> None:
    for pillow_format in ("GIF", "BMP", "TIFF", "WEBP"):
        out = io.BytesIO()
        Image.new("RGB", (8, 8)).save(out, pillow_format)
        assert rejection(out.getvalue()).code == "type_not_allowed", pillow_format


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + b"\x00\xffgarbage" * 200,
        b"%PDF-1.4\n<html><body>not a pdf</body></html>",
        b"%PDF-",
        PDF[: len(PDF) // 2],
    ],
    ids=["garbage", "html", "header-only", "truncated"],
)
def test_pdf_header_without_a_readable_pdf_is_corrupt(data: bytes) -> None:
    assert rejection(data).code == "corrupt"


def test_pdf_without_pages_is_corrupt() -> None:
    writer = PdfWriter()
    out = io.BytesIO()
    writer.write(out)
    error = rejection(out.getvalue())
    assert error.code == "corrupt"
    with translation.override("en"):
        assert "no pages" in str(error.message)


@pytest.mark.parametrize("user_password", ["secret", ""], ids=["needs-password", "owner-password-only"])
def test_encrypted_pdf_is_refused(user_password: str) -> None:
    error = rejection(make_encrypted_pdf(user_password=user_password))
    assert error.code == "encrypted"
    with translation.override("en"):
        assert "password" in str(error.message)


@pytest.mark.parametrize(
    "data",
    [
        PNG[:-20],  # cut inside the image data
        PNG[:-12],  # IEND missing
        PNG[:16],  # signature and a bit of the header
        PNG[:40] + bytes([PNG[40] ^ 0xFF]) + PNG[41:],  # one flipped byte: a chunk CRC fails
    ],
    ids=["cut-in-data", "no-iend", "header-only", "flipped-byte"],
)
def test_damaged_png_is_corrupt(data: bytes) -> None:
    assert rejection(data).code == "corrupt"


@pytest.mark.parametrize("keep", [0.5, 0.9], ids=["half", "most"])
def test_truncated_jpeg_is_corrupt(keep: float) -> None:
    # Pillow's verify() checks nothing for JPEG; the reduced-size decode catches the missing data.
    assert rejection(JPEG[: int(len(JPEG) * keep)]).code == "corrupt"


def test_magic_bytes_alone_are_corrupt() -> None:
    assert rejection(b"\xff\xd8\xff").code == "corrupt"
    assert rejection(b"\x89PNG\r\n\x1a\n").code == "corrupt"


def test_empty_file_is_refused() -> None:
    error = rejection(b"")
    assert error.code == "empty"
    with pytest.raises(UploadRejected) as excinfo:
        inspect_upload(upload(b""))
    assert excinfo.value.code == "empty"


def test_limit_is_inclusive() -> None:
    assert inspect_upload(io.BytesIO(PDF), max_bytes=len(PDF)).size == len(PDF)
    assert rejection(PDF, max_bytes=len(PDF) - 1).code == "too_large"
    assert rejection(PDF + b"\n", max_bytes=len(PDF)).code == "too_large"


def test_default_limit_is_ten_megabytes_and_says_so() -> None:
    assert DEFAULT_MAX_BYTES == 10 * 1024 * 1024
    at_limit = b"%PDF-1.7\n" + bytes(DEFAULT_MAX_BYTES - 9)
    assert rejection(at_limit).code == "corrupt"  # the size passes; only then is the PDF looked at
    error = rejection(at_limit + b"x")
    assert error.code == "too_large"
    with translation.override("en"):
        assert str(error.message) == (
            "This file is larger than 10 MB. Scan it at a lower resolution or split it into several files."
        )


@pytest.mark.parametrize(
    ("max_bytes", "shown"), [(int(2.56 * 1024 * 1024), "2.5"), (3 * 1024 * 1024, "3"), (1000, "0.000953")]
)
def test_limit_is_shown_in_megabytes_never_overstated(max_bytes: int, shown: str) -> None:
    error = rejection(b"%PDF-" + bytes(max_bytes), max_bytes=max_bytes)
    with translation.override("en"):
        assert f"larger than {shown} MB." in str(error.message)


class CountingBytesIO(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_reading_stops_as_soon_as_the_limit_is_passed() -> None:
    stream = CountingBytesIO(b"%PDF-" + bytes(5 * 1024 * 1024))
    with pytest.raises(UploadRejected):
        inspect_upload(stream, max_bytes=1000)
    assert stream.bytes_read == 1001
    assert stream.tell() == 0


# --- decompression bombs --------------------------------------------------------------------------


def test_decompression_bomb_png_is_refused() -> None:
    bomb = make_png((20_000, 20_000), mode="1")  # 400 megapixels in about 50 kB
    assert len(bomb) < 100_000
    error = rejection(bomb)
    assert error.code == "too_large"
    with translation.override("en"):
        assert "megapixels" in str(error.message)


def test_decompression_bomb_jpeg_is_refused() -> None:
    assert rejection(with_jpeg_dimensions(JPEG, width=60_000, height=60_000)).code == "too_large"


@pytest.mark.parametrize("warning_filter", ["ignore", "error"])
def test_image_in_pillows_warning_band_is_refused(warning_filter: str) -> None:
    # 100 megapixels: above Pillow's warning threshold (~89 MP), below its hard error (~179 MP).
    data = make_png((10_000, 10_000), mode="1")
    with warnings.catch_warnings():
        warnings.simplefilter(warning_filter, Image.DecompressionBombWarning)
        assert rejection(data).code == "too_large"


def test_our_pixel_limit_is_below_pillows() -> None:
    pillow_warns_above = Image.MAX_IMAGE_PIXELS
    assert pillow_warns_above is None or pillow_warns_above >= MAX_IMAGE_PIXELS
    data = make_png((8_000, 7_000), mode="1")  # 56 MP: Pillow would open it quietly
    assert rejection(data).code == "too_large"
    assert rejection(PNG, max_pixels=64 * 48 - 1).code == "too_large"
    assert inspect_upload(io.BytesIO(PNG), max_pixels=64 * 48).content_type == "image/png"


# --- the file is left ready for storage -----------------------------------------------------------


@pytest.mark.parametrize(
    "data", [PDF, JPEG, PNG, HTML, PDF[:100], b""], ids=["pdf", "jpeg", "png", "html", "bad", "empty"]
)
def test_position_is_back_at_zero(data: bytes) -> None:
    stream = io.BytesIO(data)
    stream.seek(len(data) // 2)  # the caller already read some of it: checked from the start anyway
    try:
        check = inspect_upload(stream)
    except UploadRejected:
        pass
    else:
        assert check.size == len(data)
    assert stream.tell() == 0
    assert not stream.closed
    assert stream.read() == data


def test_uploaded_file_stays_open_and_rewound() -> None:
    uploaded = upload(JPEG, name="photo.jpg", content_type="image/jpeg")
    inspect_upload(uploaded)
    assert not uploaded.closed
    assert uploaded.tell() == 0
    assert uploaded.read() == JPEG


def test_for_storage_relabels_with_the_detected_type() -> None:
    uploaded = upload(PDF, name="../../secret.html", content_type="text/html")
    check = inspect_upload(uploaded)
    stored = for_storage(uploaded, check)
    assert stored.content_type == "application/pdf"
    assert stored.name == f"{check.sha256}.pdf"
    assert stored.size == len(PDF)
    assert stored.read() == PDF
    assert uploaded.content_type == "text/html"  # the client's object is not changed


# --- errors ---------------------------------------------------------------------------------------


def test_rejection_is_a_value_error_and_a_domain_error_with_a_lazy_message() -> None:
    error = rejection(HTML)
    assert isinstance(error, ValueError)
    assert isinstance(error, DomainError)
    assert isinstance(error.message, Promise)
    with translation.override("en"):
        assert str(error.message) == (
            "This file is not a PDF, JPEG or PNG. Scan or save the document in one of those formats."
        )


def test_bad_limit_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        inspect_upload(io.BytesIO(PDF), max_bytes=0)


# --- storage names --------------------------------------------------------------------------------


def test_storage_name_is_content_addressed() -> None:
    digest = hashlib.sha256(PDF).hexdigest()
    assert storage_name(sha256=digest, extension="pdf") == f"materials/{digest[:2]}/{digest[2:4]}/{digest}.pdf"
    assert storage_name(sha256=digest, extension="png", prefix="drafts/2026") == (
        f"drafts/2026/{digest[:2]}/{digest[2:4]}/{digest}.png"
    )
    check = inspect_upload(upload(PDF, name="我的 身份证.pdf"))
    assert storage_name(sha256=check.sha256, extension=check.extension).endswith(f"/{digest}.pdf")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sha256": "AB" * 32, "extension": "pdf"},
        {"sha256": "ab" * 31, "extension": "pdf"},
        {"sha256": "../" + "a" * 61, "extension": "pdf"},
        {"sha256": "ab" * 32, "extension": ".pdf"},
        {"sha256": "ab" * 32, "extension": "pdf/../x"},
        {"sha256": "ab" * 32, "extension": "pdf", "prefix": "../materials"},
        {"sha256": "ab" * 32, "extension": "pdf", "prefix": "/materials"},
        {"sha256": "ab" * 32, "extension": "pdf", "prefix": "materials/"},
        {"sha256": "ab" * 32, "extension": "pdf", "prefix": ""},
    ],
)
def test_storage_name_refuses_anything_but_a_digest_and_a_plain_extension(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        storage_name(**kwargs)


# --- anything at all ------------------------------------------------------------------------------

_PREFIXES = [b"", b"%PDF-", b"%PDF-1.7\n", b"\xff\xd8\xff", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", PNG[:33]]


def _mutated(data: bytes) -> st.SearchStrategy[bytes]:
    """A real file cut short, with a few bytes overwritten: what a bad transfer or a fuzzer makes."""
    return st.tuples(
        st.integers(min_value=0, max_value=len(data)),
        st.lists(st.tuples(st.integers(min_value=0, max_value=len(data) - 1), st.integers(0, 255)), max_size=8),
    ).map(lambda args: _apply(data, *args))


def _apply(data: bytes, cut: int, changes: list[tuple[int, int]]) -> bytes:
    buffer = bytearray(data)
    for position, value in changes:
        buffer[position] = value
    return bytes(buffer[:cut])


_ANY_UPLOAD = st.one_of(
    st.binary(max_size=2048),
    st.tuples(st.sampled_from(_PREFIXES), st.binary(max_size=2048)).map(lambda parts: parts[0] + parts[1]),
    _mutated(PDF),
    _mutated(PNG),
    _mutated(JPEG),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ANY_UPLOAD)
def test_never_raises_anything_but_upload_rejected(data: bytes) -> None:
    stream = io.BytesIO(data)
    outcome: UploadCheck | UploadRejected
    try:
        outcome = inspect_upload(stream, max_bytes=4096)
    except UploadRejected as error:
        outcome = error
    if isinstance(outcome, UploadRejected):
        assert outcome.code in {"empty", "too_large", "type_not_allowed", "corrupt", "encrypted"}
    else:
        assert outcome.size == len(data)
        assert outcome.content_type in {"application/pdf", "image/jpeg", "image/png"}
    assert stream.tell() == 0


def test_truncated_jpeg_is_refused_even_after_the_pdf_renderer_is_loaded() -> None:
    """weasyprint sets Pillow's LOAD_TRUNCATED_IMAGES on import; the certificates module undoes it."""
    importlib.import_module("tongban.certificates.pdf")
    assert rejection(JPEG[: len(JPEG) // 2]).code == "corrupt"
