"""The platform's signing-key ring: Ed25519 keys as a JWK Set, one active, retired ones kept.

Keys come from configuration (``SIGNING_KEYS_JSON`` or the file at ``SIGNING_KEYS_FILE``), never
from the repository. The audit sealer signs chain checkpoints with the active key, and the
certificates context signs e-certificates with it (``certificates.jose``). Retired keys stay in the ring (private part
optional) so that everything they signed still verifies after a rotation. Key ids are RFC 7638
JWK thumbprints, so a key's id is derived from the key itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def thumbprint(public_x: str) -> str:
    """RFC 7638 thumbprint of an Ed25519 JWK (members crv, kty, x in lexical order)."""
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": public_x}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


@dataclass(frozen=True)
class SigningKey:
    """One Ed25519 key of the ring; ``private`` is None for a retired, verify-only key."""

    kid: str
    public: Ed25519PublicKey
    private: Ed25519PrivateKey | None
    active: bool

    def public_jwk(self) -> dict[str, str]:
        x = b64url(_public_bytes(self.public))
        return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": self.kid, "use": "sig", "alg": "EdDSA"}


class KeyRingError(ImproperlyConfigured):
    """The configured key ring is missing or malformed."""


class KeyRing:
    """A set of signing keys with exactly one active key."""

    def __init__(self, keys: list[SigningKey]) -> None:
        active = [key for key in keys if key.active]
        if len(active) != 1:
            raise KeyRingError(f"The key ring must have exactly one active key, it has {len(active)}.")
        if active[0].private is None:
            raise KeyRingError("The active signing key has no private part.")
        self.keys = {key.kid: key for key in keys}
        self.active = active[0]

    @classmethod
    def from_jwks(cls, data: dict[str, Any]) -> KeyRing:
        keys: list[SigningKey] = []
        for jwk in data.get("keys", []):
            if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
                raise KeyRingError("Only Ed25519 (OKP) keys are supported in the key ring.")
            public = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
            private = Ed25519PrivateKey.from_private_bytes(b64url_decode(jwk["d"])) if jwk.get("d") else None
            if private is not None and _public_bytes(private.public_key()) != _public_bytes(public):
                raise KeyRingError(f"Key {jwk.get('kid')}: private and public parts do not match.")
            kid = jwk.get("kid") or thumbprint(jwk["x"])
            keys.append(SigningKey(kid=kid, public=public, private=private, active=jwk.get("status") == "active"))
        return cls(keys)

    def sign(self, message: bytes) -> tuple[str, bytes]:
        """Sign with the active key; returns (key id, signature)."""
        assert self.active.private is not None
        return self.active.kid, self.active.private.sign(message)

    def verify(self, kid: str, message: bytes, signature: bytes) -> bool:
        """True if ``signature`` over ``message`` was made by key ``kid`` of this ring."""
        key = self.keys.get(kid)
        if key is None:
            return False
        try:
            key.public.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public keys, active first, for ``/.well-known/jwks.json``."""
        ordered = [self.active, *[key for key in self.keys.values() if not key.active]]
        return {"keys": [key.public_jwk() for key in ordered]}


def new_private_jwk(*, active: bool = True) -> dict[str, str]:
    """A fresh Ed25519 private JWK with its thumbprint as key id."""
    private = Ed25519PrivateKey.generate()
    x = b64url(_public_bytes(private.public_key()))
    d = b64url(private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": x,
        "d": d,
        "kid": thumbprint(x),
        "use": "sig",
        "alg": "EdDSA",
        "status": "active" if active else "retired",
    }


def write_secret_json(path: Path, data: Any) -> None:
    """Write a key file atomically (a temporary file, fsync, rename), readable by its owner only
    (mode 0600): a crash leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_key_config(*, inline: str, file: str | Path, what: str, error: type[ImproperlyConfigured]) -> Any:
    """The parsed JSON of a key ring: the ``inline`` setting's value if set, else the file's.
    ``what`` names the ring in the messages ("signing keys"); ``error`` is raised when it is
    missing or not JSON."""
    raw = inline
    if not raw:
        path = Path(file)
        if not path.exists():
            raise error(f"No {what}: {path} does not exist. Run `manage.py keyring_generate` or set it inline.")
        raw = path.read_text()
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise error(f"The {what} ring is not valid JSON: {exc}") from exc


def write_keyring_file(path: Path, *, rotate: bool = False) -> tuple[str, bool]:
    """Create the key file if missing (or, with ``rotate``, add a new active key and retire the
    old ones). Returns (active key id, whether anything was written). The file is mode 0600."""
    data: dict[str, Any] = {"keys": []}
    if path.exists():
        data = json.loads(path.read_text())
        if not rotate:
            return KeyRing.from_jwks(data).active.kid, False
        for jwk in data["keys"]:
            jwk["status"] = "retired"
    new = new_private_jwk()
    data["keys"].insert(0, new)
    write_secret_json(path, data)
    return new["kid"], True


@lru_cache(maxsize=1)
def get_keyring() -> KeyRing:
    """The configured key ring (cached for the process)."""
    data = read_key_config(
        inline=settings.SIGNING_KEYS_JSON, file=settings.SIGNING_KEYS_FILE, what="signing keys", error=KeyRingError
    )
    return KeyRing.from_jwks(data)


@receiver(setting_changed)
def _reset_keyring(*, setting: str, **kwargs: Any) -> None:
    if setting in {"SIGNING_KEYS_FILE", "SIGNING_KEYS_JSON"}:
        get_keyring.cache_clear()
