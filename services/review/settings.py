from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

SERVICE_NAME = "review"


class ReviewSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_REVIEW_", extra="ignore")

    http_port: int = 8002
