"""Fixtures of the in-process service tests (``tests/service/<name>/``): a fresh environment per
test — its own data folder and development secrets — a ``ManualClock``, and token makers."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from deploy import devsecrets
from servicekit.auth import (
    INTEGRATOR_READ_SCOPE,
    INTEGRATOR_TOKEN_AUDIENCE,
    STAFF_SCOPE,
    STAFF_TOKEN_AUDIENCE,
    AuthSettings,
    TokenService,
)
from servicekit.clock import ManualClock

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
"""09:00 on Monday 2 March 2026 in Vietnam: every service test starts its clock here."""
WRITE_SCOPE = "dossiers:write"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def stack_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The variables a service reads, pointing into this test's own folder."""
    secrets = devsecrets.ensure_dev_secrets(tmp_path / "secrets")
    env = {
        **secrets,
        "TDKT_DATA_DIR": str(tmp_path / "data"),
        "TDKT_TOPIC_PREFIX": "svc.",
        "TDKT_OUTBOX_POLL_SECONDS": "0.05",
    }
    for name in list(os.environ):
        if name.startswith("TDKT_") and name not in env:
            monkeypatch.delenv(name)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield env


class Tokens:
    """Bearer headers for each kind of caller, signed with the test's key at the test's time."""

    def __init__(self, env: dict[str, str], clock: ManualClock) -> None:
        settings = AuthSettings(signing_key_file=Path(env["TDKT_AUTH_SIGNING_KEY_FILE"]))
        self._staff = TokenService(settings, STAFF_TOKEN_AUDIENCE, clock)
        self._clients = TokenService(settings, INTEGRATOR_TOKEN_AUDIENCE, clock)
        self.demo_client = json.loads(Path(env["TDKT_DEMO_CLIENT_FILE"]).read_text())

    def staff(self, organisation: str, *roles: str, subject: str | None = None) -> dict[str, str]:
        token, _ = self._staff.issue(
            subject or f"can-bo.{organisation}",
            [STAFF_SCOPE],
            {"name": subject or f"Cán bộ {organisation}", "organisation": organisation, "roles": list(roles)},
        )
        return {"Authorization": f"Bearer {token}"}

    def client(self, client_id: str = devsecrets.DEMO_CLIENT_ID, *, write: bool = True) -> dict[str, str]:
        scopes = [WRITE_SCOPE, INTEGRATOR_READ_SCOPE] if write else [INTEGRATOR_READ_SCOPE]
        token, _ = self._clients.issue(client_id, scopes)
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(stack_env: dict[str, str], clock: ManualClock) -> Tokens:
    return Tokens(stack_env, clock)
