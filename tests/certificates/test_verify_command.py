"""``manage.py certificate_verify``: offline signature check, dates, and the issuer's revocation status.

A small HTTP server on loopback (started per test, in a thread) plays the issuer: it serves the JWK Set
and the TongbanStatus2026 answers. Nothing leaves the machine.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.certificates.test_jose import change_one_character
from tongban.certificates import jose
from tongban.core.keyring import KeyRing, get_keyring, new_private_jwk

NOW = datetime.now(UTC).replace(microsecond=0)


class Issuer:
    """A loopback HTTP server: ``routes`` maps a path to (status code, JSON body)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, Any]] = {}
        self.requests: list[str] = []
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.requests.append(self.path)
                code, body = issuer.routes.get(self.path, (404, {"detail": "not found"}))
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def status(self, number: str, status: str, **extra: Any) -> None:
        self.routes[f"/verify/{number}.json"] = (200, {"number": number, "status": status, **extra})


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    server = Issuer()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
    server.thread.join(timeout=5)


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL where nothing listens: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def jwks_file(tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(get_keyring().public_jwks()))
    return path


def certificate(issuer_url: str, *, number: str = "SH-2026-000123", **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "issuer": issuer_url,
        "subject": "urn:uuid:6f1c1f2e-8d4b-4c43-9a55-2f4a3c0b9e11",
        "number": number,
        "issued_at": NOW - timedelta(days=1),
        "valid_from": NOW - timedelta(days=1),
        "valid_until": NOW + timedelta(days=365),
        "certificate_type": "business-licence",
        "fields": {"registeredCapital": "1000000 CNY", "address": "上海市浦东新区世纪大道 100 号"},
        "holder_name": "上海通办科技有限公司",
        "issuing_agency": "上海市市场监督管理局",
    }
    values.update(overrides)
    return values


def write_token(tmp_path: Path, token: str) -> Path:
    path = tmp_path / "certificate.jws"
    path.write_text(token + "\n")
    return path


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    """Run the command; (exit status, standard output)."""
    out = io.StringIO()
    extra: dict[str, Any] = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    try:
        call_command("certificate_verify", *args, stdout=out, stderr=io.StringIO(), **extra)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + f"\n{exc}"
    return 0, out.getvalue()


def test_valid_certificate_when_the_status_url_cannot_be_reached(
    tmp_path: Path, jwks_file: Path, closed_port_url: str
) -> None:
    token = jose.sign_jws(jose.certificate_payload(**certificate(closed_port_url)))
    code, out = run(str(write_token(tmp_path, token)), "--jwks", str(jwks_file))

    assert code == 0, out
    assert f"Signature:   valid, key {get_keyring().active.kid}" in out
    assert "Number:      SH-2026-000123" in out
    assert "Type:        business-licence" in out
    assert "Holder:      上海通办科技有限公司 (urn:uuid:6f1c1f2e-8d4b-4c43-9a55-2f4a3c0b9e11)" in out
    assert f"Issued by:   上海市市场监督管理局 ({closed_port_url})" in out
    assert "  address: 上海市浦东新区世纪大道 100 号" in out
    assert f"Revocation was NOT checked: {closed_port_url}/verify/SH-2026-000123.json could not be reached (" in out
    assert "revocation NOT checked" in out


def test_tampered_certificate_fails(tmp_path: Path, jwks_file: Path, issuer: Issuer) -> None:
    token = jose.sign_jws(jose.certificate_payload(**certificate(issuer.url)))
    code, out = run(str(write_token(tmp_path, change_one_character(token, 1))), "--jwks", str(jwks_file))
    assert code == 1
    assert "INVALID" in out and "[bad_signature]" in out
    assert issuer.requests == []  # nothing a forged token names is ever fetched


def test_revoked_certificate_fails(tmp_path: Path, jwks_file: Path, issuer: Issuer) -> None:
    issuer.status("SH-2026-000123", "revoked", revoked_at="2026-11-20T10:00:00+08:00", reason="licence withdrawn")
    token = jose.sign_jws(jose.certificate_payload(**certificate(issuer.url)))
    code, out = run(str(write_token(tmp_path, token)), "--jwks", str(jwks_file))
    assert code == 1
    assert "REVOKED by the issuer at 2026-11-20T10:00:00+08:00: licence withdrawn." in out
    assert issuer.requests == ["/verify/SH-2026-000123.json"]


def test_certificate_reported_valid_by_the_issuer_passes(tmp_path: Path, jwks_file: Path, issuer: Issuer) -> None:
    issuer.status("SH-2026-000123", "valid", revoked_at=None, reason=None)
    token = jose.sign_jws(jose.certificate_payload(**certificate(issuer.url)))
    code, out = run(str(write_token(tmp_path, token)), "--jwks", str(jwks_file))
    assert code == 0, out
    assert f"Revocation: checked at {issuer.url}/verify/SH-2026-000123.json: not revoked." in out
    assert out.rstrip().endswith("Result:      VALID.")


def test_jwks_from_a_url(tmp_path: Path, issuer: Issuer) -> None:
    issuer.routes["/.well-known/jwks.json"] = (200, get_keyring().public_jwks())
    issuer.status("SH-2026-000123", "valid")
    token = jose.sign_jws(jose.certificate_payload(**certificate(issuer.url)))
    code, out = run(str(write_token(tmp_path, token)), "--jwks", f"{issuer.url}/.well-known/jwks.json")
    assert code == 0, out
    assert issuer.requests == ["/.well-known/jwks.json", "/verify/SH-2026-000123.json"]


