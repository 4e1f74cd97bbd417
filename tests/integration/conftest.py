"""The real stack for integration tests: Kafka, Temporal and PostgreSQL from ``deploy.infra``
(started if not running, stopped afterwards if this session started them), and the platform's
five processes started per database backend with their own topics, task queue, databases,
ports and span collector, so a run never mixes with the developer's own stack."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from temporalio.client import Client

from clients.intake import ClientCredentials, access_token
from contracts.topics import Topic, topic_name
from deploy import apps, devsecrets, infra
from deploy.infra import kafka_access
from servicekit.kafka import client_options, ensure_topics, partition_offsets
from servicekit.payloads import KEYS_FILE_VARIABLE, read_keyring
from servicekit.settings import KitSettings
from servicekit.temporal import connect_temporal
from tests.support.identity import Identity
from tests.support.mail import MailCatcher
from tests.support.otlp import SpanCollector
from tools.demo import Endpoints
from tools.people import demo_credentials
from tools.waiting import eventually

BACKENDS = ("sqlite", "postgres")
OTHER_CLIENT_ORGANISATIONS = ("AH-TL-HB-TYT", "BNV", "NO-SUCH-ORG")
MAX_ATTACHMENT_BYTES = 64 * 1024
BATCHED_AWARD = "LDTT"
"""The pipelines' decisions service gathers this award's approvals into one decision a month."""
MAILBOXES: dict[str, str] = json.loads((infra.DEPLOY_DIR / "dev-mailboxes.json").read_text())
"""The notifications directory of the pipelines: the local stack's made-up mailboxes of the sample
organisations and of their roles (``<code>#<role>``)."""


def _clients_file(state_dir: Path, organisations: tuple[str, ...]) -> Path:
    """Intake's registry for a pipeline: the stack's, the second integrator (a confidential client
    of the realm) registered for ``organisations``."""
    clients = json.loads(devsecrets.INTAKE_CLIENTS_FILE.read_text())
    for client in clients:
        if client["client_id"] == devsecrets.SECOND_CLIENT_ID:
            client["organisations"] = list(organisations)
    path = state_dir / "intake-clients.json"
    path.write_text(json.dumps(clients, ensure_ascii=False))
    return path


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[None]:
    already_running = {name for name, item in infra.status().items() if item["state"] == "running"}
    infra.up()
    yield
    started_here = [name for name in infra.COMPONENTS if name not in already_running]
    if started_here and not os.environ.get("TDKT_KEEP_STACK"):
        infra.down(started_here)


@dataclass
class Pipeline:
    backend: str
    kit: KitSettings
    endpoints: Endpoints
    credentials: ClientCredentials
    other_credentials: ClientCredentials
    """A second integrator: another organisation of the sample province, a central body, and an
    organisation the registry does not know."""
    identity: Identity
    """The stack's Keycloak: any staff member's token (``reviewer_headers``), clients' tokens."""
    collector: SpanCollector
    mail: MailCatcher
    processes: list[apps.AppProcess]
    env: dict[str, str]
    """The processes' environment: commands run against this pipeline's databases with it."""
    state_dir: Path
    """The pipeline's stack folder (``TDKT_STACK_DIR`` of a command run beside it): pids, logs,
    secrets and the record of what it started (``stack.env``)."""

    async def temporal(self) -> Client:
        """A Temporal client reading the pipeline's payloads with its processes' payload keys."""
        return await connect_temporal(self.kit, read_keyring(Path(self.env[KEYS_FILE_VARIABLE])))

    def database_url(self, service: str) -> str:
        default = f"sqlite:///{self.env['TDKT_DATA_DIR']}/{service}.db"
        return self.env.get(f"TDKT_{service.upper()}_DATABASE_URL", default)

    async def reviewer_headers(
        self, organisation: str, *roles: str, subject: str | None = None
    ) -> dict[str, str]:
        """A staff member's token from Keycloak: the realm's sample person of ``organisation`` in
        that one role, else a user made for these roles (and ``subject``, their login name)."""
        token = await asyncio.to_thread(
            self.identity.staff_token, organisation, *(roles or ("leader",)), subject=subject
        )
        return {"Authorization": f"Bearer {token}"}

    async def integrator_headers(self, credentials: ClientCredentials | None = None) -> dict[str, str]:
        token = await access_token(credentials or self.credentials)
        return {"Authorization": f"Bearer {token}"}

    async def find_record(self, topic: str, predicate: Callable[[Any], bool]) -> bytes:
        """The value of the first record on ``topic`` (read from the start) that ``predicate`` accepts."""
        value: bytes = (await self.find_record_with_headers(topic, predicate)).value
        return value

    async def find_record_with_headers(self, topic: str, predicate: Callable[[Any], bool]) -> Any:
        """The first record on ``topic`` (read from the start) that ``predicate`` accepts."""
        consumer = AIOKafkaConsumer(
            topic,
            **client_options(self.kit),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=None,
        )
        await consumer.start()
        try:

            async def matching() -> Any:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        if predicate(record):
                            return record
                return None

            return await eventually(matching, timeout=30, what=f"a matching record on {topic}")
        finally:
            await consumer.stop()

    async def committed_offsets(self, group: str, topic: str) -> dict[int, int]:
        admin = AIOKafkaAdminClient(**client_options(self.kit))
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(group)
        finally:
            await admin.close()
        return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}

    async def caught_up(self, service: str, topic: Topic) -> None:
        """Wait until ``service`` has handled every record ``topic`` holds now (offsets are
        committed after handling)."""
        name = topic_name(topic, self.kit.topic_prefix)
        offsets = await partition_offsets(self.kit, [name])
        ends = {partition.partition: end for partition, (_, end) in offsets.items()}
        assert ends, f"{name} has no partitions"
        group = f"{self.kit.topic_prefix}{service}.{topic.value}"

        async def handled() -> bool:
            committed = await self.committed_offsets(group, name)
            return all(committed.get(partition, 0) >= end for partition, end in ends.items() if end > 0)

        await eventually(handled, timeout=30, what=f"{service} caught up with {name}")

    def logs(self, lines: int = 40) -> str:
        return "\n".join(infra.tail(process.log_file, lines) for process in self.processes)


