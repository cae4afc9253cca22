"""The HTTP provider against a real agency endpoint on loopback (no database).

The endpoint is a ``ThreadingHTTPServer`` in a thread; ``agency.mode`` picks its behaviour per test.
Like a real agency it checks the platform's request signature and answers 401 when it cannot.
It checks twice: once with this module's own use of the signature library and hashlib, written
from the wire contract rather than from the provider's code, and once with ``verify_request``, so
a test passing is not just the provider agreeing with itself. Likewise one success is signed by
the library directly rather than by ``sign_response``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.core.exceptions import ImproperlyConfigured
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, MappingKeyResolver, algorithms
from requests.structures import CaseInsensitiveDict

from tongban.exchange.providers import base
from tongban.exchange.providers.base import ProviderAnswer, ProviderError, ProviderRequest, Subject
from tongban.exchange.providers.http import (
    HttpProvider,
    providers_from_settings,
    register_from_settings,
    sign_response,
    verify_request,
)
from tongban.exchange.providers.registry import Registry

PLATFORM_KEY_ID = "tongban-test"
AGENCY_KEY_ID = "tax-2026"
PLATFORM_KEY = Ed25519PrivateKey.generate()
AGENCY_KEY = Ed25519PrivateKey.generate()
STRANGER_KEY = Ed25519PrivateKey.generate()
# The contract as an agency reads it, written out here rather than imported from the provider.
REQUEST_COVERED = ("@method", "@target-uri", "content-digest", "content-type", "x-request-id")
RESPONSE_COVERED = ("@status", "content-digest", "content-type", "x-request-id")
TAG = "tongban-exchange"
RECORD = {"clearance": "clear", "last_filing_on": "2026-03-31", "arrears_yuan": 0}


@dataclass
class Seen:
    """What the endpoint received, and what each of its two checks concluded."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    independent_ok: bool
    helper_key_id: str | None


@dataclass
class Agency:
    url: str = ""
    mode: str = "ok"
    seen: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Message:
    method: str
    url: str
    headers: CaseInsensitiveDict[str]


@dataclass
class _Reply:
    status_code: int
    headers: CaseInsensitiveDict[str]


def independently_verified(method: str, url: str, headers: dict[str, str], body: bytes) -> bool:
    """The agency's own check: the library's verifier, our keys, and the digest by hashlib."""
    expected = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    if headers.get("Content-Digest") != expected:
        return False
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={PLATFORM_KEY_ID: PLATFORM_KEY.public_key()}, private_keys={}),
    )
    try:
        (result,) = verifier.verify(
            _Message(method, url, CaseInsensitiveDict(headers)),
            max_age=dt.timedelta(minutes=5),
            expect_tag=TAG,
            require_components=REQUEST_COVERED,
        )
    except Exception:
        return False
    return result.nonce == headers["X-Request-Id"] and result.parameters["keyid"] == PLATFORM_KEY_ID