def test_credential_uses_its_credential_status(tmp_path: Path, jwks_file: Path, issuer: Issuer) -> None:
    issuer.status("VC-7", "revoked")
    token = jose.sign_credential(jose.credential(**certificate(issuer.url, number="VC-7")))
    code, out = run(str(write_token(tmp_path, token)), "--jwks", str(jwks_file))
    assert code == 1
    assert "verifiable credential (vc+jwt)" in out and "Number:      VC-7" in out
    assert "REVOKED" in out
    assert issuer.requests == ["/verify/VC-7.json"]


def test_token_from_standard_input(jwks_file: Path, issuer: Issuer) -> None:
    issuer.status("SH-2026-000123", "valid")
    token = jose.sign_jws(jose.certificate_payload(**certificate(issuer.url)))
    code, out = run("-", "--jwks", str(jwks_file), stdin=token + "\n")
    assert code == 0, out


def test_expired_certificate_fails_without_asking_the_issuer(tmp_path: Path, jwks_file: Path, issuer: Issuer) -> None:
    token = jose.sign_jws(
        jose.certificate_payload(
            **certificate(issuer.url, valid_from=NOW - timedelta(days=30), valid_until=NOW - timedelta(days=1))
        )
    )
    code, out = run(str(write_token(tmp_path, token)), "--jwks", str(jwks_file))
    assert code == 1
    assert "Number:      SH-2026-000123" in out  # the details are still shown
    assert "[expired]" in out
    assert issuer.requests == []


@pytest.mark.parametrize(("status", "expected"), [("unknown", "does not know"), ("expired", "reports")])
def test_issuer_not_vouching_for_the_certificate_fails(
    tmp_path: Path, jwks_file: Path, issuer: Issuer, status: str, expected: str
) -> None:
    issuer.status("SH-2026-000123", status)
    token = jose.sign_jws(jose.certificate_payload(**certificate(issuer.url)))
    code, out = run(str(write_token(tmp_path, token)), "--jwks", str(jwks_file))
    assert code == 1
    assert expected in out


def test_an_answer_about_another_certificate_is_not_a_check(tmp_path: Path, jwks_file: Path, issuer: Issuer) -> None:
    issuer.routes["/verify/SH-2026-000123.json"] = (200, {"number": "OTHER", "status": "valid"})
    token = jose.sign_jws(jose.certificate_payload(**certificate(issuer.url)))
    code, out = run(str(write_token(tmp_path, token)), "--jwks", str(jwks_file))
    assert code == 0
    assert "Revocation was NOT checked" in out and "answered about certificate OTHER" in out


def test_no_revocation_and_require_revocation(tmp_path: Path, jwks_file: Path, closed_port_url: str) -> None:
    token_path = write_token(tmp_path, jose.sign_jws(jose.certificate_payload(**certificate(closed_port_url))))
    code, out = run(str(token_path), "--jwks", str(jwks_file), "--no-revocation")
    assert code == 0
    assert "Revocation was NOT checked (--no-revocation)." in out

    code, out = run(str(token_path), "--jwks", str(jwks_file), "--require-revocation")
    assert code == 1
    assert "could not be reached" in out


def test_token_of_another_issuer_is_unknown_key(tmp_path: Path, jwks_file: Path, issuer: Issuer) -> None:
    stranger = KeyRing.from_jwks({"keys": [new_private_jwk()]})
    token = jose.sign_jws(jose.certificate_payload(**certificate(issuer.url)), keyring=stranger)
    code, out = run(str(write_token(tmp_path, token)), "--jwks", str(jwks_file))
    assert code == 1
    assert "[unknown_key]" in out


def test_usage_errors_exit_2(tmp_path: Path, jwks_file: Path, closed_port_url: str) -> None:
    token_path = write_token(tmp_path, jose.sign_jws(jose.certificate_payload(**certificate(closed_port_url))))
    assert run(str(tmp_path / "missing.jws"), "--jwks", str(jwks_file))[0] == 2
    assert run(str(token_path), "--jwks", str(tmp_path / "missing.json"))[0] == 2
    assert run(str(token_path), "--jwks", f"{closed_port_url}/jwks.json")[0] == 2
    (tmp_path / "not-a-set.json").write_text('{"kty": "OKP"}')
    assert run(str(token_path), "--jwks", str(tmp_path / "not-a-set.json"))[0] == 2
    assert run(str(token_path), "--jwks", "file:///etc/passwd")[0] == 2


def test_real_exit_codes_from_the_command_line(tmp_path: Path, jwks_file: Path, closed_port_url: str) -> None:
    """The shell sees 0 / 1 / 2 (no database, no signing keys needed by the verifier)."""
    valid = write_token(tmp_path, jose.sign_jws(jose.certificate_payload(**certificate(closed_port_url))))
    tampered = tmp_path / "tampered.jws"
    tampered.write_text(change_one_character(valid.read_text().strip(), 1))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tongban.conf.base", "SIGNING_KEYS_JSON": ""}
    manage = Path(settings.BASE_DIR) / "manage.py"

    def exit_code(*args: str) -> int:
        done = subprocess.run(
            [sys.executable, str(manage), "certificate_verify", *args],
            check=False,
            env=env,
            capture_output=True,
            timeout=60,
        )
        return done.returncode

    assert exit_code(str(valid), "--jwks", str(jwks_file)) == 0
    assert exit_code(str(tampered), "--jwks", str(jwks_file)) == 1
    assert exit_code(str(valid)) == 2  # --jwks missing: argparse's usage error
