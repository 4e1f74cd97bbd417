from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

SERVICE_NAME = "intake"

DEFAULT_ATTACHMENT_TYPES = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
)


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_INTAKE_", extra="ignore")

    http_port: int = 8001
    clients_file: Path | None = None
    """JSON list of integrating systems: client_id, name, secret_sha256, organisations."""
    attachments_dir: Path | None = None
    """Where uploaded files are kept (content-addressed); ``<data_dir>/attachments`` when unset."""
    max_attachment_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    attachment_types: tuple[str, ...] = DEFAULT_ATTACHMENT_TYPES
    """Media types accepted for attachments, judged from the file's content, not its name."""
    review_profile: str = "four_level"
    """Review-level profile: ``four_level`` or ``two_tier_2025`` (NĐ 129/2025 Điều 59)."""
    timezone: str = "Asia/Ho_Chi_Minh"
