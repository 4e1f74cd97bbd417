"""Decisions' tables and HTTP views."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contracts.events import DecisionReward, NomineeKind, RevocationGround
from contracts.text import HumanText
from servicekit.db import MAX_INTEGER, MAX_PAGE_OFFSET


class DecisionRegister(SQLModel, table=True):
    """One numbering register (sổ) per issuing organisation and calendar year: the last number
    given. Keyed by the organisation, not its issuer code: every commune prints "QĐ-UBND" but
    keeps its own register."""

    __tablename__ = "decision_register"

    organisation_code: str = Field(primary_key=True, max_length=50)
    year: int = Field(primary_key=True)
    last_sequence: int = 0


class DecisionKind(StrEnum):
    AWARD = "award"
    REVOCATION = "revocation"
    """Hủy bỏ (Luật TĐKT Điều 93): numbered in the same register as the awards."""


class DecisionStatus(StrEnum):
    NUMBERED = "numbered"
    """Number taken; documents not yet rendered and signed, nothing published."""
    ISSUED = "issued"
    """Documents stored and the issued (or revoked) events staged in the outbox."""


class Decision(SQLModel, table=True):
    __tablename__ = "decision"
    __table_args__ = (
        UniqueConstraint("deciding_organisation", "year", "sequence", name="uq_decision_register_position"),
        Index("ix_decision_status", "status"),
    )

    id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(default=DecisionKind.AWARD, max_length=20)
    status: str = Field(default=DecisionStatus.NUMBERED, max_length=20)
    number: str = Field(index=True, max_length=100)
    sequence: int
    year: int
    issuer_code: str = Field(max_length=50)
    deciding_organisation: str = Field(max_length=50)
    award_code: str = Field(max_length=50)
    issued_on: date
    reward: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    particulars: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """``DecisionParticulars`` from the approval: what the document prints."""
    signer: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """``documents.model.Signer`` as printed."""
    document_sha256: str | None = Field(default=None, max_length=64)
    trace_carrier: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    """The trace of the approval, so rendering and publishing later join it."""
    created_at: datetime


class Approval(SQLModel, table=True):
    """An approved dossier waiting for, or answered by, a decision: issued at once, or gathered
    into a batched decision of its award and issuer for a period."""

    __tablename__ = "approval"
    __table_args__ = (Index("ix_approval_pending", "decision_id", "award_code", "deciding_organisation"),)

    dossier_id: str = Field(primary_key=True, max_length=64)
    decision_id: str | None = Field(default=None, foreign_key="decision.id", max_length=64)
    award_code: str = Field(max_length=50)
    deciding_organisation: str = Field(max_length=50)
    submitting_organisation: str = Field(max_length=50)
    batch_window: str | None = Field(default=None, max_length=20)
    """The batching period it waits for (e.g. ``2026-11``); None: decided at once."""
    batch_closes_on: date | None = None
    approved: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """``DossierApprovedData`` as received."""
    trace_carrier: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    received_at: datetime


class DossierSeen(SQLModel, table=True):
    """What this service has seen of a dossier on the bus — its submission (and amendments) from
    intake, the start of its review — against which an approval is matched before anything is
    numbered (``provenance.py``)."""

    __tablename__ = "dossier_seen"

    dossier_id: str = Field(primary_key=True, max_length=64)
    award_code: str | None = Field(default=None, max_length=50)
    submitting_organisation: str | None = Field(default=None, max_length=50)
    latest_version: int | None = None
    """The newest version intake published (None: no submission seen yet)."""
    nominees: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """``{entry_id: nominee name}`` of every version submitted."""
    submitted_at: datetime | None = None
    review_seen_at: datetime | None = None


class DecisionEntry(SQLModel, table=True):
    """One awardee line of a decision; ``line_number`` is its số sổ vàng (DOMAIN.md §4.3)."""

    __tablename__ = "decision_entry"

    decision_id: str = Field(foreign_key="decision.id", primary_key=True, max_length=64)
    line_number: int = Field(primary_key=True)
    dossier_id: str = Field(max_length=64)
    entry_id: str = Field(index=True, max_length=120)
    nominee_name: str = Field(max_length=300)
    nominee_kind: str = Field(max_length=20)
    position_title: str | None = Field(default=None, max_length=300)
    search_key: str = Field(index=True, max_length=300)
    """The name in lower case without diacritics (``contracts.names.search_key``)."""
    amount_vnd: int | None = None
    combination: str | None = Field(default=None, max_length=500)
    revocation_id: str | None = Field(default=None, max_length=64)


class Revocation(SQLModel, table=True):
    """Which line a revocation decision (itself a ``Decision`` of kind revocation) revokes."""

    __tablename__ = "revocation"
    __table_args__ = (UniqueConstraint("decision_id", "line_number", name="uq_revocation_line"),)

    id: str = Field(foreign_key="decision.id", primary_key=True, max_length=64)
    """The revocation decision's id."""
    decision_id: str = Field(foreign_key="decision.id", max_length=64)
    """The original award decision."""
    line_number: int
    ground: str = Field(max_length=2)
    """``RevocationGround``: Luật TĐKT 2022 Điều 93 k2, point a–d."""
    reason: str = Field(max_length=2000)
    revoked_by: str = Field(max_length=200)


