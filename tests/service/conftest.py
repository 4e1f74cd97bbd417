"""Fixtures of the in-process service tests (``tests/service/<name>/``): a fresh environment per
test — its own data folder and development secrets — a ``ManualClock``, token makers, and for
services that drive Temporal workflows a time-skipping Temporal server with a task queue per test."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment

from deploy import devsecrets
from deploy.infra.config import TEMPORAL_SEARCH_ATTRIBUTES
from servicekit.clock import ManualClock
from servicekit.payloads import PayloadKeyring
from servicekit.temporal import data_converter
from tests.support import issuer
from tests.support.binaries import venv_executable

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
"""09:00 on Monday 2 March 2026 in Vietnam: every service test starts its clock here."""
PAYLOAD_KEYS = PayloadKeyring.generate("service-tests")
"""The payload keyring of the session's Temporal clients and workers (``temporal``)."""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


MEMORY_DISK = Path("/dev/shm")
"""Where the services' SQLite files go when the machine has it: a file system in memory, where a
service's migrations take a tenth of the time they take on a busy disk (0.06 s against 0.5 s)."""


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """This test's folder for the services' databases and files (in memory where possible)."""
    if not MEMORY_DISK.is_dir():
        yield tmp_path / "data"
        return
    folder = Path(tempfile.mkdtemp(prefix="tdkt-service-test-", dir=MEMORY_DISK))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def stack_env(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The variables a service reads, pointing into this test's own folders."""
    secrets = devsecrets.ensure_dev_secrets(tmp_path / "secrets")
    clients_file = tmp_path / "secrets" / "intake-clients.json"  # tests may add clients to their copy
    clients_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(secrets["TDKT_INTAKE_CLIENTS_FILE"], clients_file)
    env = {
        **secrets,
        **issuer.auth_env(tmp_path / "issuer"),
        "TDKT_INTAKE_CLIENTS_FILE": str(clients_file),
        "TDKT_DATA_DIR": str(data_dir),
        "TDKT_TOPIC_PREFIX": "svc.",
        "TDKT_OUTBOX_POLL_SECONDS": "0.05",
        # no service test reaches a Temporal server it was not given (a shared one runs on 7233)
        "TDKT_TEMPORAL_ADDRESS": "127.0.0.1:9",
    }
    for name in list(os.environ):
        if name.startswith("TDKT_") and name not in env:
            monkeypatch.delenv(name)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield env


class Tokens:
    """Bearer headers for each kind of caller, signed by the tests' issuer at the test's time."""

    def __init__(self, clock: ManualClock) -> None:
        self.issuer = issuer.TestIssuer(clock)

    def staff(
        self,
        organisation: str,
        *roles: str,
        subject: str | None = None,
        name: str | None = None,
        title: str | None = None,
    ) -> dict[str, str]:
        token = self.issuer.staff(organisation, *roles, subject=subject, name=name, title=title)
        return {"Authorization": f"Bearer {token}"}

    def client(self, client_id: str = devsecrets.DEMO_CLIENT_ID, *, write: bool = True) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issuer.client(client_id, write=write)}"}


@pytest.fixture
def tokens(stack_env: dict[str, str], clock: ManualClock) -> Tokens:
    return Tokens(clock)


@pytest.fixture(scope="session")
async def temporal() -> AsyncIterator[WorkflowEnvironment]:
    """Temporal's time-skipping test server, one for the session (it starts in a fraction of a
    second, but its first workflow takes about a second more), with the search attributes the
    platform registers and the platform's data converter (pydantic payloads, encrypted with
    ``PAYLOAD_KEYS``). Time skips only while a test awaits a
    workflow's result; each test has its own task queue (``task_queue``), so its worker runs only
    its own workflows."""
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=venv_executable("temporal-test-server"),
        data_converter=data_converter(PAYLOAD_KEYS),
    )
    try:
        await environment.client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=environment.client.namespace,
                search_attributes={
                    name: IndexedValueType.Value(f"INDEXED_VALUE_TYPE_{kind.upper()}")
                    for name, kind in TEMPORAL_SEARCH_ATTRIBUTES.items()
                },
            )
        )
        yield environment
    finally:
        await environment.shutdown()


@pytest.fixture
def task_queue(stack_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """This test's own Temporal task queue, as the services and workers read it (``TDKT_TEMPORAL_TASK_QUEUE``)."""
    queue = f"svc.{uuid.uuid4()}"
    monkeypatch.setenv("TDKT_TEMPORAL_TASK_QUEUE", queue)
    return queue
