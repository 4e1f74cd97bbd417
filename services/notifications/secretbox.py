"""Webhook signing secrets at rest: sealed with AES-256-GCM (the ``cryptography`` library) under a
key from the configuration (``TDKT_NOTIFICATIONS_SECRETS_KEY``), so the notifications database —
a backup, a replica, a read-only account — does not give away what signs a client's webhooks.

A sealed value reads ``aesgcm:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``; the key id is the
start of the key's SHA-256, and the row's client id is bound in as associated data (a secret
copied onto another client's row does not open). The setting may list several keys, comma
separated: the first seals, every one opens — a new key goes first, the old one stays until every
secret was sealed again (rotating a client's secret does it). A value without the prefix is one
stored before sealing (migration 0007 seals them all) and is read as it is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "aesgcm:"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_SETTING = "TDKT_NOTIFICATIONS_SECRETS_KEY"


class SecretsKeyError(ValueError):
    """The configured key cannot be used, or a sealed secret does not open with it."""


def _decode_key(text: str) -> bytes:
    try:  # base64, standard or URL-safe (``openssl rand -base64 32`` gives the first)
        key = base64.urlsafe_b64decode(text.strip().replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError) as error:
        raise SecretsKeyError(f"{KEY_SETTING}: a key is not base64") from error
    if len(key) != KEY_BYTES:
        raise SecretsKeyError(
            f"{KEY_SETTING}: a key must be {KEY_BYTES} bytes (base64 of them), not {len(key)}"
        )
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def new_key() -> str:
    """A fresh key, as the setting takes it."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


class SecretBox:
    def __init__(self, setting: str) -> None:
        keys = [_decode_key(part) for part in setting.split(",") if part.strip()]
        if not keys:
            raise SecretsKeyError(f"{KEY_SETTING} holds no key")
        self._sealing = keys[0]
        self._keys = {key_id(key): AESGCM(key) for key in keys}

    def seal(self, secret: str, owner: str) -> str:
        """``secret`` sealed for the row of ``owner`` (its client id)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[key_id(self._sealing)].encrypt(nonce, secret.encode(), owner.encode())
        return f"{PREFIX}{key_id(self._sealing)}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def open(self, stored: str, owner: str) -> str:
        """The secret ``stored`` holds for ``owner``; a value stored before sealing as it is."""
        if not is_sealed(stored):
            return stored
        kid, _, payload = stored.removeprefix(PREFIX).partition(":")
        cipher = self._keys.get(kid)
        if cipher is None:
            raise SecretsKeyError(
                f"a webhook secret was sealed with key {kid}, which {KEY_SETTING} does not hold"
            )
        raw = base64.urlsafe_b64decode(payload)
        try:
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], owner.encode()).decode()
        except InvalidTag as error:
            raise SecretsKeyError(
                f"the webhook secret of {owner} does not open (altered, or another row's)"
            ) from error
