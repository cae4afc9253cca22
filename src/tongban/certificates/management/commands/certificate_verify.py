"""Verify a signed e-certificate offline: ``manage.py certificate_verify FILE --jwks JWKS_FILE_OR_URL``.

FILE holds a compact JWS: a certificate JWT or a ``vc+jwt`` credential (``-`` reads standard input). The
signature is checked against the given public keys only (a JWKS file, or a URL fetched once, 5 s timeout,
e.g. ``https://<site>/.well-known/jwks.json``), validity against the current time; then the certificate is
printed. Last, unless ``--no-revocation``, its status is asked from the issuer (the certificate's own,
signed, status URL; 5 s timeout), because a signature cannot say whether a certificate was revoked later.

Needs no database and no signing keys, so it runs on any machine with Tongban installed.

Exit status: 0 valid (also when revocation could not be checked: the output says so; add
``--require-revocation`` to make that a failure), 1 invalid (damaged, unknown key, bad signature, not yet
valid, expired, revoked, or unknown to the issuer), 2 usage errors (missing file, unusable key set).
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.certificates.jose import CertificateSummary, JwsError, check_validity, summarize, verify_jws
from tongban.core.clock import now as clock_now

TIMEOUT_SECONDS = 5.0
MAX_RESPONSE_BYTES = 1_000_000
STATUSES = {"valid", "expired", "revoked", "unknown"}


class FetchError(Exception):
    """A URL could not be fetched or did not answer JSON; the message says why, briefly."""


def _opener() -> urllib.request.OpenerDirector:
    """http(s) only: no file:, ftp: or data: URLs, not even through a redirect."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.HTTPDefaultErrorHandler(),
    ):
        opener.add_handler(handler)
    return opener


def is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def fetch_json(url: str, *, timeout: float = TIMEOUT_SECONDS) -> Any:
    """GET ``url`` and parse its JSON body (also of an error response, which the status endpoint may use
    for "unknown"); raise ``FetchError`` when there is no usable answer."""
    if not is_http_url(url):
        raise FetchError("not an http(s) URL")
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "tongban-verify"})  # noqa: S310 - scheme checked
    try:
        with _opener().open(request, timeout=timeout) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        body = exc.read(MAX_RESPONSE_BYTES + 1) if exc.fp is not None else b""
        try:
            return json.loads(body)
        except ValueError:
            raise FetchError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(str(reason) or type(exc).__name__) from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise FetchError("the answer is too large")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise FetchError("the answer is not JSON") from exc


