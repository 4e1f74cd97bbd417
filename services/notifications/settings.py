from datetime import time
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

SERVICE_NAME = "notifications"


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_NOTIFICATIONS_", extra="ignore")

    http_port: int = 8004

    smtp_host: str | None = None
    """The SMTP server; e-mail is off (and says so at start) when unset."""
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_tls: bool = False
    mail_from: str = "TĐKT <no-reply@tdkt.local>"
    directory_file: Path | None = None
    """JSON object: organisation code or ``<code>#<role>`` → e-mail address (its mailbox)."""
    decisions_url: str = "http://127.0.0.1:8003"
    """The public decisions registry: links in notices, and the certificates e-mailed to nominees."""

    max_attempts: int = Field(default=8, ge=1)
    """Attempts of one delivery before it is dead-lettered."""
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_cap_seconds: float = Field(default=6 * 3600.0, gt=0)
    send_timeout_seconds: float = Field(default=20.0, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)
    """How long a claimed delivery may stay unrecorded before it counts as interrupted; longer
    than a send can take."""
    dispatch_poll_seconds: float = Field(default=1.0, gt=0)
    dispatch_batch: int = Field(default=50, ge=1)
    """Deliveries claimed at once."""
    max_in_flight: int = Field(default=100, ge=1)
    """Attempts under way at once in this process, each its own task; a claim takes no more."""
    receiver_concurrency: int = Field(default=4, ge=1)
    """Attempts under way at once to one receiver (a webhook subscription, a mailbox): a receiver
    that hangs holds this many of the ``max_in_flight``, never the others' turns."""
    breaker_failures: int = Field(default=5, ge=1)
    """Failed attempts in a row to one receiver that open its circuit: its deliveries are then
    deferred (not attempted, not counted) for ``breaker_cooldown_seconds``."""
    breaker_cooldown_seconds: float = Field(default=300.0, gt=0)
    """How long an open circuit defers its receiver's deliveries; then one attempt at a time tries
    it again (a success closes the circuit, a failure opens it for another cool-down)."""
    digest_at: time = time(7, 30)
    """When the daily reminder digests go out, in ``time_zone``."""
    time_zone: str = "Asia/Ho_Chi_Minh"
    stale_after_hours: float = Field(default=72.0, gt=0)
    """Events older than this are put in the feed but not e-mailed or sent by webhook: a consumer
    that starts from the beginning of a topic (a new deployment) must not mail the past."""
    secrets_key: SecretStr | None = None
    """The key webhook signing secrets are sealed with in the database (``secretbox``): base64 of
    32 bytes (``openssl rand -base64 32``); several, comma separated, while rotating (the first
    seals, all open). Required by the service; ``make up`` generates one under
    ``.stack/secrets/notifications``."""
    webhook_allow_http: bool = False
    """Accept ``http://`` webhook URLs and local addresses (development and tests); otherwise a
    URL must be https and resolve to public addresses only."""
