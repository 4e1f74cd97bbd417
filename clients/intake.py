"""A client of intake's API for command-line tools (the bulk Excel tool, the demo, the benchmarks):
where intake answers, an integrator's credentials, and their OAuth2 client-credentials exchange
at the identity provider (``clients.oidc``).

Both are found as an operator's command finds them beside a running stack: the environment first,
then the record the stack wrote when it started (``<stack dir>/stack.env``), then the local
defaults — the rule of ``servicekit.settings`` (``stack_dir``, ``stack_value``, ``service_url``),
written again here because a client imports no server code."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from pathlib import Path

import httpx
from dotenv import dotenv_values

from clients.oidc import client_credentials_token

INTAKE_DEFAULT_PORT = 8001
LOCAL_HOST = "127.0.0.1"
STACK_RECORD = "stack.env"


def stack_dir() -> Path:
    """``TDKT_STACK_DIR``, else the repository's ``.stack``."""
    raw = os.environ.get("TDKT_STACK_DIR", "").strip()
    return (Path(raw).expanduser() if raw else Path(__file__).resolve().parent.parent / ".stack").resolve()


def setting(name: str, default: str) -> str:
    """``name`` from the environment, else from the running stack's record, else ``default``."""
    if value := os.environ.get(name):
        return value
    record = stack_dir() / STACK_RECORD
    recorded = dotenv_values(record).get(name) if record.is_file() else None
    return recorded or default


def default_credentials() -> Path:
    """Written by ``make up`` (``deploy.stack``) for the local stack's demo integrator: its id and
    secret in the stack's Keycloak, and the issuer."""
    return stack_dir() / "secrets" / "demo-client.json"


def intake_url() -> str:
    """``TDKT_INTAKE_URL``, else the local port (``TDKT_INTAKE_HTTP_PORT`` from the environment or
    the running stack's record, default 8001)."""
    explicit = os.environ.get("TDKT_INTAKE_URL")
    return explicit or f"http://{LOCAL_HOST}:{setting('TDKT_INTAKE_HTTP_PORT', str(INTAKE_DEFAULT_PORT))}"


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str
    issuer: str
    """The identity provider's issuer: its discovery document names the token endpoint."""

    @classmethod
    def load(cls, path: Path | None = None) -> ClientCredentials:
        """From ``path``, else ``TDKT_DEMO_CLIENT_FILE`` (environment, then the running stack's
        record), else the local stack's demo client: JSON with ``client_id``, ``client_secret``
        and ``issuer``."""
        file = path or Path(setting("TDKT_DEMO_CLIENT_FILE", str(default_credentials())))
        values = json.loads(file.read_text())
        return cls(values["client_id"], values["client_secret"], values["issuer"])

    def save(self, path: Path) -> None:
        """Write them for the tools (readable by the owner only)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(
                {"client_id": self.client_id, "client_secret": self.client_secret, "issuer": self.issuer},
                handle,
            )


async def access_token(credentials: ClientCredentials) -> str:
    """OAuth2 client credentials at the identity provider's token endpoint."""

    def exchange() -> str:
        with httpx.Client(timeout=30) as http:
            issued = client_credentials_token(
                http, credentials.issuer, credentials.client_id, credentials.client_secret
            )
        return issued.access_token

    return await asyncio.to_thread(exchange)
