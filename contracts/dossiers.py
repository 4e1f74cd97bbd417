"""The dossier submission contract (tờ trình): the body of ``POST /v1/dossiers`` and, for systems on
the bus, of records on the inbound topic."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from contracts.envelope import CloudEvent
from contracts.events import NomineeKind
from contracts.nominee import NomineeRecord
from contracts.text import HumanText, PersonName

MAX_ENTRIES_PER_DOSSIER = 500


class NomineeSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NomineeKind = NomineeKind.INDIVIDUAL
    full_name: PersonName = Field(min_length=1, max_length=300, description="Họ tên cá nhân hoặc tên tập thể")
    position_title: PersonName | None = Field(
        default=None, max_length=300, description="Chức vụ, đơn vị công tác"
    )
    achievement_summary: HumanText = Field(default="", max_length=20_000, description="Tóm tắt thành tích")
    email: EmailStr | None = Field(
        default=None,
        max_length=254,
        description="Where the nominee is told of the decision and sent the certificate (optional)",
    )
    record: NomineeRecord = Field(
        default_factory=NomineeRecord,
        description="The facts eligibility is judged on: ratings, awards, initiatives, status flags",
    )


class DossierSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submitting_organisation: str = Field(
        min_length=1, max_length=50, description="Code of the submitting organisation"
    )
    award_code: str = Field(min_length=1, max_length=50, description="Award catalogue code, e.g. BKTTG")
    external_reference: str | None = Field(
        default=None, max_length=200, description="The submitting system's own reference"
    )
    proposal_year: int | None = Field(
        default=None,
        ge=2000,
        le=2100,
        description="The year the achievements are proposed for (năm đề nghị); the submission year when unset",
    )
    unit_lao_dong_tien_tien_count: int | None = Field(
        default=None,
        ge=0,
        description=(
            "Số Lao động tiên tiến của đơn vị: needed only where the deciding organisation has configured "
            "a quota for the award (none by default)"
        ),
    )
    entries: list[NomineeSubmission] = Field(min_length=1, max_length=MAX_ENTRIES_PER_DOSSIER)


INBOUND_SOURCE_PREFIX = "urn:tdkt:client:"
"""Records on the inbound topic name their client in ``source``: ``urn:tdkt:client:<client_id>``."""


class DossierSubmissionRequested(CloudEvent):
    """A submission from a system on the bus: the same body as ``POST /v1/dossiers``.

    The CloudEvent ``id`` is the idempotency key: a repeat creates nothing new. The outcome is
    announced on ``tdkt.intake.events`` (``dossier.submitted`` with the ``external_reference``);
    a refused request goes to ``tdkt.intake.inbound.dlq`` with the reason code in headers."""

    type: Literal["vn.tdkt.dossier.submission.requested.v1"] = "vn.tdkt.dossier.submission.requested.v1"
    data: DossierSubmission

    @property
    def client_id(self) -> str | None:
        if self.source.startswith(INBOUND_SOURCE_PREFIX):
            return self.source.removeprefix(INBOUND_SOURCE_PREFIX) or None
        return None


InboundEvent = Annotated[DossierSubmissionRequested, Field(discriminator="type")]
