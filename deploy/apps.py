"""The platform's own processes — four services and the Temporal worker — started, probed and
stopped the way ``deploy.infra`` handles Kafka, Temporal and PostgreSQL (pid files, readiness
probes, stopping only what it started). Used by ``deploy.stack`` and by the integration tests,
which give each run its own state folder, ports and environment.

Once they are up, the processes' ``TDKT_*`` environment is recorded in ``<state dir>/stack.env``
(``servicekit.settings.STACK_RECORD``), where the operators' commands find the databases, the
broker, the topic prefix and the ports of the stack they run beside; stopping the whole platform
removes it.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deploy import infra
from servicekit.settings import STACK_RECORD


@dataclass(frozen=True)
class AppSpec:
    name: str
    module: str
    default_port: int

    @property
    def port_variable(self) -> str:
        return f"TDKT_{self.name.upper()}_HTTP_PORT"


APPS: tuple[AppSpec, ...] = (
    AppSpec("intake", "services.intake", 8001),
    AppSpec("review", "services.review", 8002),
    AppSpec("decisions", "services.decisions", 8003),
    AppSpec("notifications", "services.notifications", 8004),
    AppSpec("worker", "workflows.worker", 8005),
)
SERVICES_WITH_DATABASE = ("intake", "review", "decisions", "notifications")


def database_role(service: str) -> str:
    """The PostgreSQL role that owns ``service``'s databases (the stack's, a test run's)."""
    return f"tdkt_{service}"


KAFKA_CREDENTIALS_DIR = "TDKT_KAFKA_CREDENTIALS_DIR"
"""The folder of the bus's secrets: each process takes its own ``<name>.json`` from it."""


def bus_environment() -> dict[str, str]:
    """The local bus's address and identities: the processes' folder, and the operators' (and
    the tests') own super user for the commands that read the stack's record."""
    folder = infra.kafka_secrets_dir()
    return {
        "TDKT_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap(),
        KAFKA_CREDENTIALS_DIR: str(folder),
        "TDKT_KAFKA_CREDENTIALS_FILE": str(folder / "admin.json"),
    }


class AppProcess(infra.Component):
    """One platform process. ``env`` is its whole environment; ``state_dir`` holds pid and log."""

    stop_timeout = 20.0
    default_start_timeout = 60.0

    def __init__(self, spec: AppSpec, env: dict[str, str], state_dir: Path) -> None:
        self.spec = spec
        self.name = spec.name
        self.port_env = spec.port_variable
        self.env = env
        self.state_dir = state_dir

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "pids" / f"app-{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "logs" / f"{self.name}.log"

    def port(self) -> int:
        return int(self.env.get(self.spec.port_variable, self.spec.default_port))

    def url(self) -> str:
        return f"http://{infra.HOST}:{self.port()}"

    def matches(self, argv: list[str]) -> bool:
        return argv[-3:] == ["-m", self.spec.module, f"--state-dir={self.state_dir}"]

    def probe(self) -> tuple[bool, str]:
        try:
            with urllib.request.urlopen(f"{self.url()}/health/ready", timeout=2) as response:
                return response.status == 200, "ready"
        except urllib.error.HTTPError as error:
            return False, f"HTTP {error.code}: {error.read()[:200]!r}"
        except OSError as error:
            return False, str(error)

    def process_env(self) -> dict[str, str]:
        """The environment it starts with: with ``TDKT_KAFKA_CREDENTIALS_DIR`` (the bus's
        secrets), its own identity on the bus is ``<dir>/<name>.json``, whatever file the
        operators' record names."""
        env = dict(self.env)
        folder = env.get(KAFKA_CREDENTIALS_DIR)
        if folder:
            env["TDKT_KAFKA_CREDENTIALS_FILE"] = str(Path(folder) / f"{self.spec.name}.json")
        return env

    def start(self) -> int:
        # The trailing --state-dir marks the process as ours (see matches); the programs ignore it.
        argv = [sys.executable, "-m", self.spec.module, f"--state-dir={self.state_dir}"]
        return self._spawn(argv, cwd=infra.REPO_ROOT, env=self.process_env())


def free_port() -> int:
    """A port nothing listens on now, for a process started next (tests, the chaos stack)."""
    with socket.socket() as sock:
        sock.bind((infra.HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def app_processes(env: dict[str, str], state_dir: Path) -> list[AppProcess]:
    return [AppProcess(spec, env, state_dir) for spec in APPS]


def _dotenv_quoted(value: str) -> str:
    """A single-quoted dotenv value (python-dotenv reads back ``\\`` and ``\'`` in it)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def record_stack(env: dict[str, str], state_dir: Path) -> Path:
    """Write what the processes were started with (their ``TDKT_*`` variables) for the
    operators' commands; private to the user, since it names the secrets' files."""
    lines = [
        "# What the running stack started (deploy.apps.record_stack); operators' commands read it.",
        *(
            f"{name}={_dotenv_quoted(value)}"
            for name, value in sorted(env.items())
            if name.startswith("TDKT_")
        ),
    ]
    record = state_dir / STACK_RECORD
    record.parent.mkdir(parents=True, exist_ok=True)
    partial = record.with_suffix(".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    partial.replace(record)
    return record


def start_all(processes: list[AppProcess]) -> dict[str, Any]:
    """Start every process not yet running and wait until each is ready (the worker last but
    concurrently: none depends on another being up, they meet on Kafka and Temporal); then
    record the stack for the operators' commands, unless every process already ran (the record
    of their start stands)."""
    running = [process for process in processes if process.find_pid(clean=False) is not None]
    result = infra.run_all(processes, lambda process: process.ensure_up())
    if processes:
        env, state_dir = processes[0].env, processes[0].state_dir
        if len(running) < len(processes) or not (state_dir / STACK_RECORD).exists():
            record_stack(env, state_dir)
    return result


def stop_all(processes: list[AppProcess]) -> None:
    """Stop the processes; stopping the whole platform also removes its record."""
    infra.run_all(processes, lambda process: process.ensure_down())
    if {process.name for process in processes} >= {spec.name for spec in APPS}:
        for state_dir in {process.state_dir for process in processes}:
            (state_dir / STACK_RECORD).unlink(missing_ok=True)


def status_all(processes: list[AppProcess]) -> dict[str, dict[str, Any]]:
    return {process.name: process.status() for process in processes}
