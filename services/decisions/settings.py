from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

SERVICE_NAME = "decisions"


class DecisionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_DECISIONS_", extra="ignore")

    http_port: int = 8003
    timezone: str = "Asia/Ho_Chi_Minh"
    """Decisions are dated, and registers restart each year, in Vietnam's time zone."""