def library_signed(status: int, body: bytes, request_id: str, *, created: dt.datetime | None = None) -> dict[str, str]:
    """Response headers signed with the library directly, not with ``sign_response``."""
    reply = _Reply(status, CaseInsensitiveDict({"Content-Type": "application/json", "X-Request-Id": request_id}))
    HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={AGENCY_KEY_ID: AGENCY_KEY}),
    ).sign(
        reply,
        key_id=AGENCY_KEY_ID,
        created=created or dt.datetime.now(dt.UTC),
        tag=TAG,
        covered_component_ids=RESPONSE_COVERED,
        body=body,
    )
    return dict(reply.headers)


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        agency = self.server.agency
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = dict(self.headers.items())
        url = f"http://{self.headers['Host']}{self.path}"
        try:
            helper_key_id: str | None = verify_request(
                self.command, url, headers, body, {PLATFORM_KEY_ID: PLATFORM_KEY.public_key()}
            )
        except ProviderError:
            helper_key_id = None
        independent_ok = independently_verified(self.command, url, headers, body)
        agency.seen.append(Seen(self.path, json.loads(body), headers, independent_ok, helper_key_id))
        if not independent_ok or helper_key_id is None:
            self.reply(401, b'{"error": "signature"}', {"Content-Type": "application/json"})
            return
        request_id = headers["X-Request-Id"]
        getattr(self, "mode_" + agency.mode.replace("-", "_"))(request_id)

    def reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def signed(self, status: int, payload: Any, request_id: str, key: Ed25519PrivateKey = AGENCY_KEY) -> None:
        body = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
        key_id = AGENCY_KEY_ID if key is AGENCY_KEY else "stranger"
        self.reply(status, body, sign_response(status, body, request_id, key_id, key))

    # --- the behaviours ---

    def mode_ok(self, request_id: str) -> None:
        extra = {"taxpayer_name": "not asked for", "internal_note": "not asked for either"}
        self.signed(200, {"found": True, "values": {**RECORD, **extra}, "source": "tax records"}, request_id)

    def mode_library_signed(self, request_id: str) -> None:
        body = json.dumps({"found": True, "values": RECORD, "source": "tax records"}).encode()
        self.reply(200, body, library_signed(200, body, request_id))

    def mode_not_found(self, request_id: str) -> None:
        self.signed(200, {"found": False, "values": {}, "source": "tax records"}, request_id)

    def mode_sleep(self, request_id: str) -> None:
        self.server.agency.stopping.wait(3)
        self.mode_ok(request_id)

    def mode_trickle_body(self, request_id: str) -> None:
        body = json.dumps({"found": True, "values": RECORD, "source": "x" * 500}).encode()
        self.send_response(200)
        for name, value in sign_response(200, body, request_id, AGENCY_KEY_ID, AGENCY_KEY).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.trickle(body, every=0.2)

    def mode_trickle_head(self, request_id: str) -> None:
        """Each byte well inside the read timeout, so only a deadline on the whole call ends it."""
        self.trickle(b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 2000 + b"\r\n", every=0.05)

    def trickle(self, data: bytes, *, every: float) -> None:
        for byte in data:
            if self.server.agency.stopping.wait(every):
                return
            try:
                self.wfile.write(bytes([byte]))
            except OSError:  # the provider gave up and closed the connection
                return
        self.close_connection = True

    def mode_error(self, request_id: str) -> None:
        self.reply(500, b"internal error", {"Content-Type": "text/plain"})

    def mode_stranger_key(self, request_id: str) -> None:
        self.signed(200, {"found": True, "values": RECORD, "source": "tax records"}, request_id, key=STRANGER_KEY)

    def mode_forged_with_known_key_id(self, request_id: str) -> None:
        body = json.dumps({"found": True, "values": RECORD, "source": "tax records"}).encode()
        self.reply(200, body, sign_response(200, body, request_id, AGENCY_KEY_ID, STRANGER_KEY))

    def mode_tampered(self, request_id: str) -> None:
        body = json.dumps({"found": True, "values": RECORD, "source": "tax records"}).encode()
        headers = sign_response(200, body, request_id, AGENCY_KEY_ID, AGENCY_KEY)
        self.reply(200, body.replace(b'"clear"', b'"owing"'), headers)

    def mode_unsigned(self, request_id: str) -> None:
        body = json.dumps({"found": True, "values": RECORD, "source": "tax records"}).encode()
        self.reply(200, body, {"Content-Type": "application/json", "X-Request-Id": request_id})

    def mode_stale(self, request_id: str) -> None:
        body = json.dumps({"found": True, "values": RECORD, "source": "tax records"}).encode()
        created = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
        self.reply(200, body, library_signed(200, body, request_id, created=created))

    def mode_other_request(self, request_id: str) -> None:
        self.signed(200, {"found": True, "values": RECORD, "source": "tax records"}, "someone-else")

    def mode_not_json(self, request_id: str) -> None:
        self.signed(200, b"<html>maintenance</html>", request_id)

    def mode_missing_keys(self, request_id: str) -> None:
        self.signed(200, {"found": True}, request_id)


