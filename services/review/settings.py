from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from contracts.events import ReviewLevel, ReviewStepKind
from servicekit.files import DOCUMENT_TYPES
from servicekit.settings import ServiceSettings

SERVICE_NAME = "review"


class SeparationOfDuties(BaseModel):
    """Who took ``first`` at a level may not take ``then`` at the same level (four eyes)."""

    first: ReviewStepKind
    then: ReviewStepKind
    levels: list[ReviewLevel] | None = Field(
        default=None, description="Where it applies; every level if unset"
    )


DEFAULT_SEPARATION = [SeparationOfDuties(first=ReviewStepKind.APPRAISAL, then=ReviewStepKind.SIGN_OFF)]
"""A product default, not a rule of law (DOMAIN.md names none): the leader who signs off a level
is not the officer who appraised the dossier there."""


class ReviewSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TDKT_REVIEW_", extra="ignore")

    http_port: int = 8002
    separation_of_duties: list[SeparationOfDuties] = Field(default_factory=lambda: list(DEFAULT_SEPARATION))
    """JSON, e.g. ``[{"first": "appraisal", "then": "sign_off"}]`` (the default); ``[]`` turns it off."""
    note_files_dir: Path | None = None
    """Where reviewers' files on tasks are kept (content-addressed); ``<data_dir>/review-files`` when unset."""
    max_note_file_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    note_file_types: tuple[str, ...] = DOCUMENT_TYPES
    """Media types accepted for reviewers' files, judged from the content, not the name."""
