from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings
from services.decisions.domain import BatchRule

SERVICE_NAME = "decisions"
MIB = 1024 * 1024


class SignerSetting(BaseModel):
    """Who signs an organisation's decisions, as the signer block prints it (NĐ 30/2020 ô 7)."""

    capacity_vi: str | None = Field(default=None, description='"TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", …')
    title_vi: str = Field(description='"CHỦ TỊCH", "PHÓ CHỦ TỊCH", …')
    full_name: str


class DecisionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_DECISIONS_", extra="ignore")

    http_port: int = 8003
    timezone: str = "Asia/Ho_Chi_Minh"
    """Decisions are dated, and registers restart each year, in Vietnam's time zone."""
    batches: list[BatchRule] = Field(default_factory=list)
    """JSON, e.g. ``[{"award_code": "LDTT", "period": "month"}]``: those approvals wait for one
    decision per award, issuer and period; every other approval gets its own decision at once."""
    signers: dict[str, SignerSetting] = Field(default_factory=dict)
    """JSON by organisation code: the capacity in which its leaders sign ("KT. CHỦ TỊCH"); the name
    and title printed are the signing leader's own, from their identity (``register.signer_block``)."""
    sweep_seconds: float = Field(default=30.0, gt=0)
    """How often due batches are closed and unfinished documents completed (also on every approval)."""
    signing_key_file: Path | None = None
    signing_cert_file: Path | None = None
    signing_chain_files: list[Path] = Field(default_factory=list)
    trust_files: list[Path] = Field(default_factory=list)
    """Roots the verify endpoint trusts; the signing chain's root when empty."""
    signing_dev_ca_dir: Path | None = None
    """Development only: create (once) a local CA and signing certificate here and sign with it
    when no key and certificate are configured. ``make up`` and the tests set it."""
    verify_timeout_seconds: float = Field(default=10.0, gt=0)
    """``POST /v1/verify`` reads each upload in a child process, killed after this long (its
    registry documents take well under a second)."""
    verify_memory_bytes: int = Field(default=768 * MIB, ge=256 * MIB)
    """The child's address space (``RLIMIT_AS``): interpreter, libraries and a 50 MB upload fit."""
    verify_max_objects: int = Field(default=200_000, ge=1)
    """Objects an upload may declare (the registry's documents declare far fewer)."""
    verify_max_stream_bytes: int = Field(default=32 * MIB, ge=MIB)
    """Bytes one stream of an upload may decode to."""
    verify_max_decoded_bytes: int = Field(default=128 * MIB, ge=MIB)
    """Bytes all the streams of an upload may decode to together."""
    verify_concurrency: int = Field(default=2, ge=1)
    """Uploads verified at once; one more is answered 503 ``verification-busy``."""
    verify_retry_after_seconds: int = Field(default=5, ge=1)
    """The ``Retry-After`` of ``verification-busy``."""
