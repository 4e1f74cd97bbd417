"""A stack of its own for a long-running tool (``make chaos``, ``make bench``): Kafka, Temporal,
PostgreSQL and the mail catcher under ``.stack/<name>`` on ports of their own, fresh databases,
topics, task queue and Temporal store per run, and the five platform processes — so the tool starts, kills and
stops nothing it did not start, and never touches the development stack's data.
"""

from __future__ import annotations

import asyncio
import mailbox
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from clients.intake import ClientCredentials
from deploy import apps, devsecrets, infra
from deploy.infra.kafka_access import apply_access
from deploy.keycloak import realm
from servicekit.kafka import ensure_topics
from servicekit.settings import KitSettings
from tools.people import People, demo_credentials

REPOSITORY = Path(__file__).resolve().parent.parent


class RenewedToken:
    """Authorization headers whose token is fetched again at half its lifetime (the realm's
    access tokens live an hour): a long run — a 5,000-dossier bench, a slow chaos run — outlasts it."""

    def __init__(self, fetch: Callable[[], Awaitable[str]]) -> None:
        self._fetch = fetch
        self._lifetime = realm.ACCESS_TOKEN_LIFESPAN_SECONDS / 2
        self._headers: dict[str, str] = {}
        self._renew_at = 0.0

    async def headers(self) -> dict[str, str]:
        if time.monotonic() >= self._renew_at:
            self._headers = {"Authorization": f"Bearer {await self._fetch()}"}
            self._renew_at = time.monotonic() + self._lifetime
        return self._headers


@dataclass
class Stack:
    state_dir: Path
    env: dict[str, str]
    processes: dict[str, apps.AppProcess]
    credentials: ClientCredentials
    people: People
    run_id: str

    def url(self, name: str) -> str:
        return self.processes[name].url()

    def component(self, name: str) -> infra.Component:
        """A platform process of the stack by name, or its infrastructure's (kafka, temporal, …)."""
        return self.processes[name] if name in self.processes else infra.component(name)

    def database_url(self, service: str) -> str:
        return self.env[f"TDKT_{service.upper()}_DATABASE_URL"]

    @property
    def kit(self) -> KitSettings:
        return KitSettings(
            kafka_bootstrap_servers=self.env["TDKT_KAFKA_BOOTSTRAP_SERVERS"],
            kafka_credentials_file=self.env["TDKT_KAFKA_CREDENTIALS_FILE"],
            topic_prefix=self.env["TDKT_TOPIC_PREFIX"],
        )

    def stop(self) -> None:
        apps.stop_all(list(self.processes.values()))
        infra.down()


def use_ports(ports: dict[str, str]) -> None:
    """This stack's ports, set — not defaulted: a shell that exported the live stack's ports must
    not put a stack that kills and wipes what it runs on them (issue 21 §5)."""
    for variable, value in ports.items():
        os.environ[variable] = value


def start_stack(name: str, ports: dict[str, str], overrides: dict[str, str] | None = None) -> Stack:
    """Infrastructure under ``.stack/<name>`` on ``ports`` (``TDKT_*_PORT`` variables), then the
    platform processes with ``overrides`` on top of the defaults; the Maildir starts empty."""
    stack_dir = REPOSITORY / ".stack" / name
    os.environ["TDKT_STACK_DIR"] = str(stack_dir)
    os.environ.setdefault("TDKT_KAFKA_LIBS", str(REPOSITORY / ".stack" / "kafka" / "libs"))
    use_ports(ports)
    # an empty Temporal store per run: the dev server's SQLite file would otherwise keep every
    # earlier run's histories, and the server slows as it grows (BENCHMARKS.md, "The first 5,000 load")
    infra.empty_temporal_store()
    infra.up()
    maildir = Path(infra.mail_dir())
    mailbox.Maildir(maildir, create=True)
    # what the tool counts is this run's mail only; unlinked directly, since Maildir.remove
    # rereads the folder for every message (a quarter of an hour for a run's 15,000)
    for folder in ("new", "cur"):
        for message in (maildir / folder).iterdir():
            message.unlink()
    state_dir = stack_dir / "run"
    env = dict(os.environ)
    secret_files = devsecrets.ensure_dev_secrets(state_dir / "secrets")
    env.update(secret_files)
    env.update(
        {
            **apps.bus_environment(),
            "TDKT_TEMPORAL_ADDRESS": infra.temporal_address(),
            "TDKT_DATA_DIR": str(state_dir / "data"),
            "TDKT_AUTH_ISSUER": infra.keycloak_issuer(),
            "TDKT_NOTIFICATIONS_SMTP_HOST": infra.HOST,
            "TDKT_NOTIFICATIONS_SMTP_PORT": str(infra.mail_port()),
            "TDKT_NOTIFICATIONS_DIRECTORY_FILE": str(REPOSITORY / "deploy" / "dev-mailboxes.json"),
        }
    )
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    for spec in apps.APPS:
        env[spec.port_variable] = str(apps.free_port())
    env["TDKT_NOTIFICATIONS_DECISIONS_URL"] = f"http://{infra.HOST}:{env['TDKT_DECISIONS_HTTP_PORT']}"
    run_id = uuid.uuid4().hex[:6]
    for service in apps.SERVICES_WITH_DATABASE:
        env[f"TDKT_{service.upper()}_DATABASE_URL"] = infra.ensure_postgres_database(
            f"{name}_{run_id}_{service}", owner=apps.database_role(service)
        )
    env["TDKT_TOPIC_PREFIX"] = f"{name}-{run_id}."
    env["TDKT_TEMPORAL_TASK_QUEUE"] = f"{name}-{run_id}.review"
    env.update(overrides or {})
    processes = {process.name: process for process in apps.app_processes(env, state_dir)}
    stack = Stack(
        state_dir=state_dir,
        env=env,
        processes=processes,
        credentials=demo_credentials(),
        people=People.of_stack(),
        run_id=run_id,
    )
    asyncio.run(ensure_topics(stack.kit))
    apply_access(env["TDKT_TOPIC_PREFIX"])  # the run's topics get the bus's ACLs
    apps.start_all(list(processes.values()))
    return stack
