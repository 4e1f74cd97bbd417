"""Temporal payloads encrypted at rest: the keyring, its file, and the codec (AES-256-GCM from
the ``cryptography`` library) that every Temporal client and worker of the platform uses.

Workflow inputs, signals, updates, queries, activity arguments and results — and failures'
messages and details — carry nominees' names and contacts. The Temporal server stores them in
its histories and shows them to anyone who opens its UI; with this codec it holds ciphertext
only, and only a process holding the key reads it (``servicekit.temporal.data_converter``).

An encrypted payload's metadata names its encoding (``binary/encrypted``) and the id of the key
that encrypted it (``encryption-key-id``), so keys rotate: a process encrypts with the keyring's
current key and decrypts with any key the keyring still holds. A payload without the encrypted
encoding passes through undecoded, so histories written before encryption was turned on still
replay and read.

The keyring is a JSON file, private to the processes' user (``TDKT_TEMPORAL_PAYLOAD_KEYS_FILE``)::

    {"current": "k2", "keys": {"k2": "<32 bytes, base64>", "k1": "<an older key, base64>"}}

``python -m tools.payloads keys init|rotate FILE`` writes and rotates it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING_KEY = "encoding"
ENCRYPTED_ENCODING = b"binary/encrypted"
KEY_ID_KEY = "encryption-key-id"
KEY_BYTES = 32
"""AES-256."""
NONCE_BYTES = 12
KEYS_FILE_VARIABLE = "TDKT_TEMPORAL_PAYLOAD_KEYS_FILE"


class PayloadKeyError(Exception):
    """A keyring that cannot be used, or a payload it cannot decrypt; the message says which."""


@dataclass(frozen=True)
class PayloadKeyring:
    """The key new payloads are encrypted with (``current``) and every key still accepted for
    decryption (``keys``, by id, the current one among them)."""

    current: str
    keys: Mapping[str, bytes]

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise PayloadKeyError(f"the current key {self.current!r} is not among the keys ({self._ids()})")
        for key_id, key in self.keys.items():
            if not key_id or len(key) != KEY_BYTES:
                raise PayloadKeyError(
                    f"key {key_id!r} is not {KEY_BYTES} bytes (AES-256) under a non-empty id"
                )

    @classmethod
    def generate(cls, key_id: str | None = None) -> PayloadKeyring:
        """A keyring of one new random key."""
        key_id = key_id or new_key_id()
        return cls(current=key_id, keys={key_id: AESGCM.generate_key(bit_length=KEY_BYTES * 8)})

    def rotated(self, key_id: str | None = None) -> PayloadKeyring:
        """This keyring with a new random current key; the older keys stay for decryption."""
        key_id = key_id or new_key_id()
        if key_id in self.keys:
            raise PayloadKeyError(f"the keyring already has a key {key_id!r}")
        return PayloadKeyring(
            current=key_id, keys={key_id: AESGCM.generate_key(bit_length=KEY_BYTES * 8), **self.keys}
        )

    def key(self, key_id: str) -> bytes:
        found = self.keys.get(key_id)
        if found is None:
            raise PayloadKeyError(
                f"this payload was encrypted with key {key_id!r}, which this keyring does not hold "
                f"(it has {self._ids()}): add that key to the keys of {KEYS_FILE_VARIABLE}'s file"
            )
        return found

    def to_json(self) -> str:
        keys = {key_id: base64.b64encode(key).decode("ascii") for key_id, key in self.keys.items()}
        return json.dumps({"current": self.current, "keys": keys}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = "the keyring") -> PayloadKeyring:
        try:
            document = json.loads(text)
            keys = {
                str(key_id): base64.b64decode(key, validate=True) for key_id, key in document["keys"].items()
            }
            return cls(current=str(document["current"]), keys=keys)
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
            raise PayloadKeyError(
                f'{source} is not a keyring {{"current": ID, "keys": {{ID: base64 key}}}}: {error!r}'
            ) from error

    def _ids(self) -> str:
        return ", ".join(sorted(self.keys)) or "no keys"


def new_key_id() -> str:
    return f"k-{secrets.token_hex(4)}"


def read_keyring(path: Path) -> PayloadKeyring:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PayloadKeyError(f"cannot read the payload keyring {path}: {error}") from error
    return PayloadKeyring.from_json(text, str(path))


def write_keyring(path: Path, keyring: PayloadKeyring) -> None:
    """Write ``keyring`` to ``path``, readable by its owner only, replacing the file at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(keyring.to_json())
    temporary.replace(path)


def ensure_keyring(path: Path) -> PayloadKeyring:
    """The keyring at ``path``, created with one new key if there is none (development stacks)."""
    if not path.exists():
        write_keyring(path, PayloadKeyring.generate())
    return read_keyring(path)


class PayloadKeySettings(BaseSettings):
    """``TDKT_TEMPORAL_PAYLOAD_*``: required by every process that connects to Temporal."""

    model_config = SettingsConfigDict(env_prefix="TDKT_TEMPORAL_PAYLOAD_", extra="ignore")

    keys_file: Path
    """The payload keyring (JSON, see ``servicekit.payloads``); ``make up`` generates one in
    ``.stack/secrets/``, docker-compose's ``secrets`` service in its ``tdkt-secrets`` volume."""


NO_KEYRING = (
    f"No Temporal payload key: set {KEYS_FILE_VARIABLE} to the payload keyring "
    "(`make up` generates one under .stack/secrets; `python -m tools.payloads keys init FILE` writes one)."
)


def configured_keyring(
    resolve: Callable[[], PayloadKeySettings] = PayloadKeySettings,
) -> PayloadKeyring:
    """The keyring ``TDKT_TEMPORAL_PAYLOAD_KEYS_FILE`` names (as ``resolve`` reads the settings:
    the environment, or an operator's command's ``for_command``); refuses, saying so, when unset."""
    try:
        settings = resolve()
    except ValidationError as error:
        raise PayloadKeyError(NO_KEYRING) from error
    return read_keyring(settings.keys_file)


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over each whole payload (its metadata and data), with a random 96-bit nonce
    and the key id as associated data, so a payload cannot be passed off under another key id."""

    def __init__(self, keyring: PayloadKeyring) -> None:
        self._keyring = keyring
        self._current = AESGCM(keyring.key(keyring.current))

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(payload) for payload in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self._keyring.current.encode()
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._current.encrypt(nonce, payload.SerializeToString(), key_id)
        return Payload(
            metadata={ENCODING_KEY: ENCRYPTED_ENCODING, KEY_ID_KEY: key_id},
            data=nonce + sealed,
        )

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get(ENCODING_KEY) != ENCRYPTED_ENCODING:
            return payload  # written before encryption was on, or never encoded (search attributes)
        key_id = payload.metadata.get(KEY_ID_KEY, b"").decode(errors="replace")
        cipher = AESGCM(self._keyring.key(key_id))
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, key_id.encode())
        except InvalidTag as error:
            raise PayloadKeyError(
                f"a payload encrypted with key {key_id!r} does not decrypt with this keyring's key "
                f"{key_id!r}: the keyring's key of that id is a different key, or the payload was altered"
            ) from error
        decrypted = Payload()
        decrypted.ParseFromString(plain)
        return decrypted
