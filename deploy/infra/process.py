"""Process supervision shared by every component: pid files, ports, logs, readiness, locking."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shlex
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from deploy.infra.config import HOST, InfraError, _start_timeout, stack_dir

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


def _listening_inodes(port: int) -> set[str]:
    """The socket inodes listening on TCP ``port`` (IPv4 and IPv6), from /proc/net."""
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
    return inodes


def _holds_socket(pid: str, sockets: set[str]) -> bool:
    try:
        for fd in os.scandir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if str(Path(fd.path).readlink()) in sockets:
                    return True
    except OSError:
        return False
    return False


def _listener_pid(port: int) -> int | None:
    """Best effort: pid of the process listening on TCP ``port`` (Linux /proc only)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and _holds_socket(entry.name, wanted):
            return int(entry.name)
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
    requires: tuple[str, ...] = ()
    """Components that must be ready before this one starts (``up`` starts them first)."""
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
