"""JSON-LD document loader for verifiable credentials: the context documents we use, bundled.

A credential names its vocabularies in ``@context`` by URL. A JSON-LD processor (for example pyld, or a
verifier's own) resolves them through a *document loader*; ours answers from files shipped in
``certificates/contexts/`` and refuses every other URL, so nothing is ever fetched at run time (no network
dependency, no way for a credential to make us fetch a URL of its choosing, and the meaning of our
credentials cannot change under us).

* ``https://www.w3.org/ns/credentials/v2``: the W3C VC Data Model 2.0 base context, byte for byte
  (see ``contexts/README.md`` for its source and digest).
* ``<PUBLIC_BASE_URL>/contexts/certificates/v1``: our small context for the certificate terms
  (``TongbanCertificate``, ``TongbanStatus2026``, ``certificateNumber``, ``certificateType``, and an
  ``@vocab`` under the same URL for the certificate fields, whose names vary by certificate type). The file
  holds the placeholder ``{PUBLIC_BASE_URL}``, replaced here by the deployment's base URL. The portal
  serves ``load_document(certificates_context_url())`` at ``/contexts/certificates/v1`` (media type
  ``application/ld+json``), so the URL in a credential dereferences to exactly what we load.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

CREDENTIALS_V2_URL = "https://www.w3.org/ns/credentials/v2"
CERTIFICATES_CONTEXT_PATH = "/contexts/certificates/v1"
BASE_URL_PLACEHOLDER = "{PUBLIC_BASE_URL}"

_DIR = Path(__file__).resolve().parent / "contexts"


class ContextNotBundledError(LookupError):
    """The URL is not one of the bundled context documents (we never fetch)."""

    def __init__(self, url: str) -> None:
        super().__init__(f"JSON-LD context {url!r} is not bundled with Tongban; it will not be fetched.")
        self.url = url


def public_base_url() -> str:
    """``PUBLIC_BASE_URL`` without a trailing slash."""
    return str(settings.PUBLIC_BASE_URL).rstrip("/")


def certificates_context_url() -> str:
    """The URL of our certificate context for this deployment."""
    return public_base_url() + CERTIFICATES_CONTEXT_PATH


@lru_cache(maxsize=4)
def _read(name: str) -> str:
    return (_DIR / name).read_text(encoding="utf-8")


def _substitute(value: Any, base_url: str) -> Any:
    """Replace the placeholder inside every string of a parsed JSON value (never in the raw text, so a
    base URL cannot change the document's structure)."""
    if isinstance(value, str):
        return value.replace(BASE_URL_PLACEHOLDER, base_url)
    if isinstance(value, list):
        return [_substitute(item, base_url) for item in value]
    if isinstance(value, dict):
        return {_substitute(key, base_url): _substitute(item, base_url) for key, item in value.items()}
    return value


def load_document(url: str) -> dict[str, Any]:
    """The bundled JSON-LD document for ``url`` (a fresh copy each call); raises
    ``ContextNotBundledError`` for any other URL."""
    if url == CREDENTIALS_V2_URL:
        document: dict[str, Any] = json.loads(_read("credentials-v2.jsonld"))
        return document
    if url == certificates_context_url():
        raw: dict[str, Any] = json.loads(_read("certificates-v1.jsonld"))
        substituted: dict[str, Any] = _substitute(raw, public_base_url())
        return substituted
    raise ContextNotBundledError(url)


def bundled_urls() -> list[str]:
    """The context URLs ``load_document`` answers for."""
    return [CREDENTIALS_V2_URL, certificates_context_url()]


def pyld_document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """``load_document`` in the shape pyld's ``documentLoader`` option expects (remote document)."""
    return {"contextUrl": None, "documentUrl": url, "document": load_document(url)}
