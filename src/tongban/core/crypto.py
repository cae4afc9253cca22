"""Personal data at rest: the data-key ring, authenticated encryption and keyed lookup digests.

Everything here is a thin layer over the locked ``cryptography`` library (ADR 0029): AES-256-GCM
(``AESGCM``) or SM4-GCM (``Cipher(algorithms.SM4, modes.GCM)``) for values, HMAC-SHA256 or
HMAC-SM3 for the digests of numbers that need an equality search. No home-made primitives.

The ring comes from ``DATA_KEYS_JSON`` or the file at ``DATA_KEYS_FILE`` (written by
``manage.py keyring_generate``)::

    {"keys":        [{"kid": "…", "alg": "AES-GCM" | "SM4-GCM", "k": "<base64url>", "status": "active" | "retired"}],
     "lookup_keys": [{"kid": "…", "alg": "HMAC-SHA256" | "HMAC-SM3", "k": "<base64url>", "status": "active" | "retired"}]}

Writes use the active key of the algorithm ``DATA_CIPHER`` names; every key in the ring decrypts
(rotation without downtime: add a new active key, retire the old, run ``manage.py data_rekey``).
Lookup digests are made with the active lookup key of ``DATA_LOOKUP_HMAC``; searches accept the
digests under every lookup key of the ring, so a lookup-key rotation needs no downtime either.

A ciphertext is text, safe in any column of either database::

    tb1.<alg>.<kid>.<nonce, base64url>.<ciphertext and tag, base64url>

The associated data names the table and column it was written to, so a value copied into another
column (or table) fails authentication instead of being read there.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from tongban.core.keyring import read_key_config, write_secret_json

PREFIX = "tb1"
CIPHERS = {"AES-GCM": 32, "SM4-GCM": 16}  # algorithm -> key length in bytes
LOOKUP_HMACS = {"HMAC-SHA256": hashes.SHA256, "HMAC-SM3": hashes.SM3}
LOOKUP_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_ALG_CODES = {"AES-GCM": "A", "SM4-GCM": "S"}
_CODE_ALGS = {code: alg for alg, code in _ALG_CODES.items()}


class DataKeyError(ImproperlyConfigured):
    """The configured data-key ring is missing or malformed."""


class DecryptionError(ValueError):
    """A stored value is not a ciphertext of this ring, was altered, or belongs to another column."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class DataKey:
    """One key of the ring: a cipher key (alg AES-GCM / SM4-GCM) or a lookup key (HMAC-*)."""

    kid: str
    alg: str
    secret: bytes
    active: bool


