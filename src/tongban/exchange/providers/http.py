"""The HTTP provider: ask another agency's data endpoint over signed HTTP.

Why one module of this size: both sides of one signed-HTTP contract (the platform's request and
its check of the answer; the agency's check of the request and its signed answer) are kept
together, so the components signed and the components verified cannot drift apart.

Both directions are signed with Ed25519 HTTP Message Signatures (RFC 9421, through the
``http-message-signatures`` library) and carry a SHA-256 ``Content-Digest`` (RFC 9530) of the body:

* the platform sends ``POST {base_url}/resources/{resource}/query`` with the JSON body
  ``{"subject": {"kind", "key"}, "fields", "consumer", "purpose", "request_id"}``, signed over
  :data:`REQUEST_COMPONENTS` with ``created``, ``keyid``, ``nonce`` (the request id) and ``tag``;
* the agency answers ``{"found": bool, "values": {...}, "source": str}``, signed over at least
  :data:`RESPONSE_COMPONENTS` with one of the agency keys configured for the provider, ``created``
  at most :data:`MAX_SIGNATURE_AGE` ago, and ``X-Request-Id`` echoing the request's.

Nothing in an answer is read before its signature and digest verify. Only the fields asked for
leave this module. Failures become :class:`ProviderError`: refused connection or a non-2xx status →
``unavailable``; no complete answer within the timeout → ``timeout``; a missing, unknown, stale or
invalid signature or a body that does not match its digest → ``bad_signature``; anything else
malformed → ``bad_response``.

The timeout bounds the whole call (connect, response head, body): a watchdog shuts the socket down
at the deadline, so a server that trickles bytes cannot hold the caller. Name resolution is not
covered; configure an address or a host the resolver answers quickly.

:func:`sign_response` and :func:`verify_request` are the agency side of the same contract, for the
tests' endpoint and for any real endpoint written in Python. Replay detection (the request id is
the signed nonce) is the endpoint's policy, not theirs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    MappingKeyResolver,
    VerifyResult,
    algorithms,
)
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import ReadTimeoutError
from urllib3.response import HTTPResponse

from tongban.exchange.providers.base import Provider, ProviderAnswer, ProviderError, ProviderRequest, register

#: What the platform's request signature covers.
REQUEST_COMPONENTS: Final = ("@method", "@target-uri", "content-digest", "content-type", "x-request-id")
#: What an agency's response signature must cover (at least).
RESPONSE_COMPONENTS: Final = ("@status", "content-digest", "content-type", "x-request-id")
#: The signature label, and the signed application tag that selects our signatures.
SIGNATURE_LABEL: Final = "tongban"
SIGNATURE_TAG: Final = "tongban-exchange"
#: A signature created longer ago than this is refused.
MAX_SIGNATURE_AGE: Final = dt.timedelta(seconds=300)
#: How far two agencies' clocks may disagree (``created`` in the future, ``max_age``).
CLOCK_SKEW: Final = dt.timedelta(seconds=30)
MAX_RESPONSE_BYTES: Final = 1024 * 1024
DEFAULT_TIMEOUT_SECONDS: Final = 3.0
SETTING_NAME: Final = "EXCHANGE_HTTP_PROVIDERS"
USER_AGENT: Final = "tongban-exchange/1"
_CHUNK_BYTES: Final = 64 * 1024


# --- Messages the signature library can read ------------------------------------------------------


@dataclass
class _Request:
    """A request as the signature library sees it: method, encoded absolute URL, header fields."""

    method: str
    url: str
    headers: CaseInsensitiveDict[str]


@dataclass
class _Response:
    """A response as the signature library sees it (no ``request``: request components are not used)."""

    status_code: int
    headers: CaseInsensitiveDict[str]


def _signer(key_id: str, private_key: Ed25519PrivateKey) -> HTTPMessageSigner:
    return HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={key_id: private_key}),
    )


def _verifier(keys: Mapping[str, Ed25519PublicKey]) -> HTTPMessageVerifier:
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys=keys, private_keys={}),
    )
    verifier.max_clock_skew = CLOCK_SKEW
    return verifier


def _verified(
    verifier: HTTPMessageVerifier,
    message: _Request | _Response | requests.Response,
    body: bytes,
    required: tuple[str, ...],
) -> VerifyResult:
    """The one signature tagged ours, verified: key, age, coverage of ``required``, and the body's digest."""
    try:
        results = verifier.verify(
            message, max_age=MAX_SIGNATURE_AGE, expect_tag=SIGNATURE_TAG, require_components=required, body=body
        )
    except HTTPMessageSignaturesException as exc:  # InvalidSignature included
        raise ProviderError("bad_signature", f"signature does not verify: {exc}") from exc
    if len(results) != 1 or results[0].body != body:
        raise ProviderError("bad_signature", "expected exactly one signature covering the body")
    return results[0]


