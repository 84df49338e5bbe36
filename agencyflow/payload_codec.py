"""Everything that crosses Temporal is encrypted: workflow inputs, updates, results, records.

Workflow histories are kept by Temporal and shown by its UI; they carry an agency's
professionals (names, ID numbers) and a project's people. AES-256-GCM (from
``cryptography``, the maintained standard library of Python cryptography; SM4 has no
maintained package of the same standing) seals each payload with the current key, and
names the key in the payload's metadata, so that a key can be rotated: new payloads take
the new key, old ones still open with the retired keys the settings keep.

A payload without our encoding (histories recorded before encryption, the replay corpus)
passes through as it is.
"""

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


class UnknownKey(Exception):
    """A payload sealed with a key the settings do not hold."""


class Sealer:
    """AES-256-GCM under the current key, opening with any key it holds (rotation). A
    ``context`` binds a sealed value to what it belongs to: sealed for one record, it will
    not open as another's."""

    def __init__(self, key_id: str, keys: Mapping[str, bytes]) -> None:
        if key_id not in keys:
            raise ValueError(f"no key for the current key id {key_id!r}")
        self.key_id = key_id
        self._ciphers = {kid: AESGCM(key) for kid, key in keys.items()}
        self._current = keys[key_id]

    def seal(self, data: bytes, context: bytes | None = None) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._ciphers[self.key_id].encrypt(nonce, data, context)

    def open(self, key_id: str, sealed: bytes, context: bytes | None = None) -> bytes:
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UnknownKey(f"sealed with key {key_id!r}, which is not configured")
        return cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)

    def digest(self, text: str) -> str:
        """A keyed hash: the same text gives the same digest, which says nothing of the text
        to whoever lacks the key (a client's address, kept only to count its filings)."""
        return hmac.new(self._current, text.encode(), hashlib.sha256).hexdigest()


class EncryptionCodec(PayloadCodec):
    def __init__(self, key_id: str, keys: Mapping[str, bytes]) -> None:
        self._sealer = Sealer(key_id, keys)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        metadata = {"encoding": ENCODING, KEY_ID: self._sealer.key_id.encode()}
        return [
            Payload(metadata=metadata, data=self._sealer.seal(payload.SerializeToString()))
            for payload in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._open(payload) for payload in payloads]

    def _open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID, b"").decode()
        opened = Payload()
        opened.ParseFromString(self._sealer.open(key_id, payload.data))
        return opened


def new_key() -> str:
    """A fresh key as the settings take it: 32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def parse_key(text: str) -> bytes:
    key = base64.urlsafe_b64decode(text.strip().encode())
    if len(key) != 32:
        raise ValueError("an encryption key is 32 bytes, URL-safe base64 encoded")
    return key


def key_file(path: Path) -> str:
    """The embedded default's key: read from ``path``, made there (readable by its owner
    only) the first time. Whichever process comes first places it whole; the others read
    what it placed."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(new_key() + "\n")
    try:
        os.link(draft, path)  # fails if another process placed its key first
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()