class DataKeyRing:
    """The data keys and lookup keys, by id, with the active ones per algorithm."""

    def __init__(self, keys: list[DataKey], lookup_keys: list[DataKey]) -> None:
        self.keys = {key.kid: key for key in keys}
        self.lookup_keys = {key.kid: key for key in lookup_keys}
        if len(self.keys) != len(keys) or len(self.lookup_keys) != len(lookup_keys):
            raise DataKeyError("Two data keys share a key id.")
        for key in keys:
            if key.alg not in CIPHERS or len(key.secret) != CIPHERS[key.alg]:
                raise DataKeyError(f"Data key {key.kid}: {key.alg} needs a {CIPHERS.get(key.alg, '?')}-byte key.")
            if "." in key.kid or not key.kid:
                raise DataKeyError(f"Data key id {key.kid!r} must be non-empty and contain no '.'.")
        for key in lookup_keys:
            if key.alg not in LOOKUP_HMACS or len(key.secret) < 16:
                raise DataKeyError(f"Lookup key {key.kid}: {key.alg} is unknown or the key is shorter than 16 bytes.")
        self._aead: dict[str, AESGCM] = {}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DataKeyRing:
        def parse(entries: list[dict[str, Any]]) -> list[DataKey]:
            try:
                return [
                    DataKey(
                        kid=str(e["kid"]), alg=str(e["alg"]), secret=_unb64(e["k"]), active=e.get("status") == "active"
                    )
                    for e in entries
                ]
            except (KeyError, TypeError, ValueError) as exc:
                raise DataKeyError(f"A data key entry is malformed: {exc}") from exc

        return cls(parse(data.get("keys", [])), parse(data.get("lookup_keys", [])))

    def active_key(self) -> DataKey:
        """The key new values are encrypted with: the active key of ``DATA_CIPHER``."""
        alg = settings.DATA_CIPHER
        active = [key for key in self.keys.values() if key.active and key.alg == alg]
        if len(active) != 1:
            raise DataKeyError(f"The data-key ring must have exactly one active {alg} key, it has {len(active)}.")
        return active[0]

    def active_lookup_key(self) -> DataKey:
        """The key new lookup digests are made with: the active key of ``DATA_LOOKUP_HMAC``."""
        alg = settings.DATA_LOOKUP_HMAC
        active = [key for key in self.lookup_keys.values() if key.active and key.alg == alg]
        if len(active) != 1:
            raise DataKeyError(
                f"The data-key ring must have exactly one active {alg} lookup key, it has {len(active)}."
            )
        return active[0]

    def _aes(self, key: DataKey) -> AESGCM:
        aead = self._aead.get(key.kid)
        if aead is None:
            aead = self._aead[key.kid] = AESGCM(key.secret)
        return aead

    def seal(self, plaintext: bytes, context: str) -> str:
        key = self.active_key()
        nonce = os.urandom(NONCE_BYTES)
        aad = context.encode()
        if key.alg == "AES-GCM":
            sealed = self._aes(key).encrypt(nonce, plaintext, aad)
        else:
            encryptor = Cipher(algorithms.SM4(key.secret), modes.GCM(nonce)).encryptor()
            encryptor.authenticate_additional_data(aad)
            sealed = encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag
        return f"{PREFIX}.{_ALG_CODES[key.alg]}.{key.kid}.{_b64(nonce)}.{_b64(sealed)}"

    def open(self, token: str, context: str) -> bytes:
        parts = token.split(".")
        if len(parts) != 5 or parts[0] != PREFIX or parts[1] not in _CODE_ALGS:
            raise DecryptionError(f"Not a ciphertext of this platform (for {context}).")
        key = self.keys.get(parts[2])
        if key is None or key.alg != _CODE_ALGS[parts[1]]:
            raise DecryptionError(f"Data key {parts[2]!r} is not in the ring (for {context}).")
        try:
            nonce, sealed = _unb64(parts[3]), _unb64(parts[4])
            aad = context.encode()
            if key.alg == "AES-GCM":
                return self._aes(key).decrypt(nonce, sealed, aad)
            if len(sealed) < TAG_BYTES:
                raise InvalidTag
            decryptor = Cipher(algorithms.SM4(key.secret), modes.GCM(nonce, sealed[-TAG_BYTES:])).decryptor()
            decryptor.authenticate_additional_data(aad)
            return decryptor.update(sealed[:-TAG_BYTES]) + decryptor.finalize()
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError(f"A stored value failed authentication (for {context}).") from exc

    def digest(self, text: str, key: DataKey | None = None) -> str:
        key = key or self.active_lookup_key()
        mac = hmac.HMAC(key.secret, LOOKUP_HMACS[key.alg]())
        mac.update(text.encode())
        return mac.finalize().hex()

    def digests(self, text: str) -> list[str]:
        """The digests of ``text`` under every lookup key, the active one first."""
        active = self.active_lookup_key()
        others = [key for key in self.lookup_keys.values() if key.kid != active.kid]
        return [self.digest(text, active), *(self.digest(text, key) for key in others)]


def key_id_of(token: str) -> str:
    """The id of the key a ciphertext was made with ('' if it is not one)."""
    parts = token.split(".")
    return parts[2] if len(parts) == 5 and parts[0] == PREFIX else ""