def sign_response(
    status: int,
    body: bytes,
    request_id: str,
    key_id: str,
    private_key: Ed25519PrivateKey,
    *,
    content_type: str = "application/json",
) -> dict[str, str]:
    """The headers an agency endpoint sends with ``body``: Content-Type, X-Request-Id, Content-Digest,
    Signature-Input and Signature. Send them exactly as returned, and the body byte for byte."""
    response = _Response(
        status_code=status,
        headers=CaseInsensitiveDict({"Content-Type": content_type, "X-Request-Id": request_id}),
    )
    _signer(key_id, private_key).sign(
        response,
        key_id=key_id,
        created=dt.datetime.now(dt.UTC),
        label=SIGNATURE_LABEL,
        tag=SIGNATURE_TAG,
        covered_component_ids=RESPONSE_COMPONENTS,
        body=body,  # the library adds Content-Digest and covers it
    )
    return dict(response.headers)


def verify_request(
    method: str, url: str, headers: Mapping[str, str], body: bytes, keys: Mapping[str, Ed25519PublicKey]
) -> str:
    """Check a platform request on the agency side; return the key id that signed it.

    ``url`` is the absolute URL the platform asked for (scheme, the Host header, path and query).
    Raises ``ProviderError("bad_signature")`` unless one signature tagged ours, made with one of
    ``keys`` within :data:`MAX_SIGNATURE_AGE`, covers :data:`REQUEST_COMPONENTS` and the body's
    digest, with the request id as its nonce.
    """
    request = _Request(method=method, url=url, headers=CaseInsensitiveDict(headers))
    result = _verified(_verifier(keys), request, body, REQUEST_COMPONENTS)
    if result.nonce is None or result.nonce != result.covered_components.get('"x-request-id"'):
        raise ProviderError("bad_signature", "the signature's nonce is not the request id")
    return str(result.parameters["keyid"])


# --- A deadline for the whole call ----------------------------------------------------------------


