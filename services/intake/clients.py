"""Integrating systems (OAuth2 clients) registered with intake, and the organisations each may
submit for. Loaded from the file named by ``TDKT_INTAKE_CLIENTS_FILE``; secrets are kept only as
SHA-256 digests (they are random tokens, not passwords)."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

from pydantic import BaseModel, Field, TypeAdapter


class RegisteredClient(BaseModel):
    client_id: str = Field(min_length=1)
    name: str = ""
    secret_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    organisations: frozenset[str]

    def secret_matches(self, secret: str) -> bool:
        return hmac.compare_digest(hashlib.sha256(secret.encode()).hexdigest(), self.secret_sha256)

    def may_submit_for(self, organisation: str) -> bool:
        return organisation in self.organisations


class ClientRegistry:
    def __init__(self, clients: list[RegisteredClient]) -> None:
        self._clients = {client.client_id: client for client in clients}

    @classmethod
    def load(cls, path: Path | None) -> ClientRegistry:
        if path is None:
            return cls([])
        clients = TypeAdapter(list[RegisteredClient]).validate_python(json.loads(path.read_text()))
        return cls(clients)

    def authenticate(self, client_id: str, secret: str) -> RegisteredClient | None:
        client = self._clients.get(client_id)
        return client if client is not None and client.secret_matches(secret) else None

    def get(self, client_id: str) -> RegisteredClient | None:
        return self._clients.get(client_id)
