"""Decisions' tables and HTTP views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from contracts.envelope import utc_now
from contracts.events import DecisionReward, EntrySummary


class DecisionRegister(SQLModel, table=True):
    """One numbering register (sổ) per issuing organisation and calendar year: the last number
    given. Keyed by the organisation, not its issuer code: every commune prints "QĐ-UBND" but
    keeps its own register."""

    __tablename__ = "decision_register"

    organisation_code: str = Field(primary_key=True, max_length=50)
    year: int = Field(primary_key=True)
    last_sequence: int = 0


class Decision(SQLModel, table=True):
    __tablename__ = "decision"
    __table_args__ = (
        UniqueConstraint("deciding_organisation", "year", "sequence", name="uq_decision_register_position"),
    )

    id: str = Field(primary_key=True, max_length=64)
    dossier_id: str = Field(unique=True, max_length=64)
    number: str = Field(index=True, max_length=100)
    sequence: int
    year: int
    issuer_code: str = Field(max_length=50)
    deciding_organisation: str = Field(max_length=50)
    submitting_organisation: str = Field(max_length=50)
    award_code: str = Field(max_length=50)
    issued_on: date
    entries: list[dict[str, str]] = Field(sa_column=Column(JSON, nullable=False))
    reward: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utc_now)


class DecisionView(BaseModel):
    decision_id: str
    dossier_id: str
    number: str
    sequence: int
    year: int
    issuer_code: str
    deciding_organisation: str
    submitting_organisation: str
    award_code: str
    issued_on: date
    entries: list[EntrySummary]
    reward: DecisionReward | None = None