class DocumentKind(StrEnum):
    DECISION = "decision"
    CERTIFICATES = "certificates"
    """Every line's certificate, one page each."""
    CERTIFICATE = "certificate"
    """One line's certificate, rendered on first request."""


class DecisionDocument(SQLModel, table=True):
    """A signed PDF as served, found again by its hash when someone asks to verify it."""

    __tablename__ = "decision_document"
    __table_args__ = (UniqueConstraint("decision_id", "kind", "line_number", name="uq_decision_document"),)

    id: str = Field(primary_key=True, max_length=64)
    decision_id: str = Field(foreign_key="decision.id", index=True, max_length=64)
    kind: str = Field(max_length=20)
    line_number: int = 0
    """The certificate's line; 0 for the decision. For the bundle of every standing line's
    certificate: 0, or minus the number of lines revoked when it was rendered, so a bundle rendered
    after a revocation is a new document and the earlier one stays on record (and verifies as
    partly revoked)."""
    lines: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """The lines (số sổ vàng) a bundle of certificates holds (migration 0006 recorded those of the
    bundles stored before); None for the other documents, whose lines follow from their kind."""
    sha256: str = Field(unique=True, max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime


class DecisionQuery(BaseModel):
    dossier_id: str | None = PydanticField(default=None, max_length=64)
    number: str | None = PydanticField(default=None, max_length=100, description="As printed, e.g. 01/QĐ-TTg")
    issuer: str | None = PydanticField(
        default=None, max_length=50, description="The issuing organisation's code"
    )
    year: int | None = PydanticField(default=None, ge=2000, le=2100)
    award_code: str | None = PydanticField(default=None, max_length=50)
    nominee: str | None = PydanticField(
        default=None,
        min_length=2,
        max_length=300,
        description="Part of an awardee's name (diacritics optional)",
    )
    limit: int = PydanticField(default=50, ge=1, le=200)
    offset: int = PydanticField(default=0, ge=0, le=MAX_PAGE_OFFSET)


class RevokedLine(BaseModel):
    decision_id: str = PydanticField(description="The original award decision")
    line_number: int
    ground: RevocationGround
    reason: str
    revoked_by: str


class DecisionView(BaseModel):
    decision_id: str
    kind: DecisionKind
    status: DecisionStatus = PydanticField(
        description="numbered: documents still being rendered and signed; issued: published"
    )
    number: str
    sequence: int
    year: int
    issuer_code: str
    deciding_organisation: str
    award_code: str
    issued_on: date
    dossier_ids: list[str] = PydanticField(description="The dossiers it answers (several when batched)")
    entries_total: int
    reward: DecisionReward | None = None
    document_sha256: str | None = PydanticField(
        default=None, description="SHA-256 of the signed PDF served at /v1/decisions/{id}/pdf"
    )
    revokes: RevokedLine | None = PydanticField(default=None, description="For a revocation decision")


class DecisionEntryView(BaseModel):
    line_number: int = PydanticField(description="Số sổ vàng")
    dossier_id: str
    entry_id: str
    nominee_name: str
    nominee_kind: NomineeKind
    position_title: str | None
    amount_vnd: int | None
    combination: str | None = PydanticField(description="Why the amount differs (NĐ 152/2025 Điều 49 k5–k7)")
    revocation_id: str | None = PydanticField(description="The decision that revoked this line, if any")


class EntryPage(BaseModel):
    limit: int = PydanticField(default=100, ge=1, le=1000)
    offset: int = PydanticField(default=0, ge=0, le=MAX_PAGE_OFFSET)


class RevocationRequest(BaseModel):
    line_number: int = PydanticField(ge=1, le=MAX_INTEGER, description="Số sổ vàng of the line to revoke")
    ground: RevocationGround = PydanticField(description="Luật TĐKT 2022 Điều 93 k2, point a–d")
    reason: HumanText = PydanticField(min_length=10, max_length=2000, description="The facts, in Vietnamese")


class VerificationProblem(BaseModel):
    code: str = PydanticField(description="Stable, as listed in `problems`")
    message_vi: str
    message_en: str


class RevocationNotice(BaseModel):
    """A revoked award (hủy bỏ, Luật TĐKT 2022 Điều 93) that the verified document attests."""

    line_number: int = PydanticField(description="Số sổ vàng of the revoked line")
    nominee_name: str
    revocation_decision_id: str
    revocation_number: str = PydanticField(description="The revocation decision's number, e.g. 02/QĐ-TTg")
    revocation_issued_on: date
    ground: RevocationGround = PydanticField(description="Luật TĐKT 2022 Điều 93 k2, point a–d")
    ground_vi: str
    ground_en: str
    reason: str


class VerificationView(BaseModel):
    valid: bool = PydanticField(
        description="Authentic, and no award the document attests was revoked: it stands as a commendation"
    )
    authentic: bool = PydanticField(
        description="Signed by this system, unaltered, and, byte for byte, one of its documents — true "
        "also for a document whose awards were revoked later (then `valid` is false)"
    )
    signed: bool
    intact: bool = PydanticField(description="The signed bytes were not changed")
    covers_whole_file: bool = PydanticField(description="Nothing was added after the signature")
    trusted: bool = PydanticField(description="The signing certificate chains to this system's trust roots")
    known: bool = PydanticField(description="The file is, byte for byte, a document this registry served")
    revoked: bool = PydanticField(
        default=False,
        description="Every award the document attests was revoked (for a decision: the decision is revoked); "
        "`revocations` names them. Some but not all: `revoked` false, problem `partly-revoked`. (The "
        "commendation, not the signing certificate.)",
    )
    revocations: list[RevocationNotice] = PydanticField(
        default_factory=list, description="The revoked awards among those the document attests, by line"
    )
    problems: list[str] = PydanticField(
        description="Machine-readable reasons when not valid: not-a-pdf, unsigned, malformed-signature, "
        "altered, content-after-signature, untrusted-signer, unknown-document, revoked, partly-revoked; "
        "`problem_details` explains each"
    )
    problem_details: list[VerificationProblem] = PydanticField(
        default_factory=list,
        description="`problems` in the same order, each with what it means in Vietnamese and English",
    )
    document_sha256: str
    signer_subject: str | None = None
    signed_at: datetime | None = None
    decision: DecisionView | None = None
    document_kind: DocumentKind | None = None
    line_number: int | None = PydanticField(default=None, description="For one line's certificate")
