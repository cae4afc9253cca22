"""Checked materials go through Django's storage API: a real S3-compatible server (moto) and the disk.

The flow is the one the upload view uses: ``inspect_upload`` the uploaded file, name it with
``storage_name``, save the same file object (back at position 0) through the storage backend.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage, Storage
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from tongban.forms.uploads import for_storage, inspect_upload, storage_name

CLIENT_NAME = "张三 申请书 ../../etc/passwd.pdf"


def one_page_pdf(text: str = "") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def save_checked(storage: Storage, upload: SimpleUploadedFile) -> str:
    """What a service does: check by content, store once under the content address."""
    check = inspect_upload(upload)
    name = storage_name(sha256=check.sha256, extension=check.extension)
    if storage.exists(name):
        return name
    return storage.save(name, for_storage(upload, check))


@pytest.fixture(params=["s3", "filesystem"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "s3":
        s3: Storage = request.getfixturevalue("s3_storage")
        return s3
    return FileSystemStorage(location=tmp_path / "media")


def test_round_trip_through_the_storage_api(storage: Storage) -> None:
    data = one_page_pdf("round trip")
    upload = SimpleUploadedFile(CLIENT_NAME, data, content_type="text/html")
    check = inspect_upload(upload)
    name = storage_name(sha256=check.sha256, extension=check.extension)

    assert not storage.exists(name)
    saved = storage.save(name, for_storage(upload, check))

    assert saved == name == f"materials/{check.sha256[:2]}/{check.sha256[2:4]}/{check.sha256}.pdf"
    assert "张三" not in saved and ".." not in saved
    assert storage.exists(name)
    with storage.open(name, "rb") as stored:
        assert stored.read() == data
    assert storage.size(name) == check.size == len(data)

    storage.delete(name)
    assert not storage.exists(name)


def test_identical_files_are_stored_once(storage: Storage) -> None:
    data = one_page_pdf("same content")
    first = save_checked(storage, SimpleUploadedFile("first.pdf", data))
    second = save_checked(storage, SimpleUploadedFile("another name.pdf", data))

    assert first == second
    _, files = storage.listdir(first.rsplit("/", 1)[0])
    assert files == [first.rsplit("/", 1)[1]]


def test_s3_object_has_the_detected_content_type(s3_storage: Any, s3_client: Any, s3_bucket: str) -> None:
    # The client said text/html and named it .pdf; the object is stored by what it is.
    data = one_page_pdf("content type")
    name = save_checked(s3_storage, SimpleUploadedFile("page.html", data, content_type="text/html"))

    head = s3_client.head_object(Bucket=s3_bucket, Key=name)
    assert head["ContentType"] == "application/pdf"
    assert head["ContentLength"] == len(data)
    listed = s3_client.list_objects_v2(Bucket=s3_bucket)
    assert [item["Key"] for item in listed["Contents"]] == [name]


def test_s3_would_keep_the_browsers_content_type_without_for_storage(
    s3_storage: Any, s3_client: Any, s3_bucket: str
) -> None:
    # Why for_storage exists: S3Storage prefers the file object's content_type over the name.
    upload = SimpleUploadedFile("page.pdf", one_page_pdf("raw"), content_type="text/html")
    check = inspect_upload(upload)
    name = s3_storage.save(storage_name(sha256=check.sha256, extension=check.extension), upload)

    assert s3_client.head_object(Bucket=s3_bucket, Key=name)["ContentType"] == "text/html"


def test_filesystem_storage_writes_under_its_location(tmp_path: Path) -> None:
    storage = FileSystemStorage(location=tmp_path)
    data = one_page_pdf("on disk")
    name = save_checked(storage, SimpleUploadedFile(CLIENT_NAME, data))

    path = tmp_path / name
    assert path.is_file()
    assert path.read_bytes() == data
    assert path.resolve().is_relative_to(tmp_path.resolve())
