from fractions import Fraction
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from servicekit.files import DOCUMENT_TYPES
from servicekit.settings import ServiceSettings
from services.intake.domain.eligibility import QuotaSetting

SERVICE_NAME = "intake"

DEFAULT_ATTACHMENT_TYPES = DOCUMENT_TYPES


class QuotaConfig(BaseModel):
    issuer: str = Field(description="Code of the deciding organisation the cap applies to")
    award_code: str
    max_share: Fraction = Field(description='A share of the unit\'s LĐTT count, e.g. "3/20"')
    legal_basis: str
    confirmed: bool = False
    """Unconfirmed caps send an overflow to manual review instead of refusing it."""

    def setting(self) -> QuotaSetting:
        return QuotaSetting(self.issuer, self.award_code, self.max_share, self.legal_basis, self.confirmed)


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
    review_profile: str | None = None
    """Force one review profile (``four_level`` or ``two_tier_2025``) for every dossier; unset, each
    dossier follows the organisation structure in force on its submission date (``four_level``
    until 30/06/2025, ``two_tier_2025`` from 01/07/2025, NĐ 129/2025 Điều 59)."""
    timezone: str = "Asia/Ho_Chi_Minh"
    quotas: list[QuotaConfig] = Field(default_factory=list)
    """Per-issuer caps (JSON in ``TDKT_INTAKE_QUOTAS``); none by default, since Luật TĐKT 2022 sets
    no quota (the 15% CSTĐCS cap of NĐ 91/2017 is HISTORICAL; DOMAIN.md §2.2)."""
