from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

SERVICE_NAME = "intake"


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_INTAKE_", extra="ignore")

    http_port: int = 8001
