from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

SERVICE_NAME = "notifications"


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_NOTIFICATIONS_", extra="ignore")

    http_port: int = 8004
