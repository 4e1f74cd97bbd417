"""Decisions' tables and HTTP views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PydanticField
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


class DecisionNominee(SQLModel, table=True):
    """The awardees of a decision, one row each, so the registry can be searched by nominee."""

    __tablename__ = "decision_nominee"

    decision_id: str = Field(foreign_key="decision.id", primary_key=True, max_length=64)
    entry_id: str = Field(primary_key=True, max_length=120)
    nominee_name: str = Field(index=True, max_length=300)
    """Stored in lower case, without diacritics, for searching (see ``domain.search_key``)."""


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
    offset: int = PydanticField(default=0, ge=0)


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
