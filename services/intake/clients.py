"""Integrating systems registered with intake, and the organisations each may submit for. Loaded
from the file named by ``TDKT_INTAKE_CLIENTS_FILE`` (on the local stack ``deploy/intake-clients.json``).
Who a client is, is the identity provider's business: it holds their secrets and issues their
tokens (OAuth2 client credentials), whose ``azp`` names the client; intake only says what each
known client may do, for a token and for an inbound record alike."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, TypeAdapter


class RegisteredClient(BaseModel):
    client_id: str = Field(min_length=1)
    name: str = ""
    organisations: frozenset[str]

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

    def get(self, client_id: str) -> RegisteredClient | None:
        return self._clients.get(client_id)
