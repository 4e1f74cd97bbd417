"""Who may do what on the local bus: one SASL/SCRAM principal per service, the worker and each
integrator, ACLs made from ``contracts.topics.PRINCIPALS``, and the broker's own identity.

Secrets are generated once into ``<stack>/secrets/kafka/<principal>.json`` (folder 0700, files
0600): ``{"username", "password", "mechanism"}``, the form ``KitSettings.kafka_credentials_file``
reads. ``broker.json`` is the broker's own identity (SASL/PLAIN, declared in its configuration,
a super user): the broker uses it on its controller listener and the tools below use it to apply
the access; ``admin.json`` is the operators' and the tests' super user (SCRAM).

``apply_access(prefix)`` makes the broker's ACLs for the topics of one topic prefix equal to the
table (created and stale ones removed) through ``deploy/kafka/BusAccess.java``, Kafka's Admin API
on the broker's own class path, compiled once per source. The stack applies the unprefixed access
when the broker starts; a test run or the chaos stack applies its own prefix's.

Pure standard library, like the rest of ``deploy.infra``.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from contracts.topics import INTEGRATOR_ACCESS, PRINCIPALS, BusAccess, Topic, dead_letter_topic
from deploy.infra.config import DEPLOY_DIR, HOST, InfraError, kafka_port, kafka_secrets_dir, stack_dir
from deploy.infra.keycloak_secrets import _read_json, write_private
from deploy.infra.process import _flock

BROKER_PRINCIPAL = "broker"
"""The broker's own identity (PLAIN, in its configuration): inter-broker, controller, and the
access tool. A super user."""
ADMIN_PRINCIPAL = "admin"
"""Operators' commands and the tests (SCRAM). A super user."""
SUPER_USERS = (BROKER_PRINCIPAL, ADMIN_PRINCIPAL)
SCRAM = "SCRAM-SHA-512"
PLAIN = "PLAIN"
BUS_ACCESS_SOURCE = DEPLOY_DIR / "kafka" / "BusAccess.java"


def integrator_ids() -> tuple[str, ...]:
    """The integrating systems of the local realm (``deploy/keycloak/realm.py``): each may write
    the inbound topic as itself."""
    from deploy.keycloak.realm import INTEGRATORS

    return tuple(INTEGRATORS)


def principal_names() -> tuple[str, ...]:
    """Every SCRAM principal of the local bus."""
    return (ADMIN_PRINCIPAL, *PRINCIPALS, *integrator_ids())


def credentials_file(principal: str) -> Path:
    return kafka_secrets_dir() / f"{principal}.json"


def _read(path: Path) -> dict[str, str]:
    return {str(k): str(v) for k, v in _read_json(path).items()}


def ensure_credentials() -> dict[str, str]:
    """``{principal: password}`` of every principal, the broker's included; missing ones are
    generated and written, existing ones kept."""
    passwords: dict[str, str] = {}
    for principal, mechanism in [(BROKER_PRINCIPAL, PLAIN), *((name, SCRAM) for name in principal_names())]:
        path = credentials_file(principal)
        recorded = _read(path)
        if not recorded.get("password") or recorded.get("mechanism") != mechanism:
            recorded = {"username": principal, "password": secrets.token_urlsafe(24), "mechanism": mechanism}
            write_private(path, json.dumps(recorded, indent=2) + "\n")
        passwords[principal] = recorded["password"]
    return passwords


def broker_password() -> str:
    return ensure_credentials()[BROKER_PRINCIPAL]


def recorded_password(principal: str) -> str:
    """The principal's recorded password, without generating one ("" when there is none)."""
    return _read(credentials_file(principal)).get("password", "")


def _user(name: str) -> str:
    return f"User:{name}"


def scope_lines(prefix: str, principals: dict[str, BusAccess]) -> list[str]:
    """The resources of one topic prefix whose ACLs the table decides: every topic (and
    dead-letter twin) and every consumer group of the prefix."""
    lines: list[str] = []
    for topic in Topic:
        for name in (f"{prefix}{topic.value}", dead_letter_topic(f"{prefix}{topic.value}")):
            lines.append(f"scope\tTOPIC\tLITERAL\t{name}")
    for principal in principals:
        for topic in Topic:
            lines.append(f"scope\tGROUP\tLITERAL\t{prefix}{principal}.{topic.value}")
    return lines


def acl_lines(prefix: str, principals: dict[str, BusAccess], integrators: Sequence[str]) -> list[str]:
    """The ACLs of one topic prefix."""
    lines: list[str] = []
    for principal, access in principals.items():
        for topic in access.writes:
            lines.append(f"allow\t{_user(principal)}\tTOPIC\tLITERAL\t{prefix}{topic.value}\tWRITE")
        for topic in access.reads:
            name = f"{prefix}{topic.value}"
            lines.append(f"allow\t{_user(principal)}\tTOPIC\tLITERAL\t{name}\tREAD")
            lines.append(f"allow\t{_user(principal)}\tTOPIC\tLITERAL\t{dead_letter_topic(name)}\tWRITE")
            lines.append(
                f"allow\t{_user(principal)}\tGROUP\tLITERAL\t{prefix}{principal}.{topic.value}\tREAD"
            )
    for integrator in integrators:
        for topic in INTEGRATOR_ACCESS.writes:
            lines.append(f"allow\t{_user(integrator)}\tTOPIC\tLITERAL\t{prefix}{topic.value}\tWRITE")
    return lines


