"""PostgreSQL: a cluster of the stack's own, from Debian's packages (installed when missing)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
import shutil
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

from deploy.infra.config import (
    HOST,
    POSTGRES_OS_USER,
    POSTGRES_USER,
    InfraError,
    _start_timeout,
    postgres_port,
    postgres_url,
    stack_dir,
)
from deploy.infra.process import Component, _port_open, _run_logged, _say, _write_text_if_changed

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
                    "# written by deploy/infra/postgres.py: no default cluster on package install\n"
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
