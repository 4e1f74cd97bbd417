"""The dossier submission contract (tờ trình): the body of ``POST /v1/dossiers`` and, for systems on
the bus, of records on the inbound topic."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.events import NomineeKind

MAX_ENTRIES_PER_DOSSIER = 500


class NomineeSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NomineeKind = NomineeKind.INDIVIDUAL
    full_name: str = Field(min_length=1, max_length=300, description="Họ tên cá nhân hoặc tên tập thể")
    achievement_summary: str = Field(default="", max_length=20_000, description="Tóm tắt thành tích")


class DossierSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submitting_organisation: str = Field(
        min_length=1, max_length=50, description="Code of the submitting organisation"
    )
    award_code: str = Field(min_length=1, max_length=50, description="Award catalogue code, e.g. BKTTG")
    external_reference: str | None = Field(
        default=None, max_length=200, description="The submitting system's own reference"
    )
    entries: list[NomineeSubmission] = Field(min_length=1, max_length=MAX_ENTRIES_PER_DOSSIER)
