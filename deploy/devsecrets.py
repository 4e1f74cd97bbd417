"""Development settings and secrets of the local stack, generated — never committed.

``ensure_dev_secrets(folder)`` returns the environment variables a service needs besides the
identity provider's (``deploy.infra.keycloak``, which keeps its own secrets under
``folder/keycloak``):

- ``TDKT_INTAKE_CLIENTS_FILE``: the integrating systems intake knows and the organisations each may
  submit for (``deploy/intake-clients.json``, no secrets: Keycloak holds those);
- ``TDKT_DECISIONS_SIGNING_DEV_CA_DIR``: where the decisions service creates its local development
  CA and the certificate it signs decision PDFs with (``folder/signing``);
- ``TDKT_NOTIFICATIONS_SECRETS_KEY``: the key notifications seals webhook secrets with in its
  database, generated once into ``folder/notifications/secrets.key`` (kept: the stack's database
  needs the same key at every start).
- ``TDKT_TEMPORAL_PAYLOAD_KEYS_FILE``: the keyring that encrypts Temporal payloads
  (``servicekit.payloads``), created with one random key if missing
  (``folder/temporal-payload-keys.json``); every process that connects to Temporal reads it.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

DEPLOY_DIR = Path(__file__).resolve().parent
INTAKE_CLIENTS_FILE = DEPLOY_DIR / "intake-clients.json"
DEMO_CLIENT_ID = "demo-integrator"
SECOND_CLIENT_ID = "second-integrator"


def client_organisations(client_id: str) -> list[str]:
    """The organisations ``client_id`` may submit for, as intake's registry says."""
    for client in json.loads(INTAKE_CLIENTS_FILE.read_text()):
        if client["client_id"] == client_id:
            return list(client["organisations"])
    raise KeyError(client_id)


DEMO_ORGANISATIONS = tuple(client_organisations(DEMO_CLIENT_ID))


def _notifications_secrets_key(folder: Path) -> str:
    """Base64 of 32 random bytes, made once and kept (readable by its owner only)."""
    key_file = folder / "notifications" / "secrets.key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(base64.urlsafe_b64encode(os.urandom(32)).decode("ascii"))
    return key_file.read_text().strip()


PAYLOAD_KEYS_FILE = "temporal-payload-keys.json"


def ensure_dev_secrets(folder: Path) -> dict[str, str]:
    """The environment variables that point at the files, and the generated secrets (the
    notifications key, the payload keyring)."""
    from servicekit.payloads import KEYS_FILE_VARIABLE, ensure_keyring  # not needed before `uv sync`

    ensure_keyring(folder / PAYLOAD_KEYS_FILE)
    return {
        "TDKT_INTAKE_CLIENTS_FILE": str(INTAKE_CLIENTS_FILE),
        "TDKT_DECISIONS_SIGNING_DEV_CA_DIR": str(folder / "signing"),
        "TDKT_NOTIFICATIONS_SECRETS_KEY": _notifications_secrets_key(folder),
        KEYS_FILE_VARIABLE: str(folder / PAYLOAD_KEYS_FILE),
    }
