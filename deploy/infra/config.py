"""Where the local stack lives and listens: ports, paths and versions, from the environment."""

from __future__ import annotations

import os
from pathlib import Path

# --------------------------------------------------------------------------- #
# Configuration
# --------------------------------------------------------------------------- #

HOST = "127.0.0.1"
COMPONENTS: tuple[str, ...] = ("kafka", "temporal", "postgres", "mail", "keycloak")

DEPLOY_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = DEPLOY_DIR.parent
KAFKA_POM = DEPLOY_DIR / "kafka" / "pom.xml"
KAFKA_VERSION = "4.3.1"  # keep in sync with <kafka.version> in deploy/kafka/pom.xml

KEYCLOAK_VERSION = "26.5.6"
KEYCLOAK_ARTIFACT = f"org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:zip"
KEYCLOAK_REALM = "tdkt"  # the realm of deploy/keycloak/realm.py
KEYCLOAK_DATABASE = "keycloak"  # in the stack's PostgreSQL

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
DEFAULT_KEYCLOAK_PORT = 18080
DEFAULT_KEYCLOAK_MANAGEMENT_PORT = 18081
DEFAULT_KEYCLOAK_HEAP_OPTS = "-Xms128m -Xmx768m"
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


def keycloak_port() -> int:
    return _env_int("TDKT_KEYCLOAK_PORT", DEFAULT_KEYCLOAK_PORT)


def keycloak_management_port() -> int:
    """Keycloak's management interface (health); Keycloak's own default, 9000, is too common."""
    return _env_int("TDKT_KEYCLOAK_MANAGEMENT_PORT", DEFAULT_KEYCLOAK_MANAGEMENT_PORT)


def keycloak_url() -> str:
    """Keycloak's base URL, e.g. ``http://127.0.0.1:18080``; also its fixed ``--hostname``."""
    return f"http://{HOST}:{keycloak_port()}"


def keycloak_issuer() -> str:
    """The ``iss`` of the realm's tokens, e.g. ``http://127.0.0.1:18080/realms/tdkt``."""
    return f"{keycloak_url()}/realms/{KEYCLOAK_REALM}"


def keycloak_secrets_dir() -> Path:
    """``admin.json``, ``clients.json`` and ``users.json`` of the local realm (files 0600)."""
    return stack_dir() / "secrets" / "keycloak"


def kafka_secrets_dir() -> Path:
    """One ``<principal>.json`` per principal of the local bus (files 0600): the services', the
    worker's, the integrators', ``admin.json`` (operators, tests) and ``broker.json`` (the broker's
    own identity); see ``deploy/infra/kafka_access.py``."""
    return stack_dir() / "secrets" / "kafka"


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


def postgres_url(dbname: str, user: str = POSTGRES_USER, password: str = "") -> str:
    """SQLAlchemy URL (psycopg 3 driver), e.g. ``postgresql+psycopg://tdkt_intake:…@127.0.0.1:55432/tdkt_intake``
    (``deploy.infra.postgres.database_url`` adds the role's password from the stack's secrets)."""
    who = f"{user}:{password}" if password else user
    return f"postgresql+psycopg://{who}@{HOST}:{postgres_port()}/{dbname}"


def postgres_secrets_file() -> Path:
    """``{role: password}`` of the stack's PostgreSQL roles (file 0600): the superuser's, each
    service's, Keycloak's."""
    return stack_dir() / "secrets" / "postgres" / "roles.json"


def stack_dir() -> Path:
    raw = os.environ.get("TDKT_STACK_DIR", "").strip()
    path = Path(raw).expanduser() if raw else REPO_ROOT / ".stack"
    return path.resolve()


def _start_timeout(default: float) -> float:
    return float(_env_int("TDKT_START_TIMEOUT", int(default), high=24 * 3600))