class Server(ThreadingHTTPServer):
    agency: Agency

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout tests) is expected: no traceback on stderr."""
        if not isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            super().handle_error(request, client_address)


@pytest.fixture
def agency() -> Iterator[Agency]:
    server = Server(("127.0.0.1", 0), Handler)
    server.agency = Agency(url=f"http://127.0.0.1:{server.server_address[1]}/agency/v1")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.agency
    server.agency.stopping.set()  # ends sleeping and trickling handlers
    server.shutdown()
    server.server_close()
    thread.join(5)


def provider(url: str, *, timeout: float = 3.0, **overrides: Any) -> HttpProvider:
    kwargs: dict[str, Any] = {
        "code": "http.tax-bureau",
        "base_url": url,
        "key_id": PLATFORM_KEY_ID,
        "private_key": PLATFORM_KEY,
        "agency_keys": {AGENCY_KEY_ID: AGENCY_KEY.public_key()},
        "timeout": timeout,
    }
    return HttpProvider(**{**kwargs, **overrides})


def tax_request(request_id: str = "req-0001") -> ProviderRequest:
    return ProviderRequest(
        resource="tax.clearance",
        subject=Subject(kind="firm", key="91110000600037341L"),
        fields=("clearance", "arrears_yuan", "not_in_the_record"),
        consumer="market-regulation",
        purpose="food-business-licence",
        request_id=request_id,
    )


def error_of(http_provider: HttpProvider, request: ProviderRequest | None = None) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        http_provider.fetch(request or tax_request())
    return caught.value


# --- success ------------------------------------------------------------------------------------


def test_a_signed_answer_gives_only_the_fields_asked_for(agency: Agency) -> None:
    answer = provider(agency.url).fetch(tax_request())

    assert answer == ProviderAnswer(values={"clearance": "clear", "arrears_yuan": 0}, found=True, source="tax records")
    (seen,) = agency.seen
    assert seen.independent_ok and seen.helper_key_id == PLATFORM_KEY_ID
    assert seen.path == "/agency/v1/resources/tax.clearance/query"
    assert seen.body == {
        "subject": {"kind": "firm", "key": "91110000600037341L"},
        "fields": ["clearance", "arrears_yuan", "not_in_the_record"],
        "consumer": "market-regulation",
        "purpose": "food-business-licence",
        "request_id": "req-0001",
    }
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["X-Request-Id"] == "req-0001"
    assert 'nonce="req-0001"' in seen.headers["Signature-Input"]


def test_an_answer_signed_by_the_library_directly_is_accepted(agency: Agency) -> None:
    agency.mode = "library-signed"

    answer = provider(agency.url).fetch(tax_request())

    assert answer.values == {"clearance": "clear", "arrears_yuan": 0}


def test_no_record(agency: Agency) -> None:
    agency.mode = "not-found"

    assert provider(agency.url).fetch(tax_request()) == ProviderAnswer(values={}, found=False, source="tax records")


def test_the_connection_pool_serves_several_calls(agency: Agency) -> None:
    http_provider = provider(agency.url)

    answers = [http_provider.fetch(tax_request(f"req-{n}")) for n in range(3)]

    assert {answer.values["clearance"] for answer in answers} == {"clear"}
    assert [seen.headers["X-Request-Id"] for seen in agency.seen] == ["req-0", "req-1", "req-2"]


# --- time -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sleep", "trickle-body", "trickle-head"])
def test_a_slow_agency_times_out_within_the_timeout(agency: Agency, mode: str) -> None:
    agency.mode = mode
    started = time.monotonic()

    error = error_of(provider(agency.url, timeout=0.5))

    assert error.code == "timeout", error
    assert time.monotonic() - started < 2.0


def test_the_timeout_ends_no_later_call(agency: Agency) -> None:
    """A call that timed out leaves the provider (its pool, its watchdog) fit for the next one."""
    http_provider = provider(agency.url, timeout=0.5)
    agency.mode = "trickle-body"
    assert error_of(http_provider).code == "timeout"
    agency.mode = "ok"
    time.sleep(0.6)  # past the first call's deadline: its watchdog must not touch the new connection

    assert http_provider.fetch(tax_request("req-0002")).found


# --- the agency fails -----------------------------------------------------------------------------


def test_a_server_error_is_unavailable_with_its_status(agency: Agency) -> None:
    agency.mode = "error"

    error = error_of(provider(agency.url))

    assert error.code == "unavailable"
    assert "HTTP 500" in error.message


def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as bound_not_listening:
        bound_not_listening.bind(("127.0.0.1", 0))
        port = bound_not_listening.getsockname()[1]

        error = error_of(provider(f"http://127.0.0.1:{port}"))

    assert error.code == "unavailable"


@pytest.mark.parametrize(
    "overrides",
    [{"private_key": STRANGER_KEY}, {"key_id": "rogue", "private_key": STRANGER_KEY}],
    ids=["unknown-key", "unknown-key-id"],
)
def test_a_request_the_agency_cannot_verify_is_refused(agency: Agency, overrides: dict[str, Any]) -> None:
    error = error_of(provider(agency.url, **overrides))

    assert error.code == "unavailable"
    assert "HTTP 401" in error.message and "refused" in error.message
    (seen,) = agency.seen
    assert not seen.independent_ok and seen.helper_key_id is None


# --- the answer cannot be trusted -----------------------------------------------------------------


@pytest.mark.parametrize(
    "mode", ["stranger-key", "forged-with-known-key-id", "tampered", "unsigned", "stale", "other-request"]
)
def test_an_answer_that_does_not_verify_is_a_bad_signature(agency: Agency, mode: str) -> None:
    agency.mode = mode

    error = error_of(provider(agency.url))

    assert error.code == "bad_signature", error


@pytest.mark.parametrize("mode", ["not-json", "missing-keys"])
def test_a_signed_answer_of_the_wrong_shape_is_a_bad_response(agency: Agency, mode: str) -> None:
    agency.mode = mode

    assert error_of(provider(agency.url)).code == "bad_response"


# --- the agency-side helpers ----------------------------------------------------------------------


def test_verify_request_refuses_a_changed_body(agency: Agency) -> None:
    provider(agency.url).fetch(tax_request())
    (seen,) = agency.seen
    url = agency.url.removesuffix("/agency/v1") + seen.path
    body = json.dumps(seen.body, ensure_ascii=False, separators=(",", ":")).encode()
    keys = {PLATFORM_KEY_ID: PLATFORM_KEY.public_key()}
    assert verify_request("POST", url, seen.headers, body, keys) == PLATFORM_KEY_ID

    with pytest.raises(ProviderError) as caught:
        verify_request("POST", url, seen.headers, body.replace(b"market", b"police"), keys)

    assert caught.value.code == "bad_signature"


# --- configuration --------------------------------------------------------------------------------


def pem_private(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def pem_public(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def setting(url: str, **overrides: Any) -> list[dict[str, Any]]:
    item = {
        "code": "http.tax-bureau",
        "base_url": url,
        "key_id": PLATFORM_KEY_ID,
        "private_key_pem": pem_private(PLATFORM_KEY),
        "agency_keys": {"tax-2025": pem_public(STRANGER_KEY), AGENCY_KEY_ID: pem_public(AGENCY_KEY)},
        "timeout": 2.5,
    }
    return [{**item, **overrides}]


def test_providers_from_settings_round_trip(agency: Agency) -> None:
    (built,) = providers_from_settings(setting(agency.url))

    assert (built.code, built.base_url, built.key_id, built.timeout) == (
        "http.tax-bureau",
        agency.url,
        PLATFORM_KEY_ID,
        2.5,
    )
    assert built.fetch(tax_request()).values == {"clearance": "clear", "arrears_yuan": 0}
    assert agency.seen[0].independent_ok


def test_register_from_settings(agency: Agency, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "registry", Registry("provider"))
    settings.EXCHANGE_HTTP_PROVIDERS = setting(agency.url)

    (registered,) = register_from_settings()

    assert base.get("http.tax-bureau") is registered


def test_no_setting_registers_nothing(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "registry", Registry("provider"))
    if hasattr(settings, "EXCHANGE_HTTP_PROVIDERS"):
        del settings.EXCHANGE_HTTP_PROVIDERS

    assert register_from_settings() == []
    assert base.registered() == {}


@pytest.mark.parametrize(
    "overrides",
    [
        {"private_key_pem": "not a key"},
        {
            "private_key_pem": generate_private_key(SECP256R1())
            .private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
            .decode()
        },
        {"agency_keys": {AGENCY_KEY_ID: pem_private(AGENCY_KEY)}},
        {"agency_keys": {}},
        {"base_url": "ftp://tax.example"},
    ],
    ids=["garbage", "not-ed25519", "private-as-public", "no-agency-key", "not-http"],
)
def test_a_bad_setting_is_a_configuration_error(overrides: dict[str, Any]) -> None:
    with pytest.raises(ImproperlyConfigured):
        providers_from_settings(setting("https://tax.example", **overrides))


def test_a_setting_without_a_key_is_a_configuration_error() -> None:
    (item,) = setting("https://tax.example")
    del item["private_key_pem"]

    with pytest.raises(ImproperlyConfigured, match="private_key_pem"):
        providers_from_settings([item])


def test_by_default_requests_are_signed_with_the_platform_key_published_in_the_jwks(settings: Any) -> None:
    from tongban.core.keyring import get_keyring

    (item,) = setting("https://tax.example")
    del item["private_key_pem"], item["key_id"]
    (built,) = providers_from_settings(json.dumps([item]))  # the setting is JSON text from the environment
    assert built.key_id == get_keyring().active.kid


def test_a_setting_that_is_not_json_is_a_configuration_error() -> None:
    with pytest.raises(ImproperlyConfigured, match="not valid JSON"):
        providers_from_settings("[{")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "outcome", "reason"),
    [
        ("ok", "answered", ""),
        ("error", "failed", "unavailable"),
        ("sleep", "failed", "timeout"),
        ("stranger-key", "failed", "bad_signature"),
    ],
)
def test_through_the_exchange_every_outcome_is_logged(
    agency: Agency, monkeypatch: pytest.MonkeyPatch, mode: str, outcome: str, reason: str
) -> None:
    """End to end: exchange_query -> HttpProvider -> the agency's live endpoint, and the log entry."""
    from django.utils import timezone

    from tests.factories import AccountFactory, AgencyFactory, FirmFactory
    from tongban.core.actors import Actor
    from tongban.exchange.models import AccessLogEntry, DataResource, Grant, GrantStatus
    from tongban.exchange.services import Basis, exchange_query

    monkeypatch.setattr(base, "registry", base.registry.copy())
    base.register(provider(agency.url, timeout=0.5))
    consumer = AgencyFactory()
    resource = DataResource.objects.create(
        code="tax.clearance",
        owner=AgencyFactory(),
        name_zh="纳税状况",
        name_en="Tax clearance",
        classification="shared",
        subject_kind="firm",
        provider="http.tax-bureau",
        fields=[{"name": n, "label": {"zh": n, "en": n}} for n in ("clearance", "arrears_yuan", "last_filing_on")],
    )
    now = timezone.now()
    Grant.objects.create(
        consumer=consumer,
        resource=resource,
        purpose="food-licence",
        fields=["clearance", "arrears_yuan"],
        status=GrantStatus.APPROVED,
        requested_by=AccountFactory(),
        requested_at=now,
        decided_at=now,
        expires_at=now + dt.timedelta(days=1),
    )
    agency.mode = mode
    started = time.monotonic()
    result = exchange_query(
        consumer=consumer,
        resource_code="tax.clearance",
        fields=["clearance", "arrears_yuan"],
        purpose="food-licence",
        basis=Basis(),
        actor=Actor.system("tests"),
        now=now,
        firm=FirmFactory(),
    )
    assert time.monotonic() - started < 2.0  # never a hang
    entry = AccessLogEntry.objects.get(pk=result.log_id)
    assert (result.outcome, entry.outcome) == (outcome, outcome) and entry.reason.startswith(reason)
    if outcome == "answered":
        assert result.values == {"clearance": "clear", "arrears_yuan": 0} and result.source == "tax records"
    else:
        assert result.values == {}
