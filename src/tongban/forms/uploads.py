"""Content checks for uploaded application materials (PDF, JPEG, PNG) and their storage names.

``inspect_upload`` decides what a file IS from its bytes, never from the name or the content type
the browser sent: magic bytes first, then a structural parse with a well-kept library (Pillow for
images, pypdf for PDF). It reads in chunks to hash and measure the file, stops as soon as the size
limit is passed, and always leaves the file at position 0 so the caller can save it through
Django's storage API::

    check = inspect_upload(upload)
    name = storage_name(sha256=check.sha256, extension=check.extension)
    if not storage.exists(name):
        name = storage.save(name, for_storage(upload, check))

``for_storage`` matters: django-storages' ``S3Storage`` stores the file object's ``content_type``,
which on an ``UploadedFile`` is whatever the browser claimed (``text/html`` included), as the
object's Content-Type. ``for_storage`` re-labels the same bytes with the detected type.

The detected type wins over the name: a PNG called ``scan.pdf`` is accepted as a PNG and gets the
``png`` extension; an executable or a web page called ``scan.pdf`` is refused. The client's file
name is never used for anything, including the storage path.

Rules, and why:

- **Size**: ``DEFAULT_MAX_BYTES`` is 10 MiB, shown to people as "10 MB" (what Windows and most
  phones call it, so a file the device shows as 9.9 MB passes).
- **Images**: at most ``MAX_IMAGE_PIXELS`` (50 megapixels: an A4 page scanned at 600 dpi is 35,
  a 50-megapixel phone photo fits). A small file that declares a huge image (a "decompression
  bomb") is refused before any pixel is decoded. PNGs are checked with ``verify()`` (every chunk's
  CRC up to IEND); Pillow's ``verify()`` does nothing for JPEG, so JPEGs are also decoded at 1/8
  scale, which reads every entropy-coded byte (a cut-off JPEG is caught) at 1/64 of the memory.
- **PDF**: the file must start with ``%PDF-``, pypdf must parse it (in its default, tolerant mode,
  so the small defects of real scanners are repaired, not refused) and find at least one page.
  Encrypted PDFs are refused, even those that open without a password: the office must be able to
  stamp, merge and archive what it receives.
- **Active content in a PDF** is refused (ADR 0027): scripts, actions run on opening or on an
  event, launched programs, embedded files, rich media and XFA forms (:data:`ACTIVE_PDF_NAMES`).
  The scan is conservative and byte-level: every PDF name in the file, decoded from its ``#xx``
  escapes (``/J#61vaScript`` is ``/JavaScript``), and in the decompressed object streams, where
  such names hide from a plain byte search. A scanned document never needs any of them; an
  applicant whose file is refused prints it to a new PDF or scans the paper. A rare benign name
  that matches is refused too: the applicant can always send a plain copy.
- **Corrupt** means "the library cannot read it": any exception from Pillow or pypdf while parsing
  untrusted bytes becomes ``UploadRejected(code="corrupt")``, chained (``raise ... from``) so the
  caller can log the cause.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Final, Literal

from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError

if TYPE_CHECKING:  # pypdf and Pillow are imported where a file is checked: every process starts faster
    from pypdf import PdfReader

ContentType = Literal["application/pdf", "image/jpeg", "image/png"]

MIB: Final = 1024 * 1024
DEFAULT_MAX_BYTES: Final = 10 * MIB
MAX_IMAGE_PIXELS: Final = 50_000_000

#: Canonical extension (no dot) for each accepted content type.
EXTENSIONS: Final[dict[ContentType, str]] = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}

_CHUNK_BYTES: Final = 64 * 1024
_PDF_MAGIC: Final = b"%PDF-"
_JPEG_MAGIC: Final = b"\xff\xd8\xff"
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
_HEAD_BYTES: Final = len(_PNG_MAGIC)

#: PDF names that start something, or carry something, beyond showing pages. ``/OpenAction`` and
#: ``/Names`` are not in the list: an open action that shows a page is common, and a script it runs
#: is caught by its own names (``/JavaScript``, ``/JS``, ``/Launch``).
ACTIVE_PDF_NAMES: Final = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"Launch",
        b"AA",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"XFA",
        b"ImportData",
        b"SubmitForm",
        b"GoToE",
    }
)
#: A PDF name: a slash, then regular characters up to the next delimiter or white space.
_PDF_NAME_RE: Final = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_PDF_HEX_ESCAPE_RE: Final = re.compile(rb"#([0-9A-Fa-f]{2})")

_SHA256_RE: Final = re.compile(r"[0-9a-f]{64}")
_EXTENSION_RE: Final = re.compile(r"[a-z0-9]{1,10}")
_PREFIX_RE: Final = re.compile(r"[a-z0-9_-]+(/[a-z0-9_-]+)*")


class UploadRejected(DomainError, ValueError):  # noqa: N818 (the name the forms and API layers use)
    """The upload is refused; ``code`` is stable for programs, ``message`` is for the resident.

    Codes: ``empty``, ``too_large`` (bytes or pixels), ``type_not_allowed``, ``corrupt``,
    ``encrypted`` (a password-protected PDF), ``active_content`` (a PDF with scripts or actions).
    """

    def __init__(self, message: str | Promise, code: str) -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True, slots=True)
class UploadCheck:
    """What the content check found: the type by content, its extension, size and SHA-256 (hex)."""

    content_type: ContentType
    extension: str
    size: int
    sha256: str


def inspect_upload(
    file: UploadedFile | IO[bytes],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
) -> UploadCheck:
    """Check an uploaded file by its content; return what it is or raise ``UploadRejected``.

    ``file`` must be readable and seekable in binary mode (every Django ``UploadedFile`` is). It is
    read from the start whatever its position, and is back at position 0 when this returns or
    raises.
    """
    if max_bytes < 1:
        raise ValueError("max_bytes must be positive")
    try:
        file.seek(0)
        size, sha256, head = _measure(file, max_bytes=max_bytes)
        if size == 0:
            raise UploadRejected(_("This file is empty. Choose the file again or scan the document again."), "empty")
        content_type = _sniff(head)
        file.seek(0)
        if content_type == "application/pdf":
            _check_pdf(file)
        else:
            _check_image(file, content_type=content_type, max_pixels=max_pixels)
        return UploadCheck(content_type=content_type, extension=EXTENSIONS[content_type], size=size, sha256=sha256)
    finally:
        file.seek(0)


def storage_name(*, sha256: str, extension: str, prefix: str = "materials") -> str:
    """The content-addressed storage path for a checked file: ``materials/ab/cd/<sha256>.pdf``.

    - Identical files get the same name, so a material uploaded twice is stored once: call
      ``storage.exists(name)`` before ``storage.save(name, file)`` (``FileSystemStorage`` would
      otherwise save a second copy under a suffixed name; ``S3Storage`` overwrites by default).
      Because names are shared, delete a stored file only when no record refers to it any more.
    - The client's file name is never used: no path tricks, no personal data in object keys.
    - Names cannot be guessed without the file itself. They are not a secret, though: serve
      materials only through a view that checks who may see them.
    - Two levels of two hex digits keep any one directory (or listing prefix) small.
    """
    if not _SHA256_RE.fullmatch(sha256):
        raise ValueError("sha256 must be 64 lowercase hexadecimal digits")
    if not _EXTENSION_RE.fullmatch(extension):
        raise ValueError("extension must be 1 to 10 lowercase letters or digits, without the dot")
    if not _PREFIX_RE.fullmatch(prefix):
        raise ValueError("prefix must be a relative path of lowercase letters, digits, '_' and '-'")
    return f"{prefix}/{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}"


def for_storage(file: UploadedFile | IO[bytes], check: UploadCheck) -> UploadedFile:
    """The checked file, ready for ``storage.save``: labelled with the detected type, not the client's.

    A new wrapper over the same stream (the client's ``UploadedFile`` is left as it is), whose
    ``content_type`` is ``check.content_type`` and whose name is content-derived, never the client's.
    """
    return UploadedFile(
        file,
        name=f"{check.sha256}.{check.extension}",
        content_type=check.content_type,
        size=check.size,
    )


def _measure(file: UploadedFile | IO[bytes], *, max_bytes: int) -> tuple[int, str, bytes]:
    """Size, SHA-256 and first bytes, reading at most ``max_bytes + 1`` bytes in chunks."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    while chunk := file.read(min(_CHUNK_BYTES, max_bytes + 1 - size)):
        size += len(chunk)
        if size > max_bytes:
            raise UploadRejected(
                format_lazy(
                    _(
                        "This file is larger than {limit} MB. Scan it at a lower resolution or split it into several files."
                    ),
                    limit=_megabytes(max_bytes),
                ),
                "too_large",
            )
        digest.update(chunk)
        if len(head) < _HEAD_BYTES:
            head += chunk[: _HEAD_BYTES - len(head)]
    return size, digest.hexdigest(), head


def _sniff(head: bytes) -> ContentType:
    """The content type from the magic bytes at the start of the file."""
    if head.startswith(_PDF_MAGIC):
        return "application/pdf"
    if head.startswith(_JPEG_MAGIC):
        return "image/jpeg"
    if head.startswith(_PNG_MAGIC):
        return "image/png"
    raise UploadRejected(
        _("This file is not a PDF, JPEG or PNG. Scan or save the document in one of those formats."),
        "type_not_allowed",
    )


def active_pdf_names(data: bytes) -> set[bytes]:
    """The names of :data:`ACTIVE_PDF_NAMES` that occur in ``data``, ``#xx`` escapes decoded."""
    found: set[bytes] = set()
    for match in _PDF_NAME_RE.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _PDF_HEX_ESCAPE_RE.sub(lambda escape: bytes([int(escape.group(1), 16)]), name)
        if name in ACTIVE_PDF_NAMES:
            found.add(name)
    return found


def _active_content() -> UploadRejected:
    return UploadRejected(
        _(
            "This PDF contains active content (scripts, automatic actions or embedded files), which is not "
            "accepted. Print it to a new PDF (for example with “Print to PDF”) or scan the paper document, "
            "and upload that file."
        ),
        "active_content",
    )


def _object_streams(reader: PdfReader) -> Iterator[bytes]:
    """The decompressed bytes of each object stream (``/Type /ObjStm``) of the file."""
    from pypdf.generic import StreamObject

    for number in sorted({stream for stream, _index in getattr(reader, "xref_objStm", {}).values()}):
        stream = reader.get_object(number)
        if isinstance(stream, StreamObject):
            yield stream.get_data()


def _check_pdf(file: UploadedFile | IO[bytes]) -> None:
    """No active content (by the bytes, then in the object streams); pypdf must parse the file,
    find it unencrypted and find at least one page."""
    from pypdf import PdfReader

    damaged = _(
        "This PDF file is damaged and cannot be opened. Save or scan the document again and upload the new file."
    )
    if active_pdf_names(file.read()):
        raise _active_content()
    file.seek(0)
    try:
        reader = PdfReader(file)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
        hidden = False if encrypted else any(active_pdf_names(data) for data in _object_streams(reader))
    except Exception as exc:  # a parser fed untrusted bytes can raise anything: all mean "unreadable"
        raise UploadRejected(damaged, "corrupt") from exc
    if hidden:
        raise _active_content()
    if encrypted:
        raise UploadRejected(
            _(
                "This PDF is protected with a password. Save a copy without the password "
                "(for example with “Print to PDF”) and upload that copy."
            ),
            "encrypted",
        )
    if pages < 1:
        raise UploadRejected(
            _("This PDF file has no pages. Save or scan the document again and upload the new file."), "corrupt"
        )


def _check_image(file: UploadedFile | IO[bytes], *, content_type: ContentType, max_pixels: int) -> None:
    """Pillow must read the image with the plugin its magic bytes name, within ``max_pixels``."""
    from PIL import Image

    pillow_format = "JPEG" if content_type == "image/jpeg" else "PNG"
    try:
        with Image.open(file, formats=[pillow_format]) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise _too_many_pixels(max_pixels)
            image.verify()
        if content_type == "image/jpeg":
            file.seek(0)
            with Image.open(file, formats=[pillow_format]) as image:
                image.draft(None, (max(1, width // 8), max(1, height // 8)))
                image.load()
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(max_pixels) from exc
    except Exception as exc:  # a parser fed untrusted bytes can raise anything: all mean "unreadable"
        raise UploadRejected(
            _(
                "This image file is damaged and cannot be opened. "
                "Save, scan or photograph the document again and upload the new file."
            ),
            "corrupt",
        ) from exc


def _too_many_pixels(max_pixels: int) -> UploadRejected:
    return UploadRejected(
        format_lazy(
            _(
                "This image is too large: at most {limit} megapixels. Save it at a lower resolution and upload it again."
            ),
            limit=f"{max_pixels / 1_000_000:g}",
        ),
        "too_large",
    )


def _megabytes(limit: int) -> str:
    """``limit`` bytes in MB (MiB), rounded down so the message never overstates it: 10, 2.5."""
    decimals = 1 if limit * 10 >= MIB else 6  # below 0.1 MB happens only in tests
    whole, fraction = divmod(limit * 10**decimals // MIB, 10**decimals)
    return f"{whole}.{fraction:0{decimals}d}".rstrip("0").rstrip(".")