def spec(prefix: str, passwords: dict[str, str] | None) -> str:
    """What BusAccess applies: the SCRAM credentials (when ``passwords`` is given) and the ACLs."""
    users = [
        f"user\t{name}\t{password}"
        for name, password in (passwords or {}).items()
        if name != BROKER_PRINCIPAL
    ]
    acls = acl_lines(prefix, PRINCIPALS, integrator_ids())
    return "\n".join([*users, *scope_lines(prefix, PRINCIPALS), *acls]) + "\n"


def admin_properties(password: str, port: int | None = None) -> str:
    """The Admin client's connection as the broker's own PLAIN identity."""
    jaas = (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{BROKER_PRINCIPAL}" password="{password}";'
    )
    return (
        "\n".join(
            [
                f"bootstrap.servers={HOST}:{kafka_port() if port is None else port}",
                "security.protocol=SASL_PLAINTEXT",
                f"sasl.mechanism={PLAIN}",
                f"sasl.jaas.config={jaas}",
                "request.timeout.ms=30000",
                "default.api.timeout.ms=60000",
            ]
        )
        + "\n"
    )


def _compiled(java: str, libs: Path) -> Path:
    """BusAccess compiled once per source into the stack's Kafka folder."""
    digest = hashlib.sha256(BUS_ACCESS_SOURCE.read_bytes()).hexdigest()[:16]
    classes = stack_dir() / "kafka" / f"bus-access-{digest}"
    with _flock(stack_dir() / "kafka" / ".bus-access.lock", "kafka"):
        if not (classes / "BusAccess.class").exists():
            javac = Path(java).with_name("javac")
            compiler = str(javac) if javac.exists() else shutil.which("javac")
            if compiler is None:
                raise InfraError(
                    "kafka: `javac` is needed once to compile deploy/kafka/BusAccess.java; "
                    "install a JDK: apt-get install -y openjdk-17-jdk-headless"
                )
            partial = classes.with_name(classes.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(parents=True)
            argv = [compiler, "-nowarn", "-cp", f"{libs}/*", "-d", str(partial), str(BUS_ACCESS_SOURCE)]
            _run(argv, f"compiling {BUS_ACCESS_SOURCE}")
            shutil.rmtree(classes, ignore_errors=True)
            partial.replace(classes)
    return classes


def run_bus_access(java: str, libs: Path, text: str, password: str, port: int | None = None) -> str:
    """Apply ``text`` (a spec) to the broker; returns the tool's summary line."""
    classes = _compiled(java, libs)
    with tempfile.TemporaryDirectory(prefix="bus-access-", dir=kafka_secrets_dir()) as folder:
        props, spec_file = Path(folder) / "admin.properties", Path(folder) / "spec.tsv"
        write_private(props, admin_properties(password, port))
        write_private(spec_file, text)
        argv = [
            java,
            "-Xmx128m",
            "-cp",
            f"{classes}{os.pathsep}{libs}/*",
            "BusAccess",
            str(props),
            str(spec_file),
        ]
        return _run(argv, "applying the bus's access")


def _run(argv: list[str], what: str) -> str:
    """Run a JDK tool; its output, or an ``InfraError`` saying what failed with its last words."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise InfraError(f"kafka: {what} failed:\n{(done.stderr or done.stdout)[-3000:]}")
    return done.stdout.strip()


def apply_access(prefix: str = "", *, with_credentials: bool = False) -> str:
    """Make the running broker's ACLs for topic prefix ``prefix`` the table's (and, with
    ``with_credentials``, set every principal's SCRAM secret)."""
    passwords = ensure_credentials()
    return _apply(spec(prefix, passwords if with_credentials else None), passwords)


def revoke_access(prefix: str) -> str:
    """Remove every ACL of topic prefix ``prefix`` (a test run's, when it ends)."""
    return _apply("\n".join(scope_lines(prefix, PRINCIPALS)) + "\n", ensure_credentials())


def _apply(text: str, passwords: dict[str, str]) -> str:
    """Apply a spec to the running broker as its own identity."""
    from deploy.infra.kafka import _Kafka  # the broker imports this module

    return _Kafka().apply(text, passwords[BROKER_PRINCIPAL])


def jaas_plain(password: str) -> str:
    return (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{BROKER_PRINCIPAL}" password="{password}" user_{BROKER_PRINCIPAL}="{password}";'
    )