def new_key(alg: str, *, active: bool = True) -> dict[str, str]:
    """A fresh random key entry for the ring file (``alg``: a cipher or a lookup HMAC)."""
    size = CIPHERS.get(alg, LOOKUP_KEY_BYTES)
    return {
        "kid": secrets.token_hex(4),
        "alg": alg,
        "k": _b64(os.urandom(size)),
        "status": "active" if active else "retired",
    }


def new_ring(
    ciphers: tuple[str, ...] = ("AES-GCM", "SM4-GCM"), lookups: tuple[str, ...] = ("HMAC-SHA256", "HMAC-SM3")
) -> dict[str, Any]:
    """A fresh ring with one active key per cipher and per lookup HMAC (so either can be configured)."""
    return {"keys": [new_key(alg) for alg in ciphers], "lookup_keys": [new_key(alg) for alg in lookups]}


def rotate_ring(data: dict[str, Any], *, lookup: bool = False) -> dict[str, Any]:
    """Add a new active key for each algorithm (of the lookup keys with ``lookup``), retiring the
    old ones, which stay in the ring to decrypt (or to find) what they made."""
    section = "lookup_keys" if lookup else "keys"
    algs = sorted({entry["alg"] for entry in data.get(section, [])}) or (
        list(LOOKUP_HMACS) if lookup else list(CIPHERS)
    )
    for entry in data.get(section, []):
        entry["status"] = "retired"
    data[section] = [*(new_key(alg) for alg in algs), *data.get(section, [])]
    return data


def write_data_keys_file(path: Path, *, rotate: bool = False, rotate_lookup: bool = False) -> bool:
    """Create the data-key file if missing (or rotate it). Returns whether anything was written.
    The file is mode 0600, written atomically."""
    if path.exists():
        if not (rotate or rotate_lookup):
            return False
        data = json.loads(path.read_text())
        if rotate:
            rotate_ring(data)
        if rotate_lookup:
            rotate_ring(data, lookup=True)
    else:
        data = new_ring()
    write_secret_json(path, data)
    return True


@lru_cache(maxsize=1)
def get_data_keyring() -> DataKeyRing:
    """The configured data-key ring (cached for the process)."""
    data = read_key_config(
        inline=settings.DATA_KEYS_JSON, file=settings.DATA_KEYS_FILE, what="data keys", error=DataKeyError
    )
    return DataKeyRing.from_json(data)


@receiver(setting_changed)
def _reset_data_keyring(*, setting: str, **kwargs: Any) -> None:
    if setting in {"DATA_KEYS_FILE", "DATA_KEYS_JSON"}:
        get_data_keyring.cache_clear()


# --- The functions the fields, the migrations, the rekey command and the bench generator share -----


def context_of(table: str, column: str) -> str:
    """The associated data of a value stored in ``table.column``."""
    return f"{table}.{column}"


def encrypt_text(value: str, *, table: str, column: str) -> str:
    return get_data_keyring().seal(value.encode(), context_of(table, column))


def decrypt_text(token: str, *, table: str, column: str) -> str:
    return get_data_keyring().open(token, context_of(table, column)).decode()


def encrypt_json(value: Any, *, table: str, column: str) -> str:
    return encrypt_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), table=table, column=column)


def decrypt_json(token: str, *, table: str, column: str) -> Any:
    return json.loads(decrypt_text(token, table=table, column=column))


def lookup_digest(text: str) -> str:
    """The digest stored in a lookup column: HMAC of ``text`` (already normalised) under the
    active lookup key, hex."""
    return get_data_keyring().digest(text)


def lookup_digests(text: str) -> list[str]:
    """The digests to search a lookup column for: under every lookup key, the active one first."""
    return get_data_keyring().digests(text)


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    """Encrypt a file's content: the text token as ASCII bytes."""
    return get_data_keyring().seal(data, context).encode("ascii")


def decrypt_bytes(data: bytes, *, context: str) -> bytes:
    try:
        token = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise DecryptionError(f"Not a ciphertext of this platform (for {context}).") from exc
    return get_data_keyring().open(token, context)