class _Deadline:
    """Shuts the call's sockets down when its time is up, waking any read blocked on a slow server."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self._done = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self._done:
                return
            self._sockets.append(sock)
            if self.expired:
                _shutdown(sock)

    def finish(self) -> None:
        """The call is over: its sockets (perhaps back in the pool) must not be touched any more."""
        with self._lock:
            self._done = True
            self._sockets.clear()
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


_current = threading.local()


def _watch_current(sock: socket.socket | None) -> None:
    deadline: _Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None and sock is not None:
        deadline.watch(sock)


# urllib3's getresponse narrows http.client's return type the same way, with the same ignore.
class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]
        _watch_current(self.sock)  # the request is sent, the socket exists; the head comes next
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]
        _watch_current(self.sock)
        return super().getresponse()


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _Adapter(HTTPAdapter):
    """requests' adapter (pooling, TLS), with connections that report their socket to the call's deadline."""

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPConnectionPool,
            "https": _WatchedHTTPSConnectionPool,
        }


# --- The provider ---------------------------------------------------------------------------------


class HttpProvider(Provider):
    """A data provider behind another agency's signed HTTP endpoint (see the module docstring)."""

    def __init__(
        self,
        *,
        code: str,
        base_url: str,
        key_id: str,
        private_key: Ed25519PrivateKey,
        agency_keys: dict[str, Ed25519PublicKey],
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
            raise ImproperlyConfigured(f"HTTP provider {code}: base_url must be an http(s) URL, got {base_url!r}")
        if not agency_keys:
            raise ImproperlyConfigured(f"HTTP provider {code}: at least one agency key is needed")
        if timeout <= 0:
            raise ImproperlyConfigured(f"HTTP provider {code}: timeout must be positive")
        self.code = code
        self.base_url = base_url.rstrip("/")
        self.key_id = key_id
        self.timeout = float(timeout)
        self._signer = _signer(key_id, private_key)
        self._verifier = _verifier(agency_keys)
        self._adapter = _Adapter(max_retries=0)  # thread-safe connection pools; no retries, no redirects

    def __repr__(self) -> str:
        return f"<HttpProvider {self.code} {self.base_url}>"

    def fetch(self, request: ProviderRequest) -> ProviderAnswer:
        deadline = _Deadline(self.timeout)
        _current.deadline = deadline
        try:
            status, body, response = self._exchange(request, deadline)
        finally:
            _current.deadline = None
            deadline.finish()
        if not 200 <= status < 300:
            if status in {401, 403}:
                raise ProviderError(
                    "unavailable",
                    f"HTTP {status}: {self.base_url} refused our request (does it trust key {self.key_id!r}?)",
                )
            raise ProviderError("unavailable", f"HTTP {status} from {self.base_url}")
        result = _verified(self._verifier, response, body, RESPONSE_COMPONENTS)
        if result.covered_components.get('"x-request-id"') != request.request_id:
            raise ProviderError("bad_signature", "the signed response answers another request")
        return _answer(body, request.fields)

    def _exchange(self, request: ProviderRequest, deadline: _Deadline) -> tuple[int, bytes, requests.Response]:
        """Send the signed request; return the status, the raw body (2xx only, else empty) and the response."""
        prepared = self._signed(request)
        try:
            response = self._adapter.send(prepared, stream=True, timeout=(self.timeout, self.timeout), proxies={})
        except requests.Timeout as exc:
            raise ProviderError("timeout", f"no answer from {self.base_url} within {self.timeout:g} s") from exc
        except requests.RequestException as exc:
            if deadline.expired:
                raise ProviderError("timeout", f"no answer from {self.base_url} within {self.timeout:g} s") from exc
            raise ProviderError("unavailable", f"cannot reach {self.base_url}: {exc}") from exc
        try:
            if not 200 <= response.status_code < 300:
                return response.status_code, b"", response
            return response.status_code, self._read_body(response, deadline), response
        finally:
            response.close()

    def _signed(self, request: ProviderRequest) -> requests.PreparedRequest:
        payload = {
            "subject": {"kind": request.subject.kind, "key": request.subject.key},
            "fields": list(request.fields),
            "consumer": request.consumer,
            "purpose": request.purpose,
            "request_id": request.request_id,
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Accept-Encoding": "identity",
            "User-Agent": USER_AGENT,
            "X-Request-Id": request.request_id,
        }
        url = f"{self.base_url}/resources/{quote(request.resource, safe='')}/query"
        try:
            prepared = requests.Request("POST", url, data=body, headers=headers).prepare()
            self._signer.sign(
                prepared,
                key_id=self.key_id,
                created=dt.datetime.now(dt.UTC),
                nonce=request.request_id,
                label=SIGNATURE_LABEL,
                tag=SIGNATURE_TAG,
                covered_component_ids=REQUEST_COMPONENTS,
                body=body,  # the library adds Content-Digest and covers it
            )
        except (HTTPMessageSignaturesException, ValueError) as exc:  # e.g. a request id that is no header value
            raise ProviderError("unavailable", f"request not sent, cannot sign it: {exc}") from exc
        return prepared

    def _read_body(self, response: requests.Response, deadline: _Deadline) -> bytes:
        """The body as sent, at most MAX_RESPONSE_BYTES, complete before the deadline."""
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding != "identity":
            raise ProviderError("bad_response", f"content encoding {encoding!r}; identity was asked for")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
            raise ProviderError("bad_response", f"a body of {declared} bytes is over {MAX_RESPONSE_BYTES}")
        raw: HTTPResponse = response.raw
        late = ProviderError("timeout", f"the body did not arrive within {self.timeout:g} s")
        chunks: list[bytes] = []
        size = 0
        try:
            # read1 returns what has arrived; the watchdog ends a read that waits past the deadline.
            while (chunk := raw.read1(_CHUNK_BYTES, decode_content=False)) and not deadline.expired:
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise ProviderError("bad_response", f"the body is over {MAX_RESPONSE_BYTES} bytes")
                chunks.append(chunk)
        except (ReadTimeoutError, TimeoutError) as exc:
            raise late from exc
        except (Urllib3HTTPError, OSError) as exc:
            if deadline.expired:
                raise late from exc
            raise ProviderError("unavailable", f"connection broken while reading the body: {exc}") from exc
        if deadline.expired:
            raise late
        return b"".join(chunks)


def _answer(body: bytes, fields: tuple[str, ...]) -> ProviderAnswer:
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise ProviderError("bad_response", f"the body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise ProviderError("bad_response", "the body is not a JSON object")
    found, values, source = payload.get("found"), payload.get("values"), payload.get("source")
    if not isinstance(found, bool) or not isinstance(values, dict) or not isinstance(source, str):
        raise ProviderError("bad_response", "the body needs found (boolean), values (object) and source (string)")
    # Only what was asked for leaves this module, whatever the agency sent.
    picked = {name: values[name] for name in fields if name in values} if found else {}
    return ProviderAnswer(values=picked, found=found, source=source)


# --- Configuration --------------------------------------------------------------------------------


def _private_key(pem: Any, code: str) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(str(pem).encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"HTTP provider {code}: private_key_pem is not a PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"HTTP provider {code}: private_key_pem must be an Ed25519 key")
    return key


def _public_key(pem: Any, code: str, key_id: str) -> Ed25519PublicKey:
    try:
        key = load_pem_public_key(str(pem).encode())
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"HTTP provider {code}: agency key {key_id!r} is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ImproperlyConfigured(f"HTTP provider {code}: agency key {key_id!r} must be an Ed25519 key")
    return key


def _platform_key() -> tuple[str, Ed25519PrivateKey]:
    """The platform's active signing key (the one published at /.well-known/jwks.json)."""
    from tongban.core.keyring import get_keyring

    active = get_keyring().active
    assert active.private is not None  # the key ring refuses an active key without its private part
    return active.kid, active.private


def providers_from_settings(config: list[dict[str, Any]] | str) -> list[HttpProvider]:
    """Build providers from ``EXCHANGE_HTTP_PROVIDERS``-shaped config (a JSON list, keys as PEM text)::

    [{"code": "http.tax-bureau", "base_url": "https://...", "agency_keys": {"tax-2026": "-----BEGIN PUBLIC KEY-----..."},
      "timeout": 3.0}]

    Requests are signed with the platform's active key from the key ring, whose public part the
    agency fetches from ``/.well-known/jwks.json``; ``key_id`` + ``private_key_pem`` name another key
    (e.g. one registered with that agency only).
    """
    if isinstance(config, str):
        try:
            config = json.loads(config) if config.strip() else []
        except json.JSONDecodeError as exc:
            raise ImproperlyConfigured(f"{SETTING_NAME} is not valid JSON: {exc}") from exc
    if not isinstance(config, list):
        raise ImproperlyConfigured(f"{SETTING_NAME} must be a JSON list of providers")
    providers = []
    for item in config:
        missing = {"code", "base_url", "agency_keys"} - set(item)
        code = str(item.get("code", "?"))
        if missing:
            raise ImproperlyConfigured(f"{SETTING_NAME}: provider {code} lacks {', '.join(sorted(missing))}")
        if not isinstance(item["agency_keys"], dict):
            raise ImproperlyConfigured(f"{SETTING_NAME}: provider {code}: agency_keys must map key ids to PEM keys")
        if ("key_id" in item) != ("private_key_pem" in item):
            raise ImproperlyConfigured(f"{SETTING_NAME}: provider {code}: give key_id and private_key_pem together")
        if "private_key_pem" in item:
            key_id, private_key = str(item["key_id"]), _private_key(item["private_key_pem"], code)
        else:
            key_id, private_key = _platform_key()
        providers.append(
            HttpProvider(
                code=code,
                base_url=str(item["base_url"]),
                key_id=key_id,
                private_key=private_key,
                agency_keys={str(kid): _public_key(pem, code, str(kid)) for kid, pem in item["agency_keys"].items()},
                timeout=float(item.get("timeout", DEFAULT_TIMEOUT_SECONDS)),
            )
        )
    codes = [provider.code for provider in providers]
    if len(set(codes)) != len(codes):
        raise ImproperlyConfigured(f"{SETTING_NAME}: a provider code appears twice")
    return providers


def register_from_settings() -> list[HttpProvider]:
    """Register the providers of ``settings.EXCHANGE_HTTP_PROVIDERS`` (none when unset); return them."""
    providers = providers_from_settings(getattr(settings, SETTING_NAME, []))
    for provider in providers:
        register(provider)
    return providers
