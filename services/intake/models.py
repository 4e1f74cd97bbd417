"""Intake's tables and the bodies of its token and withdrawal requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contracts.text import HumanText
from contracts.views import DossierStatus
from services.intake.domain.catalogue import OTHER_DOCUMENT


class Dossier(SQLModel, table=True):
    __tablename__ = "dossier"

    id: str = Field(primary_key=True, max_length=64)
    version: int = 1
    client_id: str = Field(index=True, max_length=100)
    submitting_organisation: str = Field(index=True, max_length=50)
    award_code: str = Field(max_length=50)
    external_reference: str | None = Field(default=None, max_length=200)
    submission_date: date
    proposal_year: int
    rule_set_id: str = Field(max_length=50)
    review_chain: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=DossierStatus.SUBMITTED, index=True, max_length=30)
    current_level: str | None = Field(default=None, max_length=30)
    decision_number: str | None = Field(default=None, max_length=100)
    trace_id: str | None = Field(default=None, max_length=32)
    audit_head: str = Field(default="", max_length=64)
    """The hash of the dossier's last history entry: entries removed from the end of the chain
    no longer reach it."""
    submitted_at: datetime
    updated_at: datetime


class DossierVersion(SQLModel, table=True):
    """Every version of a dossier as submitted (an amendment is a new version of the same dossier)."""

    __tablename__ = "dossier_version"

    dossier_id: str = Field(foreign_key="dossier.id", primary_key=True, max_length=64)
    version: int = Field(primary_key=True)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    body_sha256: str = Field(max_length=64)
    created_at: datetime


class DossierEntry(SQLModel, table=True):
    __tablename__ = "dossier_entry"

    id: str = Field(primary_key=True, max_length=100)
    dossier_id: str = Field(foreign_key="dossier.id", index=True, max_length=64)
    version: int
    position: int
    kind: str = Field(max_length=20)
    full_name: str = Field(max_length=300)
    achievement_summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    record: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    eligibility_outcome: str = Field(index=True, max_length=20)
    eligibility: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    struck_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """Why a reviewer or the council took the entry out of the dossier (the submitter sees it)."""
    struck_level: str | None = Field(default=None, max_length=30)
    line_number: int | None = None
    """Số sổ vàng in the decision, once issued."""
    revocation_number: str | None = Field(default=None, max_length=100)
    """The decision that revoked the award of this entry, if one did."""


class IdempotencyRecord(SQLModel, table=True):
    """What an ``Idempotency-Key`` was first used for, so a retry gets the same dossier."""

    __tablename__ = "idempotency_record"

    client_id: str = Field(primary_key=True, max_length=100)
    key: str = Field(primary_key=True, max_length=200)
    request_sha256: str = Field(max_length=64)
    dossier_id: str = Field(max_length=64)
    created_at: datetime


class Attachment(SQLModel, table=True):
    __tablename__ = "attachment"

    id: str = Field(primary_key=True, max_length=64)
    dossier_id: str = Field(foreign_key="dossier.id", index=True, max_length=64)
    version: int
    file_name: str = Field(max_length=255)
    media_type: str = Field(max_length=120)
    size_bytes: int
    sha256: str = Field(max_length=64)
    uploaded_at: datetime
    document_code: str = Field(default=OTHER_DOCUMENT, max_length=50)
    """The document type, a code of the catalogue's document table (``OTHER``: none named); the
    dossier's checklist counts attachments by it."""


class DossierHistory(SQLModel, table=True):
    """Every event seen for a dossier, in the order it happened."""

    __tablename__ = "dossier_history"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: str = Field(foreign_key="dossier.id", index=True, max_length=64)
    event_id: str = Field(max_length=200)
    source: str = Field(max_length=200)
    type: str = Field(max_length=100)
    occurred_at: datetime
    level: str | None = Field(default=None, max_length=30)
    actor: str | None = Field(default=None, max_length=200)
    organisation: str | None = Field(default=None, max_length=50)
    role: str | None = Field(default=None, max_length=30)
    version: int | None = None
    summary: str = Field(max_length=500)
    previous_hash: str = Field(default="", max_length=64)
    entry_hash: str = Field(default="", max_length=64)
    """Links the dossier's entries into a hash chain (``domain.audit``); verify with
    ``python -m services.intake.audit verify``."""


# --- HTTP bodies (the dossier views are contracts.views) ----------------------------------


class WithdrawalBody(BaseModel):
    reason: HumanText = Field(min_length=1, max_length=4000, description="Lý do rút hồ sơ")


class RevokedAward(SQLModel, table=True):
    """A line of an award decision revoked by its issuer (Luật TĐKT Điều 93, from
    ``decision.revoked``): nominations citing it in a record no longer count it."""

    __tablename__ = "revoked_award"

    revocation_id: str = Field(primary_key=True, max_length=64)
    decision_number: str = Field(index=True, max_length=100)
    award_code: str = Field(max_length=50)
    period_year: int | None = None
    nominee_key: str = Field(max_length=300)
    """``contracts.names.search_key`` of the nominee's name."""
    revocation_number: str = Field(max_length=100)
    revoked_on: date
    entry_id: str = Field(max_length=120)
