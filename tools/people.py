"""The local realm's sample staff, signed in: the demo, chaos and the benchmarks act as the people
of ``deploy/keycloak/staff.json`` (``ah-snv.officer``, ``ttg.leader``…), each with their own
password from the stack's secrets, through the identity provider's password grant on the public
client ``tdkt-cli`` — the tokens the services see are the tokens a real reviewer's sign-in gives."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from clients.intake import ClientCredentials, setting, stack_dir
from clients.oidc import password_token
from deploy.infra.config import keycloak_issuer
from deploy.keycloak import people, realm

RENEW_BEFORE_SECONDS = 60.0


@dataclass
class People:
    issuer: str
    passwords: dict[str, str]
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

    @classmethod
    def of_stack(cls, secrets_dir: Path | None = None, issuer: str | None = None) -> People:
        """The running stack's realm (``TDKT_AUTH_ISSUER``, then its record, then the default) and its
        people's passwords (``TDKT_STAFF_PASSWORDS_FILE``, likewise)."""
        default = (secrets_dir or stack_dir() / "secrets" / "keycloak") / "users.json"
        passwords = json.loads(Path(setting("TDKT_STAFF_PASSWORDS_FILE", str(default))).read_text())
        return cls(issuer or setting("TDKT_AUTH_ISSUER", keycloak_issuer()), passwords)

    def username(self, organisation: str, role: str) -> str:
        return people.username(organisation, role)

    def token(self, username: str) -> str:
        """An access token of ``username``, signed in again a minute before it expires."""
        cached = self._tokens.get(username)
        if cached and time.monotonic() < cached[1]:
            return cached[0]
        with httpx.Client(timeout=30) as http:
            issued = password_token(http, self.issuer, realm.CLI_CLIENT, username, self.passwords[username])
        self._tokens[username] = (
            issued.access_token,
            time.monotonic() + issued.expires_in - RENEW_BEFORE_SECONDS,
        )
        return issued.access_token

    async def headers(self, organisation: str, role: str) -> dict[str, str]:
        """The bearer header of the organisation's sample person in ``role``."""
        token = await asyncio.to_thread(self.token, self.username(organisation, role))
        return {"Authorization": f"Bearer {token}"}


def demo_credentials(
    secrets_dir: Path | None = None, client_id: str = "demo-integrator", issuer: str | None = None
) -> ClientCredentials:
    """An integrating system of the local realm: its id, the secret Keycloak holds for it (the
    stack's ``secrets/keycloak/clients.json``) and the issuer (by default the running stack's)."""
    folder = secrets_dir or stack_dir() / "secrets" / "keycloak"
    secrets = json.loads((folder / "clients.json").read_text())
    return ClientCredentials(
        client_id, secrets[client_id], issuer or setting("TDKT_AUTH_ISSUER", keycloak_issuer())
    )
