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
    objections_per_address: int = Field(default=10, ge=1)
    """Objections one client address (the TCP peer) may send per window."""
    objections_per_dossier: int = Field(default=100, ge=1)
    """Objections one dossier takes per window, from all addresses."""
    objection_window_seconds: int = Field(default=3600, ge=1)
    """The sliding window of both limits (in this process's memory: ``servicekit.ratelimit``)."""
    task_objections_shown: int = Field(default=20, ge=0, le=200)
    """The latest objections one task's view embeds; the rest are read a page at a time
    (``GET /v1/dossiers/{dossier_id}/objections``)."""
