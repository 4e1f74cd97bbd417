"""Configuration from the environment (pydantic-settings).

``KitSettings`` holds what every process shares (``TDKT_*``); each service adds its own settings
class with its own prefix (``TDKT_INTAKE_*``, …) through ``ServiceSettings``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


class KitSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_", extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:19092"
    kafka_partitions: int = Field(default=3, ge=1)
    topic_prefix: str = ""
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "tdkt-review"
    http_host: str = "127.0.0.1"
    data_dir: Path = REPOSITORY_ROOT / ".stack" / "data"
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    outbox_retention_hours: float = Field(default=168, gt=0)
    """How long a published event stays in its service's outbox (Kafka's default retention):
    older ones are deleted, so the table holds days of events rather than the service's life."""
    max_body_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    """Any request body above this is refused (413) before a handler reads it."""


class ServiceSettings(BaseSettings):
    """Per-service settings; subclasses set ``env_prefix`` and the defaults below."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = None
    """SQLAlchemy URL; SQLite file ``<data_dir>/<service>.db`` when unset."""
    http_port: int = 8000

    def resolved_database_url(self, service_name: str, kit: KitSettings) -> str:
        if self.database_url:
            return self.database_url
        kit.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{kit.data_dir / f'{service_name}.db'}"
