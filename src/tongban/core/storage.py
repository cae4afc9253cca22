"""Uploaded files encrypted at rest, through Django's storage API (ADR 0029).

``EncryptedStorage`` wraps the configured backend (the filesystem under ``MEDIA_ROOT``, or
django-storages' ``S3Storage``): ``save`` encrypts the whole file with the data-key ring before the
backend sees a byte, ``open`` decrypts it. The associated data is the file's storage name, so a
stored file copied under another name fails authentication. Configure it in ``STORAGES``::

    "default": {"BACKEND": "tongban.core.storage.EncryptedStorage",
                "OPTIONS": {"backend": "storages.backends.s3.S3Storage", "options": {...}}}

Files are read whole into memory (materials are capped at a few megabytes by ``forms.uploads``).
``accept_plaintext`` lets files stored before encryption was switched on still be read until
``manage.py data_rekey`` has encrypted them; leave it off otherwise (a plaintext file could then
be slipped in beside the ciphertexts).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string

from tongban.core.crypto import PREFIX, decrypt_bytes, encrypt_bytes, get_data_keyring, key_id_of

_TOKEN_HEAD = (PREFIX + ".").encode("ascii")


def file_context(name: str) -> str:
    """The associated data of a stored file."""
    return f"file:{name}"


@deconstructible(path="tongban.core.storage.EncryptedStorage")
class EncryptedStorage(Storage):
    """A storage that encrypts what it saves and decrypts what it opens, around another storage."""

    def __init__(
        self,
        backend: str = "django.core.files.storage.FileSystemStorage",
        options: dict[str, Any] | None = None,
        accept_plaintext: bool = False,
    ) -> None:
        self.inner: Storage = import_string(backend)(**(options or {}))
        self.accept_plaintext = accept_plaintext

    # --- writing and reading -----------------------------------------------------------------

    def _sealed(self, data: bytes, name: str) -> ContentFile[bytes]:
        blob = ContentFile(encrypt_bytes(data, context=file_context(name)), name=name)
        blob.content_type = "application/octet-stream"  # type: ignore[attr-defined]  # S3 labels the object by it
        return blob

    def _save(self, name: str, content: File[Any]) -> str:
        if hasattr(content, "seek"):
            content.seek(0)
        data = b"".join(content.chunks())
        saved: str = self.inner._save(name, self._sealed(data, name))  # type: ignore[attr-defined]
        if saved != name:
            # The backend chose another name (a race for the same name): seal under that one.
            self.inner.delete(saved)
            saved = self.inner._save(saved, self._sealed(data, saved))  # type: ignore[attr-defined]
        return saved

    def read_raw(self, name: str) -> bytes:
        """The stored bytes as they are (ciphertext), for tests and ``data_rekey``."""
        with self.inner.open(name, "rb") as handle:
            raw: bytes = handle.read()
        return raw

    def _open(self, name: str, mode: str = "rb") -> File[bytes]:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("Encrypted files are written with save(), not opened for writing.")
        raw = self.read_raw(name)
        if self.accept_plaintext and not raw.startswith(_TOKEN_HEAD):
            return ContentFile(raw, name=name)
        return ContentFile(decrypt_bytes(raw, context=file_context(name)), name=name)

    def rekey(self, name: str) -> str | None:
        """Store the file ``name`` anew under the active key (or encrypted at all, if it was stored
        before encryption) under a fresh name, and return that name; None if it needs nothing.
        The old file is left for the caller to delete once nothing refers to it."""
        raw = self.read_raw(name)
        if raw.startswith(_TOKEN_HEAD):
            if key_id_of(raw[:200].decode("ascii", "replace")) == get_data_keyring().active_key().kid:
                return None
            data = decrypt_bytes(raw, context=file_context(name))
        else:
            data = raw
        fresh = self.inner.get_available_name(name)
        return self._save(fresh, ContentFile(data))

    # --- the rest is the backend's -----------------------------------------------------------

    def delete(self, name: str) -> None:
        self.inner.delete(name)

    def exists(self, name: str) -> bool:
        return self.inner.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.inner.listdir(path)

    def size(self, name: str) -> int:
        """The stored (encrypted) size; the plaintext size is on the record that names the file."""
        return self.inner.size(name)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Encrypted files are served by the application, never by URL.")

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.inner.get_available_name(name, max_length)

    def get_valid_name(self, name: str) -> str:
        return self.inner.get_valid_name(name)

    def get_modified_time(self, name: str) -> datetime:
        return self.inner.get_modified_time(name)

    def get_created_time(self, name: str) -> datetime:
        return self.inner.get_created_time(name)

    def get_accessed_time(self, name: str) -> datetime:
        return self.inner.get_accessed_time(name)