def _when(moment: datetime | None, empty: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else empty


class Command(BaseCommand):
    help = "Verify a signed e-certificate (JWS or vc+jwt) offline against a JWK Set, then check revocation."
    requires_system_checks: list[str] = []  # an offline tool: needs neither a database nor keys
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="File holding the compact JWS; '-' reads standard input.")
        parser.add_argument(
            "--jwks", required=True, help="The issuer's public keys: a JWKS file, or an http(s) URL (fetched once)."
        )
        parser.add_argument("--no-revocation", action="store_true", help="Do not ask the issuer about revocation.")
        parser.add_argument(
            "--require-revocation",
            action="store_true",
            help="Fail (exit 1) when revocation cannot be checked, instead of only saying so.",
        )

    # --- input -----------------------------------------------------------------------------------------

    def _read_token(self, name: str, stdin: TextIO | None) -> str:
        try:
            text = (stdin or sys.stdin).read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {name}: {exc}", returncode=2) from exc
        token = text.strip()
        if not token:
            raise CommandError(f"{name} is empty.", returncode=2)
        return token

    def _read_jwks(self, source: str) -> dict[str, Any]:
        if "://" in source:
            try:
                data = fetch_json(source)
            except FetchError as exc:
                raise CommandError(f"Cannot load the keys from {source}: {exc}.", returncode=2) from exc
        else:
            try:
                data = json.loads(Path(source).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise CommandError(f"Cannot read the key set {source}: {exc}", returncode=2) from exc
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            raise CommandError(f"{source} is not a JWK Set (a JSON object with a 'keys' list).", returncode=2)
        if any(isinstance(key, dict) and "d" in key for key in data["keys"]):
            self.stderr.write("Warning: the key set contains private keys; only the public parts are used.")
        return data

    # --- output ----------------------------------------------------------------------------------------

    def _print(self, summary: CertificateSummary, key_id: str, header: dict[str, Any]) -> None:
        kind = "verifiable credential (vc+jwt)" if summary.kind == "vc" else "certificate (JWT)"
        out = self.stdout
        out.write(f"Signature:   valid, key {key_id} ({header.get('alg')}), {kind}")
        out.write(f"Number:      {summary.number}")
        out.write(f"Type:        {summary.certificate_type}")
        out.write(f"Holder:      {summary.holder_name} ({summary.subject})")
        out.write(f"Issued by:   {summary.agency} ({summary.issuer})")
        if summary.issued_at is not None:
            out.write(f"Issued at:   {_when(summary.issued_at, '')}")
        out.write(f"Valid from:  {_when(summary.valid_from, 'not stated')}")
        out.write(f"Valid until: {_when(summary.valid_until, 'no end date')}")
        if summary.fields:
            out.write("Fields:")
            for name, value in summary.fields.items():
                shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                out.write(f"  {name}: {shown}")

    def _fail(self, message: str) -> CommandError:
        self.stdout.write(f"Result:      INVALID. {message}")
        return CommandError(message, returncode=1)

    # --- revocation ------------------------------------------------------------------------------------

    def _revocation(self, summary: CertificateSummary) -> tuple[str, str]:
        """("ok" | "unchecked" | "invalid", the line to print)."""
        url = summary.status_url
        if not url or not is_http_url(url):
            return "unchecked", f"Revocation was NOT checked: the certificate names no http(s) status URL ({url})."
        try:
            answer = fetch_json(url)
        except FetchError as exc:
            return "unchecked", f"Revocation was NOT checked: {url} could not be reached ({exc})."
        status = answer.get("status") if isinstance(answer, dict) else None
        if status not in STATUSES:
            return "unchecked", f"Revocation was NOT checked: {url} gave an answer without a known status."
        number = answer.get("number")
        if number is not None and number != summary.number:
            return "unchecked", f"Revocation was NOT checked: {url} answered about certificate {number}."
        if status == "revoked":
            when = answer.get("revoked_at") or "an unstated time"
            reason = answer.get("reason")
            return "invalid", f"REVOKED by the issuer at {when}" + (f": {reason}." if reason else ".")
        if status == "unknown":
            return "invalid", "The issuer does not know this certificate number."
        if status == "expired":
            return "invalid", "The issuer reports this certificate as expired."
        return "ok", f"Revocation: checked at {url}: not revoked."

    # --- main ------------------------------------------------------------------------------------------

    def handle(self, *args: Any, **options: Any) -> None:
        token = self._read_token(options["file"], options.get("stdin"))
        jwks = self._read_jwks(options["jwks"])
        try:
            verified = verify_jws(token, jwks)
            summary = summarize(verified.payload)
        except JwsError as exc:
            raise self._fail(f"{exc} [{exc.code}]") from exc
        self._print(summary, verified.key_id, verified.header)
        try:
            check_validity(verified.payload, now=clock_now())
        except JwsError as exc:
            raise self._fail(f"{exc} [{exc.code}]") from exc

        if options["no_revocation"]:
            outcome, line = "unchecked", "Revocation was NOT checked (--no-revocation)."
        else:
            outcome, line = self._revocation(summary)
        if outcome == "invalid":
            raise self._fail(line)
        self.stdout.write(line)
        if outcome == "unchecked":
            if options["require_revocation"]:
                raise self._fail("Revocation could not be checked and --require-revocation was given.")
            self.stdout.write("Result:      VALID signature and dates; revocation NOT checked.")
            return
        self.stdout.write("Result:      VALID.")