@pytest.fixture(scope="session", params=BACKENDS)
async def pipeline(
    request: pytest.FixtureRequest, infrastructure: None, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Pipeline]:
    backend: str = request.param
    identity = Identity()
    run_id = uuid.uuid4().hex[:8]
    prefix = f"test-{run_id}."
    state_dir: Path = tmp_path_factory.mktemp(f"pipeline-{backend}")
    collector = SpanCollector().start()
    mail = MailCatcher().start()
    env = dict(os.environ)
    env.update(
        {
            **apps.bus_environment(),
            "TDKT_TEMPORAL_ADDRESS": infra.temporal_address(),
            "TDKT_TOPIC_PREFIX": prefix,
            "TDKT_TEMPORAL_TASK_QUEUE": f"{prefix}review",
            "TDKT_DATA_DIR": str(state_dir / "data"),
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            "TDKT_AUTH_ISSUER": infra.keycloak_issuer(),
            "TDKT_DECISIONS_BATCHES": json.dumps([{"award_code": BATCHED_AWARD, "period": "month"}]),
        }
    )
    secret_files = devsecrets.ensure_dev_secrets(state_dir / "secrets")
    env.update(secret_files)
    env["TDKT_INTAKE_CLIENTS_FILE"] = str(_clients_file(state_dir, OTHER_CLIENT_ORGANISATIONS))
    demo_client = state_dir / "secrets" / "demo-client.json"  # what `make up` writes, for the tools
    demo_credentials().save(demo_client)
    env["TDKT_DEMO_CLIENT_FILE"] = str(demo_client)
    env["TDKT_STAFF_PASSWORDS_FILE"] = str(infra.keycloak_secrets_dir() / "users.json")
    env["TDKT_INTAKE_MAX_ATTACHMENT_BYTES"] = str(MAX_ATTACHMENT_BYTES)
    for spec in apps.APPS:
        env[spec.port_variable] = str(apps.free_port())
    directory = state_dir / "mailboxes.json"
    directory.write_text(json.dumps(MAILBOXES))
    env.update(
        {
            "TDKT_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
            "TDKT_NOTIFICATIONS_SMTP_PORT": str(mail.port),
            "TDKT_NOTIFICATIONS_DIRECTORY_FILE": str(directory),
            "TDKT_NOTIFICATIONS_DECISIONS_URL": f"http://{infra.HOST}:{env['TDKT_DECISIONS_HTTP_PORT']}",
            "TDKT_NOTIFICATIONS_WEBHOOK_ALLOW_HTTP": "true",
            "TDKT_NOTIFICATIONS_RETRY_BASE_SECONDS": "0.5",
        }
    )
    databases = [f"tdkt_test_{run_id}_{name}" for name in apps.SERVICES_WITH_DATABASE]
    if backend == "postgres":
        for name, database in zip(apps.SERVICES_WITH_DATABASE, databases, strict=True):
            env[f"TDKT_{name.upper()}_DATABASE_URL"] = await asyncio.to_thread(
                infra.ensure_postgres_database, database, apps.database_role(name)
            )
    kit = KitSettings(
        kafka_bootstrap_servers=env["TDKT_KAFKA_BOOTSTRAP_SERVERS"],
        kafka_credentials_file=env["TDKT_KAFKA_CREDENTIALS_FILE"],
        topic_prefix=prefix,
    )
    await ensure_topics(kit)
    await asyncio.to_thread(kafka_access.apply_access, prefix)
    processes = apps.app_processes(env, state_dir)
    try:
        await asyncio.to_thread(apps.start_all, processes)
    except infra.InfraError:
        await asyncio.to_thread(apps.stop_all, processes)
        raise
    by_name = {process.name: process.url() for process in processes}
    yield Pipeline(
        backend=backend,
        kit=kit,
        endpoints=Endpoints(
            by_name["intake"], by_name["review"], by_name["decisions"], by_name["notifications"]
        ),
        credentials=demo_credentials(),
        other_credentials=demo_credentials(client_id=devsecrets.SECOND_CLIENT_ID),
        identity=identity,
        collector=collector,
        mail=mail,
        processes=processes,
        env=env,
        state_dir=state_dir,
    )
    await asyncio.to_thread(apps.stop_all, processes)
    await asyncio.to_thread(kafka_access.revoke_access, prefix)
    collector.stop()
    mail.stop()
    identity.close()
    if backend == "postgres":
        for database in databases:
            await asyncio.to_thread(infra.drop_postgres_database, database)
