"""Configuration from the environment (pydantic-settings).

``KitSettings`` holds what every process shares (``TDKT_*``); each service adds its own settings
class with its own prefix (``TDKT_INTAKE_*``, …) through ``ServiceSettings``.

A service reads its environment only: whoever starts it (``deploy.stack``, the tests, compose)
gives it everything. An operator's command (``python -m services.intake.audit``, …) runs beside
a stack it did not start, so it resolves the same settings with :func:`for_command`: the
environment first, then what the stack recorded when it started its processes
(``<stack dir>/stack.env``, written by ``deploy.apps``), then the defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

from dotenv import dotenv_values
from pydantic import Field
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
STACK_RECORD = "stack.env"
"""The file in the stack's folder naming what the stack started: its processes' ``TDKT_*``
environment (database URLs, Kafka bootstrap servers, topic prefix, ports), in dotenv form."""
LOCAL_HOST = "127.0.0.1"

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def stack_dir() -> Path:
    """The local stack's folder: ``TDKT_STACK_DIR``, else ``<repo>/.stack`` (the rule of
    ``deploy.infra.stack_dir``, which stays pure standard library to run before ``uv sync``)."""
    raw = os.environ.get("TDKT_STACK_DIR", "").strip()
    path = Path(raw).expanduser() if raw else REPOSITORY_ROOT / ".stack"
    return path.resolve()


def stack_record() -> Path:
    return stack_dir() / STACK_RECORD


def recorded_stack() -> dict[str, str]:
    """What the running stack recorded (empty when nothing is recorded)."""
    record = stack_record()
    if not record.is_file():
        return {}
    return {name: value for name, value in dotenv_values(record).items() if value is not None}


def stack_value(name: str, default: str) -> str:
    """One variable as a command resolves it: the environment, the stack's record, ``default``."""
    return os.environ.get(name) or recorded_stack().get(name) or default


def service_url(service: str, default_port: int) -> str:
    """Where a command reaches a service: ``TDKT_<SERVICE>_URL``, else the local host on
    ``TDKT_<SERVICE>_HTTP_PORT`` (environment, then the stack's record, then ``default_port``)."""
    prefix = f"TDKT_{service.upper()}"
    explicit = os.environ.get(f"{prefix}_URL")
    if explicit:
        return explicit
    return f"http://{LOCAL_HOST}:{stack_value(f'{prefix}_HTTP_PORT', str(default_port))}"


def for_command(settings_cls: type[SettingsT]) -> SettingsT:
    """``settings_cls`` as an operator's command resolves it: the environment first, then the
    running stack's record, then the defaults."""
    return settings_cls(_env_file=stack_record())


def describe_resolution() -> str:
    """Where a command looked, for its refusals."""
    record = stack_record()
    found = "found" if record.is_file() else "not found: is the stack running? (`make up`)"
    return f"settings from the environment, then {record} ({found}), then the defaults"


class KafkaPortSource(PydanticBaseSettingsSource):
    """``TDKT_KAFKA_PORT`` (the local broker's port, ``deploy.infra``) gives the bootstrap
    servers when ``TDKT_KAFKA_BOOTSTRAP_SERVERS`` is not set."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        port = os.environ.get("TDKT_KAFKA_PORT", "").strip()
        return {"kafka_bootstrap_servers": f"{LOCAL_HOST}:{port}"} if port else {}


class KitSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_", extra="ignore")

    kafka_bootstrap_servers: str = f"{LOCAL_HOST}:19092"
    kafka_credentials_file: Path | None = None
    """This process's identity on the bus: a JSON file ``{"username", "password", "mechanism"}``
    (``SCRAM-SHA-512``, or ``PLAIN``), as ``deploy/infra/kafka_access.py`` writes them. Unset, the
    process connects unauthenticated, which the stack's broker refuses."""
    kafka_partitions: int = Field(default=3, ge=1)
    topic_prefix: str = ""
    temporal_address: str = f"{LOCAL_HOST}:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "tdkt-review"
    http_host: str = LOCAL_HOST
    data_dir: Path = Field(default_factory=lambda: stack_dir() / "data")
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    outbox_retention_hours: float = Field(default=168, gt=0)
    """How long a published event stays in its service's outbox (Kafka's default retention):
    older ones are deleted, so the table holds days of events rather than the service's life."""
    max_body_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    """Any request body above this is refused (413) before a handler reads it."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            KafkaPortSource(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )


class ServiceSettings(BaseSettings):
    """Per-service settings; subclasses set ``env_prefix`` and the defaults below."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = None
    """SQLAlchemy URL; SQLite file ``<data_dir>/<service>.db`` when unset."""
    http_port: int = 8000

    def resolved_database_url(self, service_name: str, kit: KitSettings) -> str:
        """The URL only: the service creates the folder of its SQLite file when it starts
        (``servicekit.service.build_runtime``), a command never does."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{kit.data_dir / f'{service_name}.db'}"
