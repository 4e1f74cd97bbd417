"""Development secrets, generated — never committed.

``ensure_dev_secrets(folder)`` writes, once, under ``folder`` (``.stack/secrets`` for the local
stack, a temporary folder for tests):

- ``signing.key``: the token signing key (``TDKT_AUTH_SIGNING_KEY_FILE``);
- ``intake-clients.json``: the integrating systems intake knows (``TDKT_INTAKE_CLIENTS_FILE``),
  each with the SHA-256 of its secret and the organisations it may submit for;
- ``demo-client.json``: the demo client's id and secret in clear, for ``tools.demo``;
- ``signing/``: where the decisions service creates its local development CA and the certificate
  it signs decision PDFs with (``TDKT_DECISIONS_SIGNING_DEV_CA_DIR``).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path

DEMO_CLIENT_ID = "demo-integrator"
DEMO_ORGANISATIONS = ("AH-DS-TT-THCS", "AH-TL-HB-TYT")
"""Sample organisations (services/intake/domain/data/organisations.json) the demo client serves."""


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def ensure_dev_secrets(folder: Path, organisations: tuple[str, ...] = DEMO_ORGANISATIONS) -> dict[str, str]:
    """Create the files when missing; return the environment variables that point at them."""
    key_file = folder / "signing.key"
    clients_file = folder / "intake-clients.json"
    demo_file = folder / "demo-client.json"
    if not key_file.exists():
        _write_private(key_file, secrets.token_urlsafe(48))
    if not (clients_file.exists() and demo_file.exists()):
        secret = secrets.token_urlsafe(32)
        clients = [
            {
                "client_id": DEMO_CLIENT_ID,
                "name": "Hệ thống demo / demo integrator",
                "secret_sha256": secret_digest(secret),
                "organisations": list(organisations),
            }
        ]
        _write_private(clients_file, json.dumps(clients, ensure_ascii=False, indent=2))
        _write_private(demo_file, json.dumps({"client_id": DEMO_CLIENT_ID, "client_secret": secret}))
    return {
        "TDKT_AUTH_SIGNING_KEY_FILE": str(key_file),
        "TDKT_INTAKE_CLIENTS_FILE": str(clients_file),
        "TDKT_DEMO_CLIENT_FILE": str(demo_file),
        "TDKT_DECISIONS_SIGNING_DEV_CA_DIR": str(folder / "signing"),
    }
