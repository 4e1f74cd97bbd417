"""The local realm's secrets: generated once, kept across restarts, never committed.

Under ``<stack>/secrets/keycloak/`` (folder 0700, files 0600):

- ``admin.json``: ``{"username": "admin", "password": ...}``, Keycloak's bootstrap administrator
  of the ``master`` realm (also what ``tests.support.identity`` uses for the admin REST API);
- ``clients.json``: ``{client_id: secret}`` of the confidential clients;
- ``users.json``: ``{username: password}`` of the sample staff.

A new client or user (the realm data grew) gets a secret on the next start; existing ones keep
theirs, so a re-import leaves every credential a developer copied still valid.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy.infra.config import keycloak_secrets_dir

ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class RealmSecrets:
    admin_password: str
    client_secrets: dict[str, str]
    user_passwords: dict[str, str]


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (the folder too)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    tmp.replace(path)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _complete(path: Path, names: Iterable[str]) -> dict[str, str]:
    """``{name: secret}`` for ``names``: the recorded ones, new ones generated and recorded."""
    recorded = {str(k): str(v) for k, v in _read_json(path).items()}
    wanted = {name: recorded.get(name) or secrets.token_urlsafe(24) for name in names}
    if wanted != recorded:
        write_private(path, json.dumps(wanted, indent=2, sort_keys=True) + "\n")
    return wanted


def ensure_secrets(client_ids: Iterable[str], usernames: Iterable[str]) -> RealmSecrets:
    folder = keycloak_secrets_dir()
    admin = _read_json(folder / "admin.json")
    if not admin.get("password"):
        admin = {"username": ADMIN_USERNAME, "password": secrets.token_urlsafe(24)}
        write_private(folder / "admin.json", json.dumps(admin, indent=2) + "\n")
    return RealmSecrets(
        admin_password=str(admin["password"]),
        client_secrets=_complete(folder / "clients.json", client_ids),
        user_passwords=_complete(folder / "users.json", usernames),
    )
